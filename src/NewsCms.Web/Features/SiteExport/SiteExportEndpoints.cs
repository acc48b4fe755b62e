using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.SiteExport;

public static class SiteExportEndpoints
{
    /// <summary>POST (form with the antiforgery token): the site export as a zip download, for Administrators.</summary>
    public const string DownloadPath = "/api/site-export";

    public static WebApplicationBuilder AddSiteExport(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<SiteExporter>();
        builder.Services.AddScoped<SiteImporter>();
        return builder;
    }

    public static IEndpointRouteBuilder MapSiteExport(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(DownloadPath, DownloadAsync)
            .RequireAuthorization(Capabilities.ManageSettings)
            // A refusal is a status code, not the HTML error page re-executed as a POST.
            .WithMetadata(new SkipStatusCodePagesAttribute());
        return endpoints;
    }

    /// <summary>
    /// Streams the archive as it is written: nothing of the size of the site is held in memory or on disk. The service
    /// checks again that the user is an Administrator, and audits the export.
    /// </summary>
    private static async Task<Results<PushStreamHttpResult, BadRequest, ForbidHttpResult>> DownloadAsync(
        HttpContext context, IAntiforgery antiforgery, NewsroomActors actors, SiteExporter exporter, TimeProvider clock)
    {
        var ct = context.RequestAborted;
        // A POST without form fields of its own: the antiforgery check is not automatic for it.
        if (!await antiforgery.IsRequestValidAsync(context)) return TypedResults.BadRequest();
        var actor = await actors.ResolveAsync(context.User, Capabilities.ManageSettings, ct);
        if (!actor.Succeeded) return TypedResults.Forbid();
        var fileName = SiteArchive.FileName(clock.GetUtcNow().UtcDateTime);
        return TypedResults.Stream(async body =>
        {
            // The zip writer still makes some small synchronous writes (entry headers, descriptors); allowed for this response only.
            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpBodyControlFeature>() is { } control) control.AllowSynchronousIO = true;
            var result = await exporter.ExportAsync(context.User, body, fileName, ct);
            // Checked above, so only a change of role in between lands here: the download ends without an archive.
            if (!result.Succeeded) context.Abort();
        }, "application/zip", fileName);
    }
}
