using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.WordPress;

namespace NewsCms.Web.Features.Import;

public static class ImportSetup
{
    /// <summary>POST (multipart form with the antiforgery token): starts a WordPress import's dry run.</summary>
    public const string WordPressUploadPath = "/api/import/wordpress";

    /// <summary>Exports and upload zips can be large; they are buffered to disk by the form reader, never to memory.</summary>
    public const long MaxUploadBytes = 4L * 1024 * 1024 * 1024;

    public static string ReportPath(Guid id) => $"/api/import/{id:N}/report";

    public static WebApplicationBuilder AddImports(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<WordPressImporter>();
        builder.Services.AddScoped<ImportRuns>();
        builder.Services.AddSingleton<ImportQueue>();
        builder.Services.AddHostedService<ImportWorker>();
        return builder;
    }

    public static IEndpointRouteBuilder MapImports(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(WordPressUploadPath, UploadAsync)
            .RequireAuthorization(Capabilities.ImportContent)
            .WithMetadata(new SkipStatusCodePagesAttribute());
        endpoints.MapGet("/api/import/{id:guid}/report", ReportAsync)
            .RequireAuthorization(Capabilities.ImportContent);
        return endpoints;
    }

    private static async Task<Results<RedirectHttpResult, BadRequest>> UploadAsync(HttpContext context, IAntiforgery antiforgery, ImportRuns runs)
    {
        var ct = context.RequestAborted;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = MaxUploadBytes;
        context.Features.Set<IFormFeature>(new FormFeature(context.Request, new FormOptions
        {
            MultipartBodyLengthLimit = MaxUploadBytes,
            ValueLengthLimit = 1024,
        }));
        if (!await antiforgery.IsRequestValidAsync(context)) return TypedResults.BadRequest();

        var form = await context.Request.ReadFormAsync(ct);
        var export = form.Files.GetFile("export");
        var uploads = form.Files.GetFile("uploads");
        if (export is null || export.Length == 0) return BackWith(ImportRuns.NotAnExport);

        await using var exportStream = export.OpenReadStream();
        await using var uploadsStream = uploads is { Length: > 0 } ? uploads.OpenReadStream() : null;
        var started = await runs.StartWordPressAsync(context.User, exportStream, export.FileName, uploadsStream, uploads?.FileName,
            form["accounts"] == "true", ct);
        return started.Succeeded ? TypedResults.Redirect($"/admin/import?run={started.Value:N}") : BackWith(started.Error!);

        static RedirectHttpResult BackWith(string problem) => TypedResults.Redirect("/admin/import?problem=" + ImportProblems.CodeFor(problem));
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> ReportAsync(Guid id, HttpContext context, ImportRuns runs)
    {
        var run = await runs.GetAsync(context.User, id, context.RequestAborted);
        if (!run.Succeeded) return TypedResults.NotFound();
        var view = run.Value!;
        var text = $"NewsCms import of {view.FileName}{(view.UploadsFileName is null ? "" : " with " + view.UploadsFileName)}, " +
            $"started {view.StartedAt:yyyy-MM-dd HH:mm} UTC by {view.StartedByName}\n\n" + ImportReportText.Write(view.Report, view.IsDryRun);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(text), "text/plain; charset=utf-8",
            $"import-report-{view.StartedAt:yyyy-MM-dd-HHmm}.txt");
    }
}

/// <summary>
/// Why an upload was refused, carried back to /admin/import as a short code (never as text from the address, which
/// anyone could write into a link).
/// </summary>
public static class ImportProblems
{
    private static readonly Dictionary<string, string> Messages = new(StringComparer.Ordinal)
    {
        ["export"] = ImportRuns.NotAnExport,
        ["zip"] = ImportRuns.NotAZip,
        ["running"] = ImportRuns.AlreadyRunning,
        ["session"] = Users.NewsroomActors.SessionEnded,
        ["denied"] = Users.NewsroomActors.NotAllowed,
    };

    public static string CodeFor(string message) => Messages.FirstOrDefault(m => m.Value == message).Key ?? "failed";

    public static string? Describe(string? code) =>
        code is null ? null : Messages.GetValueOrDefault(code) ?? "The upload could not be started. Try again.";
}
