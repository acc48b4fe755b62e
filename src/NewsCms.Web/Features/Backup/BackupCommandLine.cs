using Microsoft.Data.Sqlite;
using Npgsql;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Media;

namespace NewsCms.Web.Features.Backup;

/// <summary>
/// <c>backup &lt;file&gt;</c> and <c>restore &lt;file&gt; [--force]</c> on the app's command line. They read the same settings
/// as the site (appsettings.json, environment variables, further <c>--Key=value</c> arguments) and start no web server.
/// Their output is the command's answer, so it goes to the console, not to the log.
/// </summary>
public static class BackupCommandLine
{
    public const string BackupCommand = "backup";
    public const string RestoreCommand = "restore";
    public const string ForceOption = "--force";

    public const string Usage =
        "Usage: dotnet NewsCms.Web.dll backup <file.zip | folder>\n" +
        "       dotnet NewsCms.Web.dll restore <file.zip> [--force]   (with the site stopped)";

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is BackupCommand or RestoreCommand;

    /// <summary>Runs the command; returns the process exit code (0 done, 1 refused or failed, 2 wrong arguments).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        var command = args[0];
        var force = args.Contains(ForceOption);
        var rest = args.Skip(1).Where(a => a != ForceOption).ToArray();
        if (rest.Length == 0 || rest[0].StartsWith("--", StringComparison.Ordinal) || (force && command == BackupCommand))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        var file = Path.GetFullPath(rest[0]);

        try
        {
            await using var app = BuildHost(settings: rest[1..]);
            var backup = app.Services.GetRequiredService<SiteBackup>();
            return command == BackupCommand
                ? await BackupAsync(backup, app.Services.GetRequiredService<TimeProvider>(), file, output, error, ct)
                : await RestoreAsync(backup, file, force, output, error, ct);
        }
        catch (Exception ex) when (ex is DatabaseUnavailableException or InvalidOperationException or SqliteException or NpgsqlException
            or UnauthorizedAccessException)
        {
            // Settings that name no usable database, a database that cannot be read, a folder that may not be written.
            await error.WriteLineAsync(ex.Message);
            return 1;
        }
    }

    /// <summary>The site's configuration and the services a backup needs, without the web server.</summary>
    private static WebApplication BuildHost(string[] settings)
    {
        var builder = WebApplication.CreateBuilder(settings);
        builder.AddRootSettingsFile();
        builder.Logging.ClearProviders();
        builder.AddNewsCmsDatabase();
        builder.Services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.Section);
        builder.AddBackup();
        return builder.Build();
    }

    private static async Task<int> BackupAsync(SiteBackup backup, TimeProvider clock, string target, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (Directory.Exists(target)) target = Path.Combine(target, SiteBackup.FileName(clock.GetUtcNow().UtcDateTime));
        // Written under another name and renamed when complete: a failed run never leaves a file that looks like a backup.
        var partial = target + ".partial";
        try
        {
            ServiceResult<BackupManifest> result;
            await using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true))
            {
                result = await backup.CreateAsync(stream, ct);
            }
            if (!result.Succeeded)
            {
                await error.WriteLineAsync(result.Error);
                return 1;
            }
            File.Move(partial, target, overwrite: true);
            var manifest = result.Value!;
            await output.WriteLineAsync(
                $"Backup written to {target} ({MediaSizes.Human(new FileInfo(target).Length)}): the {backup.DatabaseDescription} " +
                $"({manifest.Articles} articles) and {manifest.MediaFiles} media files from {backup.MediaRoot}.");
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Cannot write the backup to {target}: {ex.Message}");
            return 1;
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }

    private static async Task<int> RestoreAsync(SiteBackup backup, string file, bool force, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var result = await backup.RestoreAsync(file, force, ct);
        if (!result.Succeeded)
        {
            await error.WriteLineAsync(result.Error);
            return 1;
        }
        var (manifest, database, mediaRoot) = result.Value!;
        await output.WriteLineAsync(
            $"Restored {file} (made {manifest.CreatedAtUtc:yyyy-MM-dd HH:mm} UTC by NewsCms {manifest.AppVersion}): " +
            $"{manifest.Articles} articles and {manifest.MediaFiles} media files.\n" +
            $"Database: {database}\n" +
            $"Media:    {mediaRoot}\n" +
            "Start the site as usual. Everyone signs in again (sign-in keys are not in backups).");
        return 0;
    }
}
