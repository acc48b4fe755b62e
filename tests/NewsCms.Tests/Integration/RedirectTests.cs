using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Redirects;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Redirects over HTTP and through the newsroom's service: 301 and 410 from memory, the one-hop rule, hit counts,
/// reloads when what they point to moves, and on another node.
/// </summary>
public sealed class RedirectTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private readonly List<NewsCmsAppFactory> apps = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var app in Enumerable.Reverse(apps)) await app.DisposeAsync();
    }

    private async Task<NewsCmsAppFactory> SiteAsync(Action<IServiceCollection>? services = null, Dictionary<string, string?>? settings = null)
    {
        var app = await NewsCmsAppFactory.CreateAsync(settings);
        app.TestServices = services;
        apps.Add(app);
        _ = app.Services;
        return app;
    }

    private static HttpClient Reader(NewsCmsAppFactory app) => app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });

    private static async Task<ClaimsPrincipal> AdminAsync(NewsCmsAppFactory app) => await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

    private static async Task<int> AddAsync(NewsCmsAppFactory app, string from, string? to, int status = 301)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<Redirects>().AddAsync(await AdminAsync(app), new RedirectInput { OldAddress = from, NewAddress = to, Status = status });
        Assert.True(result.Succeeded, result.Error);
        return result.Value;
    }

    private static async Task<string?> RefusalAsync(NewsCmsAppFactory app, string from, string? to, int status = 301)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<Redirects>().AddAsync(await AdminAsync(app), new RedirectInput { OldAddress = from, NewAddress = to, Status = status })).Error;
    }

    private static async Task<List<Redirect>> StoredAsync(NewsCmsAppFactory app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        return await db.Redirects.AsNoTracking().OrderBy(r => r.FromPath).ToListAsync();
    }

    private static async Task<(int Id, string Slug, Guid Version)> PublishAsync(NewsCmsAppFactory app, string headline)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await AdminAsync(app);
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>Text.</p>" }, null, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
        Assert.True(published.Succeeded, published.Error);
        return (saved.Id, saved.Slug, published.Value!.Version);
    }

    private static async Task<HttpResponseMessage> UntilAsync(HttpClient reader, string url, Func<HttpResponseMessage, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var response = await reader.GetAsync(url);
            if (done(response)) return response;
            Assert.True(clock.Elapsed < Deadline, $"{url} answered {(int)response.StatusCode} {response.Headers.Location} for {Deadline.TotalSeconds} s");
            await Task.Delay(25);
        }
    }

    private static void AssertMoved(HttpResponseMessage response, string location)
    {
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Old_addresses_answer_301_or_410_with_their_query_forms_unicode_and_trailing_slashes()
    {
        var app = await SiteAsync();
        await AddAsync(app, "/old-page", "/news/somewhere");
        await AddAsync(app, "https://news.example.test/2020/01/02/café/", "https://other.example.org/café");
        await AddAsync(app, "/?p=123", "/news/from-query");
        await AddAsync(app, "/removed", null, status: 410);
        using var reader = Reader(app);

        var moved = await reader.GetAsync("/old-page");
        AssertMoved(moved, "/news/somewhere");
        Assert.Equal(TimeSpan.FromHours(1), moved.Headers.CacheControl?.MaxAge);
        AssertMoved(await reader.GetAsync("/OLD-page/"), "/news/somewhere");
        AssertMoved(await reader.GetAsync("/old-page?utm_source=mail"), "/news/somewhere?utm_source=mail");
        AssertMoved(await reader.GetAsync("/2020/01/02/caf%C3%A9/"), "https://other.example.org/caf%C3%A9");
        AssertMoved(await reader.GetAsync("/?p=123"), "/news/from-query");
        AssertMoved(await reader.GetAsync("/?p=123&utm_source=x"), "/news/from-query");
        using (var head = await reader.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/old-page"))) AssertMoved(head, "/news/somewhere");

        var gone = await reader.GetAsync("/removed/");
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Contains("This page has been removed", await gone.Content.ReadAsStringAsync());

        // Not redirects: the home page with another query, an unknown address, a POST.
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/?p=999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/old-page-2")).StatusCode);
        Assert.NotEqual(HttpStatusCode.MovedPermanently, (await reader.PostAsync("/old-page", new StringContent(""))).StatusCode);
    }

    [Fact]
    public async Task The_newsroom_is_told_clearly_what_is_wrong_with_a_redirect()
    {
        var app = await SiteAsync();
        await AddAsync(app, "/taken", "/somewhere");
        Assert.Equal("There is already a redirect from /taken.", await RefusalAsync(app, "/Taken/", "/elsewhere"));
        Assert.Equal("The old address must be a path on this site starting with \"/\", such as /old-page.", await RefusalAsync(app, "old-page", "/x"));
        Assert.Equal("The old address must be on this site (news.example.test); enter its path, such as /old-page.", await RefusalAsync(app, "https://elsewhere.example/x", "/x"));
        Assert.Equal("Enter the old address: a path on this site such as /old-page.", await RefusalAsync(app, " ", "/x"));
        Assert.Equal("Enter the new address: a path such as /news/story, or a full http(s) address.", await RefusalAsync(app, "/a", ""));
        Assert.Equal("The new address must be a path starting with \"/\" (such as /news/story) or a full http:// or https:// address.", await RefusalAsync(app, "/a", "javascript:alert(1)"));
        Assert.Equal("The new address is the same as the old one.", await RefusalAsync(app, "/a", "/A/"));
        Assert.Equal("The new address is the same as the old one.", await RefusalAsync(app, "/a", "https://news.example.test/a"));
        Assert.Equal("Choose 301 (moved permanently) or 410 (gone).", await RefusalAsync(app, "/a", "/b", status: 302));
        // The newsroom and the app's own endpoints can never be redirected away.
        Assert.Equal("/admin/users belongs to NewsCms itself and cannot redirect.", await RefusalAsync(app, "/Admin/Users/", "/x"));
        Assert.Equal("/_framework/blazor.web.js belongs to NewsCms itself and cannot redirect.", await RefusalAsync(app, "/_framework/blazor.web.js", "/x"));
        Assert.Equal("/account/login belongs to NewsCms itself and cannot redirect.", await RefusalAsync(app, "/Account/Login", "/x"));
        Assert.Equal("The home page cannot redirect elsewhere.", await RefusalAsync(app, "/", "/x"));

        // A 410 needs no new address; a URL of this site is stored as its path, with its "?p=" query.
        await AddAsync(app, "/gone", "ignored", status: 410);
        await AddAsync(app, "https://localhost/?p=5", "https://news.example.test/news/x");
        var stored = await StoredAsync(app);
        Assert.Contains(stored, r => r.FromPath == "/gone" && r.TargetKind == RedirectTargetKind.Gone && r.TargetPath is null);
        Assert.Contains(stored, r => r.FromPath == "/?p=5" && r.TargetPath == "/news/x");
        Assert.All(stored, r => Assert.Equal(RedirectOrigin.Manual, r.Origin));
    }

    [Fact]
    public async Task Chains_collapse_to_one_hop_and_a_loop_is_refused()
    {
        var app = await SiteAsync();
        await AddAsync(app, "/b", "/c");
        // Its target redirects: it takes the final target.
        await AddAsync(app, "/a", "/b");
        // Redirects to its old address move on to its target.
        await AddAsync(app, "/c", "/d");
        var stored = (await StoredAsync(app)).ToDictionary(r => r.FromPath, r => r.TargetPath);
        Assert.Equal("/d", stored["/a"]);
        Assert.Equal("/d", stored["/b"]);
        Assert.Equal("/d", stored["/c"]);

        Assert.Equal("That would make a loop: /a already redirects back to /d.", await RefusalAsync(app, "/d", "/a"));
        using var reader = Reader(app);
        AssertMoved(await reader.GetAsync("/a"), "/d");

        // Editing keeps the rule too.
        await using var scope = app.Services.CreateAsyncScope();
        var redirects = scope.ServiceProvider.GetRequiredService<Redirects>();
        var c = (await StoredAsync(app)).Single(r => r.FromPath == "/c");
        Assert.Equal("That would make a loop: /a already redirects back to /d.",
            (await redirects.UpdateAsync(await AdminAsync(app), c.Id, new RedirectInput { OldAddress = "/d", NewAddress = "/a" })).Error);
        Assert.True((await redirects.UpdateAsync(await AdminAsync(app), c.Id, new RedirectInput { OldAddress = "/c", NewAddress = "/e" })).Succeeded);
        AssertMoved(await reader.GetAsync("/c"), "/e");
        Assert.True((await redirects.DeleteAsync(await AdminAsync(app), c.Id)).Succeeded);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/c")).StatusCode);
    }

    [Fact]
    public async Task A_redirect_to_an_article_follows_its_slug_changes_and_answers_410_once_it_is_trashed()
    {
        var app = await SiteAsync();
        var article = await PublishAsync(app, "Harbour wall repaired");
        await AddAsync(app, "/2019/05/harbour-wall/", ArticleUrls.ForSlug(article.Slug));
        var stored = Assert.Single(await StoredAsync(app));
        Assert.Equal((RedirectTargetKind.Article, article.Id, (string?)null), (stored.TargetKind, stored.TargetId, stored.TargetPath));
        using var reader = Reader(app);
        AssertMoved(await reader.GetAsync("/2019/05/harbour-wall"), "/news/harbour-wall-repaired");

        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await AdminAsync(app);
        var saved = await articles.Editing.SaveAsync(admin, article.Id,
            new ArticleInput { Headline = "Harbour wall repaired", Slug = "harbour-wall-rebuilt", BodyHtml = "<p>Text.</p>" }, article.Version, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        await UntilAsync(reader, "/2019/05/harbour-wall", r => r.Headers.Location?.OriginalString == "/news/harbour-wall-rebuilt");

        // A path to the article's old address is the article too (no chain through the old slug).
        await AddAsync(app, "/old-wall", "/news/harbour-wall-repaired");
        Assert.Contains(await StoredAsync(app), r => r.FromPath == "/old-wall" && r.TargetKind == RedirectTargetKind.Article && r.TargetId == article.Id);

        Assert.True((await articles.Workflow.TrashAsync(admin, article.Id, saved.Version)).Succeeded);
        await UntilAsync(reader, "/2019/05/harbour-wall", r => r.StatusCode == HttpStatusCode.Gone);
    }

    [Fact]
    public async Task Paths_of_sections_tags_and_authors_are_stored_as_them_and_an_author_slug_change_redirects()
    {
        var app = await SiteAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var admin = await AdminAsync(app);
        var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        var authors = scope.ServiceProvider.GetRequiredService<AuthorProfiles>();
        var section = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Harbour" })).Value!;
        var tag = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Ferries" })).Value!;
        var authorId = (await authors.CreateAsync(admin, new AuthorInput { DisplayName = "Ann Writer" })).Value;
        await AddAsync(app, "/category/harbour/", "/section/harbour");
        await AddAsync(app, "/tag/ferry/", "/tag/ferries/");
        await AddAsync(app, "/?author=7", "/author/ann-writer");
        var stored = (await StoredAsync(app)).ToDictionary(r => r.FromPath);
        Assert.Equal((RedirectTargetKind.Section, (int?)section.Id), (stored["/category/harbour"].TargetKind, stored["/category/harbour"].TargetId));
        Assert.Equal((RedirectTargetKind.Tag, (int?)tag.Id), (stored["/tag/ferry"].TargetKind, stored["/tag/ferry"].TargetId));
        Assert.Equal((RedirectTargetKind.Author, (int?)authorId), (stored["/?author=7"].TargetKind, stored["/?author=7"].TargetId));

        Assert.True((await authors.UpdateAsync(admin, authorId, new AuthorInput { DisplayName = "Ann Writer", Slug = "ann-w" })).Succeeded);
        using var reader = Reader(app);
        AssertMoved(await reader.GetAsync("/author/ann-writer/"), "/author/ann-w");
        AssertMoved(await reader.GetAsync("/?author=7"), "/author/ann-w");
        Assert.Contains(await StoredAsync(app), r => r.FromPath == "/author/ann-writer" && r.Origin == RedirectOrigin.SlugChange && r.TargetId == authorId);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/author/ann-w")).StatusCode);

        // Taking the old slug back: its own page again, not a loop.
        Assert.True((await authors.UpdateAsync(admin, authorId, new AuthorInput { DisplayName = "Ann Writer", Slug = "ann-writer" })).Succeeded);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/author/ann-writer")).StatusCode);
        AssertMoved(await reader.GetAsync("/author/ann-w"), "/author/ann-writer");

        // Another author given a slug the first one left: their page, not the old redirect.
        Assert.True((await authors.UpdateAsync(admin, authorId, new AuthorInput { DisplayName = "Ann Writer", Slug = "ann-writes" })).Succeeded);
        AssertMoved(await reader.GetAsync("/author/ann-writer"), "/author/ann-writes");
        var otherId = (await authors.CreateAsync(admin, new AuthorInput { DisplayName = "Ann Writer", Slug = "ann-writer" })).Value;
        var page = await reader.GetAsync("/author/ann-writer");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain(await StoredAsync(app), r => r.FromPath == "/author/ann-writer");
        Assert.NotEqual(authorId, otherId);
    }

    [Fact]
    public async Task A_redirect_to_a_tag_merged_into_another_follows_it_there()
    {
        var app = await SiteAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var admin = await AdminAsync(app);
        var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        var ferry = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Ferry" })).Value!;
        var ferries = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Ferries" })).Value!;
        await AddAsync(app, "/?tag=ferry", "/tag/ferry");
        using var reader = Reader(app);
        AssertMoved(await reader.GetAsync("/?tag=ferry"), "/tag/ferry");

        Assert.True((await taxonomy.MergeTagsAsync(admin, ferry.Id, ferries.Id)).Succeeded);
        await UntilAsync(reader, "/?tag=ferry", r => r.Headers.Location?.OriginalString == "/tag/ferries");
    }

    [Fact]
    public async Task Hits_are_counted_in_memory_shown_to_the_newsroom_and_flushed_to_the_database_in_a_batch()
    {
        var app = await SiteAsync();
        var id = await AddAsync(app, "/counted", "/somewhere");
        using var reader = Reader(app);
        for (var i = 0; i < 3; i++) AssertMoved(await reader.GetAsync("/counted"), "/somewhere");

        Assert.Equal(0, (await StoredAsync(app)).Single().Hits);
        await using var scope = app.Services.CreateAsyncScope();
        var listed = (await scope.ServiceProvider.GetRequiredService<Redirects>().ListAsync(await AdminAsync(app), "counted", 0, 10)).Value!;
        Assert.Equal(3, Assert.Single(listed.Items).Hits);
        Assert.NotNull(listed.Items[0].LastHitAt);

        await app.Services.GetRequiredService<RedirectHits>().FlushAsync(TestContext.Current.CancellationToken);
        var stored = (await StoredAsync(app)).Single();
        Assert.Equal((id, 3L), (stored.Id, stored.Hits));
        Assert.NotNull(stored.LastHitAt);
        listed = (await scope.ServiceProvider.GetRequiredService<Redirects>().ListAsync(await AdminAsync(app), null, 0, 10)).Value!;
        Assert.Equal(3, Assert.Single(listed.Items).Hits);
    }

    [Fact]
    public async Task Hits_not_yet_flushed_are_saved_when_the_app_stops()
    {
        var database = await TestDatabase.NewAsync();
        try
        {
            int id;
            await using (var app = NewsCmsAppFactory.OnDatabase(database, new()
            {
                ["NewsCms:Bootstrap:AdminEmail"] = NewsCmsAppFactory.AdminEmail,
                ["NewsCms:Bootstrap:AdminPassword"] = NewsCmsAppFactory.AdminPassword,
                ["NewsCms:Bootstrap:AdminName"] = NewsCmsAppFactory.AdminName,
            }))
            {
                id = await AddAsync(app, "/counted", "/somewhere");
                using var reader = Reader(app);
                AssertMoved(await reader.GetAsync("/counted"), "/somewhere");
            }
            await using var again = NewsCmsAppFactory.OnDatabase(database);
            Assert.Equal(1, (await StoredAsync(again)).Single(r => r.Id == id).Hits);
        }
        finally
        {
            await database.DropAsync();
        }
    }

    [Fact]
    public async Task Redirects_are_answered_from_memory_without_a_database_query()
    {
        var counter = new CommandCounter(countWrites: true);
        var app = await SiteAsync(services =>
        {
            services.AddSingleton<IInterceptor>(counter);
            // Background work that queries on its own schedule.
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        });
        var article = await PublishAsync(app, "Ferry timetable");
        await AddAsync(app, "/old-ferry", ArticleUrls.ForSlug(article.Slug));
        await AddAsync(app, "/?p=77", "/news/elsewhere");
        await AddAsync(app, "/removed", null, status: 410);
        using var reader = Reader(app);
        AssertMoved(await reader.GetAsync("/old-ferry"), "/news/ferry-timetable");

        await app.RelatedRankedAgainAsync();
        counter.Reset();
        for (var i = 0; i < 20; i++)
        {
            AssertMoved(await reader.GetAsync("/old-ferry/"), "/news/ferry-timetable");
            AssertMoved(await reader.GetAsync("/?p=77"), "/news/elsewhere");
            using var head = await reader.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/removed"));
            Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        }
        Assert.Equal(0, counter.Count);
    }

    [Fact]
    public async Task Authors_and_contributors_are_refused_by_the_service()
    {
        var app = await SiteAsync();
        var id = await AddAsync(app, "/kept", "/somewhere");
        await using var scope = app.Services.CreateAsyncScope();
        var redirects = scope.ServiceProvider.GetRequiredService<Redirects>();
        foreach (var role in new[] { NewsroomRoles.Author, NewsroomRoles.Contributor })
        {
            var (_, email, _) = await app.CreateUserAsync(role);
            var principal = await app.PrincipalForAsync(email);
            Assert.Equal(NewsroomActors.NotAllowed, (await redirects.ListAsync(principal, null, 0, 10)).Error);
            Assert.Equal(NewsroomActors.NotAllowed, (await redirects.AddAsync(principal, new RedirectInput { OldAddress = "/x", NewAddress = "/y" })).Error);
            Assert.Equal(NewsroomActors.NotAllowed, (await redirects.UpdateAsync(principal, id, new RedirectInput { OldAddress = "/kept", NewAddress = "/y" })).Error);
            Assert.Equal(NewsroomActors.NotAllowed, (await redirects.DeleteAsync(principal, id)).Error);
        }
        var (_, editorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Editor);
        Assert.True((await redirects.AddAsync(await app.PrincipalForAsync(editorEmail), new RedirectInput { OldAddress = "/x", NewAddress = "/y" })).Succeeded);
        Assert.Equal(["/kept", "/x"], (await StoredAsync(app)).Select(r => r.FromPath));
    }

    [Fact]
    public async Task The_importer_adds_redirects_in_its_own_transaction_and_never_overwrites_one()
    {
        var app = await SiteAsync();
        var article = await PublishAsync(app, "Imported story");
        await AddAsync(app, "/manual", "/somewhere");
        var now = DateTime.UtcNow;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            Assert.Equal(ImportedRedirect.Added, await Redirects.AddImportedAsync(db, "https://old.example.org/2019/01/02/imported-story/", RedirectTargetKind.Article, article.Id, null, now));
            Assert.Equal(ImportedRedirect.Added, await Redirects.AddImportedAsync(db, "/?p=12", RedirectTargetKind.Article, article.Id, null, now));
            Assert.Equal(ImportedRedirect.AlreadyThere, await Redirects.AddImportedAsync(db, "/?P=12", RedirectTargetKind.Path, null, "/x", now));
            Assert.Equal(ImportedRedirect.AlreadyThere, await Redirects.AddImportedAsync(db, "/manual/", RedirectTargetKind.Gone, null, null, now));
            Assert.Equal(ImportedRedirect.Invalid, await Redirects.AddImportedAsync(db, "no-slash", RedirectTargetKind.Gone, null, null, now));
            Assert.Equal(ImportedRedirect.Invalid, await Redirects.AddImportedAsync(db, "/admin/", RedirectTargetKind.Gone, null, null, now));
            Assert.Equal(ImportedRedirect.Added, await Redirects.AddImportedAsync(db, "/feed/", RedirectTargetKind.Path, null, "/feed.xml", now));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        await app.Services.GetRequiredService<RedirectTable>().NotifyChangedAsync();
        var stored = (await StoredAsync(app)).ToDictionary(r => r.FromPath);
        Assert.Equal(RedirectOrigin.Import, stored["/2019/01/02/imported-story"].Origin);
        Assert.Equal((RedirectOrigin.Manual, "/somewhere"), (stored["/manual"].Origin, stored["/manual"].TargetPath));
        using var reader = Reader(app);
        AssertMoved(await reader.GetAsync("/2019/01/02/imported-story/"), "/news/imported-story");
        AssertMoved(await reader.GetAsync("/?p=12"), "/news/imported-story");
        AssertMoved(await reader.GetAsync("/feed/"), "/feed.xml");
    }

    [Fact]
    public async Task The_newsroom_lists_and_searches_redirects_with_where_they_go_now()
    {
        var app = await SiteAsync();
        var article = await PublishAsync(app, "Listed story");
        await AddAsync(app, "/one", ArticleUrls.ForSlug(article.Slug));
        await AddAsync(app, "/two", "https://other.example.org/x");
        await AddAsync(app, "/three", null, status: 410);
        await using var scope = app.Services.CreateAsyncScope();
        var redirects = scope.ServiceProvider.GetRequiredService<Redirects>();
        var admin = await AdminAsync(app);
        var all = (await redirects.ListAsync(admin, null, 0, 10)).Value!;
        Assert.Equal(3, all.Total);
        Assert.Equal([("/one", "/news/listed-story", 301), ("/three", null, 410), ("/two", "https://other.example.org/x", 301)],
            all.Items.Select(r => (r.OldAddress, r.GoesTo, r.Status)));
        Assert.Equal(["/one"], (await redirects.ListAsync(admin, "listed", 0, 10)).Value!.Items.Select(r => r.OldAddress));
        await AddAsync(app, "/2020/01/02/caf%C3%A9/", "/x");
        Assert.Equal(["/2020/01/02/café"], (await redirects.ListAsync(admin, "CAF%C3%89", 0, 10)).Value!.Items.Select(r => r.OldAddress));
        Assert.Equal(["/2020/01/02/café"], (await redirects.ListAsync(admin, "Café", 0, 10)).Value!.Items.Select(r => r.OldAddress));
        Assert.Equal(["/two"], (await redirects.ListAsync(admin, "other.example", 0, 10)).Value!.Items.Select(r => r.OldAddress));
        var second = (await redirects.ListAsync(admin, null, 1, 2)).Value!;
        Assert.Equal(4, second.Total);
        Assert.Equal(["/three", "/two"], second.Items.Select(r => r.OldAddress));
    }

    [Fact]
    public async Task Renames_of_articles_and_tags_are_listed_read_only()
    {
        var app = await SiteAsync();
        var article = await PublishAsync(app, "Renamed story");
        await using var scope = app.Services.CreateAsyncScope();
        var admin = await AdminAsync(app);
        var saved = await scope.ServiceProvider.NewsroomArticles().Editing.SaveAsync(admin, article.Id,
            new ArticleInput { Headline = "Renamed story", Slug = "story-renamed", BodyHtml = "<p>Text.</p>" }, article.Version, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        var tag = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Ferries" })).Value!;
        Assert.True((await taxonomy.UpdateTagAsync(admin, tag.Id, new TaxonomyInput { Name = "Ferries", Slug = "boats" })).Succeeded);
        var renames = (await scope.ServiceProvider.GetRequiredService<Redirects>().ListRenamesAsync(admin, null, 0, 10)).Value!;
        Assert.Equal([new RenameRow("/news/renamed-story", "/news/story-renamed"), new RenameRow("/tag/ferries", "/tag/boats")], renames.Items);
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task A_redirect_added_on_one_node_is_answered_by_the_other()
    {
        var redis = await TestRedis.NewConfigurationAsync();
        var nodeA = await SiteAsync(settings: new() { [ClusterSetup.RedisSetting] = redis });
        var nodeB = NewsCmsAppFactory.SecondNodeOf(nodeA, new() { [ClusterSetup.RedisSetting] = redis });
        apps.Add(nodeB);
        using var readerB = Reader(nodeB);
        Assert.Equal(HttpStatusCode.NotFound, (await readerB.GetAsync("/moved-on-a")).StatusCode);

        await AddAsync(nodeA, "/moved-on-a", "/news/there");
        await UntilAsync(readerB, "/moved-on-a", r => r.StatusCode == HttpStatusCode.MovedPermanently);
        AssertMoved(await readerB.GetAsync("/moved-on-a"), "/news/there");

        // A slug change on node A moves node B's redirect along.
        var article = await PublishAsync(nodeA, "Cluster story");
        await AddAsync(nodeA, "/to-story", ArticleUrls.ForSlug(article.Slug));
        await UntilAsync(readerB, "/to-story", r => r.Headers.Location?.OriginalString == "/news/cluster-story");
        await using var scope = nodeA.Services.CreateAsyncScope();
        var saved = await scope.ServiceProvider.NewsroomArticles().Editing.SaveAsync(await AdminAsync(nodeA), article.Id,
            new ArticleInput { Headline = "Cluster story", Slug = "cluster-story-2", BodyHtml = "<p>Text.</p>" }, article.Version, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        await UntilAsync(readerB, "/to-story", r => r.Headers.Location?.OriginalString == "/news/cluster-story-2");
    }
}
