using System.Globalization;
using System.Security.Claims;
using System.Text;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Audit;

public static class AuditSetup
{
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AuditLog>();
        return builder;
    }

    /// <summary>/api/audit/export: the filtered audit log as CSV, for Administrators.</summary>
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/audit").RequireAuthorization(Capabilities.ViewAuditLog);
        group.MapGet("/export", async (ClaimsPrincipal user, NewsroomActors actors, AuditLog audit, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "user")] string? userFilter, string? action,
            DateTime? from, DateTime? to, CancellationToken ct) =>
        {
            var actor = await actors.ResolveAsync(user, Capabilities.ViewAuditLog, ct);
            if (!actor.Succeeded) return Results.Forbid();

            var csv = new StringBuilder("At (UTC),Actor,Action,Target,Details,Client address\n");
            for (var page = 0; ; page++)
            {
                var entries = await audit.SearchAsync(new AuditQuery(userFilter, action, from?.ToUniversalTime(), to?.ToUniversalTime(), page, 500), ct);
                foreach (var e in entries.Items)
                {
                    csv.AppendJoin(',', e.At.ToString("u", CultureInfo.InvariantCulture), Csv(e.ActorName), Csv(e.Action), Csv(e.Target), Csv(e.Details), Csv(e.ClientAddress)).Append('\n');
                }
                if ((page + 1) * 500 >= entries.Total) break;
            }
            return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", "newscms-audit.csv");
        });
        return endpoints;
    }

    // Quote every field and neutralise spreadsheet formulas in user-supplied text.
    private static string Csv(string? value)
    {
        value ??= "";
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0])) value = "'" + value;
        return "\"" + value.Replace("\"", "\"\"") + "\"";
    }
}
