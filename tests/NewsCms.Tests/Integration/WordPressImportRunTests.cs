using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Import;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.WordPress;

namespace NewsCms.Tests.Integration;

/// <summary>WordPress imports as an administrator starts them: the upload at /admin/import, the run in the background, the command line.</summary>
public sealed partial class WordPressImportRunTests : IAsyncLifetime
{
    private NewsCmsAppFactory app = default!;

    public async ValueTask InitializeAsync() => app = await NewsCmsAppFactory.CreateAsync();

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> UploadAsync(HttpClient client, bool withUploads = true)
    {
        var page = await client.GetStringAsync("/admin/import", Ct);
        var token = Token().Match(page);
        Assert.True(token.Success, "the import page has a form with an antiforgery token");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(WebUtility.HtmlDecode(token.Groups[1].Value)), "__RequestVerificationToken" },
        };
        var export = new ByteArrayContent(await File.ReadAllBytesAsync(WordPressFixtures.Site, Ct));
        export.Headers.ContentType = new MediaTypeHeaderValue("text/xml");
        form.Add(export, "export", "site.xml");
        if (withUploads) form.Add(new ByteArrayContent(UploadsZip()), "uploads", "uploads.zip");
        return await client.PostAsync(ImportSetup.WordPressUploadPath, form, Ct);
    }

    private static byte[] UploadsZip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.EnumerateFiles(WordPressFixtures.Uploads, "*", SearchOption.AllDirectories))
            {
                zip.CreateEntryFromFile(file, "uploads/" + Path.GetRelativePath(WordPressFixtures.Uploads, file).Replace('\\', '/'));
            }
        }
        return buffer.ToArray();
    }

    private async Task<ImportRunView> WaitForAsync(Guid id, Func<ImportRunView, bool> done)
    {
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        for (var waited = 0; waited < 600; waited++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var run = await scope.ServiceProvider.GetRequiredService<ImportRuns>().GetAsync(admin, id, Ct);
            Assert.True(run.Succeeded, run.Error);
            if (done(run.Value!)) return run.Value!;
            await Task.Delay(100, Ct);
        }
        throw new TimeoutException("The import run did not get there in 60 s.");
    }

    [Fact]
    public async Task A_finished_import_records_its_final_count_even_when_its_last_progress_came_within_a_second()
    {
        // A clock that does not move: the progress heartbeat writes once, and every later report falls within its
        // one-second throttle, as the last report of a fast import can.
        await using var frozen = await NewsCmsAppFactory.CreateAsync();
        frozen.TestServices = services => services.AddSingleton<TimeProvider>(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow));
        var admin = await frozen.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

        async Task<ImportRunView> SettledAsync(Guid id)
        {
            for (var waited = 0; waited < 600; waited++)
            {
                await using var scope = frozen.Services.CreateAsyncScope();
                var run = await scope.ServiceProvider.GetRequiredService<ImportRuns>().GetAsync(admin, id, Ct);
                Assert.True(run.Succeeded, run.Error);
                if (!run.Value!.IsActive) return run.Value;
                await Task.Delay(100, Ct);
            }
            throw new TimeoutException("The import run did not settle in 60 s.");
        }

        Guid id;
        await using (var scope = frozen.Services.CreateAsyncScope())
        {
            await using var export = File.OpenRead(WordPressFixtures.Site);
            var started = await scope.ServiceProvider.GetRequiredService<ImportRuns>().StartWordPressAsync(admin, export, "site.xml", null, null, false, Ct);
            Assert.True(started.Succeeded, started.Error);
            id = started.Value;
        }
        Assert.Equal(ImportRunStatus.DryRun, (await SettledAsync(id)).Status);
        await using (var scope = frozen.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<ImportRuns>().ImportAsync(admin, id, Ct)).Succeeded);
        }
        var imported = await SettledAsync(id);

        Assert.Equal(ImportRunStatus.Completed, imported.Status);
        Assert.True(imported.TotalItems > 1);
        Assert.Equal(imported.TotalItems, imported.ProcessedItems);
    }

    [Fact]
    public async Task An_administrator_uploads_reads_the_dry_run_imports_and_downloads_the_report()
    {
        var client = app.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await FormPost.SignInAsync(client, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword)).StatusCode);

        var uploaded = await UploadAsync(client);

        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        var location = uploaded.Headers.Location!.OriginalString;
        Assert.StartsWith("/admin/import?run=", location, StringComparison.Ordinal);
        var id = Guid.Parse(location["/admin/import?run=".Length..]);
        var dryRun = await WaitForAsync(id, r => !r.IsActive);
        Assert.Equal(ImportRunStatus.DryRun, dryRun.Status);
        Assert.True(dryRun.Report.CountOf("post", "imported") > 0);
        Assert.Equal(0, await CountAsync(db => db.Articles.CountAsync(Ct)));

        // The page shows the dry run's report (and keeps showing the run after a reload: its id is in the address).
        var page = await client.GetStringAsync(location, Ct);
        Assert.Contains("Dry run report", page, StringComparison.Ordinal);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var started = await scope.ServiceProvider.GetRequiredService<ImportRuns>().ImportAsync(
                await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), id, Ct);
            Assert.True(started.Succeeded, started.Error);
        }
        var imported = await WaitForAsync(id, r => !r.IsActive);
        Assert.Equal(ImportRunStatus.Completed, imported.Status);
        Assert.Equal(imported.TotalItems, imported.ProcessedItems);
        Assert.True(await CountAsync(db => db.Articles.CountAsync(Ct)) >= 10);

        var report = await client.GetAsync(ImportSetup.ReportPath(id), Ct);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal("attachment", report.Content.Headers.ContentDisposition?.DispositionType);
        var text = await report.Content.ReadAsStringAsync(Ct);
        Assert.Contains("post: ", text, StringComparison.Ordinal);
        Assert.Contains("post 33 (https://oldnews.example/2024/03/12/staff-rota/): was private", text, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(db => db.AuditEntries.CountAsync(e => e.Action == AuditActions.ImportStarted, Ct)));
    }

    [Theory]
    [InlineData(NewsroomRoles.Editor)]
    [InlineData(NewsroomRoles.Author)]
    public async Task Only_administrators_may_import(string role)
    {
        var (_, email, password) = await app.CreateUserAsync(role);
        var client = app.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await FormPost.SignInAsync(client, email, password)).StatusCode);

        var page = await client.GetAsync("/admin/import", Ct);
        Assert.DoesNotContain("Upload and check", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var form = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "export", "site.xml" } };
        var posted = await client.PostAsync(ImportSetup.WordPressUploadPath, form, Ct);
        Assert.True(posted.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect && posted.Headers.Location?.OriginalString.Contains("run=") != true,
            $"{posted.StatusCode} {posted.Headers.Location}");
        Assert.Equal(0, await CountAsync(db => db.ImportRuns.CountAsync(Ct)));

        await using var scope = app.Services.CreateAsyncScope();
        var runs = scope.ServiceProvider.GetRequiredService<ImportRuns>();
        var started = await runs.StartWordPressAsync(await app.PrincipalForAsync(email), new MemoryStream([1]), "site.xml", null, null, false, Ct);
        Assert.False(started.Succeeded);
        Assert.False((await runs.ListAsync(await app.PrincipalForAsync(email), Ct)).Succeeded);
    }

    [Fact]
    public async Task A_file_that_is_not_an_export_is_refused_where_the_user_is()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var runs = scope.ServiceProvider.GetRequiredService<ImportRuns>();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

        var refused = await runs.StartWordPressAsync(admin, new MemoryStream([1]), "site.docx", null, null, false, Ct);

        Assert.Equal(ImportRuns.NotAnExport, refused.Error);
        Assert.Equal("export", ImportProblems.CodeFor(refused.Error!));
    }

    [Fact]
    public async Task A_broken_export_ends_the_dry_run_with_its_message()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var runs = scope.ServiceProvider.GetRequiredService<ImportRuns>();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

        var started = await runs.StartWordPressAsync(admin, File.OpenRead(WordPressFixtures.PathOf("billion-laughs.xml")), "laughs.xml", null, null, false, Ct);

        Assert.True(started.Succeeded, started.Error);
        var run = await WaitForAsync(started.Value, r => !r.IsActive);
        Assert.Equal(ImportRunStatus.Failed, run.Status);
        Assert.False(string.IsNullOrEmpty(run.Error));
    }

    [Fact]
    public async Task A_run_that_stopped_with_the_server_can_be_resumed()
    {
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var id = Guid.NewGuid();
        // Where the server kept the upload (anywhere it can read; on SQLite it is beside the database).
        var folder = Path.Combine(Path.GetTempPath(), "newscms-import-" + id.ToString("N"));
        Directory.CreateDirectory(folder);
        File.Copy(WordPressFixtures.Site, Path.Combine(folder, "export.xml"));
        await CountAsync(async db =>
        {
            // As the server left it: running, without a sign of life for a while.
            db.ImportRuns.Add(new ImportRun
            {
                Id = id, Kind = ImportRunKind.WordPress, Status = ImportRunStatus.Running, FileName = "site.xml", WorkFolder = folder,
                StartedById = await app.UserIdAsync(NewsCmsAppFactory.AdminEmail), StartedByName = "Ada Admin",
                StartedAt = DateTime.UtcNow.AddMinutes(-10), UpdatedAt = DateTime.UtcNow.AddMinutes(-5),
            });
            return await db.SaveChangesAsync(Ct);
        });

        await using var scope = app.Services.CreateAsyncScope();
        var runs = scope.ServiceProvider.GetRequiredService<ImportRuns>();
        var stopped = (await runs.GetAsync(admin, id, Ct)).Value!;
        Assert.Equal(ImportRunStatus.Interrupted, stopped.Status);
        Assert.True(stopped.CanResume);

        Assert.True((await runs.ResumeAsync(admin, id, Ct)).Succeeded);
        Assert.Equal(ImportRunStatus.Completed, (await WaitForAsync(id, r => !r.IsActive)).Status);
        Assert.True(await CountAsync(db => db.Articles.CountAsync(Ct)) >= 10);
    }

    [Fact]
    public async Task The_command_line_imports_prints_progress_and_writes_the_report()
    {
        var reportFile = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():N}.txt");
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();

            var code = await WordPressCommandLine.RunAsync(app.Services,
                ["import-wordpress", WordPressFixtures.Site, "--media", WordPressFixtures.Uploads, "--report", reportFile], output, error, Ct);

            Assert.True(code == 0, error.ToString());
            Assert.Contains("posts and pages", output.ToString(), StringComparison.Ordinal);
            Assert.Contains("Report written to", output.ToString(), StringComparison.Ordinal);
            var report = await File.ReadAllTextAsync(reportFile, Ct);
            Assert.Contains("post: ", report, StringComparison.Ordinal);
            Assert.Contains("Warnings", report, StringComparison.Ordinal);
            Assert.True(await CountAsync(db => db.Articles.CountAsync(Ct)) >= 10);
        }
        finally
        {
            File.Delete(reportFile);
        }
    }

    [Fact]
    public async Task The_command_line_dry_run_writes_nothing()
    {
        var output = new StringWriter();

        var code = await WordPressCommandLine.RunAsync(app.Services, ["import-wordpress", WordPressFixtures.Site, "--dry-run"], output, new StringWriter(), Ct);

        Assert.Equal(0, code);
        Assert.Contains("Dry run", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(db => db.Articles.CountAsync(Ct)));
    }

    [Theory]
    [InlineData(2, new[] { "import-wordpress" })]
    [InlineData(2, new[] { "import-wordpress", "a.xml", "--unknown" })]
    [InlineData(1, new[] { "import-wordpress", "/nonexistent/export.xml" })]
    public async Task The_command_line_refuses_wrong_arguments_with_a_message(int expected, string[] args)
    {
        var error = new StringWriter();

        var code = await WordPressCommandLine.RunAsync(app.Services, args, new StringWriter(), error, Ct);

        Assert.Equal(expected, code);
        Assert.False(string.IsNullOrWhiteSpace(error.ToString()));
    }

    [Fact]
    public async Task The_command_line_refuses_a_hostile_export_with_a_message()
    {
        var error = new StringWriter();

        var code = await WordPressCommandLine.RunAsync(app.Services, ["import-wordpress", WordPressFixtures.PathOf("xxe.xml")], new StringWriter(), error, Ct);

        Assert.Equal(1, code);
        Assert.Contains("DTD", error.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    private async Task<T> CountAsync<T>(Func<NewsCmsDbContext, Task<T>> read)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(Ct);
        return await read(db);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
