using NewsCms.Web.Features.Hosting;
using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Backup;

public static class BackupEndpoints
{
    /// <summary>POST (form with the antiforgery token): the site's backup as a zip download, for Administrators.</summary>
    public const string DownloadPath = "/api/backup";

    public static WebApplicationBuilder AddBackup(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<TimeProvider>(new StoredPrecisionClock());
        builder.Services.AddOptions<BackupOptions>().BindConfiguration(BackupOptions.Section);
        builder.Services.AddSingleton<PostgreSqlTools>();
        builder.Services.AddSingleton<SiteBackup>();
        return builder;
    }

    public static IEndpointRouteBuilder MapBackup(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(DownloadPath, DownloadAsync)
            .RequireAuthorization(Capabilities.ManageSettings)
            // A refusal is a status code, not the HTML error page re-executed as a POST.
            .WithMetadata(new SkipStatusCodePagesAttribute());
        return endpoints;
    }

    private static async Task<Results<FileStreamHttpResult, BadRequest, ForbidHttpResult, ContentHttpResult>> DownloadAsync(
        HttpContext context, IAntiforgery antiforgery, NewsroomActors actors, SiteBackup backup, AuditLog audit, TimeProvider clock,
        ILogger<SiteBackup> logger)
    {
        var ct = context.RequestAborted;
        // A POST without form fields of its own: the antiforgery check is not automatic for it.
        if (!await antiforgery.IsRequestValidAsync(context)) return TypedResults.BadRequest();
        var actor = await actors.ResolveAsync(context.User, Capabilities.ManageSettings, ct);
        if (!actor.Succeeded) return TypedResults.Forbid();

        var fileName = SiteBackup.FileName(clock.GetUtcNow().UtcDateTime);
        var result = await backup.CreateTemporaryFileAsync(ct);
        if (!result.Succeeded)
        {
            // PostgreSQL's tools missing, or pg_dump failing: what to do about it, on a page of its own, for the Administrator.
            logger.LogError("The backup {File} failed: {Error}", fileName, result.Error);
            return TypedResults.Content(FailurePage(result.Error!), "text/html; charset=utf-8", statusCode: StatusCodes.Status500InternalServerError);
        }
        var (manifest, file) = result.Value;
        await audit.WriteAsync(actor.Value!, AuditActions.BackupDownloaded, fileName,
            $"{manifest.Articles} articles, {manifest.MediaFiles} media files", CancellationToken.None);
        logger.LogInformation("{User} downloads the backup {File}: {Articles} articles, {MediaFiles} media files.",
            actor.Value!.DisplayName, fileName, manifest.Articles, manifest.MediaFiles);
        // The result closes the stream when the response is done, which deletes the file.
        return TypedResults.File(file, "application/zip", fileName);
    }

    private static string FailurePage(string error) =>
        $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Backup failed</title></head>
        <body><h1>Backup failed</h1><p>{WebUtility.HtmlEncode(error)}</p><p><a href="/admin/settings">Back to the settings</a></p></body></html>
        """;
}
