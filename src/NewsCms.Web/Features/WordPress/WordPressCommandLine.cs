using NewsCms.Web.Features.Import;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.WordPress;

/// <summary>
/// <c>import-wordpress &lt;export.xml&gt; [--media &lt;folder or zip&gt;] [--dry-run] [--report &lt;file&gt;] [--accounts]</c>:
/// imports a WordPress export with the site's settings and services, as the site's first administrator, printing
/// progress; no web server starts. Its output is the command's answer, so it goes to the console, not to the log.
/// </summary>
public static class WordPressCommandLine
{
    public const string Command = "import-wordpress";

    public const string Usage =
        "Usage: dotnet NewsCms.Web.dll import-wordpress <export.xml> [--media <folder or zip of wp-content/uploads>] [--dry-run] [--report <file>] [--accounts]";

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == Command;

    /// <summary>The site settings among the arguments (--Key=value); the command's own options are read by <see cref="RunAsync"/>.</summary>
    public static string[] SettingsArguments(string[] args) =>
        [.. args.Skip(1).Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('='))];

    /// <summary>Runs the import; returns the exit code (0 done, 1 failed, 2 wrong arguments).</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        string? export = null, media = null, reportFile = null;
        bool dryRun = false, accounts = false;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--media" when i + 1 < args.Length:
                    media = args[++i];
                    break;
                case "--report" when i + 1 < args.Length:
                    reportFile = args[++i];
                    break;
                case "--dry-run":
                    dryRun = true;
                    break;
                case "--accounts":
                    accounts = true;
                    break;
                case var setting when setting.StartsWith("--", StringComparison.Ordinal) && setting.Contains('='):
                    break; // a site setting, already read by the configuration
                case var file when export is null && !file.StartsWith("--", StringComparison.Ordinal):
                    export = file;
                    break;
                default:
                    await error.WriteLineAsync($"Unknown argument {args[i]}.\n{Usage}");
                    return 2;
            }
        }
        if (export is null)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        if (!File.Exists(export))
        {
            await error.WriteLineAsync($"The export file {export} does not exist.");
            return 1;
        }

        var actor = await services.GetRequiredService<NewsroomActors>().FirstAdministratorAsync(ct);
        if (actor is null)
        {
            await error.WriteLineAsync("The site has no administrator yet. Start the site, create the administrator account, then import.");
            return 1;
        }

        await using var scope = services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<WordPressImporter>();
        var started = DateTime.UtcNow;
        var lastShown = DateTime.MinValue;
        async Task ShowProgress(ImportProgress p)
        {
            if (p.Total == 0 || (DateTime.UtcNow - lastShown < TimeSpan.FromSeconds(2) && p.Processed != p.Total)) return;
            lastShown = DateTime.UtcNow;
            await output.WriteLineAsync($"{p.Processed} of {p.Total} posts and pages ({(DateTime.UtcNow - started).TotalSeconds:0} s)");
        }
        ImportReport report;
        try
        {
            await output.WriteLineAsync($"{(dryRun ? "Dry run of" : "Importing")} {Path.GetFileName(export)} as {actor.DisplayName}…");
            report = await importer.ImportAsync(Path.GetFullPath(export), media is null ? null : Path.GetFullPath(media),
                new WordPressImportOptions(dryRun, accounts), actor, ShowProgress, ct);
        }
        catch (Exception ex) when (ex is WordPressImportException or WxrFormatException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync(ex.Message);
            return 1;
        }

        var text = ImportReportText.Write(report, dryRun);
        if (reportFile is not null)
        {
            await File.WriteAllTextAsync(reportFile, reportFile.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                ? ImportReportText.Json(report) : text, ct);
        }
        await output.WriteLineAsync(reportFile is null ? text : ImportReportText.Summary(report, dryRun) + $"\nReport written to {reportFile}.");
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        await output.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Took {(DateTime.UtcNow - started).TotalSeconds:0.0} s; peak memory {process.PeakWorkingSet64 / (1024 * 1024)} MB."));
        return 0;
    }


}
