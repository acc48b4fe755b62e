using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.Tests.Integration;

/// <summary>
/// The public cache evicts what a change shows, not everything (PublicDependencies): a page is a cache hit when its
/// response carries an Age header, as in PublicCacheTests.
/// </summary>
public class PublicCacheDependencyTests
{
    /// <summary>
    /// A small site: "Trawlers" (X, a draft until the test publishes it) in the Harbour section with the Tides tag and
    /// its own byline; in Harbour too a story sharing its tag (R, whose Related list will show X) and two more (the
    /// newer one will be X's previous in the section); in Town a story with a See-also card naming X (S) and four more;
    /// and an unrelated story in Arts (U), whose words, section and tags X shares none of. Every story has words of its own.
    /// </summary>
    internal sealed class Site
    {
        public required NewsCmsAppFactory App { get; init; }
        public required int Harbour { get; init; }
        public required int Tides { get; init; }
        public required int Writer { get; init; }
        public required int X { get; init; }
        public required Guid XVersion { get; set; }

        public const string XHeadline = "Trawlers land a record mackerel catch";
        public const string XSlug = "trawlers-land-a-record-mackerel-catch";
        public const string R = "/news/tide-gauge-reads-high";
        public const string S = "/news/quay-gets-new-bollards";
        public const string U = "/news/violin-recital-sells-out";
        public const string Arts = "/section/arts";

        public static async Task<Site> CreateAsync(NewsCmsAppFactory app)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var services = scope.ServiceProvider;
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var taxonomy = services.GetRequiredService<TaxonomyService>();
            var articles = services.NewsroomArticles();
            var harbour = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Harbour", ShowInNavigation = false })).Value!.Id;
            var arts = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Arts", ShowInNavigation = false })).Value!.Id;
            var town = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Town", ShowInNavigation = false })).Value!.Id;
            var tides = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Tides" })).Value!.Id;
            var writer = (await services.GetRequiredService<AuthorProfiles>().CreateAsync(admin, new AuthorInput { DisplayName = "Mara Quill", Bio = "Fisheries." })).Value;

            var x = await articles.Editing.SaveAsync(admin, null, new ArticleInput
            {
                Headline = XHeadline, BodyHtml = "<p>Skippers unloaded mackerel crates before dawn.</p>", SectionId = harbour, TagIds = [tides], AuthorIds = [writer],
            }, null, SaveKind.Manual);
            Assert.Null(x.Error);

