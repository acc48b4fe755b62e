using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Notifications;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.Webhooks;

namespace NewsCms.Web.Features.SiteExport;

/// <summary>
/// <c>export &lt;file.zip&gt;</c> and <c>import-site &lt;file.zip&gt; [--report &lt;file&gt;]</c> on the app's command line.
/// They read the same settings as the site (appsettings.json, environment variables, further <c>--Key=value</c>
/// arguments) and start no web server. Progress and the outcome are the command's answer, so they go to the console.
/// </summary>
public static class SiteExportCommandLine
{
    public const string ExportCommand = "export";
    public const string ImportCommand = "import-site";
    public const string ReportOption = "--report";

    public const string Usage =
        "Usage: dotnet NewsCms.Web.dll export <file.zip>\n" +
        "       dotnet NewsCms.Web.dll import-site <file.zip> [--report <report.json>]";

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is ExportCommand or ImportCommand;

    /// <summary>Runs the command; returns the process exit code (0 done, 1 refused or failed, 2 wrong arguments).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        var command = args[0];
        var rest = args.Skip(1).ToList();
        string? reportFile = null;
        var reportAt = rest.IndexOf(ReportOption);
        if (reportAt >= 0)
        {
            if (command != ImportCommand || reportAt + 1 >= rest.Count || rest[reportAt + 1].StartsWith("--", StringComparison.Ordinal))
            {
                await error.WriteLineAsync(Usage);
                return 2;
            }
            reportFile = Path.GetFullPath(rest[reportAt + 1]);
            rest.RemoveRange(reportAt, 2);
        }
        if (rest.Count == 0 || rest[0].StartsWith("--", StringComparison.Ordinal))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        var file = Path.GetFullPath(rest[0]);

        try
        {
            await using var app = BuildHost(settings: [.. rest.Skip(1)]);
            var progress = new ConsoleProgress(output);
            return command == ExportCommand
                ? await ExportAsync(app, file, progress, output, error, ct)
                : await ImportAsync(app, file, reportFile, progress, output, error, ct);
        }
        catch (Exception ex) when (ex is DatabaseUnavailableException or InvalidOperationException or SqliteException or NpgsqlException
            or UnauthorizedAccessException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            // Settings that name no usable database, a database that cannot be read, a folder that may not be written.
            await error.WriteLineAsync(ex.Message);
            return 1;
        }
    }

    /// <summary>The site's configuration and the services the commands need, without the web server or background work.</summary>
    private static WebApplication BuildHost(string[] settings)
    {
        var builder = WebApplication.CreateBuilder(settings);
        builder.AddRootSettingsFile();
        builder.Logging.ClearProviders();
        builder.AddNewsCmsHosting();
        builder.AddCluster();
        builder.AddNewsCmsDatabase();
        builder.AddNewsroomIdentity();
        builder.AddAudit();
        builder.AddSiteSettings();
        builder.AddArticles();
        builder.AddTaxonomy();
        builder.AddAuthors();
        builder.AddPublicCache();
        builder.AddMedia();
        // Article commits need the webhook outbox (an import tells no webhooks).
        builder.AddWebhooks();
        // ... and the newsroom's events (open pages on other nodes hear of imported articles).
        builder.AddNotifications();
        builder.AddSiteExport();
        return builder.Build();
    }

    private static async Task<int> ExportAsync(WebApplication app, string target, IProgress<string> progress, TextWriter output, TextWriter error,
        CancellationToken ct)
    {
        if (await SchemaProblemAsync(app, ct) is { } problem)
        {
            await error.WriteLineAsync(problem);
            return 1;
        }
        // Written under another name and renamed when complete: a failed run never leaves a file that looks like an export.
        var partial = target + ".partial";
        try
        {
            SiteExportSummary summary;
            await using (var scope = app.Services.CreateAsyncScope())
            await using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true))
            {
                summary = await scope.ServiceProvider.GetRequiredService<SiteExporter>().ExportFromCommandLineAsync(stream, Path.GetFileName(target), progress, ct);
            }
            File.Move(partial, target, overwrite: true);
            await output.WriteLineAsync($"Site exported to {target} ({MediaSizes.Human(new FileInfo(target).Length)}): {summary}. Site id {summary.SiteId}.");
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Cannot write the export to {target}: {ex.Message}");
            return 1;
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }

    private static async Task<int> ImportAsync(WebApplication app, string file, string? reportFile, IProgress<string> progress, TextWriter output,
        TextWriter error, CancellationToken ct)
    {
        // As the site's own start-up does: an empty site gets its tables, an older one is brought up to date.
        await app.MigrateNewsCmsDatabaseAsync();
        // With Redis, the running nodes hear of the import and refresh their caches.
        await app.ConnectClusterAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<SiteImporter>().ImportFromCommandLineAsync(file, progress, ct);
        if (!result.Succeeded)
        {
            await error.WriteLineAsync(result.Error);
            return 1;
        }
        var report = result.Value!;
        await output.WriteLineAsync($"Imported {file}.");
        // The same report text as every import: counts per kind, then each warning.
        await output.WriteAsync(Import.ImportReportText.Write(report, dryRun: false));
        if (reportFile is not null)
        {
            try
            {
                await File.WriteAllTextAsync(reportFile, JsonSerializer.Serialize(report, new JsonSerializerOptions(SiteArchive.Json) { WriteIndented = true }), ct);
                await output.WriteLineAsync($"Report written to {reportFile}.");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"The import is done, but the report cannot be written to {reportFile}: {ex.Message}");
                return 1;
            }
        }
        if (!RedisConfigured(app))
        {
            await output.WriteLineAsync("A site running on this database without Redis shows the imported content within 10 minutes (its page cache), or at once after a restart.");
        }
        return 0;
    }

    private static bool RedisConfigured(WebApplication app) => app.Services.GetRequiredService<RedisConnection>().IsConfigured;

    /// <summary>Why the database cannot be exported as it is (none yet, or from another version), or null.</summary>
    private static async Task<string?> SchemaProblemAsync(WebApplication app, CancellationToken ct)
    {
        var location = app.Services.GetRequiredService<DatabaseLocation>();
        if (location.Provider == DatabaseProvider.Sqlite && !File.Exists(location.FilePath))
        {
            return $"There is no database at '{location.FilePath}' yet (setting {DatabaseSetup.SettingName}): nothing to export.";
        }
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(ct);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count == db.Database.GetMigrations().Count())
        {
            return $"The {location.Description} has no NewsCms tables yet (setting {DatabaseSetup.SettingName}): nothing to export.";
        }
        return pending.Count > 0
            ? $"The {location.Description} is from an older version of NewsCms: start the site once (it brings the database up to date), then export."
            : null;
    }

    /// <summary>Progress lines as they come.</summary>
    private sealed class ConsoleProgress(TextWriter output) : IProgress<string>
    {
        public void Report(string value) => output.WriteLine(value);
    }
}
