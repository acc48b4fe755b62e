using System.Net;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Feeds;
using NewsCms.Web.Features.Pages;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Static pages (About us, Contact): articles of kind Page, edited with the article services, served at /{slug},
/// listed only in the sitemap and where the administrator links them (navigation, footer).
/// </summary>
public partial class PageTests
{
    private const string Origin = "https://news.example.test";

    private sealed class Site : IAsyncDisposable
    {
        public required NewsCmsAppFactory App { get; init; }
        public required AsyncServiceScope Scope { get; init; }
        public required ClaimsPrincipal Admin { get; init; }
        public NewsroomArticles Articles => Scope.ServiceProvider.NewsroomArticles();
        public SiteSettingsService Settings => Scope.ServiceProvider.GetRequiredService<SiteSettingsService>();

        public async Task<SaveOutcome> DraftPageAsync(string title, string body = "<p>We report on the harbour town.</p>", ClaimsPrincipal? by = null, string slug = "")
        {
            var saved = await Articles.Editing.SaveAsync(by ?? Admin, null,
                new ArticleInput { Kind = ArticleKind.Page, Headline = title, BodyHtml = body, Slug = slug, SlugFollowsHeadline = slug == "" }, null, SaveKind.Manual);
            Assert.True(saved.Succeeded, saved.Error);
            return saved;
        }

        public async Task<ArticleForEdit> PublishPageAsync(string title, string body = "<p>We report on the harbour town.</p>")
        {
            var saved = await DraftPageAsync(title, body);
            var published = await Articles.Workflow.PublishAsync(Admin, saved.Id, saved.Version);
            Assert.True(published.Succeeded, published.Error);
            return published.Value!;
        }

        public async Task<ArticleForEdit> PublishArticleAsync(string headline, string body = "<p>Text.</p>")
        {
            var saved = await Articles.Editing.SaveAsync(Admin, null, new ArticleInput { Headline = headline, BodyHtml = body }, null, SaveKind.Manual);
            Assert.True(saved.Succeeded, saved.Error);
            var published = await Articles.Workflow.PublishAsync(Admin, saved.Id, saved.Version);
            Assert.True(published.Succeeded, published.Error);
            return published.Value!;
        }

        public async ValueTask DisposeAsync()
        {
            await Scope.DisposeAsync();
            await App.DisposeAsync();
        }
    }

