using System.Data;
using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Media;
using Npgsql;

namespace NewsCms.Web.Features.Backup;

/// <summary>What backup.json in a backup says about it. Backups from before PostgreSQL have no provider: SQLite's.</summary>
public sealed record BackupManifest(string Format, int FormatVersion, string AppVersion, DateTime CreatedAtUtc, int Articles, int MediaFiles,
    DatabaseProvider Provider = DatabaseProvider.Sqlite);

/// <summary>What a restore put where (<paramref name="Database"/>: the file, or the server and database).</summary>
public sealed record RestoreSummary(BackupManifest Manifest, string Database, string MediaRoot);

/// <summary>
/// A backup is one zip file: <c>backup.json</c> (the manifest, which names the provider that made it), the database and
/// <c>media/</c> (the image files, as in the media folder). The database is <c>newscms.db</c> on SQLite, a copy made with
/// SQLite's online backup API, or <c>newscms.pgdump</c> on PostgreSQL, written by pg_dump (custom format); either is one
/// consistent moment while the site keeps serving and writing. A backup restores only into a site on the same provider.
/// The Data Protection key ring stays out (its rows are left out of both): whoever holds the keys can forge sign-in cookies.
/// </summary>
public sealed partial class SiteBackup(
    DatabaseLocation database,
    IOptions<MediaOptions> mediaOptions,
    IHostEnvironment environment,
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    PostgreSqlTools tools,
    TimeProvider clock)
{
    public const string Format = "NewsCms backup";
    public const int FormatVersion = 1;
    public const string ManifestEntry = "backup.json";
    public const string DatabaseEntry = "newscms.db";
    public const string PostgreSqlDumpEntry = "newscms.pgdump";
    public const string MediaPrefix = "media/";

    /// <summary>Tables whose rows stay out of backups: the key ring (secrets) and which node holds which lease (this moment's state).</summary>
    private static readonly string[] ExcludedTables = ["DataProtectionKeys", "NodeLeases"];

    /// <summary>Tables whose ProtectedSecret column is emptied in backups (SQLite); PostgreSQL dumps leave out the keys' rows.</summary>
    private static readonly string[] SecretColumnTables = ["IntegrationKeys", "Webhooks"];

    // Relaxed escaping: the file is read by people too ("1.0.0+abc", not "1.0.0\u002Babc").
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The archive entry that holds the database of a site on <paramref name="provider"/>.</summary>
    public static string DatabaseEntryFor(DatabaseProvider provider) => provider == DatabaseProvider.PostgreSQL ? PostgreSqlDumpEntry : DatabaseEntry;

    /// <summary>"SQLite", "PostgreSQL".</summary>
    public static string ProviderName(DatabaseProvider provider) => provider == DatabaseProvider.PostgreSQL ? "PostgreSQL" : "SQLite";

    /// <summary>For messages: the database file, or the PostgreSQL server and database.</summary>
    public string DatabaseDescription => database.Description;

    /// <summary>Why backups cannot be made or restored here (PostgreSQL's tools missing), or null.</summary>
    public string? Problem => tools.Problem();

    public string MediaRoot => MediaStorage.ResolveRoot(mediaOptions.Value, database, environment);

    /// <summary>"newscms-backup-2026-11-24-0130.zip" (UTC).</summary>
    public static string FileName(DateTime utc) => $"newscms-backup-{utc:yyyy-MM-dd-HHmm}.zip";

    public static string AppVersion =>
        typeof(SiteBackup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>
    /// A backup in a temporary file next to the database, deleted when the returned stream is closed: complete before the
    /// first byte is sent (a failure is an error, not a cut-off download), with its length known.
    /// </summary>
    public async Task<ServiceResult<(BackupManifest Manifest, Stream File)>> CreateTemporaryFileAsync(CancellationToken ct = default)
    {
        var file = new FileStream(TempPath("backup", ".zip"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            var result = await CreateAsync(file, ct);
            if (!result.Succeeded)
            {
                await file.DisposeAsync();
                return ServiceResult<(BackupManifest, Stream)>.Fail(result.Error!);
            }
            file.Position = 0;
            return ServiceResult<(BackupManifest, Stream)>.Success((result.Value!, file));
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes a backup of the site to <paramref name="destination"/>.</summary>
    public Task<ServiceResult<BackupManifest>> CreateAsync(Stream destination, CancellationToken ct = default) =>
        database.Provider == DatabaseProvider.PostgreSQL ? CreateFromPostgreSqlAsync(destination, ct) : CreateFromSqliteAsync(destination, ct);

    private async Task<ServiceResult<BackupManifest>> CreateFromSqliteAsync(Stream destination, CancellationToken ct)
    {
        if (!File.Exists(database.FilePath))
        {
            return ServiceResult<BackupManifest>.Fail(
                $"There is no database at '{database.FilePath}' yet (setting {DatabaseSetup.SettingName}): nothing to back up.");
        }
        var createdAt = clock.GetUtcNow().UtcDateTime;
        RemoveAbandonedWorkFiles();
        // Next to the database rather than in /tmp: the copy is as large as the database, and /tmp is often kept in memory.
        var copy = TempPath("backup", ".db");
        try
        {
            var articles = CopyDatabase(copy);
            // The files are listed after the database is copied: an upload stores its files before its row, so every
            // image in the copy has its files.
            var files = ListMediaFiles(MediaRoot);

            await using var zip = await ZipArchive.CreateAsync(destination, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
            await zip.CreateEntryFromFileAsync(copy, DatabaseEntry, CompressionLevel.Optimal, ct);
            return ServiceResult<BackupManifest>.Success(await AddMediaAndManifestAsync(zip, files, createdAt, articles, ct));
        }
        finally
        {
            DeleteDatabaseFiles(copy);
        }
    }

    /// <summary>
    /// pg_dump's output goes straight into the archive. It reads the database in a snapshot exported from a transaction
    /// held open meanwhile, which also counts the articles, so the manifest's count is the dump's.
    /// </summary>
    private async Task<ServiceResult<BackupManifest>> CreateFromPostgreSqlAsync(Stream destination, CancellationToken ct)
    {
        if (tools.Find(PostgreSqlTools.PgDump) is null) return ServiceResult<BackupManifest>.Fail(tools.Missing(PostgreSqlTools.PgDump));
        var createdAt = clock.GetUtcNow().UtcDateTime;
        try
        {
            await using var connection = await OpenPostgreSqlAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            var snapshot = (string)(await ScalarAsync(connection, "SELECT pg_export_snapshot()", ct))!;
            var articles = Convert.ToInt32(await ScalarAsync(connection, "SELECT count(*) FROM \"Articles\"", ct));
            var files = ListMediaFiles(MediaRoot);

            await using var zip = await ZipArchive.CreateAsync(destination, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
            ToolRun dump;
            // The custom format is compressed already.
            await using (var entry = await zip.CreateEntry(PostgreSqlDumpEntry, CompressionLevel.NoCompression).OpenAsync(ct))
            {
                dump = await tools.RunAsync(PostgreSqlTools.PgDump,
                    ["--format=custom", $"--snapshot={snapshot}", .. ExcludedTables.Append("IntegrationKeys").Select(table => $"--exclude-table-data=*.\"{table}\"")],
                    connect: true, (output, token) => output.CopyToAsync(entry, token), ct);
            }
            if (dump.ExitCode != 0)
            {
                return ServiceResult<BackupManifest>.Fail($"pg_dump failed (exit code {dump.ExitCode}) on the {database.Description}: {dump.Error}");
            }
            return ServiceResult<BackupManifest>.Success(await AddMediaAndManifestAsync(zip, files, createdAt, articles, ct));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return ServiceResult<BackupManifest>.Fail(
                $"The {database.Description} has no NewsCms tables yet (setting {DatabaseSetup.SettingName}): nothing to back up.");
        }
        catch (NpgsqlException ex)
        {
            return ServiceResult<BackupManifest>.Fail(CannotConnect(ex));
        }
    }

    /// <summary>The media files (those listed before, still there) and, last, the manifest, so that its counts are what the archive holds.</summary>
    private async Task<BackupManifest> AddMediaAndManifestAsync(ZipArchive zip, List<string> files, DateTime createdAt, int articles, CancellationToken ct)
    {
        var mediaRoot = MediaRoot;
        var mediaFiles = 0;
        foreach (var file in files)
        {
            try
            {
                // Images are compressed already.
                await zip.CreateEntryFromFileAsync(file, MediaPrefix + EntryPath(mediaRoot, file), CompressionLevel.NoCompression, ct);
                mediaFiles++;
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // Deleted since it was listed (its image was deleted): not needed.
            }
        }

        var manifest = new BackupManifest(Format, FormatVersion, AppVersion, createdAt, articles, mediaFiles, database.Provider);
        await using (var entry = await zip.CreateEntry(ManifestEntry, CompressionLevel.Optimal).OpenAsync(ct))
        {
            await JsonSerializer.SerializeAsync(entry, manifest, Json, ct);
        }
        return manifest;
    }

    /// <summary>
    /// Replaces this site's database and media files with those in <paramref name="file"/>. Only while no app runs on the
    /// database; only over an empty site unless <paramref name="force"/>; only from a backup of a site on the same provider.
    /// The archive is checked completely (manifest, entries, the database read through) and unpacked beside the site
    /// before anything is replaced.
    /// </summary>
    public Task<ServiceResult<RestoreSummary>> RestoreAsync(string file, bool force, CancellationToken ct = default) =>
        database.Provider == DatabaseProvider.PostgreSQL ? RestoreIntoPostgreSqlAsync(file, force, ct) : RestoreIntoSqliteAsync(file, force, ct);

    private async Task<ServiceResult<RestoreSummary>> RestoreIntoSqliteAsync(string file, bool force, CancellationToken ct)
    {
        using var siteLock = SiteLock.TryTake(database, exclusive: true);
        if (siteLock is null)
        {
            return ServiceResult<RestoreSummary>.Fail(
                $"NewsCms is running on '{database.FilePath}' (or another restore is). Stop the site first, then restore.");
        }
        if (!File.Exists(file)) return ServiceResult<RestoreSummary>.Fail($"There is no file '{file}'.");

        var mediaRoot = MediaRoot;
        RemoveAbandonedWorkFiles();
        var newDatabase = TempPath("restore", ".db");
        var staging = Path.Combine(mediaRoot, ".restoring-" + Guid.NewGuid().ToString("N"));
        try
        {
            BackupManifest manifest;
            try
            {
                await using var zip = await OpenArchiveAsync(file, ct);
                (manifest, var mediaEntries) = await ReadArchiveAsync(zip, ct);
                await ExtractAsync(zip.GetEntry(DatabaseEntry)!, newDatabase, ct);
                var articles = CheckDatabase(newDatabase);
                if (articles != manifest.Articles)
                {
                    throw new Refused($"its manifest lists {manifest.Articles} article(s), but its database holds {articles}.");
                }

                if (!force && DescribeSite(mediaRoot) is { } existing)
                {
                    return ServiceResult<RestoreSummary>.Fail(
                        $"This site already has {existing} ('{database.FilePath}', '{mediaRoot}'). A restore replaces all of it: " +
                        "run it again with --force to do that.");
                }

                foreach (var entry in mediaEntries)
                {
                    await ExtractAsync(entry, Path.Combine(staging, entry.FullName[MediaPrefix.Length..]), ct);
                }
            }
            catch (Refused refused)
            {
                return ServiceResult<RestoreSummary>.Fail($"'{file}' cannot be restored: {refused.Message} Nothing was changed.");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return ServiceResult<RestoreSummary>.Fail($"'{file}' could not be unpacked: {ex.Message} Nothing was changed.");
            }

            try
            {
                Replace(newDatabase, staging, mediaRoot);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return ServiceResult<RestoreSummary>.Fail($"Replacing the site's files failed: {ex.Message} Nothing was deleted: the " +
                    $"previous files were moved aside under names containing '.replaced' in '{database.Folder}' and '{mediaRoot}'.");
            }
            return ServiceResult<RestoreSummary>.Success(new RestoreSummary(manifest, database.FilePath, mediaRoot));
        }
        finally
        {
            DeleteDatabaseFiles(newDatabase);
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// The dump is read through once (pg_restore writing SQL that is only counted) before the database is touched, then
    /// restored with <c>pg_restore --clean --if-exists --single-transaction</c>: it drops and recreates every object the
    /// backup holds in one transaction, so a restore that fails half-way (a damaged block, the server gone, a full disk)
    /// changes nothing. The media folder is replaced only after it committed. What --clean cannot do is remove tables the
    /// backup does not know, so a backup older than the database's schema is refused (restore it into an empty database).
    /// </summary>
    private async Task<ServiceResult<RestoreSummary>> RestoreIntoPostgreSqlAsync(string file, bool force, CancellationToken ct)
    {
        if (tools.Find(PostgreSqlTools.PgRestore) is null) return ServiceResult<RestoreSummary>.Fail(tools.Missing(PostgreSqlTools.PgRestore));
        var mediaRoot = MediaRoot;
        var dump = TempPath("restore", ".pgdump");
        var staging = Path.Combine(mediaRoot, ".restoring-" + Guid.NewGuid().ToString("N"));
        SiteLock? siteLock = null;
        try
        {
            // Every running node holds the site lock (see SiteLock), whether or not it has a query open right now.
            siteLock = SiteLock.TryTake(database, exclusive: true);
            if (siteLock is null)
            {
                return ServiceResult<RestoreSummary>.Fail($"NewsCms is running on the {database.Description} (or another restore is). " +
                    "Stop the site first (every node), then restore.");
            }
            await using var connection = await OpenPostgreSqlAsync(ct);
            // Anything else connected to the database (a report, a console) would hold the restore up with its locks.
            var others = Convert.ToInt32(await ScalarAsync(connection,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() " +
                $"AND backend_type = 'client backend' AND application_name <> '{SiteLock.PostgreSqlApplicationName}'", ct));
            if (others > 0)
            {
                return ServiceResult<RestoreSummary>.Fail($"NewsCms is running on the {database.Description} ({others} other connection(s) to it). " +
                    "Stop the site first (every node, and anything else connected to the database), then restore.");
            }
            if (!File.Exists(file)) return ServiceResult<RestoreSummary>.Fail($"There is no file '{file}'.");
            RemoveAbandonedWorkFiles();

            BackupManifest manifest;
            try
            {
                await using var zip = await OpenArchiveAsync(file, ct);
                (manifest, var mediaEntries) = await ReadArchiveAsync(zip, ct);
                await ExtractAsync(zip.GetEntry(PostgreSqlDumpEntry)!, dump, ct);
                var (migrations, articles) = await ReadDumpAsync(dump, ct);
                CheckNotNewer(migrations);
                if (articles != manifest.Articles)
                {
                    throw new Refused($"its manifest lists {manifest.Articles} article(s), but its database holds {articles}.");
                }
                var siteMigrations = await TableExistsAsync(connection, "__EFMigrationsHistory", ct)
                    ? await StringsAsync(connection, "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"", ct)
                    : [];
                if (siteMigrations.Except(migrations).Order(StringComparer.Ordinal).FirstOrDefault() is { } newer)
                {
                    throw new Refused($"it is older than this database's schema (the database has the migration {newer}, the backup does not), " +
                        $"and restoring over it would leave the newer tables beside the backup's. Restore it into a new, empty database " +
                        $"(create one and point {DatabaseSetup.SettingName} at it); the site brings it up to date when it starts.");
                }

                if (!force && await DescribePostgreSqlSiteAsync(connection, mediaRoot, ct) is { } existing)
                {
                    return ServiceResult<RestoreSummary>.Fail(
                        $"This site already has {existing} ({database.Description}, '{mediaRoot}'). A restore replaces all of it: " +
                        "run it again with --force to do that.");
                }

                foreach (var entry in mediaEntries)
                {
                    await ExtractAsync(entry, Path.Combine(staging, entry.FullName[MediaPrefix.Length..]), ct);
                }
            }
            catch (Refused refused)
            {
                return ServiceResult<RestoreSummary>.Fail($"'{file}' cannot be restored: {refused.Message} Nothing was changed.");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return ServiceResult<RestoreSummary>.Fail($"'{file}' could not be unpacked: {ex.Message} Nothing was changed.");
            }
            await connection.CloseAsync();

            // --no-owner and --no-privileges: the objects belong to the account that restores, and no GRANT can fail for a
            // role this server does not have (which would undo the whole restore).
            var restore = await tools.RunAsync(PostgreSqlTools.PgRestore,
                ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", dump],
                connect: true, (output, token) => output.CopyToAsync(Stream.Null, token), ct);
            if (restore.ExitCode != 0)
            {
                return ServiceResult<RestoreSummary>.Fail($"pg_restore failed (exit code {restore.ExitCode}) on the {database.Description}: " +
                    $"{restore.Error} It ran in one transaction, so the database was not changed, and neither was the media folder.");
            }

            try
            {
                ReplaceMedia(staging, mediaRoot, "." + Guid.NewGuid().ToString("N"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return ServiceResult<RestoreSummary>.Fail($"The database was restored, but replacing the media files failed: {ex.Message} " +
                    $"Nothing was deleted: the previous files were moved aside under a name containing '.replaced' in '{mediaRoot}'.");
            }
            return ServiceResult<RestoreSummary>.Success(new RestoreSummary(manifest, database.Description, mediaRoot));
        }
        catch (NpgsqlException ex)
        {
            return ServiceResult<RestoreSummary>.Fail(CannotConnect(ex) + " Nothing was changed.");
        }
        finally
        {
            siteLock?.Dispose();
            File.Delete(dump);
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    // ----- creating -----

    private int CopyDatabase(string copyPath)
    {
        using var source = Open(database.FilePath, SqliteOpenMode.ReadWrite);
        using var copy = Open(copyPath, SqliteOpenMode.ReadWriteCreate);
        // One step over all pages: the copy is a single snapshot, taken in a read transaction that writers do not wait for (WAL).
        source.BackupDatabase(copy);
        // secure_delete: the rows' bytes are overwritten in the copy, not only unlinked.
        Scalar(copy, "PRAGMA secure_delete = ON");
        foreach (var table in ExcludedTables)
        {
            // A site whose file is older than the table (not started since the upgrade) has none.
            if (Scalar(copy, $"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{table}'") is not null) Scalar(copy, $"DELETE FROM \"{table}\"");
        }
        // Integration keys and webhook secrets stay out too: the rows stay (what each integration is, when its keys
        // were used), their secrets do not, so a restored site shows the keys as needing to be regenerated.
        foreach (var table in SecretColumnTables)
        {
            if (Scalar(copy, $"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{table}'") is not null) Scalar(copy, $"UPDATE \"{table}\" SET \"ProtectedSecret\" = NULL");
        }
        return Count(copy, "Articles");
    }

    /// <summary>The library's files: all in the media folder that a restore takes back (see <see cref="IsSafeRelativePath"/>).</summary>
    private static List<string> ListMediaFiles(string mediaRoot)
    {
        if (!Directory.Exists(mediaRoot)) return [];
        return Directory.EnumerateFileSystemEntries(mediaRoot)
            .Where(path => !Path.GetFileName(path).StartsWith('.'))
            .SelectMany(path => Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories) : [path])
            .Where(file => IsSafeRelativePath(EntryPath(mediaRoot, file)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static string EntryPath(string root, string file) =>
        Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');

    // ----- restoring -----

    private static async Task<ZipArchive> OpenArchiveAsync(string file, CancellationToken ct)
    {
        try
        {
            return await ZipFile.OpenReadAsync(file, ct);
        }
        catch (InvalidDataException)
        {
            throw new Refused("it is not a zip file, or it is damaged.");
        }
    }

    private static async Task<BackupManifest> ReadManifestAsync(ZipArchive zip, CancellationToken ct)
    {
        var entry = zip.GetEntry(ManifestEntry) ?? throw new Refused($"it has no {ManifestEntry}, so it is not a NewsCms backup.");
        BackupManifest? manifest;
        try
        {
            await using var stream = await entry.OpenAsync(ct);
            manifest = await JsonSerializer.DeserializeAsync<BackupManifest>(stream, Json, ct);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            throw new Refused($"its {ManifestEntry} cannot be read ({ex.Message}).");
        }
        if (manifest?.Format != Format) throw new Refused($"its {ManifestEntry} is not a NewsCms backup's.");
        if (manifest.FormatVersion != FormatVersion)
        {
            throw new Refused($"it is in backup format {manifest.FormatVersion}, made by NewsCms {manifest.AppVersion}; this version reads format {FormatVersion}.");
        }
        return manifest;
    }

    /// <summary>
    /// The manifest, then: made on this site's provider, with the entries a backup has and as many media files as it
    /// says. Returns the manifest and the media files.
    /// </summary>
    private async Task<(BackupManifest, List<ZipArchiveEntry>)> ReadArchiveAsync(ZipArchive zip, CancellationToken ct)
    {
        var manifest = await ReadManifestAsync(zip, ct);
        if (manifest.Provider != database.Provider)
        {
            throw new Refused($"it is a backup of a site on {ProviderName(manifest.Provider)}, and this site runs on {ProviderName(database.Provider)} " +
                $"(setting {DatabaseProviderSetting.Name}). A backup restores only into a site on the database it was made on: moving a site " +
                $"from {ProviderName(manifest.Provider)} to {ProviderName(database.Provider)} is not something backup and restore do.");
        }
        var mediaEntries = CheckEntries(zip, DatabaseEntryFor(manifest.Provider));
        if (mediaEntries.Count != manifest.MediaFiles)
        {
            throw new Refused($"its manifest lists {manifest.MediaFiles} media file(s), but it holds {mediaEntries.Count}.");
        }
        return (manifest, mediaEntries);
    }

    /// <summary>Every entry must be one a backup has; returns the media files.</summary>
    private static List<ZipArchiveEntry> CheckEntries(ZipArchive zip, string databaseEntry)
    {
        if (zip.GetEntry(databaseEntry) is null) throw new Refused($"it has no {databaseEntry}.");
        var media = new List<ZipArchiveEntry>();
        foreach (var entry in zip.Entries)
        {
            var name = entry.FullName;
            if (name == ManifestEntry || name == databaseEntry || name.EndsWith('/')) continue;
            if (!name.StartsWith(MediaPrefix, StringComparison.Ordinal) || !IsSafeRelativePath(name[MediaPrefix.Length..]))
            {
                throw new Refused($"it holds '{name}', which a NewsCms backup never does.");
            }
            media.Add(entry);
        }
        return media;
    }

    /// <summary>
    /// A path inside the media folder, on any system: no way out ("..", a root, a drive, a backslash) and not into its
    /// work folders (top-level names starting with a dot: uploads in progress, restores).
    /// </summary>
    private static bool IsSafeRelativePath(string path)
    {
        var segments = path.Split('/');
        return !path.Contains('\\') && !path.Contains(':') && !segments[0].StartsWith('.')
            && segments.All(segment => segment is not ("" or "." or ".."));
    }

    private static async Task ExtractAsync(ZipArchiveEntry entry, string path, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            await entry.ExtractToFileAsync(path, overwrite: false, ct);
        }
        catch (InvalidDataException ex)
        {
            throw new Refused($"its {entry.FullName} is damaged ({ex.Message}).");
        }
    }

    /// <summary>SQLite's integrity check, then: is it NewsCms's, and not from a newer version than this one? Returns its article count.</summary>
    private int CheckDatabase(string path)
    {
        var migrations = new List<string>();
        int articles;
        try
        {
            using var connection = Open(path, SqliteOpenMode.ReadWrite);
            var integrity = Scalar(connection, "PRAGMA integrity_check")?.ToString();
            if (integrity != "ok") throw new Refused($"its database is damaged (SQLite's integrity check says: {integrity}).");
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT MigrationId FROM __EFMigrationsHistory";
                using var reader = command.ExecuteReader();
                while (reader.Read()) migrations.Add(reader.GetString(0));
            }
            articles = Count(connection, "Articles");
        }
        catch (SqliteException ex)
        {
            throw new Refused($"its {DatabaseEntry} is damaged or not a NewsCms database (SQLite: {ex.Message}).");
        }

        CheckNotNewer(migrations);
        return articles;
    }

    /// <summary>A backup's database must not come from a newer NewsCms than this one (one with migrations it does not know).</summary>
    private void CheckNotNewer(IEnumerable<string> migrations)
    {
        using var db = dbFactory.CreateDbContext();
        var unknown = migrations.Except(db.Database.GetMigrations()).ToList();
        if (unknown.Count > 0)
        {
            throw new Refused($"it was made by a newer NewsCms (its database has the migration {unknown[0]}, which this version does not know). " +
                "Restore it with that version or a later one.");
        }
    }

    /// <summary>"3 article(s), 1 account(s)" for a site with content, null for an empty one.</summary>
    private string? DescribeSite(string mediaRoot)
    {
        var parts = new List<string>();
        if (File.Exists(database.FilePath))
        {
            try
            {
                using var connection = Open(database.FilePath, SqliteOpenMode.ReadWrite);
                if (Count(connection, "Articles") is var articles and > 0) parts.Add($"{articles} article(s)");
                if (Count(connection, "AspNetUsers") is var accounts and > 0) parts.Add($"{accounts} account(s)");
            }
            catch (SqliteException ex)
            {
                parts.Add($"a database NewsCms cannot read ({ex.Message})");
            }
        }
        if (ListMediaFiles(mediaRoot).Count is var files and > 0) parts.Add($"{files} media file(s)");
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary>
    /// The old files are moved aside (renames, within the same folders) and deleted only when the new ones are in place.
    /// The database's -wal and -shm go with it: a stale WAL would otherwise be replayed into the restored file.
    /// </summary>
    private void Replace(string newDatabase, string staging, string mediaRoot)
    {
        var aside = "." + Guid.NewGuid().ToString("N");
        var oldDatabaseFiles = new List<string>();
        foreach (var suffix in DatabaseFileSuffixes)
        {
            var path = database.FilePath + suffix;
            if (!File.Exists(path)) continue;
            File.Move(path, database.FilePath + ".replaced" + aside + suffix);
            oldDatabaseFiles.Add(database.FilePath + ".replaced" + aside + suffix);
        }
        File.Move(newDatabase, database.FilePath);
        ReplaceMedia(staging, mediaRoot, aside);
        foreach (var path in oldDatabaseFiles) File.Delete(path);
    }

    /// <summary>
    /// Entry by entry rather than the folder itself: the media folder may be a mount point, which cannot be renamed.
    /// The old entries are moved aside, then deleted once the new ones are in.
    /// </summary>
    private static void ReplaceMedia(string staging, string mediaRoot, string aside)
    {
        Directory.CreateDirectory(mediaRoot);
        var oldMedia = Path.Combine(mediaRoot, ".replaced" + aside);
        Directory.CreateDirectory(oldMedia);
        foreach (var path in Directory.EnumerateFileSystemEntries(mediaRoot).Where(p => !Path.GetFileName(p).StartsWith('.')).ToList())
        {
            Move(path, Path.Combine(oldMedia, Path.GetFileName(path)));
        }
        if (Directory.Exists(staging))
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(staging).ToList())
            {
                Move(path, Path.Combine(mediaRoot, Path.GetFileName(path)));
            }
        }

        Directory.Delete(oldMedia, recursive: true);
    }

    private static void Move(string from, string to)
    {
        if (Directory.Exists(from)) Directory.Move(from, to);
        else File.Move(from, to);
    }

    // ----- SQLite -----

    private static readonly string[] DatabaseFileSuffixes = ["", "-wal", "-shm", "-journal"];

    private string TempPath(string purpose, string extension) => Path.Combine(database.Folder, $".{purpose}-{Guid.NewGuid():N}{extension}");

    // Work files that a crash or a kill left behind (a day old: none of a backup still running).
    private void RemoveAbandonedWorkFiles()
    {
        foreach (var path in Directory.EnumerateFiles(database.Folder, ".backup-*").Concat(Directory.EnumerateFiles(database.Folder, ".restore-*")))
        {
            if (File.GetLastWriteTimeUtc(path) < DateTime.UtcNow.AddDays(-1)) File.Delete(path);
        }
    }

    private static void DeleteDatabaseFiles(string path)
    {
        foreach (var suffix in DatabaseFileSuffixes) File.Delete(path + suffix);
    }

    // Unpooled: the files are moved or deleted right after, so no connection may stay open on them.
    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 5000;";
        command.ExecuteNonQuery();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static int Count(SqliteConnection connection, string table) => Convert.ToInt32(Scalar(connection, $"SELECT COUNT(*) FROM \"{table}\""));

    // ----- PostgreSQL -----

    /// <summary>Unpooled: no idle connection stays behind that would look like a running site to a restore.</summary>
    private async Task<NpgsqlConnection> OpenPostgreSqlAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private string CannotConnect(NpgsqlException ex) =>
        $"NewsCms cannot use the {database.Description} (settings {DatabaseSetup.SettingName} and {DatabaseProviderSetting.Name}): {ex.Message}";

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct);
    }

    private static async Task<List<string>> StringsAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var values = new List<string>();
        while (await reader.ReadAsync(ct)) values.Add(reader.GetString(0));
        return values;
    }

    private static async Task<bool> TableExistsAsync(NpgsqlConnection connection, string table, CancellationToken ct) =>
        await ScalarAsync(connection, $"SELECT to_regclass('\"{table}\"') IS NOT NULL", ct) is true;

    private static async Task<int> CountAsync(NpgsqlConnection connection, string table, CancellationToken ct) =>
        await TableExistsAsync(connection, table, ct) ? Convert.ToInt32(await ScalarAsync(connection, $"SELECT count(*) FROM \"{table}\"", ct)) : 0;

    /// <summary>"3 article(s), 1 account(s)" for a site with content, null for an empty one (or an empty database).</summary>
    private static async Task<string?> DescribePostgreSqlSiteAsync(NpgsqlConnection connection, string mediaRoot, CancellationToken ct)
    {
        var parts = new List<string>();
        if (await CountAsync(connection, "Articles", ct) is var articles and > 0) parts.Add($"{articles} article(s)");
        if (await CountAsync(connection, "AspNetUsers", ct) is var accounts and > 0) parts.Add($"{accounts} account(s)");
        if (ListMediaFiles(mediaRoot).Count is var files and > 0) parts.Add($"{files} media file(s)");
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary>
    /// pg_restore reads the whole dump and writes it as SQL, of which only the table data is looked at: the migrations
    /// it holds and its number of articles. A damaged block (pg_restore fails) or a dump of another database (no
    /// migration history) is refused. This is the counterpart of SQLite's integrity check; it changes nothing.
    /// </summary>
    private async Task<(List<string> Migrations, int Articles)> ReadDumpAsync(string dump, CancellationToken ct)
    {
        var migrations = new List<string>();
        var articles = 0;
        var hasHistory = false;
        var run = await tools.RunAsync(PostgreSqlTools.PgRestore, ["--file=-", dump], connect: false, async (output, token) =>
        {
            using var reader = new StreamReader(output);
            string? copying = null;
            while (await reader.ReadLineAsync(token) is { } line)
            {
                if (copying is null)
                {
                    // COPY public."Articles" ("Id", ...) FROM stdin;  then one line per row, up to \.
                    if (CopyStatement().Match(line) is { Success: true } copy) copying = copy.Groups[1].Value;
                    if (copying == "__EFMigrationsHistory") hasHistory = true;
                }
                else if (line == "\\.") copying = null;
                else if (copying == "__EFMigrationsHistory") migrations.Add(line.Split('\t')[0]);
                else if (copying == "Articles") articles++;
            }
        }, ct);
        if (run.ExitCode != 0) throw new Refused($"its {PostgreSqlDumpEntry} is damaged or not a PostgreSQL dump (pg_restore: {run.Error}).");
        if (!hasHistory) throw new Refused($"its {PostgreSqlDumpEntry} is not a NewsCms database (it has no migration history).");
        return (migrations, articles);
    }

    [GeneratedRegex("""^COPY (?:[^ ]+\.)?"?([^" ]+)"? \(""")]
    private static partial Regex CopyStatement();

    /// <summary>Why an archive cannot be restored; turned into the refusal message before anything was replaced.</summary>
    private sealed class Refused(string message) : Exception(message);
}
