using System.IO.Compression;
using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Import;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Redirects;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.SiteExport;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// The portable export of a whole site and its import: a round trip into an empty site answers every public address
/// of the first with the same content; merges, re-imports, hostile archives, secrets, who may export, and the
/// command line's answers.
/// </summary>
public sealed partial class SiteExportTests : IAsyncDisposable
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
    public async Task A_site_exported_and_imported_into_an_empty_site_answers_every_public_address_with_the_same_content()
    {
        await using var source = await NewsCmsAppFactory.CreateAsync();
        var site = await BuildSiteAsync(source);
        var file = await ExportWithCommandAsync(source);

        await using var target = await NewsCmsAppFactory.CreateAsync();
        // Pages read (and cached, with the settings) before the import must show what it brought.
        using (var early = target.CreateClient())
        {
            foreach (var address in new[] { "/", "/feed.xml", "/sitemap.xml", "/search?q=harbour" })
            {
                Assert.Equal(HttpStatusCode.OK, (await early.GetAsync(address, TestContext.Current.CancellationToken)).StatusCode);
            }
        }
        var report = await ImportAsync(target, file);
        Assert.Equal(0, report.Counts.Values.Sum(o => o.GetValueOrDefault(SiteImporter.Failed)));
        // Two public stories, the draft, the scheduled one, the trashed one and the page; three images.
        Assert.Equal(6, report.CountOf(SiteImporter.ArticleKind, SiteImporter.Imported));
        Assert.Equal(3, report.CountOf(SiteImporter.MediaKind, SiteImporter.Imported));
        // The only thing that could not stay as it was: the bootstrapped Administrator's byline was here first.
        var warning = Assert.Single(report.Warnings);
        Assert.Equal((SiteImporter.AuthorKind, "the slug \"ada-admin\" is taken here by another author; it was imported as \"ada-admin-2\"."), (warning.Kind, warning.Message));

        using var before = source.CreateClient(new() { AllowAutoRedirect = false });
        using var after = target.CreateClient(new() { AllowAutoRedirect = false });
        string[] addresses =
        [
            "/", $"/news/{site.LeadSlug}", $"/news/{site.SecondSlug}", "/section/harbour", "/section/politics", "/tag/ferries", "/tag/elections",
            $"/author/{site.GuestSlug}", $"/author/{site.EditorSlug}", "/feed.xml", "/atom.xml", "/sitemap.xml", "/sitemaps/articles-1.xml",
            "/sitemaps/pages.xml", "/search?q=harbour", "/section/harbour/feed.xml", "/tag/ferries/feed.xml", $"/author/{site.GuestSlug}/feed.xml",
            "/about-us", site.LeadImageUrl, site.BodyImageUrl,
        ];
        foreach (var address in addresses)
        {
            using var first = await before.GetAsync(address, TestContext.Current.CancellationToken);
            using var second = await after.GetAsync(address, TestContext.Current.CancellationToken);
            Assert.True(first.StatusCode == HttpStatusCode.OK, $"{address} on the first site: {first.StatusCode}");
            Assert.True(second.StatusCode == HttpStatusCode.OK, $"{address} on the imported site: {second.StatusCode}");
            if (first.Content.Headers.ContentType?.MediaType?.StartsWith("image/") == true)
            {
                // Images are processed again on import, from the original: the same picture at the same size.
                Assert.Equal(first.Content.Headers.ContentType, second.Content.Headers.ContentType);
                continue;
            }
            Assert.Equal(MainContent(await first.Content.ReadAsStringAsync()), MainContent(await second.Content.ReadAsStringAsync()));
        }

        // The old address of the renamed lead story, and the old tag address, still lead to them; the trashed story is gone (410).
        foreach (var (address, status) in new[] { ($"/news/{site.LeadOldSlug}", HttpStatusCode.MovedPermanently), ("/tag/ferry-services", HttpStatusCode.MovedPermanently),
                     ($"/news/{site.TrashedSlug}", HttpStatusCode.Gone), ($"/news/{site.DraftSlug}", HttpStatusCode.NotFound),
                     ("/2019/05/01/old-ferry-story", HttpStatusCode.MovedPermanently), ("/old-about", HttpStatusCode.MovedPermanently) })
        {
            using var first = await before.GetAsync(address, TestContext.Current.CancellationToken);
            using var second = await after.GetAsync(address, TestContext.Current.CancellationToken);
            Assert.Equal(status, first.StatusCode);
            Assert.Equal(status, second.StatusCode);
            Assert.Equal(first.Headers.Location, second.Headers.Location);
        }

        // The page is linked from the footer on the imported site too (the setting names it by its new id).
        var story = await after.GetStringAsync("/news/" + site.SecondSlug, TestContext.Current.CancellationToken);
        var footer = story[story.IndexOf("<footer", StringComparison.Ordinal)..];
        Assert.Contains("href=\"/about-us\"", footer, StringComparison.Ordinal);

        // What readers do not see came across too: the draft, the scheduled story, the page, the redirect, the settings.
        var a = await ContentAsync(source);
        var b = await ContentAsync(target);
        Assert.Equal(a.Description, b.Description);
        Assert.Contains(b.Rows, x => x.Kind == ArticleKind.Page && x.Slug == "about-us" && x.Status == ArticleStatus.Published);
        Assert.Contains(b.Rows, x => x.Status == ArticleStatus.Scheduled && x.ScheduledAt == site.ScheduledAt);
        // The scheduled story will be published in the name of the Administrator the import ran as.
        await using (var db = await Db(target))
        {
            var scheduled = await db.Articles.SingleAsync(x => x.Status == ArticleStatus.Scheduled);
            Assert.Equal(await target.UserIdAsync(NewsCmsAppFactory.AdminEmail), scheduled.ScheduledById);
            // A summary of each article's history stays in the archive; here the import begins a history of its own.
            Assert.Single(await db.ArticleRevisions.Where(r => r.ArticleId == scheduled.Id).ToListAsync());
            Assert.Equal(ImportRunStatus.Completed, (await db.ImportRuns.SingleAsync()).Status);
        }
        await SetupTests.AssertAuditedAsync(target, AuditActions.SiteImported, "site.zip");
    }

    [Fact]
    public async Task Importing_the_same_archive_again_changes_nothing_and_an_article_edited_here_is_left_alone()
    {
        await using var source = await NewsCmsAppFactory.CreateAsync();
        await BuildSiteAsync(source);
        var file = await ExportWithCommandAsync(source);
        await using var target = await NewsCmsAppFactory.CreateAsync();
        await ImportAsync(target, file);
        var first = await ContentAsync(target);

        var again = await ImportAsync(target, file);
        Assert.All(again.Counts, kind => Assert.Equal([SiteImporter.Unchanged], kind.Value.Keys));
        Assert.Empty(again.Warnings);
        Assert.Equal(first.Description, (await ContentAsync(target)).Description);

        // An editor changes an imported story; the next import leaves it as it is and says so.
        var admin = await target.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var scope = target.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        int id;
        await using (var db = await Db(target)) id = await db.Articles.Where(a => a.Headline == "Harbour ferry timetable changes").Select(a => a.Id).SingleAsync();
        var current = (await articles.Reads.GetForEditAsync(admin, id)).Value!;
        var saved = await articles.Editing.SaveAsync(admin, id, InputFrom(current, headline: "Harbour ferry timetable changes again"), current.Version, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);

        var third = await ImportAsync(target, file);
        Assert.Equal(1, third.CountOf(SiteImporter.ArticleKind, SiteImporter.Skipped));
        Assert.Contains(third.Warnings, w => w.Kind == SiteImporter.ArticleKind && w.Message.Contains("was edited here since it was imported"));
        await using (var db = await Db(target)) Assert.Equal("Harbour ferry timetable changes again", (await db.Articles.SingleAsync(a => a.Id == id)).Headline);
    }

    [Fact]
    public async Task An_import_cut_off_half_way_leaves_whole_items_and_the_next_run_goes_on_where_it_stopped()
    {
        await using var source = await NewsCmsAppFactory.CreateAsync();
        await BuildSiteAsync(source);
        var good = await ExportWithCommandAsync(source);
        // The archive ends in the middle of the fourth article, as a crash or a truncated copy would leave it.
        var cut = Rezip(good, NewFolder(), "cut.zip", replace: (SiteArchive.SiteEntry, json =>
        {
            var text = Encoding.UTF8.GetString(json);
            var articles = text.IndexOf("\"articles\"", StringComparison.Ordinal);
            var fourth = Regex.Matches(text[articles..], "\"bodyHtml\": \"").Skip(3).First().Index + articles;
            return Encoding.UTF8.GetBytes(text[..(fourth + 40)]);
        }));

        await using var target = await NewsCmsAppFactory.CreateAsync();
        target.CreateClient().Dispose();
        await using (var scope = target.Services.CreateAsyncScope())
        {
            var refused = await scope.ServiceProvider.GetRequiredService<SiteImporter>()
                .ImportAsync(await target.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), cut);
            Assert.Contains("is not valid JSON", refused.Error);
            Assert.Contains("What was imported before this point stays", refused.Error);
        }
        await using (var db = await Db(target))
        {
            // Three whole articles: each with its record of where it came from, its byline and its revision.
            var articles = await db.Articles.ToListAsync();
            Assert.Equal(3, articles.Count);
            Assert.Equal(3, await db.ImportedItems.CountAsync(i => i.Kind == SiteImporter.ArticleKind));
            Assert.All(articles, a => Assert.True(db.ArticleRevisions.Any(r => r.ArticleId == a.Id), a.Headline));
            Assert.Equal(ImportRunStatus.Failed, (await db.ImportRuns.SingleAsync()).Status);
            // What did come in is found and ranked, as after a complete run.
            Assert.All(articles.Where(a => a.IsPublic), a => Assert.True(db.ArticleRelations.Any(r => r.ArticleId == a.Id), a.Headline));
            Assert.Equal(2, articles.Count(a => a.IsPublic));
        }

        var rest = await ImportAsync(target, good);
        Assert.Equal(3, rest.CountOf(SiteImporter.ArticleKind, SiteImporter.Unchanged));
        Assert.Equal(3, rest.CountOf(SiteImporter.ArticleKind, SiteImporter.Imported));
        Assert.Equal(3, rest.CountOf(SiteImporter.MediaKind, SiteImporter.Unchanged));
        Assert.Equal((await ContentAsync(source)).Description, (await ContentAsync(target)).Description);
    }

    [Fact]
    public async Task A_merge_into_a_site_with_content_keeps_its_things_and_gives_clashing_slugs_a_suffix()
    {
        await using var source = await NewsCmsAppFactory.CreateAsync();
        var site = await BuildSiteAsync(source);
        var file = await ExportWithCommandAsync(source);

        await using var target = await NewsCmsAppFactory.CreateAsync();
        var admin = await target.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using (var scope = target.Services.CreateAsyncScope())
        {
            var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
            Assert.True((await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Ferries", Description = "Our own ferries tag" })).Succeeded);
            var local = await scope.ServiceProvider.NewsroomArticles().Editing.SaveAsync(admin, null,
                new ArticleInput { Headline = "A local story", Slug = site.LeadSlug, BodyHtml = "<p>Written here.</p>" }, null, SaveKind.Manual);
            Assert.True(local.Succeeded, local.Error);
            Assert.True((await scope.ServiceProvider.GetRequiredService<SiteSettingsService>().SaveAsync(admin, new SiteSettingsInput { Title = "The Local Paper" })).Succeeded);
        }
        var report = await ImportAsync(target, file);

        Assert.Contains(report.Warnings, w => w.Kind == SiteImporter.TagKind && w.Message.Contains("\"ferries\" is taken here") && w.Message.Contains("\"ferries-2\""));
        Assert.Contains(report.Warnings, w => w.Kind == SiteImporter.ArticleKind && w.Message.Contains($"\"{site.LeadSlug}\" is taken here"));
        Assert.Contains(report.Warnings, w => w.Kind == SiteImporter.SettingKind && w.ExternalId == "Site.Title");
        await using var db = await Db(target);
        Assert.Equal("Our own ferries tag", (await db.Tags.SingleAsync(t => t.Slug == "ferries")).Description);
        Assert.Equal("A local story", (await db.Articles.SingleAsync(a => a.Slug == site.LeadSlug)).Headline);
        Assert.Equal("Harbour ferry timetable changes", (await db.Articles.SingleAsync(a => a.Slug == site.LeadSlug + "-2")).Headline);
        Assert.Equal("The Local Paper", (await db.SiteSettings.SingleAsync(s => s.Key == "Site.Title")).Value);
        // See-also cards name the stories by their ids here, also the one met before the story it names.
        var lead = await db.Articles.SingleAsync(a => a.Slug == site.LeadSlug + "-2");
        var second = await db.Articles.SingleAsync(a => a.Slug == site.SecondSlug);
        Assert.Contains($"data-article-id=\"{second.Id}\"", lead.BodyHtml);
        Assert.Contains($"data-article-id=\"{lead.Id}\"", second.BodyHtml);
        using var reader = target.CreateClient();
        var imported = await reader.GetStringAsync($"/news/{site.LeadSlug}-2", TestContext.Current.CancellationToken);
        Assert.Contains("Harbour ferry timetable changes", imported);
        Assert.Contains("/tag/ferries-2", imported);
        // The imported story is found, and its related articles were ranked with the site's own.
        Assert.Contains($"/news/{site.LeadSlug}-2", await reader.GetStringAsync("/search?q=timetable", TestContext.Current.CancellationToken));
        Assert.True(await db.ArticleRelations.AnyAsync(r => r.ArticleId == db.Articles.Single(a => a.Slug == site.LeadSlug + "-2").Id));
    }

    [Fact]
    public async Task An_archive_with_a_path_out_of_the_media_folder_or_of_another_format_or_version_is_refused_and_nothing_is_imported()
    {
        await using var source = await NewsCmsAppFactory.CreateAsync();
        await BuildSiteAsync(source);
        var good = await ExportWithCommandAsync(source);
        var work = NewFolder();
        var notZip = Path.Combine(work, "notes.zip");
        await File.WriteAllTextAsync(notZip, "not a zip", TestContext.Current.CancellationToken);

        var cases = new (string File, string Reason)[]
        {
            (notZip, "it is not a zip file, or it is damaged."),
            (Rezip(good, work, "slip.zip", add: ("media/../../escaped.txt", "gotcha"u8.ToArray())), "holds 'media/../../escaped.txt', which a NewsCms site export never does"),
            (Rezip(good, work, "absolute.zip", add: ("/etc/cron.d/evil", "gotcha"u8.ToArray())), "which a NewsCms site export never does"),
            (Rezip(good, work, "no-json.zip", keep: e => e.FullName != SiteArchive.SiteEntry), "it has no site.json"),
            (Rezip(good, work, "other.zip", replace: (SiteArchive.SiteEntry, json => Change(json, "format", "wordpress-wxr"))), "its format is \"wordpress-wxr\", not \"newscms-site\""),
            (Rezip(good, work, "newer.zip", replace: (SiteArchive.SiteEntry, json => Change(json, "version", 2))), "version 2 of the format, newer than this NewsCms reads (version 1)"),
            (Rezip(good, work, "not-json.zip", replace: (SiteArchive.SiteEntry, _ => "<?xml version=\"1.0\"?><rss/>"u8.ToArray())), "its site.json is not valid JSON"),
        };
        await using var target = await NewsCmsAppFactory.CreateAsync();
        target.CreateClient().Dispose();
        var before = await DatabaseSnapshot.TakeAsync(target.Database);
        foreach (var (file, reason) in cases)
        {
            var refused = await RunCommandAsync(["import-site", file, .. Settings(target.Database)]);
            Assert.True(refused.Code == 1, $"{Path.GetFileName(file)}: {refused.Output}");
            Assert.Contains(reason, refused.Error);
            Assert.False(File.Exists(Path.Combine(work, "escaped.txt")));
        }
        var after = await DatabaseSnapshot.TakeAsync(target.Database);
        Assert.Equal(before.TableHashes.Where(t => t.Key != "__EFMigrationsLock"), after.TableHashes.Where(t => t.Key != "__EFMigrationsLock"));
    }

    [Fact]
    public async Task A_hand_written_archive_with_fields_left_out_or_wrong_imports_what_it_can_and_says_what_it_could_not()
    {
        var file = Path.Combine(NewFolder(), "hand.zip");
        using (var zip = ZipFile.Open(file, ZipArchiveMode.Create))
        await using (var entry = new StreamWriter(zip.CreateEntry(SiteArchive.SiteEntry).Open()))
        {
            await entry.WriteAsync("""
                {"format": "newscms-site", "version": 1, "site": {"id": "handmade"},
                 "media": [{"id": 1, "storageKey": "0123456789abcdef01234567", "originalFileName": "gone.jpg"}],
                 "tags": [{"id": 1, "name": ""}, {"id": 2, "name": "Sailing"}],
                 "articles": [
                   {"id": 5, "headline": "Written by hand", "bodyHtml": "<p>Hello<script>alert(1)</script></p>", "status": "Published",
                    "publishedAt": "2026-01-02T03:04:05Z", "tagIds": [2, 1], "featuredImageId": 1},
                   {"id": 6, "headline": "Odd status", "status": "Archived"},
                   "not an article"],
                 "comments": [{"id": 1}],
                 "settings": {"Site.Tagline": "By hand", "Site.LogoImageId": "1", "Smtp.Password": "leak"}}
                """);
        }
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var report = await ImportAsync(app, file);

        Assert.Equal(1, report.CountOf(SiteImporter.ArticleKind, SiteImporter.Imported));
        Assert.Equal(2, report.CountOf(SiteImporter.ArticleKind, SiteImporter.Failed));
        Assert.Equal(1, report.CountOf(SiteImporter.MediaKind, SiteImporter.Skipped));
        Assert.Equal(1, report.CountOf(SiteImporter.TagKind, SiteImporter.Failed));
        Assert.Contains(report.Warnings, w => w.Message.Contains("markup outside NewsCms's HTML policy was removed"));
        Assert.Contains(report.Warnings, w => w.Message.Contains("\"comments\" is not part of version 1"));
        Assert.Contains(report.Warnings, w => w.Kind == SiteImporter.SettingKind && w.ExternalId == "Site.LogoImageId");
        await using var db = await Db(app);
        var article = await db.Articles.SingleAsync();
        Assert.Equal("<p>Hello</p>", article.BodyHtml);
        Assert.Null(article.FeaturedImageId);
        Assert.Equal(["sailing"], await db.ArticleTags.Where(t => t.ArticleId == article.Id).Join(db.Tags, at => at.TagId, t => t.Id, (at, t) => t.Slug).ToListAsync());
        Assert.Equal("By hand", (await db.SiteSettings.SingleAsync(s => s.Key == "Site.Tagline")).Value);
        Assert.False(await db.SiteSettings.AnyAsync(s => s.Key == "Smtp.Password"));
        using var reader = app.CreateClient();
        Assert.Contains("Written by hand", await reader.GetStringAsync("/news/written-by-hand", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_export_holds_no_password_hash_key_or_secret_setting()
    {
        await using var source = await NewsCmsAppFactory.CreateAsync();
        await BuildSiteAsync(source);
        // Signing in makes the site's Data Protection key.
        await SignInAsync(source, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword, "/admin/settings");
        // An integration with its keys and a webhook's signing secret: none of it is content.
        NewsCms.Web.Features.Integrations.CreatedIntegration integration;
        await using (var scope = source.Services.CreateAsyncScope())
        {
            integration = (await scope.ServiceProvider.GetRequiredService<NewsCms.Web.Features.Integrations.Integrations>()
                .CreateAsync(await source.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), "Export robot", NewsroomRoles.Editor)).Value!;
        }
        await using (var db = await Db(source))
        {
            db.Webhooks.Add(new NewsCms.Web.Features.Webhooks.Webhook
            {
                IntegrationId = integration.Id, Event = "post.published", TargetUrl = "https://hooks.example/export", ProtectedSecret = "protected-webhook-secret",
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            db.SiteSettings.Add(new SiteSetting { Key = "Email.SmtpPassword", Value = "hunter2-smtp", UpdatedAt = DateTime.UtcNow });
            db.SiteSettings.Add(new SiteSetting { Key = "Webhooks.SigningKey", Value = "sk-live-12345", UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var file = await ExportWithCommandAsync(source);

        string[] secrets;
        await using (var db = await Db(source))
        {
            secrets =
            [
                .. await db.Users.Where(u => u.PasswordHash != null).Select(u => u.PasswordHash!).ToListAsync(), .. await db.Users.Select(u => u.SecurityStamp!).ToListAsync(),
                .. (await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync()).Select(x => Regex.Match(x, "<value>([^<]{20,})</value>").Groups[1].Value),
                "hunter2-smtp", "sk-live-12345", await db.SiteSettings.Where(s => s.Key == "Cluster.SiteId").Select(s => s.Value).SingleAsync(),
                NewsCmsAppFactory.AdminEmail,
                integration.ContentKey, integration.AdminKey.Split(':')[0], integration.AdminKey.Split(':')[1], "protected-webhook-secret", "hooks.example",
                .. await db.IntegrationKeys.Select(k => k.ProtectedSecret!).ToListAsync(),
            ];
        }
        Assert.True(secrets.Length > 5 && secrets.All(s => s.Length > 5));
        using var zip = ZipFile.OpenRead(file);
        var json = await ReadSiteJsonAsync(zip);
        var siteId = JsonNode.Parse(json)!["site"]!["id"]!.GetValue<string>();
        // The site's id is there as the source of the archive, never as a setting to copy.
        Assert.DoesNotContain("Cluster.SiteId", json);
        foreach (var secret in secrets.Where(s => s != siteId)) Assert.DoesNotContain(secret, json);
        Assert.DoesNotContain("PasswordHash", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Export robot", json);
        Assert.All(zip.Entries, e => Assert.True(SiteArchive.IsExpectedEntry(e.FullName), e.FullName));
    }

    [Fact]
    public async Task Only_an_administrator_exports_from_the_settings_page_and_each_export_is_audited()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await BuildSiteAsync(app);
        using var anonymous = app.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await DownloadAsync(anonymous, token: null)).StatusCode);

        var (_, editorEmail, editorPassword) = await app.CreateUserAsync(NewsroomRoles.Editor);
        var editor = await SignInAsync(app, editorEmail, editorPassword, "/admin");
        Assert.Equal(HttpStatusCode.Forbidden, (await DownloadAsync(editor.Client, editor.Token)).StatusCode);
        // The services refuse too, whoever calls them.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var principal = await app.PrincipalForAsync(editorEmail);
            Assert.Equal(NewsroomActors.NotAllowed, (await scope.ServiceProvider.GetRequiredService<SiteExporter>().ExportAsync(principal, Stream.Null, "x.zip")).Error);
            Assert.Equal(NewsroomActors.NotAllowed, (await scope.ServiceProvider.GetRequiredService<SiteImporter>().ImportAsync(principal, "x.zip")).Error);
        }

        var admin = await SignInAsync(app, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword, "/admin/settings");
        Assert.Contains($"action=\"{SiteExportEndpoints.DownloadPath}\"", admin.Page);
        Assert.Contains("Export site", admin.Page);
        Assert.Equal(HttpStatusCode.BadRequest, (await DownloadAsync(admin.Client, token: null)).StatusCode);
        Assert.Empty(await AuditedAsync(app));

        using var response = await DownloadAsync(admin.Client, admin.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Matches(@"^newscms-site-\d{4}-\d{2}-\d{2}-\d{4}\.zip$", response.Content.Headers.ContentDisposition?.FileNameStar);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var json = JsonNode.Parse(await ReadSiteJsonAsync(zip))!;
        Assert.Equal("newscms-site", json["format"]!.GetValue<string>());
        Assert.Equal(1, json["version"]!.GetValue<int>());
        Assert.Equal(6, json["articles"]!.AsArray().Count);
        var entry = Assert.Single(await AuditedAsync(app));
        Assert.Equal(NewsCmsAppFactory.AdminName, entry.ActorName);
        Assert.Equal(response.Content.Headers.ContentDisposition?.FileNameStar, entry.Target);
        Assert.StartsWith("5 articles, 1 pages,", entry.Details);
    }

    [Fact]
    public async Task The_commands_answer_with_exit_codes_and_a_report_and_an_import_into_a_new_database_serves_the_site()
    {
        Assert.Equal(2, (await RunCommandAsync("export")).Code);
        Assert.Equal(2, (await RunCommandAsync("import-site")).Code);
        Assert.Equal(2, (await RunCommandAsync("import-site", "site.zip", "--report")).Code);
        Assert.Equal(2, (await RunCommandAsync("export", "site.zip", "--report", "r.json")).Code);

        await using var source = await NewsCmsAppFactory.CreateAsync();
        var site = await BuildSiteAsync(source);
        var unwritable = await RunCommandAsync(["export", Path.Combine(NewFolder(), "missing-folder", "site.zip"), .. Settings(source.Database)]);
        Assert.Equal(1, unwritable.Code);
        Assert.Contains("Cannot write the export to", unwritable.Error);
        var nothing = await TestDatabase.NewEmptyAsync();
        databases.Add(nothing);
        if (nothing.Provider == DatabaseProvider.Sqlite)
        {
            var noDatabase = await RunCommandAsync(["export", Path.Combine(NewFolder(), "site.zip"), .. Settings(nothing)]);
            Assert.Equal(1, noDatabase.Code);
            Assert.Contains("There is no database at", noDatabase.Error);
        }
        var file = await ExportWithCommandAsync(source);

        var noFile = await RunCommandAsync(["import-site", Path.Combine(NewFolder(), "absent.zip"), .. Settings(nothing)]);
        Assert.Equal(1, noFile.Code);
        Assert.Contains("There is no file", noFile.Error);

        // A new machine: nothing but the archive. The command makes the database, imports, and writes the report.
        var reportFile = Path.Combine(NewFolder(), "report.json");
        var imported = await RunCommandAsync(["import-site", file, "--report", reportFile, .. Settings(nothing)]);
        Assert.True(imported.Code == 0, imported.Error);
        Assert.Contains("article: imported 6", imported.Output);
        Assert.Contains("media: imported 3", imported.Output);
        Assert.Contains($"Report written to {reportFile}.", imported.Output);
        var report = JsonSerializer.Deserialize<ImportReport>(await File.ReadAllTextAsync(reportFile, TestContext.Current.CancellationToken), SiteArchive.Json)!;
        Assert.Equal(6, report.CountOf(SiteImporter.ArticleKind, SiteImporter.Imported));

        await using var restored = NewsCmsAppFactory.OnDatabase(nothing, new() { ["NewsCms:Bootstrap:AdminEmail"] = NewsCmsAppFactory.AdminEmail,
            ["NewsCms:Bootstrap:AdminPassword"] = NewsCmsAppFactory.AdminPassword });
        using var reader = restored.CreateClient();
        Assert.Contains("Harbour ferry timetable changes", await reader.GetStringAsync($"/news/{site.LeadSlug}", TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(site.BodyImageUrl, TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task The_built_app_runs_the_export_and_import_commands_and_exits_without_starting_the_site()
    {
        var ct = TestContext.Current.CancellationToken;
        var site = await TestDatabase.NewAsync();
        databases.Add(site);
        var folder = NewFolder();
        var target = Path.Combine(folder, "site.zip");
        var settings = new Dictionary<string, string?>();
        site.ApplyTo(settings);
        var processSettings = settings.ToDictionary(s => s.Key, s => s.Value!);

        await using (var export = AppProcess.Run(folder, processSettings, "export", target))
        {
            Assert.True(await export.WaitForExitAsync(ct) == 0, export.Output);
            Assert.Contains(export.Lines, line => line.StartsWith($"Site exported to {target} (", StringComparison.Ordinal));
            Assert.DoesNotContain(export.Lines, line => line.Contains("Now listening"));
        }
        Assert.True(File.Exists(target));

        await using var refused = AppProcess.Run(folder, processSettings, "import-site", Path.Combine(folder, "absent.zip"));
        Assert.Equal(1, await refused.WaitForExitAsync(ct));
        Assert.Contains(refused.Lines, line => line.Contains("There is no file"));
        Assert.DoesNotContain(refused.Lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    // ----- the site -----

    private sealed record SiteFacts(string LeadSlug, string LeadOldSlug, string SecondSlug, string DraftSlug, string TrashedSlug, string GuestSlug,
        string EditorSlug, string LeadImageUrl, string BodyImageUrl, DateTime ScheduledAt);

    /// <summary>
    /// Two published stories in two sections with tags, bylines of a guest without an account (with a photo) and an
    /// editor, images with captions (featured and in the text), a See-also card, a renamed story and a renamed tag, a
    /// draft, a scheduled story, a trashed one, a page, a redirect and settings (logo, navigation, follow links).
    /// </summary>
    private static async Task<SiteFacts> BuildSiteAsync(NewsCmsAppFactory app)
    {
        app.CreateClient().Dispose();
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var taxonomy = services.GetRequiredService<TaxonomyService>();
        var media = services.GetRequiredService<MediaLibrary>();
        var authors = services.GetRequiredService<AuthorProfiles>();
        var articles = services.NewsroomArticles();
        var clock = services.GetRequiredService<TimeProvider>();

        var harbour = Value(await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Harbour", Description = "Boats and the sea" }));
        var politics = Value(await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Politics" }));
        var ferries = Value(await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Ferry services" }));
        Ok(await taxonomy.UpdateTagAsync(admin, ferries.Id, new TaxonomyInput { Name = "Ferries", Slug = "ferries" }));
        var elections = Value(await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Elections", Description = "Votes, counts and candidates" }));

        async Task<MediaImage> ImageAsync(string name, int width, string alt, string caption, string credit)
        {
            var image = Value(await media.UploadAsync(admin, new MemoryStream(TestImages.Jpeg(width, width * 2 / 3)), name, -1));
            return Value(await media.UpdateDetailsAsync(admin, image.Id, new MediaDetailsInput { AltText = alt, Caption = caption, Credit = credit }));
        }
        var lead = await ImageAsync("ferry.jpg", 900, "The ferry at the quay", "The morning ferry.", "Jane Lens");
        var inText = await ImageAsync("timetable.jpg", 700, "The new timetable", "Posted at the terminal.", "");
        var avatar = await ImageAsync("guest.jpg", 200, "Gus Guest", "", "");

        var guestId = Value(await authors.CreateAsync(admin, new AuthorInput
        {
            DisplayName = "Gus Guest", JobTitle = "Columnist", Bio = "Writes about the sea. https://gus.example", AvatarId = avatar.Id,
            Email = "gus@columns.example", Website = "https://gus.example",
        }));
        var (editorId, _, _) = await app.CreateUserAsync(NewsroomRoles.Editor, displayName: "Erin Editor");
        var editorProfile = await authors.EnsureForAccountAsync(editorId, "Erin Editor");

        async Task<SaveOutcome> SaveAsync(ArticleInput input)
        {
            var saved = await articles.Editing.SaveAsync(admin, null, input, null, SaveKind.Manual);
            Assert.True(saved.Succeeded, saved.Error);
            return saved;
        }
        async Task PublishAsync(SaveOutcome saved) => Ok(await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version));

        var second = await SaveAsync(new ArticleInput
        {
            Headline = "Council election count begins", Standfirst = "Votes are counted tonight.", BodyHtml = "<p>The <strong>count</strong> starts at ten.</p>",
            SectionId = politics.Id, TagIds = [elections.Id], AuthorIds = [editorProfile], SeoTitle = "Election count", MetaDescription = "The count starts.",
        });
        await PublishAsync(second);
        var first = await SaveAsync(new ArticleInput
        {
            Headline = "Harbour ferry timetable changes", Slug = "ferry-timetable-draft", Standfirst = "New times from Monday.",
            BodyHtml = $"<p>The council changed the ferry timetable.</p><p><img src=\"{inText.WebpUrl(640)}\" alt=\"The new timetable\"></p>" +
                $"<aside class=\"see-also\" data-article-id=\"{second.Id}\"><span class=\"see-also__label\">See also:</span> <a href=\"/news/{second.Slug}\">Council election count begins</a></aside>",
            SectionId = harbour.Id, TagIds = [ferries.Id, elections.Id], AuthorIds = [guestId, editorProfile], FeaturedImageId = lead.Id, IsFeatured = true,
            CanonicalUrl = "https://harbour.example/ferry",
        });
        await PublishAsync(first);
        // A See-also card in the older story pointing at the newer one: an import meets it before the story it names.
        var older = Value(await articles.Reads.GetForEditAsync(admin, second.Id));
        var withCard = InputFrom(older);
        withCard.BodyHtml += $"<aside class=\"see-also\" data-article-id=\"{first.Id}\"><span class=\"see-also__label\">See also:</span> <a href=\"/news/harbour-ferry-timetable-changes\">Harbour ferry timetable changes</a></aside>";
        var carded = await articles.Editing.SaveAsync(admin, second.Id, withCard, older.Version, SaveKind.Manual);
        Assert.True(carded.Succeeded, carded.Error);
        // Renamed after it was published: the old address answers 301.
        var current = Value(await articles.Reads.GetForEditAsync(admin, first.Id));
        var renamed = await articles.Editing.SaveAsync(admin, first.Id, InputFrom(current, slug: "harbour-ferry-timetable-changes"), current.Version, SaveKind.Manual);
        Assert.True(renamed.Succeeded, renamed.Error);

        var draft = await SaveAsync(new ArticleInput { Headline = "Unfinished ferry notes", BodyHtml = "<p>To do.</p>", SectionId = harbour.Id, AuthorIds = [guestId] });
        var scheduled = await SaveAsync(new ArticleInput { Headline = "Regatta preview", BodyHtml = "<p>Sails.</p>", SectionId = harbour.Id, AuthorIds = [editorProfile] });
        var at = clock.GetUtcNow().UtcDateTime.AddDays(3);
        at = new DateTime(at.Ticks - at.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        Ok(await articles.Workflow.ScheduleAsync(admin, scheduled.Id, scheduled.Version, at));
        var trashed = await SaveAsync(new ArticleInput { Headline = "Retracted story", BodyHtml = "<p>Wrong.</p>", SectionId = politics.Id, AuthorIds = [guestId] });
        await PublishAsync(trashed);
        var afterPublish = Value(await articles.Reads.GetForEditAsync(admin, trashed.Id));
        Ok(await articles.Workflow.TrashAsync(admin, trashed.Id, afterPublish.Version));
        // A page: there is no page editor on this branch yet, so the draft's stored kind is set directly, then it is published.
        var page = await SaveAsync(new ArticleInput { Headline = "About us", Slug = "about-us", BodyHtml = "<p>We report on the harbour.</p>", AuthorIds = [guestId] });
        await using (var db = await Db(app))
        {
            await db.Articles.Where(a => a.Id == page.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Kind, ArticleKind.Page));
            await db.ArticleAuthors.Where(a => a.ArticleId == page.Id).ExecuteDeleteAsync();
        }
        await PublishAsync(page);
        await using (var db = await Db(app))
        {
            db.Redirects.Add(new Redirect
            {
                FromPath = "/2019/05/01/old-ferry-story", TargetKind = RedirectTargetKind.Article, TargetId = first.Id, Origin = RedirectOrigin.Import,
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            db.Redirects.Add(new Redirect
            {
                FromPath = "/old-about", TargetKind = RedirectTargetKind.Path, TargetPath = "/about-us", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        Ok(await services.GetRequiredService<SiteSettingsService>().SaveAsync(admin, new SiteSettingsInput
        {
            Title = "The Harbour Herald", Tagline = "News from the quay", FooterText = "© The Harbour Herald", Language = "en-GB",
            TimeZone = "Europe/London", PublicationName = "Harbour Herald", LogoImageId = avatar.Id,
            FollowLinks = [new FollowLink("RSS", "https://herald.example/feed.xml")],
            Navigation = [new NavigationInput(politics.Id), new NavigationInput(null, "About", "/about-us"), new NavigationInput(harbour.Id)],
            FooterPages = [page.Id],
        }));

        var guest = Value(await authors.GetAsync(admin, guestId));
        var editor = Value(await authors.GetAsync(admin, editorProfile));
        return new SiteFacts(renamed.Slug, "ferry-timetable-draft", second.Slug, draft.Slug, trashed.Slug, guest.Slug, editor.Slug,
            lead.WebpUrl(640), inText.WebpUrl(640), at);
    }

    private static ArticleInput InputFrom(ArticleForEdit a, string? headline = null, string? slug = null) => new()
    {
        Headline = headline ?? a.Headline, Standfirst = a.Standfirst, Slug = slug ?? a.Slug, BodyHtml = a.BodyHtml, SeoTitle = a.SeoTitle,
        MetaDescription = a.MetaDescription, CanonicalUrl = a.CanonicalUrl, SectionId = a.SectionId, FeaturedImageId = a.FeaturedImageId,
        IsFeatured = a.IsFeatured, TagIds = [.. a.Tags.Select(t => t.Id)], AuthorIds = [.. a.Authors.Select(x => x.Id)],
    };

    private sealed record ArticleRow(ArticleKind Kind, string Slug, ArticleStatus Status, DateTime? ScheduledAt);

    /// <summary>What two sites must agree on, described by slugs and storage keys rather than ids; and the articles' states.</summary>
    private static async Task<(List<ArticleRow> Rows, string Description)> ContentAsync(NewsCmsAppFactory app)
    {
        await using var db = await Db(app);
        var sections = await db.Sections.ToDictionaryAsync(s => s.Id, s => s.Slug);
        var tags = await db.Tags.ToDictionaryAsync(t => t.Id, t => t.Slug);
        var authors = await db.AuthorProfiles.ToDictionaryAsync(a => a.Id, a => a.Slug);
        var images = await db.MediaItems.ToDictionaryAsync(m => m.Id, m => m.StorageKey);
        var articles = await db.Articles.AsNoTracking().OrderBy(a => a.Slug).ToListAsync();
        var slugs = articles.ToDictionary(a => a.Id, a => a.Slug);
        var rows = new List<ArticleRow>();
        var described = new StringBuilder();
        foreach (var a in articles)
        {
            var articleTags = (await db.ArticleTags.Where(t => t.ArticleId == a.Id).Select(t => t.TagId).ToListAsync()).Select(t => tags[t]).Order();
            var bylines = (await db.ArticleAuthors.Where(x => x.ArticleId == a.Id).OrderBy(x => x.Position).Select(x => x.AuthorProfileId).ToListAsync()).Select(x => authors[x]);
            var old = (await db.ArticleSlugRedirects.Where(r => r.ArticleId == a.Id).Select(r => r.Slug).ToListAsync()).Order();
            var body = SeeAlso().Replace(a.BodyHtml, m => $"data-article-id=\"{slugs[int.Parse(m.Groups[1].Value)]}\"");
            described.AppendLine(string.Join('|', a.Kind, a.Slug, a.Headline, a.Standfirst, body, a.Status, a.PublishedAt?.Ticks, a.FirstPublishedAt?.Ticks,
                a.ScheduledAt?.Ticks, a.TrashedAt?.Ticks, a.UpdatedAt.Ticks, a.CreatedAt.Ticks, a.IsFeatured, a.SeoTitle, a.MetaDescription, a.CanonicalUrl,
                a.SectionId is { } s ? sections[s] : null, string.Join(',', articleTags), string.Join(',', bylines),
                a.FeaturedImageId is { } f ? images[f] : null, string.Join(',', old), a.WordCount));
            rows.Add(new ArticleRow(a.Kind, a.Slug, a.Status, a.ScheduledAt));
        }
        var redirects = string.Join('\n', (await db.Redirects.AsNoTracking().OrderBy(r => r.FromPath).ToListAsync())
            .Select(r => $"{r.FromPath} {r.TargetKind} {(r.TargetKind == RedirectTargetKind.Article ? slugs[r.TargetId!.Value] : r.TargetId)} {r.TargetPath} {r.Origin}"));
        var settings = string.Join('\n', (await db.SiteSettings.AsNoTracking().Where(s => s.Key != "Cluster.SiteId").OrderBy(s => s.Key).ToListAsync())
            .Select(s => $"{s.Key}={(s.Key == "Site.LogoImageId" ? images[int.Parse(s.Value)] : s.Value)}"));
        var media = string.Join('\n', (await db.MediaItems.AsNoTracking().OrderBy(m => m.StorageKey).ToListAsync())
            .Select(m => $"{m.StorageKey} {m.OriginalFileName} {m.Width}x{m.Height} {m.AltText} {m.Caption} {m.Credit} {m.VariantWidths}"));
        var terms = string.Join('\n', (await db.Sections.AsNoTracking().OrderBy(s => s.Slug).ToListAsync()).Select(s => $"section {s.Slug} {s.Name} {s.Description} {s.Position} {s.ShowInNavigation}")
            .Concat((await db.Tags.AsNoTracking().OrderBy(t => t.Slug).ToListAsync()).Select(t => $"tag {t.Slug} {t.Name} {t.Description}"))
            .Concat((await db.TaxonomyRedirects.AsNoTracking().OrderBy(r => r.Slug).ToListAsync()).Select(r => $"old {r.Kind} {r.Slug}")));
        return (rows, string.Join("\n----\n", redirects, settings, media, terms, described));
    }

    // ----- export and import -----

    /// <summary>The export command, on the site's own settings, while the site runs.</summary>
    private async Task<string> ExportWithCommandAsync(NewsCmsAppFactory app)
    {
        var file = Path.Combine(NewFolder(), "site.zip");
        var exported = await RunCommandAsync(["export", file, .. Settings(app.Database)]);
        Assert.True(exported.Code == 0, exported.Error);
        Assert.StartsWith($"Site exported to {file} (", exported.Output.Split('\n').Last(l => l.Length > 0));
        Assert.False(File.Exists(file + ".partial"));
        return file;
    }

    /// <summary>The import as an Administrator of the running site does it (its caches hear of it).</summary>
    private static async Task<ImportReport> ImportAsync(NewsCmsAppFactory app, string file)
    {
        app.CreateClient().Dispose();
        await using var scope = app.Services.CreateAsyncScope();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var result = await scope.ServiceProvider.GetRequiredService<SiteImporter>().ImportAsync(admin, file);
        Assert.True(result.Succeeded, result.Error);
        return result.Value!;
    }

    private static async Task<string> ReadSiteJsonAsync(ZipArchive zip)
    {
        using var reader = new StreamReader(zip.GetEntry(SiteArchive.SiteEntry)!.Open());
        return await reader.ReadToEndAsync();
    }

    /// <summary>A page's main content, or the whole document for feeds and sitemaps.</summary>
    private static string MainContent(string document)
    {
        var main = Regex.Match(document, "<main[^>]*>(.*)</main>", RegexOptions.Singleline);
        var content = main.Success ? main.Groups[1].Value : document;
        return SeeAlso().Replace(content, "data-article-id=\"?\"");
    }

    [GeneratedRegex(@"data-article-id=""(\d+)""")]
    private static partial Regex SeeAlso();

    private static byte[] Change(byte[] json, string property, JsonNode value)
    {
        var node = JsonNode.Parse(json)!;
        node[property] = value;
        return JsonSerializer.SerializeToUtf8Bytes(node);
    }

    private static async Task<NewsCmsDbContext> Db(NewsCmsAppFactory app) =>
        await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();

    private static async Task<List<AuditEntry>> AuditedAsync(NewsCmsAppFactory app)
    {
        await using var db = await Db(app);
        return await db.AuditEntries.Where(e => e.Action == AuditActions.SiteExported).ToListAsync();
    }

    // ----- HTTP -----

    private sealed record SignedIn(HttpClient Client, string Token, string Page);

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
        return client.PostAsync(SiteExportEndpoints.DownloadPath, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    // ----- command line and files -----

    private static async Task<(int Code, string Output, string Error)> RunCommandAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await SiteExportCommandLine.RunAsync(args, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    private static string[] Settings(TestDatabaseInstance site)
    {
        var settings = new Dictionary<string, string?>();
        site.ApplyTo(settings);
        return [.. settings.Select(setting => $"--{setting.Key}={setting.Value}")];
    }

    private string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "newscms-site-export-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        folders.Add(folder);
        return folder;
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

    private static T Value<T>(ServiceResult<T> result)
    {
        Assert.True(result.Succeeded, result.Error);
        return result.Value!;
    }

    private static void Ok(ServiceResult result) => Assert.True(result.Succeeded, result.Error);
}