    private static async Task<Site> StartAsync()
    {
        var app = await NewsCmsAppFactory.CreateAsync();
        var scope = app.Services.CreateAsyncScope();
        return new Site { App = app, Scope = scope, Admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail) };
    }

    [Fact]
    public async Task A_published_page_is_served_at_its_slug_with_canonical_opengraph_and_webpage_json_ld()
    {
        await using var site = await StartAsync();
        var page = await site.PublishPageAsync("About us", "<p>We report on the harbour town since 1887.</p>");
        Assert.Equal("about-us", page.Slug);

        using var reader = site.App.CreateClient();
        var response = await reader.GetAsync("/about-us");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1", html);
        Assert.Contains("About us", html);
        Assert.Contains("We report on the harbour town since 1887.", html);
        Assert.Contains($"<link rel=\"canonical\" href=\"{Origin}/about-us\"", html);
        Assert.Contains("<meta property=\"og:type\" content=\"website\"", html);
        Assert.Contains($"<meta property=\"og:url\" content=\"{Origin}/about-us\"", html);
        Assert.Contains("<meta property=\"og:title\" content=\"About us\"", html);
        // A page has no bylines, section or tags.
        Assert.DoesNotContain("article__byline", html);

        var json = JsonLd().Match(html);
        Assert.True(json.Success, "the page has JSON-LD");
        using var document = JsonDocument.Parse(json.Groups[1].Value);
        var webPage = document.RootElement.EnumerateArray().First();
        Assert.Equal("WebPage", webPage.GetProperty("@type").GetString());
        Assert.Equal("About us", webPage.GetProperty("name").GetString());
        Assert.Equal($"{Origin}/about-us", webPage.GetProperty("url").GetString());
        Assert.True(DateTime.TryParse(webPage.GetProperty("dateModified").GetString(), out _));
        Assert.Equal("WebSite", webPage.GetProperty("isPartOf").GetProperty("@type").GetString());

        // A page is not an article: its slug under /news/ is unknown.
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/news/about-us")).StatusCode);
    }

    [Fact]
    public async Task Unknown_and_unpublished_pages_answer_the_404_page_and_a_removed_public_page_410()
    {
        await using var site = await StartAsync();
        using var reader = site.App.CreateClient();

        var unknown = await reader.GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("Sorry, there is no page at this address.", await unknown.Content.ReadAsStringAsync());

        var draft = await site.DraftPageAsync("Corrections policy");
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/corrections-policy")).StatusCode);
        // Trashing a page that was never public leaves nothing to say "removed" about.
        var trashedDraft = await site.Articles.Workflow.TrashAsync(site.Admin, draft.Id, draft.Version);
        Assert.True(trashedDraft.Succeeded, trashedDraft.Error);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/corrections-policy")).StatusCode);

        var page = await site.PublishPageAsync("Advertise");
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/advertise")).StatusCode);
        var trashed = await site.Articles.Workflow.TrashAsync(site.Admin, page.Id, page.Version);
        Assert.True(trashed.Succeeded, trashed.Error);
        var gone = await reader.GetAsync("/advertise");
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Contains("This page has been removed", await gone.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_page_whose_slug_changed_after_publishing_moves_with_a_301()
    {
        await using var site = await StartAsync();
        var page = await site.PublishPageAsync("Contact");
        var moved = await site.Articles.Editing.SaveAsync(site.Admin, page.Id,
            new ArticleInput { Headline = "Contact", BodyHtml = page.BodyHtml, Slug = "contact-us" }, page.Version, SaveKind.Manual);
        Assert.True(moved.Succeeded, moved.Error);

        using var reader = site.App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await reader.GetAsync("/contact");
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("/contact-us", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/search?q=harbour", "Search")]
    [InlineData("/not-found", "Sorry, there is no page at this address.")]
    [InlineData("/Account/Login", "<h1>Sign in</h1>")]
    [InlineData("/feed.xml", "<rss")]
    [InlineData("/sitemap.xml", "<sitemapindex")]
    [InlineData("/robots.txt", "User-agent")]
    [InlineData("/setup", null)]
    public async Task Literal_routes_keep_winning_over_page_addresses(string path, string? expected)
    {
        await using var site = await StartAsync();
        using var reader = site.App.CreateClient();
        var response = await reader.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("data-page-slug", body);
        if (expected is not null) Assert.Contains(expected, body);
    }

    [Theory]
    [InlineData("news")]
    [InlineData("tag")]
    [InlineData("section")]
    [InlineData("author")]
    [InlineData("search")]
    [InlineData("admin")]
    [InlineData("Account")]
    [InlineData("ACCOUNT")]
    [InlineData("sitemaps")]
    [InlineData("media")]
    [InlineData("not-found")]
    [InlineData("setup")]
    public async Task A_page_may_not_take_an_address_the_site_uses(string slug)
    {
        await using var site = await StartAsync();
        var saved = await site.Articles.Editing.SaveAsync(site.Admin, null,
            new ArticleInput { Kind = ArticleKind.Page, Headline = "Our newsroom", BodyHtml = "<p>Hi.</p>", Slug = slug }, null, SaveKind.Manual);
        Assert.Equal($"“{slug.ToLowerInvariant()}” is used by the site itself; choose another address for this page.", saved.Error);
        Assert.Equal("Slug", saved.Field);

        // An article lives under /news/: the same slug is fine for it.
        if (slug == slug.ToLowerInvariant())
        {
            var article = await site.Articles.Editing.SaveAsync(site.Admin, null,
                new ArticleInput { Headline = "Our newsroom", BodyHtml = "<p>Hi.</p>", Slug = slug }, null, SaveKind.Manual);
            Assert.True(article.Succeeded, article.Error);
        }
    }

    [Fact]
    public async Task A_slug_made_from_a_page_title_steps_around_reserved_addresses()
    {
        await using var site = await StartAsync();
        Assert.Equal("news-2", (await site.DraftPageAsync("News")).Slug);
        Assert.Equal("search-2", (await site.DraftPageAsync("Search")).Slug);
        Assert.Equal("about-us", (await site.DraftPageAsync("About us")).Slug);
    }

    [Fact]
    public async Task Every_top_level_address_the_app_maps_is_reserved_for_pages()
    {
        await using var site = await StartAsync();
        var endpoints = site.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var firstSegments = endpoints
            .Select(e => e.RoutePattern.PathSegments.FirstOrDefault())
            .Where(s => s is { Parts: [RoutePatternLiteralPart] })
            .Select(s => ((RoutePatternLiteralPart)s!.Parts[0]).Content)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        Assert.Contains("news", firstSegments);
        Assert.Contains("sitemap.xml", firstSegments);
        foreach (var segment in firstSegments) Assert.True(PageSlugs.IsReserved(segment) || !CouldBeSlug(segment), $"/{segment} is mapped but not reserved for pages");

        // Folders and files of wwwroot are served before any page.
        var webRoot = site.App.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.IWebHostEnvironment>().WebRootPath;
        foreach (var entry in Directory.EnumerateFileSystemEntries(webRoot).Select(Path.GetFileName))
        {
            Assert.True(PageSlugs.IsReserved(entry!) || !CouldBeSlug(entry!), $"/{entry} is in wwwroot but not reserved for pages");
        }
    }

    /// <summary>Whether a page could ever have this address (a slug has no dots or capitals; routes ignore case).</summary>
    private static bool CouldBeSlug(string segment) => Slugs.IsValid(segment.ToLowerInvariant());

    [Fact]
    public async Task Pages_are_in_the_sitemap_but_not_in_feeds_the_news_sitemap_the_home_page_or_search()
    {
        await using var site = await StartAsync();
        await site.PublishArticleAsync("Harbour wall repaired", "<p>Masons repaired the harbour wall.</p>");
        await site.PublishPageAsync("Privacy", "<p>We keep the harbour wall of your data repaired.</p>");

        using var reader = site.App.CreateClient();
        XNamespace sitemap = FeedDocuments.SitemapNamespace;
        var pages = XDocument.Parse(await reader.GetStringAsync("/sitemaps/pages.xml"));
        var entry = pages.Root!.Elements(sitemap + "url").SingleOrDefault(u => u.Element(sitemap + "loc")!.Value == Origin + "/privacy");
        Assert.NotNull(entry);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", entry.Element(sitemap + "lastmod")!.Value);
        Assert.Contains("/sitemaps/pages.xml", await reader.GetStringAsync("/sitemap.xml"));

        foreach (var path in new[] { "/sitemaps/articles-1.xml", "/news-sitemap.xml", "/feed.xml", "/atom.xml", "/", "/search?q=harbour+wall" })
        {
            var body = await reader.GetStringAsync(path);
            Assert.Contains("harbour-wall-repaired", body);
            Assert.DoesNotContain("privacy", body, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Page_services_ignore_filing_and_follow_the_article_capabilities()
    {
        await using var site = await StartAsync();
        var app = site.App;
        var admin = site.Admin;
        var taxonomy = site.Scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        var section = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Harbour" })).Value!;
        var tag = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Ferries" })).Value!;
        var (_, contributorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Contributor, displayName: "Cora Contributor");
        var (_, authorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Author, displayName: "Otto Author");
        var (_, editorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Editor, displayName: "Edna Editor");
        var contributor = await app.PrincipalForAsync(contributorEmail);
        var author = await app.PrincipalForAsync(authorEmail);
        var editor = await app.PrincipalForAsync(editorEmail);
        var articles = site.Articles;

        // A contributor drafts a page; the section, tag and byline it sends are not stored on a page.
        var draft = await articles.Editing.SaveAsync(contributor, null, new ArticleInput
        {
            Kind = ArticleKind.Page, Headline = "Masthead", BodyHtml = "<p>Who we are.</p>", SectionId = section.Id, TagIds = [tag.Id], AuthorIds = [],
            IsFeatured = true,
        }, null, SaveKind.Manual);
        Assert.True(draft.Succeeded, draft.Error);
        var own = await articles.Reads.GetForEditAsync(contributor, draft.Id);
        Assert.True(own.Succeeded, own.Error);
        Assert.Equal(ArticleKind.Page, own.Value!.Kind);
        Assert.Null(own.Value.SectionId);
        Assert.Empty(own.Value.Tags);
        Assert.Empty(own.Value.Authors);
        Assert.False(own.Value.IsFeatured);

        // Editing it as a page later does not file it either.
        var edited = await articles.Editing.SaveAsync(admin, draft.Id, new ArticleInput
        {
            Headline = "Masthead", BodyHtml = "<p>Who we are.</p>", Slug = draft.Slug, SectionId = section.Id, TagIds = [tag.Id],
        }, draft.Version, SaveKind.Manual);
        Assert.True(edited.Succeeded, edited.Error);
        Assert.Null(edited.Article!.SectionId);
        Assert.Empty(edited.Article.Tags);

        // Whose page it is: its writer's. Another writer can neither read nor edit it; a contributor cannot publish it.
        Assert.Equal(NewsroomActors.NotAllowed, (await articles.Reads.GetForEditAsync(author, draft.Id)).Error);
        Assert.False((await articles.Editing.SaveAsync(author, draft.Id, new ArticleInput { Headline = "Mine now", BodyHtml = "<p>x</p>" }, edited.Version, SaveKind.Manual)).Succeeded);
        Assert.False((await articles.Workflow.PublishAsync(contributor, draft.Id, edited.Version)).Succeeded);
        var submitted = await articles.Workflow.SubmitAsync(contributor, draft.Id, edited.Version);
        Assert.True(submitted.Succeeded, submitted.Error);
        var published = await articles.Workflow.PublishAsync(editor, draft.Id, submitted.Value!.Version);
        Assert.True(published.Succeeded, published.Error);

        // The page list shows pages (a writer's own only); the article list shows no page.
        var contributorPages = await articles.Reads.ListAsync(contributor, new ArticleListQuery(Kind: ArticleKind.Page));
        Assert.Equal(["Masthead"], contributorPages.Value!.Items.Select(i => i.Headline));
        Assert.Empty((await articles.Reads.ListAsync(author, new ArticleListQuery(Kind: ArticleKind.Page))).Value!.Items);
        Assert.DoesNotContain((await articles.Reads.ListAsync(admin, new ArticleListQuery())).Value!.Items, i => i.Headline == "Masthead");
        Assert.Single((await articles.Reads.ListAsync(admin, new ArticleListQuery(Kind: ArticleKind.Page))).Value!.Items);
    }

    [Fact]
    public async Task The_preview_of_a_draft_page_shows_it_as_its_public_page_will()
    {
        await using var site = await StartAsync();
        var draft = await site.DraftPageAsync("Corrections policy", "<p>We correct errors promptly.</p>");
        using var client = site.App.CreateBrowserlikeClient();
        await FormPost.SignInAsync(client, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        var html = await client.GetStringAsync($"/admin/articles/{draft.Id}/preview");
        Assert.Contains("this is how the page will look to readers", html);
        Assert.Contains($"href=\"/admin/pages/{draft.Id}\"", html);
        Assert.Contains("data-page-slug=\"corrections-policy\"", html);
        Assert.Contains("We correct errors promptly.", html);
        Assert.DoesNotContain("article__byline", html);
    }

    [Fact]
    public async Task The_start_up_byline_backfill_leaves_pages_without_bylines()
    {
        await using var site = await StartAsync();
        var page = await site.PublishPageAsync("Imprint");
        await site.Scope.ServiceProvider.GetRequiredService<NewsCms.Web.Features.Authors.AuthorProfiles>().BackfillAsync();
        var loaded = await site.Articles.Reads.GetForEditAsync(site.Admin, page.Id);
        Assert.True(loaded.Succeeded, loaded.Error);
        Assert.Empty(loaded.Value!.Authors);
    }

    [Fact]
    public async Task The_administrator_links_published_pages_in_the_navigation_and_footer_in_order()
    {
        await using var site = await StartAsync();
        var about = await site.PublishPageAsync("About us");
        var contact = await site.PublishPageAsync("Contact");
        var draft = await site.DraftPageAsync("Jobs");
        var article = await site.PublishArticleAsync("Harbour news");

        // Only published pages can be linked.
        var refused = await site.Settings.SaveAsync(site.Admin, new SiteSettingsInput { Title = "NewsCms", FooterPages = [draft.Id] });
        Assert.Equal("Only published pages can be linked: “Jobs” is not published.", refused.Error);
        Assert.False((await site.Settings.SaveAsync(site.Admin, new SiteSettingsInput { Title = "NewsCms", FooterPages = [article.Id] })).Succeeded);

        var saved = await site.Settings.SaveAsync(site.Admin, new SiteSettingsInput
        {
            Title = "NewsCms", NavigationPages = [contact.Id], FooterPages = [contact.Id, about.Id],
        });
        Assert.True(saved.Succeeded, saved.Error);
        var snapshot = await site.Scope.ServiceProvider.GetRequiredService<SiteSettingsStore>().GetAsync();
        Assert.Equal([contact.Id], snapshot.NavigationPages);
        Assert.Equal([contact.Id, about.Id], snapshot.FooterPages);

        using var reader = site.App.CreateClient();
        var home = await reader.GetStringAsync("/");
        Assert.Matches(new Regex("<nav class=\"site-nav\"[\\s\\S]*href=\"/contact\">Contact</a>[\\s\\S]*</nav>"), home);
        var footer = Footer().Match(home).Value;
        Assert.Matches(new Regex("href=\"/contact\">Contact</a>[\\s\\S]*href=\"/about-us\">About us</a>"), footer);

        // Unpublished later: it just drops out of the links (and the cached pages showing them are refreshed).
        var unpublished = await site.Articles.Workflow.UnpublishAsync(site.Admin, contact.Id, contact.Version);
        Assert.True(unpublished.Succeeded, unpublished.Error);
        home = await reader.GetStringAsync("/");
        Assert.DoesNotContain("href=\"/contact\"", home);
        Assert.Contains("href=\"/about-us\">About us</a>", Footer().Match(home).Value);
        Assert.True(await PublicCacheDependencyTests.IsHitAsync(reader, "/"), "the home page was not cached");

        // Published again: it comes back to the links it still has in the settings (the cached home page is evicted).
        var republished = await site.Articles.Workflow.PublishAsync(site.Admin, contact.Id, unpublished.Value!.Version);
        Assert.True(republished.Succeeded, republished.Error);
        Assert.Contains("href=\"/contact\">Contact</a>", Footer().Match(await reader.GetStringAsync("/")).Value);
    }

    [Fact]
    public async Task Publishing_a_page_puts_it_in_the_cached_sitemap_at_once()
    {
        await using var site = await StartAsync();
        using var reader = site.App.CreateClient();
        Assert.DoesNotContain("/advertise", await reader.GetStringAsync("/sitemaps/pages.xml"));
        Assert.True(await PublicCacheDependencyTests.IsHitAsync(reader, "/sitemaps/pages.xml"), "the sitemap was not cached");
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/advertise")).StatusCode);

        await site.PublishPageAsync("Advertise");
        Assert.Contains($"{Origin}/advertise", await reader.GetStringAsync("/sitemaps/pages.xml"));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/advertise")).StatusCode);
    }

    [Fact]
    public async Task Publishing_editing_and_trashing_a_page_evicts_it_and_the_pages_linking_it_only()
    {
        await using var site = await StartAsync();
        var other = await site.PublishArticleAsync("Lighthouse repainted");
        var page = await site.PublishPageAsync("About us");
        var unlinked = await site.PublishPageAsync("Privacy");
        Assert.True((await site.Settings.SaveAsync(site.Admin, new SiteSettingsInput { Title = "NewsCms", FooterPages = [page.Id] })).Succeeded);

        using var reader = site.App.CreateClient();
        string[] urls = ["/", "/about-us", "/privacy", $"/news/{other.Slug}"];
        foreach (var url in urls)
        {
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(url)).StatusCode);
            Assert.True(await PublicCacheDependencyTests.IsHitAsync(reader, url), $"{url} was not cached");
        }

        // Editing the linked page: its own page and every page with the footer link are rendered again.
        var edited = await site.Articles.Editing.SaveAsync(site.Admin, page.Id,
            new ArticleInput { Headline = "About the Courier", BodyHtml = page.BodyHtml, Slug = page.Slug }, page.Version, SaveKind.Manual);
        Assert.True(edited.Succeeded, edited.Error);
        Assert.Contains("About the Courier", await reader.GetStringAsync("/about-us"));
        Assert.Contains("href=\"/about-us\">About the Courier</a>", await reader.GetStringAsync($"/news/{other.Slug}"));

        // Editing a page nobody links evicts only that page.
        foreach (var url in urls) await reader.GetAsync(url);
        var privacy = await site.Articles.Editing.SaveAsync(site.Admin, unlinked.Id,
            new ArticleInput { Headline = "Privacy notice", BodyHtml = unlinked.BodyHtml, Slug = unlinked.Slug }, unlinked.Version, SaveKind.Manual);
        Assert.True(privacy.Succeeded, privacy.Error);
        Assert.Contains("Privacy notice", await reader.GetStringAsync("/privacy"));
        Assert.True(await PublicCacheDependencyTests.IsHitAsync(reader, $"/news/{other.Slug}"), "an article page not showing the page was evicted");
        Assert.True(await PublicCacheDependencyTests.IsHitAsync(reader, "/"), "the home page not showing the page was evicted");

        // Trashing the linked page: 410 at its address, and the footer link goes from every page.
        var trashed = await site.Articles.Workflow.TrashAsync(site.Admin, page.Id, edited.Version);
        Assert.True(trashed.Succeeded, trashed.Error);
        Assert.Equal(HttpStatusCode.Gone, (await reader.GetAsync("/about-us")).StatusCode);
        Assert.DoesNotContain("href=\"/about-us\"", await reader.GetStringAsync($"/news/{other.Slug}"));
        Assert.DoesNotContain("href=\"/about-us\"", await reader.GetStringAsync("/"));
    }

    [GeneratedRegex("<script type=\"application/ld\\+json\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex JsonLd();

    [GeneratedRegex("<footer[\\s\\S]*</footer>")]
    private static partial Regex Footer();
}
