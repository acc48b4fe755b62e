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
        builder.Services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section)
            .Validate(o => o.RetentionDays >= 1, "NewsCms:Audit:RetentionDays must be at least 1 (days an audit entry is kept).")
            .ValidateOnStart();
        builder.Services.AddHostedService<AuditRetention>();
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

            var query = new AuditQuery(userFilter, action, from?.ToUniversalTime(), to?.ToUniversalTime());
            // Written to the response as the pages are read: memory stays flat however long the log is.
            return Results.Stream(async body =>
            {
                await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024);
                await writer.WriteAsync("At (UTC),Actor,Action,Target,Details,Client address\n");
                var line = new StringBuilder();
                await foreach (var e in audit.ExportAsync(query, ct))
                {
                    line.Clear().AppendJoin(',', e.At.ToString("u", CultureInfo.InvariantCulture), Csv(e.ActorName), Csv(e.Action), Csv(e.Target), Csv(e.Details), Csv(e.ClientAddress)).Append('\n');
                    await writer.WriteAsync(line, ct);
                }
                await writer.FlushAsync(ct);
            }, "text/csv; charset=utf-8", "newscms-audit.csv");
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
