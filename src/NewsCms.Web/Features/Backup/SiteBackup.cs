using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Media;

namespace NewsCms.Web.Features.Backup;

/// <summary>What backup.json in a backup says about it.</summary>
public sealed record BackupManifest(string Format, int FormatVersion, string AppVersion, DateTime CreatedAtUtc, int Articles, int MediaFiles);

/// <summary>What a restore put where.</summary>
public sealed record RestoreSummary(BackupManifest Manifest, string DatabasePath, string MediaRoot);

/// <summary>
/// A backup is one zip file: <c>backup.json</c> (the manifest), <c>newscms.db</c> (a copy made with SQLite's online backup
/// API, consistent while the site keeps serving and writing) and <c>media/</c> (the image files, as in the media folder).
/// Data-protection keys stay out: they are secrets that would let whoever holds the file forge sign-in cookies.
/// </summary>
public sealed class SiteBackup(
    DatabaseLocation database,
    IOptions<MediaOptions> mediaOptions,
    IHostEnvironment environment,
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    TimeProvider clock)
{
    public const string Format = "NewsCms backup";
    public const int FormatVersion = 1;
    public const string ManifestEntry = "backup.json";
    public const string DatabaseEntry = "newscms.db";
    public const string MediaPrefix = "media/";

    // Relaxed escaping: the file is read by people too ("1.0.0+abc", not "1.0.0\u002Babc").
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string DatabasePath => database.FilePath;

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
    public async Task<ServiceResult<BackupManifest>> CreateAsync(Stream destination, CancellationToken ct = default)
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
            var mediaRoot = MediaRoot;
            var files = ListMediaFiles(mediaRoot);

            await using var zip = await ZipArchive.CreateAsync(destination, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
            await zip.CreateEntryFromFileAsync(copy, DatabaseEntry, CompressionLevel.Optimal, ct);
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

            // Last, so that its counts are what the archive holds.
            var manifest = new BackupManifest(Format, FormatVersion, AppVersion, createdAt, articles, mediaFiles);
            await using (var entry = await zip.CreateEntry(ManifestEntry, CompressionLevel.Optimal).OpenAsync(ct))
            {
                await JsonSerializer.SerializeAsync(entry, manifest, Json, ct);
            }
            return ServiceResult<BackupManifest>.Success(manifest);
        }
        finally
        {
            DeleteDatabaseFiles(copy);
        }
    }

    /// <summary>
    /// Replaces this site's database and media files with those in <paramref name="file"/>. Only while no app runs on the
    /// database; only over an empty site unless <paramref name="force"/>. The archive is checked completely (manifest,
    /// entries, SQLite integrity check) and unpacked beside the site before anything is replaced.
    /// </summary>
    public async Task<ServiceResult<RestoreSummary>> RestoreAsync(string file, bool force, CancellationToken ct = default)
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
                manifest = await ReadManifestAsync(zip, ct);
                var mediaEntries = CheckEntries(zip);
                if (mediaEntries.Count != manifest.MediaFiles)
                {
                    throw new Refused($"its manifest lists {manifest.MediaFiles} media file(s), but it holds {mediaEntries.Count}.");
                }
                await ExtractAsync(zip.GetEntry(DatabaseEntry)!, newDatabase, ct);
                var articles = await CheckDatabaseAsync(newDatabase, ct);
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

    // ----- creating -----

    private int CopyDatabase(string copyPath)
    {
        using var source = Open(database.FilePath, SqliteOpenMode.ReadWrite);
        using var copy = Open(copyPath, SqliteOpenMode.ReadWriteCreate);
        // One step over all pages: the copy is a single snapshot, taken in a read transaction that writers do not wait for (WAL).
        source.BackupDatabase(copy);
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

    /// <summary>Every entry must be one a backup has; returns the media files.</summary>
    private static List<ZipArchiveEntry> CheckEntries(ZipArchive zip)
    {
        if (zip.GetEntry(DatabaseEntry) is null) throw new Refused($"it has no {DatabaseEntry}.");
        var media = new List<ZipArchiveEntry>();
        foreach (var entry in zip.Entries)
        {
            var name = entry.FullName;
            if (name is ManifestEntry or DatabaseEntry || name.EndsWith('/')) continue;
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
    private async Task<int> CheckDatabaseAsync(string path, CancellationToken ct)
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

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var unknown = migrations.Except(db.Database.GetMigrations()).ToList();
        if (unknown.Count > 0)
        {
            throw new Refused($"it was made by a newer NewsCms (its database has the migration {unknown[0]}, which this version does not know). " +
                "Restore it with that version or a later one.");
        }
        return articles;
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

        // Entry by entry rather than the folder itself: the media folder may be a mount point, which cannot be renamed.
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
        foreach (var path in oldDatabaseFiles) File.Delete(path);
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

    /// <summary>Why an archive cannot be restored; turned into the refusal message before anything was replaced.</summary>
    private sealed class Refused(string message) : Exception(message);
}
