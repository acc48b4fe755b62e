using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>The home page (lead, latest, section blocks, More news), Related articles, and the settings readers see.</summary>
public partial class HomeAndRelatedTests
{
    private sealed class Newsroom(NewsCmsAppFactory app, AsyncServiceScope scope, ClaimsPrincipal admin) : IAsyncDisposable
    {
        public NewsCmsAppFactory App => app;
        public ClaimsPrincipal Admin => admin;
        public NewsroomArticles Articles => scope.ServiceProvider.NewsroomArticles();
        public TaxonomyService Taxonomy => scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        public T Get<T>() where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

        public async Task<int> SectionAsync(string name, bool inNavigation = true) =>
            (await Taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = name, ShowInNavigation = inNavigation })).Value!.Id;

        public async Task<int> TagAsync(string name) => (await Taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = name })).Value!.Id;

        public async Task<SaveOutcome> PublishAsync(string headline, string body = "<p>Text.</p>", int? section = null, List<int>? tags = null,
            bool featured = false, ClaimsPrincipal? by = null)
        {
            var saved = await Articles.Editing.SaveAsync(by ?? admin, null, new ArticleInput
            {
                Headline = headline, BodyHtml = body, SectionId = section, TagIds = tags ?? [], IsFeatured = featured,
            }, null, SaveKind.Manual);
            Assert.True(saved.Succeeded, saved.Error);
            var published = await Articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
            Assert.True(published.Succeeded, published.Error);
            // The stories it relates to are ranked again in the background: the tests read their lists after.
            await App.RelatedRankedAgainAsync();
            return saved;
        }

        public async Task<List<string>> RelatedSlugsAsync(int articleId)
        {
            await using var db = await Get<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
            return await db.ArticleRelations.Where(r => r.ArticleId == articleId).OrderBy(r => r.Rank)
                .Join(db.Articles, r => r.RelatedArticleId, a => a.Id, (r, a) => a.Slug).ToListAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await scope.DisposeAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<Newsroom> StartAsync()
    {
        var app = await NewsCmsAppFactory.CreateAsync();
        var scope = app.Services.CreateAsyncScope();
        return new Newsroom(app, scope, await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail));
    }

    private static AngleSharp.Html.Dom.IHtmlDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    [Fact]
    public async Task Related_articles_rank_shared_tags_and_text_and_are_stored_when_published()
    {
        await using var newsroom = await StartAsync();
        var harbour = await newsroom.TagAsync("Harbour");
        var ferries = await newsroom.TagAsync("Ferries");
        var budget = await newsroom.TagAsync("Budget");
        var culture = await newsroom.SectionAsync("Culture");

        var strike = await newsroom.PublishAsync("Ferry crews strike at the harbour", "<p>Ferry crews walked out at dawn over rotas.</p>", tags: [harbour, ferries]);
        var timetable = await newsroom.PublishAsync("Harbour ferry timetable cut for winter", "<p>Fewer ferry crossings from the harbour.</p>", tags: [harbour, ferries]);
        var fares = await newsroom.PublishAsync("Ferry fares rise again", "<p>Ferry tickets cost more from March.</p>", tags: [ferries]);
        var council = await newsroom.PublishAsync("Council budget passes", "<p>The budget vote was close.</p>", tags: [budget]);
        // Unrelated: it may only top the list up.
        var concert = await newsroom.PublishAsync("Orchestra opens its season", "<p>A full house for the symphony.</p>", section: culture);

        var related = await newsroom.RelatedSlugsAsync(strike.Id);
        Assert.Equal(timetable.Slug, related[0]); // two shared tags and the most shared words
        Assert.Equal(fares.Slug, related[1]);     // one shared tag and a shared word
        Assert.DoesNotContain(strike.Slug, related);
        Assert.InRange(related.Count, RelatedArticles.Minimum, RelatedArticles.Shown + 2);
        // Unrelated stories only top the list up after every related one.
        Assert.True(related.IndexOf(council.Slug) is -1 or > 1);
        Assert.True(related.IndexOf(concert.Slug) is -1 or > 1);

        // An older story gains the newer one when the newer is published: its list was recomputed then.
        Assert.Contains(strike.Slug, await newsroom.RelatedSlugsAsync(timetable.Id));

        using var reader = newsroom.App.CreateClient();
        var page = Parse(await reader.GetStringAsync($"/news/{strike.Slug}"));
        var links = page.QuerySelectorAll(".related a.related__headline").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal($"/news/{timetable.Slug}", links[0]);
        Assert.InRange(links.Count, RelatedArticles.Minimum, RelatedArticles.Shown);
        Assert.Equal("Related articles", page.QuerySelector(".related h2")!.TextContent);

        // Only published stories are shown: unpublishing one drops it from the others' lists at once.
        var current = (await newsroom.Articles.Reads.GetForEditAsync(newsroom.Admin, timetable.Id)).Value!;
        Assert.True((await newsroom.Articles.Workflow.UnpublishAsync(newsroom.Admin, timetable.Id, current.Version)).Succeeded);
        page = Parse(await reader.GetStringAsync($"/news/{strike.Slug}"));
        Assert.DoesNotContain($"/news/{timetable.Slug}", page.QuerySelectorAll(".related a").Select(a => a.GetAttribute("href")));
    }

    [Fact]
    public async Task A_publish_ranks_related_articles_after_its_commit_so_other_saves_do_not_wait_for_the_ranking()
    {
        var gate = new CommandGate();
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(gate);
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var deskScope = app.Services.CreateAsyncScope();
        await using var editorScope = app.Services.CreateAsyncScope();
        var desk = deskScope.ServiceProvider.NewsroomArticles();
        var editor = editorScope.ServiceProvider.NewsroomArticles();
        var tag = (await deskScope.ServiceProvider.GetRequiredService<TaxonomyService>().CreateTagAsync(admin, new TaxonomyInput { Name = "Harbour" })).Value!.Id;
        var earlier = await desk.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Harbour wall rebuilt", BodyHtml = "<p>Stone.</p>", TagIds = [tag] }, null, SaveKind.Manual);
        Assert.True((await desk.Workflow.PublishAsync(admin, earlier.Id, earlier.Version)).Succeeded);
        var story = await desk.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Harbour wall holds in the storm", BodyHtml = "<p>Waves.</p>", TagIds = [tag] }, null, SaveKind.Manual);

        // The publish stops in its ranking of related articles ...
        gate.HoldNext(RelatedArticles.RankingTag);
        var publishing = desk.Workflow.PublishAsync(admin, story.Id, story.Version);
        await gate.Held.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        try
        {
            // ... and meanwhile another editor's save goes through: the publish is committed and holds no write lock
            // (before, the ranking ran inside the publish's transaction, and this save waited for the lock until it timed out).
            var other = await editor.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Council meets", BodyHtml = "<p>Agenda.</p>" }, null, SaveKind.Autosave);
            Assert.True(other.Succeeded, other.Error);
            await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken))
            {
                Assert.Equal(ArticleStatus.Published, (await db.Articles.SingleAsync(a => a.Id == story.Id, TestContext.Current.CancellationToken)).Status);
            }
        }
        finally
        {
            gate.Release.TrySetResult();
        }
        Assert.True((await publishing).Succeeded);
        await app.RelatedRankedAgainAsync();

        // The lists were still ranked, both ways, once the publish went on (the earlier story's in the background).
        await using var check = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Contains(earlier.Id, await check.ArticleRelations.Where(r => r.ArticleId == story.Id).Select(r => r.RelatedArticleId).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Contains(story.Id, await check.ArticleRelations.Where(r => r.ArticleId == earlier.Id).Select(r => r.RelatedArticleId).ToListAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Related_articles_are_recomputed_when_a_published_article_is_edited()
    {
        await using var newsroom = await StartAsync();
        var rail = await newsroom.TagAsync("Rail");
        var schools = await newsroom.TagAsync("Schools");
        var station = await newsroom.PublishAsync("New station opens", "<p>Trains stop at the new station.</p>", tags: [rail]);
        var exams = await newsroom.PublishAsync("Exam results improve", "<p>Pupils did better.</p>", tags: [schools]);
        var story = await newsroom.PublishAsync("Line closed for repairs", "<p>Engineers are at work.</p>", tags: [rail]);
        Assert.Equal(station.Slug, (await newsroom.RelatedSlugsAsync(story.Id))[0]);

        var edit = (await newsroom.Articles.Reads.GetForEditAsync(newsroom.Admin, story.Id)).Value!;
        var saved = await newsroom.Articles.Editing.SaveAsync(newsroom.Admin, story.Id, new ArticleInput
        {
            Headline = "School exam rooms closed for repairs", BodyHtml = "<p>Pupils sit exams elsewhere.</p>", Slug = edit.Slug, TagIds = [schools],
        }, edit.Version, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        Assert.Equal(exams.Slug, (await newsroom.RelatedSlugsAsync(story.Id))[0]);
    }

    [Fact]
    public async Task The_home_page_leads_with_the_newest_featured_story_then_latest_and_a_block_per_navigation_section()
    {
        await using var newsroom = await StartAsync();
        var sport = await newsroom.SectionAsync("Sport");
        var business = await newsroom.SectionAsync("Business");
        await newsroom.SectionAsync("Archive", inNavigation: false);

        var featured = await newsroom.PublishAsync("Featured: the harbour reopens", section: business, featured: true);
        for (var i = 1; i <= 16; i++) await newsroom.PublishAsync($"Sport story {i}", section: sport);
        var newest = await newsroom.PublishAsync("Business story newest", section: business);

        using var reader = newsroom.App.CreateClient();
        var home = Parse(await reader.GetStringAsync("/"));
        // The lead is the newest featured story, though newer ones exist.
        Assert.Equal($"/news/{featured.Slug}", home.QuerySelector(".home-lead .article-card__headline a")!.GetAttribute("href"));
        // Beside it the top stories (the front page's other slots, here the newest), then the latest after them.
        var top = home.QuerySelectorAll(".home-top .article-card__headline a").Select(a => a.TextContent).ToList();
        Assert.Equal(["Business story newest", "Sport story 16", "Sport story 15", "Sport story 14", "Sport story 13", "Sport story 12"], top);
        Assert.Equal("Top stories", home.QuerySelector(".home-top h2")!.TextContent);
        var latest = home.QuerySelectorAll(".home-latest .article-card__headline a").Select(a => a.TextContent).ToList();
        Assert.Equal(["Sport story 11", "Sport story 10", "Sport story 9", "Sport story 8", "Sport story 7", "Sport story 6"], latest);
        Assert.Equal("Latest news", home.QuerySelector(".home-latest h2")!.TextContent);

        // A block per navigation section, in navigation order, without the stories already shown above.
        var blocks = home.QuerySelectorAll(".home-block").ToList();
        Assert.Equal(["Sport"], blocks.Select(b => b.QuerySelector("h2")!.TextContent.Trim()));
        var sportBlock = blocks[0].QuerySelectorAll(".article-card__headline a").Select(a => a.TextContent).ToList();
        Assert.Equal(["Sport story 5", "Sport story 4", "Sport story 3", "Sport story 2"], sportBlock);
        Assert.All(blocks[0].QuerySelectorAll(".article-card__headline"), h => Assert.Equal("H3", h.TagName));

        // "More news" continues after the lead and latest stories, paged.
        Assert.Equal("/?page=2", home.QuerySelector("nav.pager a")!.GetAttribute("href"));
        Assert.Equal("More news", home.QuerySelector("nav.pager a")!.TextContent);
        var more = Parse(await reader.GetStringAsync("/?page=2"));
        Assert.Equal("More news", more.QuerySelector("h1")!.TextContent);
        var moreHeadlines = more.QuerySelectorAll(".article-card__headline a").Select(a => a.TextContent).ToList();
        Assert.Equal(["Sport story 4", "Sport story 3", "Sport story 2", "Sport story 1", "Featured: the harbour reopens"], moreHeadlines);
        Assert.Contains("<link rel=\"canonical\" href=\"https://news.example.test/?page=2\"", more.DocumentElement.OuterHtml);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await reader.GetAsync("/?page=3")).StatusCode);
    }

    [Fact]
    public async Task Without_a_featured_story_the_newest_leads_and_only_editors_may_feature()
    {
        await using var newsroom = await StartAsync();
        await newsroom.PublishAsync("Older story");
        var newer = await newsroom.PublishAsync("Newer story");
        using var reader = newsroom.App.CreateClient();
        var home = Parse(await reader.GetStringAsync("/"));
        Assert.Equal($"/news/{newer.Slug}", home.QuerySelector(".home-lead .article-card__headline a")!.GetAttribute("href"));
        Assert.Equal(["Older story"], home.QuerySelectorAll(".home-top .article-card__headline a").Select(a => a.TextContent));
        Assert.Empty(home.QuerySelectorAll(".home-latest"));
        Assert.Null(home.QuerySelector("nav.pager"));

        // An author's save cannot mark their article Featured: the choice of lead is an editor's.
        await newsroom.App.CreateUserAsync(NewsroomRoles.Author, "writer@newsroom.test");
        var writer = await newsroom.App.PrincipalForAsync("writer@newsroom.test");
        var draft = await newsroom.Articles.Editing.SaveAsync(writer, null, new ArticleInput { Headline = "Writer's story", BodyHtml = "<p>x</p>", IsFeatured = true }, null, SaveKind.Manual);
        Assert.True(draft.Succeeded, draft.Error);
        Assert.False((await newsroom.Articles.Reads.GetForEditAsync(writer, draft.Id)).Value!.IsFeatured);
    }

    [Fact]
    public async Task Settings_logo_navigation_links_and_default_social_image_show_on_the_public_site()
    {
        await using var newsroom = await StartAsync();
        var world = await newsroom.SectionAsync("World");
        var local = await newsroom.SectionAsync("Local");
        var hidden = await newsroom.SectionAsync("Hidden");
        var media = newsroom.Get<MediaLibrary>();
        var logoBytes = TestImages.Png(800, 200);
        var socialBytes = TestImages.Jpeg(1200, 630);
        var logo = (await media.UploadAsync(newsroom.Admin, new MemoryStream(logoBytes), "logo.png", logoBytes.Length)).Value!;
        var social = (await media.UploadAsync(newsroom.Admin, new MemoryStream(socialBytes), "social.jpg", socialBytes.Length)).Value!;
        var settings = newsroom.Get<SiteSettingsService>();

        var saved = await settings.SaveAsync(newsroom.Admin, new SiteSettingsInput
        {
            Title = "The Harbour Times", Language = "en", TimeZone = "UTC", LogoImageId = logo.Id, SocialImageId = social.Id,
            Navigation = [new NavigationInput(local), new NavigationInput(null, "About us", "/about"), new NavigationInput(world),
                new NavigationInput(null, "Shop", "https://shop.example.org/")],
        });
        Assert.True(saved.Succeeded, saved.Error);

        using var reader = newsroom.App.CreateClient();
        var article = await newsroom.PublishAsync("Harbour news without a picture");
        var page = Parse(await reader.GetStringAsync($"/news/{article.Slug}"));
        var navigation = page.QuerySelectorAll("nav.site-nav a").Select(a => (a.TextContent, a.GetAttribute("href"))).ToList();
        Assert.Equal([("Home", "/"), ("Local", "/section/local"), ("About us", "/about"), ("World", "/section/world"), ("Shop", "https://shop.example.org/")], navigation);
        var logoImage = page.QuerySelector(".site-title img.site-logo")!;
        Assert.Equal("The Harbour Times", logoImage.GetAttribute("alt"));
        Assert.StartsWith($"/media/{logo.StorageKey}/", logoImage.GetAttribute("src"));
        // 800×200: shown 60 px tall (240 wide), with every variant for the browser to pick one sharp on a phone's screen.
        Assert.Equal(("240", "60"), (logoImage.GetAttribute("width"), logoImage.GetAttribute("height")));
        var logoSource = page.QuerySelector(".site-title source")!;
        Assert.Equal("240px", logoSource.GetAttribute("sizes"));
        Assert.Contains($"/media/{logo.StorageKey}/800.webp 800w", logoSource.GetAttribute("srcset"));

        // The article has no picture of its own: social networks get the site's default.
        Assert.StartsWith($"https://news.example.test/media/{social.StorageKey}/", page.QuerySelector("meta[property='og:image']")!.GetAttribute("content"));
        using var json = JsonDocument.Parse(JsonLd().Match(page.DocumentElement.OuterHtml).Groups[1].Value);
        var publisherLogo = json.RootElement[0].GetProperty("publisher").GetProperty("logo");
        Assert.Equal("ImageObject", publisherLogo.GetProperty("@type").GetString());
        Assert.StartsWith($"https://news.example.test/media/{logo.StorageKey}/", publisherLogo.GetProperty("url").GetString());
        Assert.True(publisherLogo.GetProperty("width").GetInt32() <= 600);

        var home = Parse(await reader.GetStringAsync("/"));
        Assert.StartsWith($"https://news.example.test/media/{social.StorageKey}/", home.QuerySelector("meta[property='og:image']")!.GetAttribute("content"));

        // The sections follow the navigation: order and flag, as the Sections page shows them.
        var sections = await newsroom.Taxonomy.ListSectionsAsync();
        Assert.Equal(["Local", "World", "Hidden"], sections.Select(s => s.Name));
        Assert.False(sections.Single(s => s.Id == hidden).ShowInNavigation);

        // A section switched on from the Sections page joins the end of the navigation.
        var edit = sections.Single(s => s.Id == hidden);
        Assert.True((await newsroom.Taxonomy.UpdateSectionAsync(newsroom.Admin, hidden,
            new TaxonomyInput { Name = edit.Name, Slug = edit.Slug, ShowInNavigation = true })).Succeeded);
        page = Parse(await reader.GetStringAsync("/"));
        Assert.Equal("/section/hidden", page.QuerySelectorAll("nav.site-nav a").Last().GetAttribute("href"));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("//evil.example/")]
    [InlineData("about")]
    public async Task A_navigation_link_must_be_a_web_address_or_a_path_on_the_site(string address)
    {
        await using var newsroom = await StartAsync();
        var result = await newsroom.Get<SiteSettingsService>().SaveAsync(newsroom.Admin, new SiteSettingsInput
        {
            Title = "T", Language = "en", TimeZone = "UTC", Navigation = [new NavigationInput(null, "Bad", address)],
        });
        Assert.False(result.Succeeded);
        Assert.Contains("needs a full http(s) address or a path on this site", result.Error);
    }

    [GeneratedRegex("<script type=\"application/ld\\+json\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex JsonLd();
}
