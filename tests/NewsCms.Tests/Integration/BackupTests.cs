using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Backup;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Backups on real files: the download from /admin/settings, the backup and restore commands (the same entry point
/// Program.cs calls, and once the built app as a process), and restores that must refuse.
/// </summary>
public sealed partial class BackupTests : IDisposable
{
    private readonly List<string> folders = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var folder in folders)
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_backup_downloaded_from_the_running_site_restores_into_an_empty_folder_with_the_same_articles_and_images()
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
            Assert.Contains(SiteBackup.DatabaseEntry, names);
            Assert.Contains($"media/{image.StorageKey}/original.jpg", names);
            Assert.DoesNotContain(names, n => n.StartsWith("keys/", StringComparison.Ordinal) || n.Contains(MediaStorage.IncomingFolderName));
        }

        // A new machine: an empty data folder, the backup restored into it, the site started on it.
        var restoredPath = NewDatabasePath();
        var restore = await RunCommandAsync("restore", file, Setting(restoredPath));
        Assert.True(restore.Code == 0, restore.Error);
        Assert.Contains("Restored", restore.Output);
        Assert.Contains("2 articles and", restore.Output);

        await using var restored = NewsCmsAppFactory.OnEmptyPath(restoredPath);
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
        Assert.NotNull(zip.GetEntry(SiteBackup.DatabaseEntry));
        var entry = Assert.Single(await AuditedAsync(app));
        Assert.Equal(NewsCmsAppFactory.AdminName, entry.ActorName);
        Assert.Equal(response.Content.Headers.ContentDisposition?.FileNameStar, entry.Target);
        Assert.Equal("0 articles, 0 media files", entry.Details);
        // The file was made next to the database and is gone now that it has been sent.
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(app.DatabasePath)!, ".backup-*"));
    }

    [Fact]
    public async Task The_commands_back_up_a_running_site_and_restore_it_only_when_stopped_and_over_its_content_only_when_forced()
    {
        var path = NewDatabasePath();
        var backups = NewFolder();
        // Development, as with dotnet run: the host then checks every service it registers when it is built.
        string[] settings = [Setting(path), "--environment=Development"];
        List<ArticleRow> articlesAtBackup;
        await using (var app = NewsCmsAppFactory.OnEmptyPath(path, Bootstrap))
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

            articlesAtBackup = await ArticlesAtBackupAsync(file);
            await AddArticleAsync(app, "Written after the backup");
        }

        var backupFile = Directory.GetFiles(backups).Single();
        var notForced = await RunCommandAsync(["restore", backupFile, .. settings]);
        Assert.Equal(1, notForced.Code);
        Assert.Contains("This site already has", notForced.Error);
        Assert.Contains("--force", notForced.Error);

        var forced = await RunCommandAsync(["restore", backupFile, ForceOption, .. settings]);
        Assert.True(forced.Code == 0, forced.Error);
        await using (var app = NewsCmsAppFactory.OnEmptyPath(path))
        {
            app.CreateClient().Dispose();
            var articles = await ArticlesAsync(app);
            Assert.Equal(articlesAtBackup, articles);
            Assert.DoesNotContain(articles, a => a.Headline == "Written after the backup");
        }
        AssertNoWorkFilesLeft(path);
    }

    [Fact]
    public async Task A_damaged_or_foreign_archive_is_refused_with_the_reason_and_nothing_is_replaced()
    {
        var path = NewDatabasePath();
        var settings = Setting(path);
        var good = Path.Combine(NewFolder(), "good.zip");
        await using (var app = NewsCmsAppFactory.OnEmptyPath(path, Bootstrap))
        {
            await FillAsync(app);
            Assert.Equal(0, (await RunCommandAsync("backup", good, settings)).Code);
        }
        var site = Snapshot(path);
        var work = NewFolder();

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
            (Rezip(good, work, "no-database.zip", keep: e => e.FullName != SiteBackup.DatabaseEntry), "it has no newscms.db."),
            (Rezip(good, work, "damaged-database.zip", replace: (SiteBackup.DatabaseEntry, Damaged)), "damaged"),
            (Rezip(good, work, "escaping.zip", add: ("media/../../escaped.txt", "gotcha"u8.ToArray())), "which a NewsCms backup never does"),
            (Rezip(good, work, "missing-image.zip", keep: e => !e.FullName.EndsWith("/640.webp", StringComparison.Ordinal)), "media file(s), but it holds"),
            (Rezip(good, work, "other-format.zip", replace: (SiteBackup.ManifestEntry, _ => """{"format":"Other CMS","formatVersion":1}"""u8.ToArray())),
                "is not a NewsCms backup's"),
        };
        foreach (var (file, reason) in cases)
        {
            var refused = await RunCommandAsync("restore", file, ForceOption, settings);
            Assert.True(refused.Code == 1, $"{Path.GetFileName(file)} was restored: {refused.Output}");
            Assert.Contains(reason, refused.Error);
            Assert.EndsWith("Nothing was changed.", refused.Error.Trim());
            Assert.Equal(site, Snapshot(path));
        }
        AssertNoWorkFilesLeft(path);
    }

    [Fact]
    public async Task The_command_line_explains_what_is_wrong_and_writes_no_half_backup()
    {
        Assert.Equal(2, (await RunCommandAsync("backup")).Code);
        Assert.Equal(2, (await RunCommandAsync("backup", "--force", "x.zip")).Code);

        var nowhere = NewDatabasePath();
        var target = Path.Combine(NewFolder(), "site.zip");
        var noDatabase = await RunCommandAsync("backup", target, Setting(nowhere));
        Assert.Equal(1, noDatabase.Code);
        Assert.Contains($"There is no database at '{nowhere}' yet", noDatabase.Error);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!));

        var database = await TestDatabase.NewFileAsync();
        folders.Add(Path.GetDirectoryName(database)!);
        var unwritable = await RunCommandAsync("backup", Path.Combine(NewFolder(), "missing-folder", "site.zip"), Setting(database));
        Assert.Equal(1, unwritable.Code);
        Assert.Contains("Cannot write the backup to", unwritable.Error);

        var noFile = await RunCommandAsync("restore", Path.Combine(NewFolder(), "absent.zip"), Setting(NewDatabasePath()));
        Assert.Equal(1, noFile.Code);
        Assert.Contains("There is no file", noFile.Error);
    }

    [Fact]
    public async Task The_built_app_runs_the_backup_command_and_exits_without_starting_the_site()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = await TestDatabase.NewFileAsync();
        var folder = Path.GetDirectoryName(path)!;
        folders.Add(folder);
        var target = Path.Combine(folder, "site.zip");

        await using (var backup = AppProcess.Run(folder, new Dictionary<string, string> { ["ConnectionStrings:NewsCms"] = $"Data Source={path}" }, "backup", target))
        {
            Assert.True(await backup.WaitForExitAsync(ct) == 0, backup.Output);
            Assert.Contains(backup.Lines, line => line.StartsWith($"Backup written to {target} (", StringComparison.Ordinal));
            Assert.DoesNotContain(backup.Lines, line => line.Contains("Now listening"));
        }
        Assert.True(File.Exists(target));

        var nowhere = NewDatabasePath();
        await using var refused = AppProcess.Run(folder, new Dictionary<string, string> { ["ConnectionStrings:NewsCms"] = $"Data Source={nowhere}" }, "backup", target + "2");
        Assert.Equal(1, await refused.WaitForExitAsync(ct));
        Assert.Contains(refused.Lines, line => line.Contains("There is no database"));
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

    /// <summary>The articles in a backup's database, read from a copy.</summary>
    private async Task<List<ArticleRow>> ArticlesAtBackupAsync(string file)
    {
        var copy = Path.Combine(NewFolder(), "copy.db");
        using (var zip = ZipFile.OpenRead(file)) zip.GetEntry(SiteBackup.DatabaseEntry)!.ExtractToFile(copy);
        await using var db = new NewsCmsDbContext(NewsCmsDbContext.StandaloneOptions(copy));
        return await ArticlesAsync(db);
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

    /// <summary>The setting as it is given on the command line, after the command.</summary>
    private static string Setting(string databasePath) => $"--ConnectionStrings:NewsCms=Data Source={databasePath}";

    private string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "newscms-backup-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        folders.Add(folder);
        return folder;
    }

    private string NewDatabasePath() => Path.Combine(NewFolder(), "newscms.db");

    /// <summary>Every file of the site (database folder with its media) and a hash of its content.</summary>
    private static Dictionary<string, string> Snapshot(string databasePath)
    {
        var folder = Path.GetDirectoryName(databasePath)!;
        return Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
    }

    private static void AssertNoWorkFilesLeft(string databasePath)
    {
        var folder = Path.GetDirectoryName(databasePath)!;
        Assert.DoesNotContain(Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories),
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

    /// <summary>The database with every page after the first scrambled: SQLite still opens it, its tables are garbage.</summary>
    private static byte[] Damaged(byte[] database)
    {
        var damaged = database.ToArray();
        for (var i = 4096; i < damaged.Length; i++) damaged[i] ^= 0x5A;
        return damaged;
    }
}