            async Task Publish(string headline, string body, int section, List<int>? tags = null)
            {
                var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = body, SectionId = section, TagIds = tags ?? [] }, null, SaveKind.Manual);
                Assert.Null(saved.Error);
                var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
                Assert.True(published.Succeeded, published.Error);
                await app.RelatedRankedAgainAsync();
            }
            await Publish("Violin recital sells out", "<p>Orchestra violins rehearse quietly.</p>", arts);
            await Publish("Tide gauge reads high", "<p>Gauges measured surges overnight.</p>", harbour, [tides]);
            await Publish("Lighthouse repainted", "<p>Painters scaled scaffolding.</p>", harbour);
            await Publish("Ferry timetable extended", "<p>Sailings continue later evenings.</p>", harbour);
            // In a section of its own with four newer stories, so its Related list is theirs and X is never ranked with it.
            await Publish("Quay gets new bollards", "<p>Engineers bolted ironwork.</p>" +
                $"<aside class=\"see-also\" data-article-id=\"{x.Id}\"><span class=\"see-also__label\">See also:</span> <a href=\"/news/{XSlug}\">{XHeadline}</a></aside>", town);
            foreach (var (headline, body) in new[] { ("Library extends hours", "<p>Librarians welcome borrowers.</p>"), ("Market square resurfaced", "<p>Cobbles replaced carefully.</p>"),
                ("Council approves budget", "<p>Councillors voted unanimously.</p>"), ("Bakery wins award", "<p>Sourdough impressed judges.</p>") })
            {
                await Publish(headline, body, town);
            }
            return new Site { App = app, Harbour = harbour, Tides = tides, Writer = writer, X = x.Id, XVersion = x.Version };
        }

        public async Task PublishXAsync()
        {
            await using var scope = App.Services.CreateAsyncScope();
            var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var published = await scope.ServiceProvider.NewsroomArticles().Workflow.PublishAsync(admin, X, XVersion);
            Assert.True(published.Succeeded, published.Error);
            XVersion = published.Value!.Version;
            // The older stories' Related lists name it once ranked again, in the background, which evicts their pages.
            await App.RelatedRankedAgainAsync();
        }

        public async Task EditXAsync(string headline)
        {
            await using var scope = App.Services.CreateAsyncScope();
            var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var saved = await scope.ServiceProvider.NewsroomArticles().Editing.SaveAsync(admin, X, new ArticleInput
            {
                Headline = headline, Slug = XSlug, BodyHtml = "<p>Skippers unloaded mackerel crates before dawn.</p>", SectionId = Harbour, TagIds = [Tides], AuthorIds = [Writer],
            }, XVersion, SaveKind.Manual);
            Assert.Null(saved.Error);
            XVersion = saved.Version;
        }
    }

    /// <summary>Asks twice: the second answer must come from the cache.</summary>
    internal static async Task WarmAsync(HttpClient reader, params string[] urls)
    {
        foreach (var url in urls)
        {
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(url)).StatusCode);
            Assert.True(await IsHitAsync(reader, url), $"{url} was not cached");
        }
    }

    internal static async Task<bool> IsHitAsync(HttpClient reader, string url) => (await reader.GetAsync(url)).Headers.Age is not null;

    /// <summary>The page is rendered afresh (not a hit) and shows <paramref name="text"/>.</summary>
    private static async Task AssertFreshAsync(HttpClient reader, string url, string? text = null)
    {
        var response = await reader.GetAsync(url);
        Assert.True(response.Headers.Age is null, $"{url} was still served from the cache");
        if (text is not null) Assert.Contains(text, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Publishing_an_article_evicts_the_pages_that_show_it_and_keeps_an_unrelated_article_page_cached()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var site = await Site.CreateAsync(app);
        using var reader = app.CreateClient(new() { HandleCookies = false });
        string[] dependent = ["/", "/section/harbour", "/tag/tides", "/author/mara-quill", "/feed.xml", "/sitemaps/articles-1.xml", "/search?q=mackerel", Site.R, Site.S];
        await WarmAsync(reader, [.. dependent, Site.U, Site.Arts]);
        Assert.DoesNotContain(Site.XHeadline, await reader.GetStringAsync(Site.R));

        await site.PublishXAsync();

        // Each links to it now (search highlights words of the headline, so its address is what is looked for).
        foreach (var url in dependent.Except([Site.S])) await AssertFreshAsync(reader, url, Site.XSlug);
        // Its See-also card names it: the page is rendered again (the card itself is text in the body).
        await AssertFreshAsync(reader, Site.S);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/news/{Site.XSlug}")).StatusCode);
        Assert.True(await IsHitAsync(reader, Site.U), "an unrelated article page was evicted");
        Assert.True(await IsHitAsync(reader, Site.Arts), "an unrelated section page was evicted");
    }

    [Fact]
    public async Task A_publish_returns_before_the_stories_it_relates_to_are_ranked_again_and_their_pages_go_once_they_are()
    {
        var gate = new CommandGate();
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(gate);
        var site = await Site.CreateAsync(app);
        using var reader = app.CreateClient(new() { HandleCookies = false });
        await WarmAsync(reader, Site.R, Site.U);
        var ct = TestContext.Current.CancellationToken;

        // The background ranking of the stories X relates to stops at its first read ...
        gate.HoldNext(RelatedArticles.RankingAgainTag);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var published = await scope.ServiceProvider.NewsroomArticles().Workflow.PublishAsync(admin, site.X, site.XVersion, ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
            // ... and the writer's Publish has returned all the same, with X's own list ranked.
            Assert.True(published.Succeeded, published.Error);
        }
        await gate.Held.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        var relatedPage = await reader.GetAsync(Site.R, ct);
        Assert.NotNull(relatedPage.Headers.Age); // still the page from before: its list is not ranked yet
        Assert.DoesNotContain(Site.XSlug, await relatedPage.Content.ReadAsStringAsync(ct));
        var own = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await reader.GetStringAsync($"/news/{Site.XSlug}", ct));
        Assert.Contains(Site.R, own.QuerySelectorAll(".related a").Select(a => a.GetAttribute("href")));

        gate.Release.SetResult();
        await app.RelatedRankedAgainAsync();
        await AssertFreshAsync(reader, Site.R, Site.XSlug);
        Assert.True(await IsHitAsync(reader, Site.U), "an unrelated article page was evicted");
    }

    [Fact]
    public async Task Editing_a_published_article_evicts_the_pages_whose_related_list_or_see_also_card_shows_it()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var site = await Site.CreateAsync(app);
        await site.PublishXAsync();
        using var reader = app.CreateClient(new() { HandleCookies = false });
        Assert.Contains(Site.XHeadline, await reader.GetStringAsync(Site.R)); // its Related list shows X
        await WarmAsync(reader, Site.R, Site.S, $"/news/{Site.XSlug}", "/section/harbour", Site.U, Site.Arts);

        await site.EditXAsync("Trawlers land the biggest mackerel catch in years");

        await AssertFreshAsync(reader, Site.R, "Trawlers land the biggest mackerel catch in years");
        await AssertFreshAsync(reader, Site.S);
        await AssertFreshAsync(reader, $"/news/{Site.XSlug}", "Trawlers land the biggest mackerel catch in years");
        await AssertFreshAsync(reader, "/section/harbour", "Trawlers land the biggest mackerel catch in years");
        Assert.True(await IsHitAsync(reader, Site.U), "an unrelated article page was evicted");
        Assert.True(await IsHitAsync(reader, Site.Arts), "an unrelated section page was evicted");
    }

    [Fact]
    public async Task Editing_a_tag_evicts_its_page_and_its_articles_pages_and_keeps_pages_that_do_not_show_it()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var site = await Site.CreateAsync(app);
        await site.PublishXAsync();
        using var reader = app.CreateClient(new() { HandleCookies = false });
        await WarmAsync(reader, "/tag/tides", $"/news/{Site.XSlug}", Site.R, Site.U, Site.Arts, "/news/lighthouse-repainted");

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var renamed = await scope.ServiceProvider.GetRequiredService<TaxonomyService>().UpdateTagAsync(admin, site.Tides, new TaxonomyInput { Name = "Tidal Watch", Slug = "tides" });
            Assert.True(renamed.Succeeded, renamed.Error);
        }

        await AssertFreshAsync(reader, "/tag/tides", "Tidal Watch");
        await AssertFreshAsync(reader, $"/news/{Site.XSlug}", "Tidal Watch");
        await AssertFreshAsync(reader, Site.R, "Tidal Watch");
        Assert.True(await IsHitAsync(reader, Site.U), "an article page without the tag was evicted");
        Assert.True(await IsHitAsync(reader, Site.Arts), "a section page without the tag's articles was evicted");
    }

    [Fact]
    public async Task Editing_a_section_shows_its_new_name_on_its_articles_pages_and_in_every_pages_navigation()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var site = await Site.CreateAsync(app);
        using var reader = app.CreateClient(new() { HandleCookies = false });
        // Rendered, so the app has read its sections (it keeps them in memory) and cached the pages.
        await WarmAsync(reader, Site.R, Site.U, "/");
        Assert.Contains("<a href=\"/section/harbour\">Harbour</a>", await reader.GetStringAsync(Site.R));

        async Task Edit(TaxonomyInput input)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var edited = await scope.ServiceProvider.GetRequiredService<TaxonomyService>().UpdateSectionAsync(admin, site.Harbour, input);
            Assert.True(edited.Succeeded, edited.Error);
        }

        // Not in the navigation: only its pages and its articles' pages show it.
        await Edit(new TaxonomyInput { Name = "Harbour and quays", Slug = "harbour", ShowInNavigation = false });
        await AssertFreshAsync(reader, Site.R, "<a href=\"/section/harbour\">Harbour and quays</a>");

        // Into the navigation, renamed again: every page shows it, rendered afresh or not.
        await Edit(new TaxonomyInput { Name = "Docks", Slug = "docks", ShowInNavigation = true });
        await AssertFreshAsync(reader, Site.U, "<li><a href=\"/section/docks\">Docks</a></li>");
        await AssertFreshAsync(reader, "/", "<li><a href=\"/section/docks\">Docks</a></li>");
        var article = await reader.GetStringAsync(Site.R);
        Assert.Contains("<a href=\"/section/docks\">Docks</a></p>", article);
        Assert.DoesNotContain("Harbour and quays", article);

        // Out of the navigation again.
        await Edit(new TaxonomyInput { Name = "Docks", Slug = "docks", ShowInNavigation = false });
        Assert.DoesNotContain("<li><a href=\"/section/docks\">", await reader.GetStringAsync("/"));
    }

    [Fact]
    public async Task Saving_the_settings_evicts_every_public_page_and_feed()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var site = await Site.CreateAsync(app);
        using var reader = app.CreateClient(new() { HandleCookies = false });
        string[] everything = [Site.U, Site.R, Site.Arts, "/", "/tag/tides", "/feed.xml", "/search?q=violins"];
        await WarmAsync(reader, everything);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var saved = await scope.ServiceProvider.GetRequiredService<SiteSettingsService>().SaveAsync(admin, new SiteSettingsInput { Title = "Kestrel Bay Courier" });
            Assert.True(saved.Succeeded, saved.Error);
        }

        foreach (var url in everything) await AssertFreshAsync(reader, url, "Kestrel Bay Courier");
    }

    [Fact]
    public async Task A_page_rendered_while_something_it_shows_changes_is_not_stored_and_one_rendered_during_an_unrelated_change_is()
    {
        var gate = new CommandGate();
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(gate);
        var site = await Site.CreateAsync(app);
        await site.PublishXAsync();
        using var reader = app.CreateClient(new() { HandleCookies = false });
        var ct = TestContext.Current.CancellationToken;

        // The article page reads its Related list last: hold the render there, with the article already read.
        gate.HoldNext("\"ArticleRelations\"");
        var held = reader.GetAsync(Site.R, ct);
        await gate.Held.Task.WaitAsync(ct);
        await site.EditXAsync("Trawlers land a second record catch");
        gate.Release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        await AssertFreshAsync(reader, Site.R, "Trawlers land a second record catch");

        // The same overlap with a change the page does not show: the page is kept.
        gate.HoldNext("\"ArticleRelations\"");
        held = reader.GetAsync(Site.U, ct);
        await gate.Held.Task.WaitAsync(ct);
        await site.EditXAsync("Trawlers land a third record catch");
        gate.Release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.True(await IsHitAsync(reader, Site.U), "a page rendered during an unrelated change was not kept");
    }
}
