using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Backup;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Backups on real files and databases, on the provider the test assembly runs on (a SQLite file, or a PostgreSQL
/// database with pg_dump and pg_restore): the download from /admin/settings, the backup and restore commands (the same
/// entry point Program.cs calls, and once the built app as a process), and restores that must refuse.
/// </summary>
public sealed partial class BackupTests : IAsyncDisposable
{
    private readonly List<string> folders = [];
    private readonly List<TestDatabaseInstance> databases = [];

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var database in databases) await database.DropAsync();
        foreach (var folder in folders)
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_backup_downloaded_from_the_running_site_restores_into_an_empty_site_with_the_same_articles_and_images()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var image = await FillAsync(app);
        var articlesBefore = await ArticlesAsync(app);
        using var reader = app.CreateClient();
        var original = await reader.GetByteArrayAsync(image.OriginalUrl);
        var variant = await reader.GetByteArrayAsync(image.WebpUrl(640));

        var admin = await SignInAsync(app, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword, "/admin/settings");
        Assert.Contains($"action=\"{BackupEndpoints.DownloadPath}\"", admin.Page);
        Assert.Contains("Download backup", admin.Page);
        Assert.DoesNotContain("backup-problem", admin.Page);
        using var response = await DownloadAsync(admin.Client, admin.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Matches(@"^newscms-backup-\d{4}-\d{2}-\d{2}-\d{4}\.zip$", response.Content.Headers.ContentDisposition?.FileNameStar);
        var file = Path.Combine(NewFolder(), "download.zip");
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync());
        using (var zip = ZipFile.OpenRead(file))
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains(SiteBackup.ManifestEntry, names);
            Assert.Contains(SiteBackup.DatabaseEntryFor(TestDatabase.Provider), names);
            Assert.Contains($"media/{image.StorageKey}/original.jpg", names);
            Assert.DoesNotContain(names, n => n.StartsWith("keys/", StringComparison.Ordinal) || n.Contains(MediaStorage.IncomingFolderName));
            using var manifest = await JsonDocument.ParseAsync(await zip.GetEntry(SiteBackup.ManifestEntry)!.OpenAsync());
            Assert.Equal(TestDatabase.Provider.ToString(), manifest.RootElement.GetProperty("provider").GetString());
        }
        // Signing in made the site's Data Protection key; the backup leaves it out.
        Assert.True(await CountRowsAsync(app.Database, "DataProtectionKeys") > 0);

        // A new machine: an empty site, the backup restored into it, the site started on it.
        var target = await NewEmptySiteAsync();
        var restore = await RunCommandAsync(["restore", file, .. Settings(target)]);
        Assert.True(restore.Code == 0, restore.Error);
        Assert.Contains("Restored", restore.Output);
        Assert.Contains("2 articles and", restore.Output);
        Assert.Equal(0, await CountRowsAsync(target, "DataProtectionKeys"));

        await using var restored = NewsCmsAppFactory.OnDatabase(target);
        using var restoredReader = restored.CreateClient();
        Assert.Equal(articlesBefore, await ArticlesAsync(restored));
        Assert.Contains("Harbour reopens", await restoredReader.GetStringAsync("/news/harbour-reopens"));
        Assert.Equal(original, await restoredReader.GetByteArrayAsync(image.OriginalUrl));
        Assert.Equal(variant, await restoredReader.GetByteArrayAsync(image.WebpUrl(640)));
        // Accounts come along (people sign in with their passwords), and so does the audit log.
        var signIn = await FormPost.SignInAsync(restored.CreateBrowserlikeClient(), NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        await SetupTests.AssertAuditedAsync(restored, AuditActions.ArticlePublished, "Harbour reopens");
    }

    [Fact]
    public async Task Only_an_administrator_downloads_a_backup_and_every_download_is_audited()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var anonymous = app.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await DownloadAsync(anonymous, token: null)).StatusCode);

        var (_, editorEmail, editorPassword) = await app.CreateUserAsync(NewsroomRoles.Editor);
        var editor = await SignInAsync(app, editorEmail, editorPassword, "/admin");
        Assert.Equal(HttpStatusCode.Forbidden, (await DownloadAsync(editor.Client, editor.Token)).StatusCode);

        var admin = await SignInAsync(app, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword, "/admin/settings");
        Assert.Equal(HttpStatusCode.BadRequest, (await DownloadAsync(admin.Client, token: null)).StatusCode);
        Assert.Empty(await AuditedAsync(app));

        using var response = await DownloadAsync(admin.Client, admin.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        Assert.NotNull(zip.GetEntry(SiteBackup.DatabaseEntryFor(TestDatabase.Provider)));
        var entry = Assert.Single(await AuditedAsync(app));
        Assert.Equal(NewsCmsAppFactory.AdminName, entry.ActorName);
        Assert.Equal(response.Content.Headers.ContentDisposition?.FileNameStar, entry.Target);
        Assert.Equal("0 articles, 0 media files", entry.Details);
        // The file was made in the site's data folder and is gone now that it has been sent.
        Assert.Empty(Directory.GetFiles(app.Services.GetRequiredService<DatabaseLocation>().Folder, ".backup-*"));
    }

    [Fact]
    public async Task The_commands_back_up_a_running_site_and_restore_it_only_when_stopped_and_over_its_content_only_when_forced()
    {
        var site = await NewEmptySiteAsync();
        var backups = NewFolder();
        // Development, as with dotnet run: the host then checks every service it registers when it is built.
        string[] settings = [.. Settings(site), "--environment=Development"];
        List<ArticleRow> articlesAtBackup;
        await using (var app = NewsCmsAppFactory.OnDatabase(site, Bootstrap))
        {
            await FillAsync(app);
            // The site keeps writing while the command copies it.
            using var stopWriting = new CancellationTokenSource();
            var writing = Task.Run(() => KeepSavingDraftsAsync(app, stopWriting.Token));
            var backup = await RunCommandAsync(["backup", backups, .. settings]);
            await stopWriting.CancelAsync();
            await writing;
            Assert.True(backup.Code == 0, backup.Error);
            var file = Assert.Single(Directory.GetFiles(backups));
            Assert.Matches(@"newscms-backup-\d{4}-\d{2}-\d{2}-\d{4}\.zip$", file);
            Assert.StartsWith($"Backup written to {file} (", backup.Output);
            var whileRunning = await RunCommandAsync(["restore", file, ForceOption, .. settings]);
            Assert.Equal(1, whileRunning.Code);
            Assert.Contains("Stop the site first", whileRunning.Error);

            // Restoring checks that the manifest's article count is the database's, so this also shows the copy is one moment.
            articlesAtBackup = await ArticlesAtBackupAsync(file);
            await AddArticleAsync(app, "Written after the backup");
        }
        await StoppedAsync(site);

        var backupFile = Directory.GetFiles(backups).Single();
        var notForced = await RunCommandAsync(["restore", backupFile, .. settings]);
        Assert.Equal(1, notForced.Code);
        Assert.Contains("This site already has", notForced.Error);
        Assert.Contains("--force", notForced.Error);

        var forced = await RunCommandAsync(["restore", backupFile, ForceOption, .. settings]);
        Assert.True(forced.Code == 0, forced.Error);
        await using (var app = NewsCmsAppFactory.OnDatabase(site))
        {
            app.CreateClient().Dispose();
            var articles = await ArticlesAsync(app);
            Assert.Equal(articlesAtBackup, articles);
            Assert.DoesNotContain(articles, a => a.Headline == "Written after the backup");
        }
        AssertNoWorkFilesLeft(site);
    }

    [Fact]
    public async Task A_restore_refuses_a_running_site_even_while_the_site_has_no_database_connection_open()
    {
        var site = await NewSiteAsync();
        var file = Path.Combine(NewFolder(), "site.zip");
        var backup = await RunCommandAsync(["backup", file, .. Settings(site)]);
        Assert.True(backup.Code == 0, backup.Error);
        await using (var app = NewsCmsAppFactory.OnDatabase(site))
        {
            app.CreateClient().Dispose();
            // A quiet node: its pool has let its idle connections go, as it does after their idle lifetime.
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            var whileRunning = await RunCommandAsync(["restore", file, ForceOption, .. Settings(site)]);
            Assert.Equal(1, whileRunning.Code);
            Assert.Contains("Stop the site first", whileRunning.Error);
        }
        await StoppedAsync(site);

        var stopped = await RunCommandAsync(["restore", file, ForceOption, .. Settings(site)]);
        Assert.True(stopped.Code == 0, stopped.Error);
    }

    [Fact]
    public async Task A_site_does_not_start_while_a_restore_holds_its_lock_and_starts_once_it_is_let_go()
    {
        var site = await NewSiteAsync();
        var settings = new Dictionary<string, string?>();
        site.ApplyTo(settings);
        var location = new DatabaseLocation(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = AppContext.BaseDirectory });
        using (var restoring = SiteLock.TryTake(location, exclusive: true))
        {
            Assert.NotNull(restoring);
            await using var app = NewsCmsAppFactory.OnDatabase(site);
            var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
            Assert.Contains("a restore of this site is in progress", error.ToString());
        }
        await using var started = NewsCmsAppFactory.OnDatabase(site);
        using var client = started.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task A_damaged_or_foreign_archive_is_refused_with_the_reason_and_nothing_is_replaced()
    {
        var site = await NewEmptySiteAsync();
        var settings = Settings(site);
        var good = Path.Combine(NewFolder(), "good.zip");
        await using (var app = NewsCmsAppFactory.OnDatabase(site, Bootstrap))
        {
            await FillAsync(app);
            Assert.Equal(0, (await RunCommandAsync(["backup", good, .. settings])).Code);
        }
        await StoppedAsync(site);
        var before = await SnapshotAsync(site);
        var work = NewFolder();

        var databaseEntry = SiteBackup.DatabaseEntryFor(TestDatabase.Provider);
        var notZip = Path.Combine(work, "notes.zip");
        await File.WriteAllTextAsync(notZip, "These are not the files you are looking for.");
        var foreign = Path.Combine(work, "holiday-photos.zip");
        using (var zip = ZipFile.Open(foreign, ZipArchiveMode.Create))
        {
            await using var entry = await zip.CreateEntry("IMG_0001.jpg").OpenAsync();
            await entry.WriteAsync(TestImages.Jpeg(40, 30));
        }
        var cases = new (string File, string Reason)[]
        {
            (notZip, "it is not a zip file, or it is damaged."),
            (foreign, "it has no backup.json, so it is not a NewsCms backup."),
            (Rezip(good, work, "no-database.zip", keep: e => e.FullName != databaseEntry), $"it has no {databaseEntry}."),
            (Rezip(good, work, "damaged-database.zip", replace: (databaseEntry, Damaged)), "damaged"),
            (Rezip(good, work, "escaping.zip", add: ("media/../../escaped.txt", "gotcha"u8.ToArray())), "which a NewsCms backup never does"),
            (Rezip(good, work, "missing-image.zip", keep: e => !e.FullName.EndsWith("/640.webp", StringComparison.Ordinal)), "media file(s), but it holds"),
            (Rezip(good, work, "other-format.zip", replace: (SiteBackup.ManifestEntry, _ => """{"format":"Other CMS","formatVersion":1}"""u8.ToArray())),
                "is not a NewsCms backup's"),
            (Rezip(good, work, "wrong-count.zip", replace: (SiteBackup.ManifestEntry, ChangeArticleCount)), "article(s), but its database holds"),
        };
        foreach (var (file, reason) in cases)
        {
            var refused = await RunCommandAsync(["restore", file, ForceOption, .. settings]);
            Assert.True(refused.Code == 1, $"{Path.GetFileName(file)} was restored: {refused.Output}");
            Assert.Contains(reason, refused.Error);
            Assert.EndsWith("Nothing was changed.", refused.Error.Trim());
            Assert.Equal(before, await SnapshotAsync(site));
        }
        AssertNoWorkFilesLeft(site);
    }

    [Fact]
    public async Task The_command_line_explains_what_is_wrong_and_writes_no_half_backup()
    {
        Assert.Equal(2, (await RunCommandAsync("backup")).Code);
        Assert.Equal(2, (await RunCommandAsync("backup", "--force", "x.zip")).Code);

        var nothing = await NewEmptySiteAsync();
        var target = Path.Combine(NewFolder(), "site.zip");
        var noDatabase = await RunCommandAsync(["backup", target, .. Settings(nothing)]);
        Assert.Equal(1, noDatabase.Code);
        Assert.Contains(TestDatabase.Provider == DatabaseProvider.Sqlite
            ? $"There is no database at '{nothing.FilePath}' yet"
            : "has no NewsCms tables yet (setting ConnectionStrings:NewsCms): nothing to back up.", noDatabase.Error);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!));

        var database = await NewSiteAsync();
        var unwritable = await RunCommandAsync(["backup", Path.Combine(NewFolder(), "missing-folder", "site.zip"), .. Settings(database)]);
        Assert.Equal(1, unwritable.Code);
        Assert.Contains("Cannot write the backup to", unwritable.Error);

        var noFile = await RunCommandAsync(["restore", Path.Combine(NewFolder(), "absent.zip"), .. Settings(await NewEmptySiteAsync())]);
        Assert.Equal(1, noFile.Code);
        Assert.Contains("There is no file", noFile.Error);
    }

    [Fact]
    public async Task The_built_app_runs_the_backup_command_and_exits_without_starting_the_site()
    {
        var ct = TestContext.Current.CancellationToken;
        var site = await NewSiteAsync();
        var folder = NewFolder();
        var target = Path.Combine(folder, "site.zip");

        await using (var backup = AppProcess.Run(folder, ProcessSettings(site), "backup", target))
        {
            Assert.True(await backup.WaitForExitAsync(ct) == 0, backup.Output);
            Assert.Contains(backup.Lines, line => line.StartsWith($"Backup written to {target} (", StringComparison.Ordinal));
            Assert.DoesNotContain(backup.Lines, line => line.Contains("Now listening"));
        }
        Assert.True(File.Exists(target));

        // No database at all: no SQLite file, a PostgreSQL database that was never created.
        var nowhere = await NewEmptySiteAsync();
        if (TestDatabase.Provider == DatabaseProvider.PostgreSQL)
        {
            nowhere = nowhere with { ConnectionString = new NpgsqlConnectionStringBuilder(nowhere.ConnectionString) { Database = "newscms_never_created" }.ConnectionString };
        }
        await using var refused = AppProcess.Run(folder, ProcessSettings(nowhere), "backup", target + "2");
        Assert.Equal(1, await refused.WaitForExitAsync(ct));
        Assert.Contains(refused.Lines, line => line.Contains(TestDatabase.Provider == DatabaseProvider.Sqlite
            ? "There is no database" : "database \"newscms_never_created\" does not exist"));
        Assert.DoesNotContain(refused.Lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    // ----- the site -----

    private static readonly Dictionary<string, string?> Bootstrap = new()
    {
        ["NewsCms:Bootstrap:AdminEmail"] = NewsCmsAppFactory.AdminEmail,
        ["NewsCms:Bootstrap:AdminPassword"] = NewsCmsAppFactory.AdminPassword,
        ["NewsCms:Bootstrap:AdminName"] = NewsCmsAppFactory.AdminName,
    };

    private const string ForceOption = BackupCommandLine.ForceOption;

    private sealed record ArticleRow(string Headline, string Slug, ArticleStatus Status, DateTime? PublishedAt, int? FeaturedImageId);

    /// <summary>An uploaded image, a published article that shows it, and a draft.</summary>
    private static async Task<MediaImage> FillAsync(NewsCmsAppFactory app)
    {
        app.CreateClient().Dispose();
        await using var scope = app.Services.CreateAsyncScope();
        var media = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

        var image = (await media.UploadAsync(admin, new MemoryStream(TestImages.Jpeg(900, 600)), "harbour.jpg", -1)).Value!;
        Assert.True((await media.UpdateDetailsAsync(admin, image.Id, new MediaDetailsInput { AltText = "Boats in the harbour" })).Succeeded);
        var story = await articles.Editing.SaveAsync(admin, null,
            new ArticleInput { Headline = "Harbour reopens", BodyHtml = "<p>The boats are back.</p>", FeaturedImageId = image.Id }, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(admin, story.Id, story.Version)).Succeeded);
        await AddArticleAsync(app, "Unfinished draft");
        return image;
    }

    private static async Task AddArticleAsync(NewsCmsAppFactory app, string headline)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var saved = await scope.ServiceProvider.NewsroomArticles()
            .Editing.SaveAsync(await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), null, new ArticleInput { Headline = headline }, null, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
    }

    private static async Task KeepSavingDraftsAsync(NewsCmsAppFactory app, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++) await AddArticleAsync(app, $"Busy newsroom {i}");
    }

    private static async Task<List<ArticleRow>> ArticlesAsync(NewsCmsAppFactory app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        return await ArticlesAsync(db);
    }

    private static Task<List<ArticleRow>> ArticlesAsync(NewsCmsDbContext db) =>
        db.Articles.AsNoTracking().OrderBy(a => a.Id)
            .Select(a => new ArticleRow(a.Headline, a.Slug, a.Status, a.PublishedAt, a.FeaturedImageId)).ToListAsync();

    /// <summary>The articles in a backup's database: restored into a new empty site, read there.</summary>
    private async Task<List<ArticleRow>> ArticlesAtBackupAsync(string file)
    {
        var copy = await NewEmptySiteAsync();
        var restored = await RunCommandAsync(["restore", file, .. Settings(copy)]);
        Assert.True(restored.Code == 0, restored.Error);
        await using var app = NewsCmsAppFactory.OnDatabase(copy);
        return await ArticlesAsync(app);
    }

    /// <summary>The rows of <paramref name="table"/>, read directly (before any app starts on the database).</summary>
    private static async Task<int> CountRowsAsync(TestDatabaseInstance database, string table)
    {
        await using System.Data.Common.DbConnection connection = database.FilePath is { } path
            ? new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False")
            : new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    private static async Task<List<AuditEntry>> AuditedAsync(NewsCmsAppFactory app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.Where(e => e.Action == AuditActions.BackupDownloaded).ToListAsync();
    }

    // ----- HTTP -----

    private sealed record SignedIn(HttpClient Client, string Token, string Page);

    /// <summary>Signs in and opens <paramref name="page"/>, keeping the antiforgery token its forms carry.</summary>
    private static async Task<SignedIn> SignInAsync(NewsCmsAppFactory app, string email, string password, string page)
    {
        var client = app.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await FormPost.SignInAsync(client, email, password)).StatusCode);
        var html = await client.GetStringAsync(page);
        var token = AntiforgeryToken().Match(html);
        Assert.True(token.Success, $"No antiforgery token on {page}");
        return new SignedIn(client, WebUtility.HtmlDecode(token.Groups[1].Value), html);
    }

    private static Task<HttpResponseMessage> DownloadAsync(HttpClient client, string? token)
    {
        var form = new Dictionary<string, string>();
        if (token is not null) form["__RequestVerificationToken"] = token;
        return client.PostAsync(BackupEndpoints.DownloadPath, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    // ----- command line and files -----

    private static async Task<(int Code, string Output, string Error)> RunCommandAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await BackupCommandLine.RunAsync(args, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The site's settings as they are given on the command line, after the command.</summary>
    private static string[] Settings(TestDatabaseInstance site) =>
        ProcessSettings(site).Select(setting => $"--{setting.Key}={setting.Value}").ToArray();

    private static Dictionary<string, string> ProcessSettings(TestDatabaseInstance site)
    {
        var settings = new Dictionary<string, string?>();
        site.ApplyTo(settings);
        return settings.ToDictionary(s => s.Key, s => s.Value!);
    }

    /// <summary>A site with nothing in it yet (no file; an empty PostgreSQL database), removed after the test.</summary>
    private async Task<TestDatabaseInstance> NewEmptySiteAsync()
    {
        var site = await TestDatabase.NewEmptyAsync();
        databases.Add(site);
        return site;
    }

    /// <summary>A site with a migrated database and no content, removed after the test.</summary>
    private async Task<TestDatabaseInstance> NewSiteAsync()
    {
        var site = await TestDatabase.NewAsync();
        databases.Add(site);
        return site;
    }

    private static string MediaRoot(TestDatabaseInstance site) => site.MediaFolder ?? Path.Combine(Path.GetDirectoryName(site.FilePath)!, "media");

    /// <summary>
    /// Once an app on the site is disposed: its pooled connections closed (a PostgreSQL restore refuses while any client
    /// is connected) and, on PostgreSQL, their server sessions gone, which happens just after.
    /// </summary>
    private static async Task StoppedAsync(TestDatabaseInstance site)
    {
        SqliteConnection.ClearAllPools();
        if (site.Provider != DatabaseProvider.PostgreSQL) return;
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(site.ConnectionString).Database;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(site.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @name AND backend_type = 'client backend'", connection);
            command.Parameters.AddWithValue("name", name!);
            if (Convert.ToInt32(await command.ExecuteScalarAsync()) == 0) return;
            Assert.True(DateTime.UtcNow < deadline, $"Connections to {name} stayed open after the app stopped.");
            await Task.Delay(50);
        }
    }

    private string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "newscms-backup-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        folders.Add(folder);
        return folder;
    }

    /// <summary>Every table of the site's database and every media file, each as a hash of its content.</summary>
    private static async Task<string> SnapshotAsync(TestDatabaseInstance site)
    {
        var tables = (await DatabaseSnapshot.TakeAsync(site)).TableHashes;
        await StoppedAsync(site);
        var media = MediaRoot(site);
        var files = Directory.Exists(media) ? Directory.GetFiles(media, "*", SearchOption.AllDirectories) : [];
        return string.Join('\n', tables.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} {t.Value}")
            .Concat(files.Order(StringComparer.Ordinal).Select(f => $"{Path.GetRelativePath(media, f)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}")));
    }

    /// <summary>
    /// No work file of a backup or restore left in the site's folders: the database's folder (on PostgreSQL, the command
    /// line's data folder, under the current directory) and the media folder.
    /// </summary>
    private static void AssertNoWorkFilesLeft(TestDatabaseInstance site)
    {
        string[] places = [site.FilePath is { } path ? Path.GetDirectoryName(path)! : Path.Combine(Environment.CurrentDirectory, "data"), MediaRoot(site)];
        Assert.DoesNotContain(places.Where(Directory.Exists).SelectMany(folder => Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories)),
            path => Path.GetFileName(path) is var name && (name.StartsWith(".restore", StringComparison.Ordinal)
                || name.StartsWith(".backup", StringComparison.Ordinal) || name.Contains(".replaced", StringComparison.Ordinal)));
    }

    /// <summary>A copy of <paramref name="source"/> with entries left out, one replaced, or one added.</summary>
    private static string Rezip(string source, string folder, string name, Func<ZipArchiveEntry, bool>? keep = null,
        (string Entry, Func<byte[], byte[]> Change)? replace = null, (string Entry, byte[] Content)? add = null)
    {
        var target = Path.Combine(folder, name);
        using var from = ZipFile.OpenRead(source);
        using var to = ZipFile.Open(target, ZipArchiveMode.Create);
        foreach (var entry in from.Entries.Where(e => keep?.Invoke(e) ?? true))
        {
            using var content = new MemoryStream();
            using (var stream = entry.Open()) stream.CopyTo(content);
            var bytes = replace is { } r && r.Entry == entry.FullName ? r.Change(content.ToArray()) : content.ToArray();
            using var written = to.CreateEntry(entry.FullName).Open();
            written.Write(bytes);
        }
        if (add is { } extra)
        {
            using var written = to.CreateEntry(extra.Entry).Open();
            written.Write(extra.Content);
        }
        return target;
    }

    /// <summary>The manifest with one article more than the database has.</summary>
    private static byte[] ChangeArticleCount(byte[] manifest)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(manifest)!;
        json["articles"] = json["articles"]!.GetValue<int>() + 1;
        return JsonSerializer.SerializeToUtf8Bytes(json);
    }

    /// <summary>The database with every page after the first scrambled: SQLite still opens it, its tables are garbage.</summary>
    private static byte[] Damaged(byte[] database)
    {
        var damaged = database.ToArray();
        for (var i = 4096; i < damaged.Length; i++) damaged[i] ^= 0x5A;
        return damaged;
    }
}
