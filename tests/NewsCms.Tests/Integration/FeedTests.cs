using System.Net;
using System.Security.Claims;
using System.ServiceModel.Syndication;
using System.Xml;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Feeds;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.Tests.Integration;

/// <summary>RSS, Atom, sitemaps, the Google News sitemap and robots.txt, read back as a feed reader or crawler would.</summary>
public class FeedTests
{
    private const string Origin = "https://news.example.test";
    private static readonly XNamespace Sitemap = FeedDocuments.SitemapNamespace;
    private static readonly XNamespace News = FeedDocuments.NewsNamespace;

    /// <summary>One test's site and the services that make its articles.</summary>
    private sealed class Site : IAsyncDisposable
    {
        public required NewsCmsAppFactory App { get; init; }
        public required AsyncServiceScope Scope { get; init; }
        public required ClaimsPrincipal Admin { get; init; }
        public NewsroomArticles Articles => Scope.ServiceProvider.NewsroomArticles();
        public TaxonomyService Taxonomy => Scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        public AuthorProfiles Authors => Scope.ServiceProvider.GetRequiredService<AuthorProfiles>();

        public async Task<SaveOutcome> DraftAsync(string headline, string standfirst = "", string body = "<p>Text.</p>",
            List<int>? tags = null, int? section = null, List<int>? bylines = null)
        {
            var saved = await Articles.Editing.SaveAsync(Admin, null, new ArticleInput
            {
                Headline = headline, Standfirst = standfirst, BodyHtml = body, TagIds = tags ?? [], SectionId = section, AuthorIds = bylines ?? [],
            }, null, SaveKind.Manual);
            Assert.True(saved.Succeeded, saved.Error);
            return saved;
        }

        public async Task<(int Id, Guid Version)> PublishAsync(string headline, string standfirst = "", string body = "<p>Text.</p>",
            List<int>? tags = null, int? section = null, List<int>? bylines = null)
        {
            var saved = await DraftAsync(headline, standfirst, body, tags, section, bylines);
            var published = await Articles.Workflow.PublishAsync(Admin, saved.Id, saved.Version);
            Assert.True(published.Succeeded, published.Error);
            return (saved.Id, published.Value!.Version);
        }

        public async ValueTask DisposeAsync()
        {
            await Scope.DisposeAsync();
            await App.DisposeAsync();
        }
    }

    private static async Task<Site> StartAsync(Dictionary<string, string?>? settings = null, FakeTimeProvider? clock = null)
    {
        var app = await NewsCmsAppFactory.CreateAsync(settings);
        if (clock is not null)
        {
            app.TestServices = services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
            };
        }
        app.CreateClient().Dispose();
        var scope = app.Services.CreateAsyncScope();
        return new Site { App = app, Scope = scope, Admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail) };
    }

    private static async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"), $"{path} sets no cookie");
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private static SyndicationFeed Load(byte[] body)
    {
        using var reader = XmlReader.Create(new MemoryStream(body));
        return SyndicationFeed.Load(reader);
    }

    private static async Task<SyndicationFeed> FeedAsync(HttpClient client, string path, string contentType)
    {
        var (response, body) = await GetAsync(client, path);
        Assert.Equal(contentType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType.CharSet);
        return Load(body);
    }

    private static string? EncodedContent(SyndicationItem item) => Extensions(item, FeedDocuments.ContentNamespace, "encoded").SingleOrDefault();

    private static List<string> Extensions(SyndicationItem item, string ns, string name) =>
        item.ElementExtensions.Where(e => e.OuterName == name && e.OuterNamespace == ns)
            .Select(e => { using var reader = e.GetReader(); return reader.ReadElementContentAsString(); })
            .ToList();

    [Fact]
    public async Task The_site_feeds_parse_as_RSS_and_Atom_with_only_published_articles_on_the_public_origin()
    {
        await using var site = await StartAsync();
        await site.Scope.ServiceProvider.GetRequiredService<SiteSettingsStore>().WriteAsync(new Dictionary<string, string>
        {
            [SiteSettingsStore.TitleKey] = "Harbour Times",
            [SiteSettingsStore.TaglineKey] = "News from the harbour & the hills",
        });
        var budget = (await site.Taxonomy.CreateTagAsync(site.Admin, new TaxonomyInput { Name = "Budget" })).Value!;
        var guest = (await site.Authors.CreateAsync(site.Admin, new AuthorInput { DisplayName = "Gail Guest" })).Value;
        await site.PublishAsync("Council <passes> budget", "Rates rise & parks win.",
            "<p>Read <a href=\"/news/older-story\">the older story</a>.</p><p><img src=\"/media/abc/640.webp\" alt=\"The council\"></p><p><a href=\"https://example.org/x\">Elsewhere</a></p>",
            tags: [budget.Id], bylines: [guest]);
        await site.PublishAsync("Older story");
        await site.DraftAsync("Draft only");

        using var reader = site.App.CreateClient();
        var rss = await FeedAsync(reader, "/feed.xml", "application/rss+xml");
        Assert.Equal("Harbour Times", rss.Title.Text);
        // RSS descriptions are HTML to readers: the plain text goes in escaped.
        Assert.Equal("News from the harbour &amp; the hills", rss.Description.Text);
        Assert.Equal("en", rss.Language);
        Assert.Equal(Origin + "/", rss.Links.First(l => l.RelationshipType == "alternate").Uri.ToString());
        Assert.NotEqual(default, rss.LastUpdatedTime);
        Assert.Equal(["Older story", "Council <passes> budget"], rss.Items.Select(i => i.Title.Text));

        var item = rss.Items.Last();
        Assert.Equal(Origin + "/news/council-passes-budget", item.Links.Single().Uri.ToString());
        Assert.Equal(Origin + "/news/council-passes-budget", item.Id);
        Assert.Equal("Rates rise &amp; parks win.", item.Summary.Text);
        Assert.Equal(["Budget"], item.Categories.Select(c => c.Name));
        Assert.Equal(["Gail Guest"], item.Authors.Select(a => a.Name));
        Assert.Equal(["Gail Guest"], Extensions(item, FeedDocuments.DublinCoreNamespace, "creator"));
        Assert.NotEqual(default, item.PublishDate);
        var content = EncodedContent(item);
        Assert.NotNull(content);
        Assert.Contains("href=\"https://news.example.test/news/older-story\"", content);
        Assert.Contains("src=\"https://news.example.test/media/abc/640.webp\"", content);
        Assert.Contains("href=\"https://example.org/x\"", content);

        // The guid is the permalink.
        var rssXml = XDocument.Load(new MemoryStream((await GetAsync(reader, "/feed.xml")).Body));
        var guid = rssXml.Descendants("guid").Last();
        Assert.Equal(Origin + "/news/council-passes-budget", guid.Value);
        Assert.NotEqual("false", (string?)guid.Attribute("isPermaLink"));
        Assert.NotNull(rssXml.Descendants("lastBuildDate").SingleOrDefault());

        var atom = await FeedAsync(reader, "/atom.xml", "application/atom+xml");
        Assert.Equal("Harbour Times", atom.Title.Text);
        Assert.Equal(["Older story", "Council <passes> budget"], atom.Items.Select(i => i.Title.Text));
        var entry = atom.Items.Last();
        Assert.Equal(Origin + "/news/council-passes-budget", entry.Id);
        Assert.Equal(Origin + "/news/council-passes-budget", entry.Links.Single(l => l.RelationshipType == "alternate").Uri.ToString());
        Assert.Equal(["Gail Guest"], entry.Authors.Select(a => a.Name));
        Assert.Equal(["Budget"], entry.Categories.Select(c => c.Name));
        Assert.Equal("Rates rise & parks win.", entry.Summary.Text);
        var html = Assert.IsType<TextSyndicationContent>(entry.Content);
        Assert.Equal("html", html.Type);
        Assert.Contains("src=\"https://news.example.test/media/abc/640.webp\"", html.Text);
        Assert.NotEqual(default, entry.PublishDate);
        Assert.NotEqual(default, entry.LastUpdatedTime);
    }

    [Fact]
    public async Task Section_tag_and_author_feeds_list_only_their_own_articles_and_unknown_ones_answer_404()
    {
        await using var site = await StartAsync();
        var sport = (await site.Taxonomy.CreateSectionAsync(site.Admin, new TaxonomyInput { Name = "Sport" })).Value!;
        var cup = (await site.Taxonomy.CreateTagAsync(site.Admin, new TaxonomyInput { Name = "Cup" })).Value!;
        var writer = (await site.Authors.CreateAsync(site.Admin, new AuthorInput { DisplayName = "Sam Sports" })).Value;
        await site.PublishAsync("Cup final tonight", section: sport.Id, tags: [cup.Id], bylines: [writer]);
        await site.PublishAsync("Sport without the cup", section: sport.Id);
        await site.PublishAsync("Cup draw", tags: [cup.Id]);
        await site.PublishAsync("By Sam alone", bylines: [writer]);
        await site.PublishAsync("Unrelated");
        var draft = await site.DraftAsync("Cup draft", section: sport.Id, tags: [cup.Id], bylines: [writer]);
        Assert.True(draft.Succeeded);

        using var reader = site.App.CreateClient();
        var section = await FeedAsync(reader, "/section/sport/feed.xml", "application/rss+xml");
        Assert.Equal("NewsCms — Sport", section.Title.Text);
        Assert.Equal(Origin + "/section/sport", section.Links.First(l => l.RelationshipType == "alternate").Uri.ToString());
        Assert.Equal(["Sport without the cup", "Cup final tonight"], section.Items.Select(i => i.Title.Text));
        Assert.Equal(["Cup draw", "Cup final tonight"], (await FeedAsync(reader, "/tag/cup/atom.xml", "application/atom+xml")).Items.Select(i => i.Title.Text));
        Assert.Equal(["Cup draw", "Cup final tonight"], (await FeedAsync(reader, "/tag/cup/feed.xml", "application/rss+xml")).Items.Select(i => i.Title.Text));
        var author = await FeedAsync(reader, "/author/sam-sports/atom.xml", "application/atom+xml");
        Assert.Equal("NewsCms — Sam Sports", author.Title.Text);
        Assert.Equal(["By Sam alone", "Cup final tonight"], author.Items.Select(i => i.Title.Text));
        Assert.Equal(5, (await FeedAsync(reader, "/feed.xml", "application/rss+xml")).Items.Count());

        foreach (var path in (string[])["/section/nope/feed.xml", "/tag/nope/atom.xml", "/author/nope/feed.xml", "/sitemaps/articles-2.xml"])
        {
            Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync(path)).StatusCode);
        }
    }

    /// <summary>
    /// An RSS description is HTML to feed readers (RSS has no type for it, unlike Atom's type="text"): a standfirst or a
    /// site's tagline, plain text in NewsCms, goes in HTML-escaped, so "&lt;img onerror=…&gt;" reads as written and runs nowhere.
    /// </summary>
    [Fact]
    public async Task Rss_descriptions_carry_plain_text_escaped_as_HTML_and_Atom_keeps_it_as_text()
    {
        await using var site = await StartAsync();
        await site.Scope.ServiceProvider.GetRequiredService<SiteSettingsStore>().WriteAsync(new Dictionary<string, string>
        {
            [SiteSettingsStore.TaglineKey] = "Tags <b>bold</b> & <script>alert(1)</script>",
        });
        var tag = (await site.Taxonomy.CreateTagAsync(site.Admin, new TaxonomyInput { Name = "Tricks" })).Value!;
        await site.PublishAsync("Escaped", "Rates <img src=x onerror=alert(1)> & parks", tags: [tag.Id]);
        using var reader = site.App.CreateClient();

        foreach (var path in (string[])["/feed.xml", "/tag/tricks/feed.xml"])
        {
            var xml = XDocument.Load(new MemoryStream((await GetAsync(reader, path)).Body));
            Assert.Equal("Rates &lt;img src=x onerror=alert(1)&gt; &amp; parks", xml.Descendants("item").Single().Element("description")!.Value);
        }
        var siteFeed = XDocument.Load(new MemoryStream((await GetAsync(reader, "/feed.xml")).Body));
        Assert.Equal("Tags &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;", siteFeed.Root!.Element("channel")!.Element("description")!.Value);

        var atom = await FeedAsync(reader, "/atom.xml", "application/atom+xml");
        Assert.Equal("Tags <b>bold</b> & <script>alert(1)</script>", atom.Description.Text);
        Assert.Equal("text", atom.Description.Type);
        var entry = atom.Items.Single();
        Assert.Equal("Rates <img src=x onerror=alert(1)> & parks", entry.Summary.Text);
        Assert.Equal("text", entry.Summary.Type);
    }

    [Fact]
    public async Task With_full_content_off_feeds_carry_the_standfirst_only()
    {
        await using var site = await StartAsync(new() { ["NewsCms:Feeds:FullContent"] = "false" });
        await site.PublishAsync("Short version", "Just the gist.", "<p>The whole long story.</p>");
        using var reader = site.App.CreateClient();

        var (_, rssBody) = await GetAsync(reader, "/feed.xml");
        var item = Load(rssBody).Items.Single();
        Assert.Equal("Just the gist.", item.Summary.Text);
        Assert.Null(EncodedContent(item));
        Assert.DoesNotContain("whole long story", System.Text.Encoding.UTF8.GetString(rssBody));

        var entry = (await FeedAsync(reader, "/atom.xml", "application/atom+xml")).Items.Single();
        Assert.Equal("Just the gist.", entry.Summary.Text);
        Assert.Null(entry.Content);
    }

    [Fact]
    public async Task The_sitemap_index_and_its_sitemaps_list_published_articles_and_pages_only()
    {
        await using var site = await StartAsync();
        var news = (await site.Taxonomy.CreateSectionAsync(site.Admin, new TaxonomyInput { Name = "News" })).Value!;
        await site.Taxonomy.CreateSectionAsync(site.Admin, new TaxonomyInput { Name = "Empty desk" });
        var tag = (await site.Taxonomy.CreateTagAsync(site.Admin, new TaxonomyInput { Name = "Harbour" })).Value!;
        await site.Taxonomy.CreateTagAsync(site.Admin, new TaxonomyInput { Name = "Unused" });
        var writer = (await site.Authors.CreateAsync(site.Admin, new AuthorInput { DisplayName = "Wendy Writer" })).Value;
        await site.PublishAsync("First story", section: news.Id, tags: [tag.Id], bylines: [writer]);
        await site.PublishAsync("Second story");
        await site.DraftAsync("Unfinished draft");
        var (trashId, trashVersion) = await site.PublishAsync("Trashed story");
        Assert.True((await site.Articles.Workflow.TrashAsync(site.Admin, trashId, trashVersion)).Succeeded);

        using var reader = site.App.CreateClient();
        var (indexResponse, indexBody) = await GetAsync(reader, "/sitemap.xml");
        Assert.Equal("application/xml", indexResponse.Content.Headers.ContentType!.MediaType);
        var index = XDocument.Load(new MemoryStream(indexBody));
        Assert.Equal(Sitemap + "sitemapindex", index.Root!.Name);
        Assert.Equal([Origin + "/sitemaps/pages.xml", Origin + "/sitemaps/articles-1.xml"],
            index.Root.Elements(Sitemap + "sitemap").Select(s => s.Element(Sitemap + "loc")!.Value));

        var articles = XDocument.Load(new MemoryStream((await GetAsync(reader, "/sitemaps/articles-1.xml")).Body));
        Assert.Equal(Sitemap + "urlset", articles.Root!.Name);
        var urls = articles.Root.Elements(Sitemap + "url").ToList();
        Assert.Equal([Origin + "/news/second-story", Origin + "/news/first-story"], urls.Select(u => u.Element(Sitemap + "loc")!.Value));
        foreach (var lastmod in urls.Select(u => u.Element(Sitemap + "lastmod")!.Value))
        {
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", lastmod);
        }

        var pages = XDocument.Load(new MemoryStream((await GetAsync(reader, "/sitemaps/pages.xml")).Body));
        Assert.Equal([Origin + "/", Origin + "/section/news", Origin + "/tag/harbour", Origin + "/author/ada-admin", Origin + "/author/wendy-writer"],
            pages.Root!.Elements(Sitemap + "url").Select(u => u.Element(Sitemap + "loc")!.Value));
    }

    [Fact]
    public async Task The_news_sitemap_lists_articles_of_the_last_48_hours()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        await using var site = await StartAsync(clock: clock);
        await site.Scope.ServiceProvider.GetRequiredService<SiteSettingsStore>().WriteAsync(new Dictionary<string, string> { [SiteSettingsStore.TitleKey] = "Harbour & Hills" });
        await site.PublishAsync("Old news");
        clock.Advance(TimeSpan.FromHours(49));
        await site.PublishAsync("Fresh <news>");
        await site.DraftAsync("Fresh draft");

        using var reader = site.App.CreateClient();
        var (response, body) = await GetAsync(reader, "/news-sitemap.xml");
        Assert.Equal("application/xml", response.Content.Headers.ContentType!.MediaType);
        var document = XDocument.Load(new MemoryStream(body));
        Assert.Equal(Sitemap + "urlset", document.Root!.Name);
        var url = Assert.Single(document.Root.Elements(Sitemap + "url"));
        Assert.Equal(Origin + "/news/fresh-news", url.Element(Sitemap + "loc")!.Value);
        var news = url.Element(News + "news")!;
        Assert.Equal("Harbour & Hills", news.Element(News + "publication")!.Element(News + "name")!.Value);
        Assert.Equal("en", news.Element(News + "publication")!.Element(News + "language")!.Value);
        Assert.Equal("2026-11-25T10:00:00Z", news.Element(News + "publication_date")!.Value);
        Assert.Equal("Fresh <news>", news.Element(News + "title")!.Value);
    }

    [Fact]
    public async Task Robots_txt_keeps_crawlers_out_of_the_newsroom_and_names_the_sitemaps()
    {
        await using var site = await StartAsync();
        using var reader = site.App.CreateClient();
        var (response, body) = await GetAsync(reader, "/robots.txt");
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        var lines = System.Text.Encoding.UTF8.GetString(body).Split('\n');
        Assert.Contains("User-agent: *", lines);
        Assert.Contains("Allow: /", lines);
        foreach (var path in (string[])["/admin", "/Account", "/api", "/setup"]) Assert.Contains("Disallow: " + path, lines);
        Assert.Contains("Sitemap: https://news.example.test/sitemap.xml", lines);
        Assert.Contains("Sitemap: https://news.example.test/news-sitemap.xml", lines);
    }

    [Fact]
    public async Task Public_pages_link_their_feeds_in_the_head()
    {
        await using var site = await StartAsync();
        var sport = (await site.Taxonomy.CreateSectionAsync(site.Admin, new TaxonomyInput { Name = "Sport" })).Value!;
        var tag = (await site.Taxonomy.CreateTagAsync(site.Admin, new TaxonomyInput { Name = "Cup" })).Value!;
        await site.PublishAsync("Cup final", section: sport.Id, tags: [tag.Id]);
        using var reader = site.App.CreateClient();

        static string Head(string page) => WebUtility.HtmlDecode(page[..page.IndexOf("</head>", StringComparison.Ordinal)]);
        var home = Head(await reader.GetStringAsync("/"));
        Assert.Contains("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"NewsCms (RSS)\" href=\"https://news.example.test/feed.xml\"", home);
        Assert.Contains("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"NewsCms (Atom)\" href=\"https://news.example.test/atom.xml\"", home);
        Assert.Contains("href=\"https://news.example.test/section/sport/feed.xml\"", Head(await reader.GetStringAsync("/section/sport")));
        Assert.Contains("href=\"https://news.example.test/tag/cup/atom.xml\"", Head(await reader.GetStringAsync("/tag/cup")));
        Assert.Contains("href=\"https://news.example.test/author/ada-admin/feed.xml\"", Head(await reader.GetStringAsync("/author/ada-admin")));
    }

    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    /// <summary>As a careful feed reader parses: XmlReader with DTDs prohibited and no resolver (no entity tricks, no fetches).</summary>
    private static XDocument ParseStrictly(byte[] body, string path)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), settings);
            return XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            throw new Xunit.Sdk.XunitException($"{path} is not well-formed XML without a DTD: {ex.Message}");
        }
    }

    /// <summary>The text of <paramref name="name"/> under <paramref name="parent"/>, with a failure naming where it is missing.</summary>
    private static string Required(XElement parent, XName name, string where)
    {
        var value = parent.Element(name)?.Value;
        Assert.False(string.IsNullOrWhiteSpace(value), $"{where}: <{name.LocalName}> is missing or empty");
        return value!;
    }

    private static void AssertRss(XDocument document, string path)
    {
        Assert.Equal("rss", document.Root!.Name.LocalName);
        Assert.Equal("2.0", (string?)document.Root.Attribute("version"));
        var channel = Assert.Single(document.Root.Elements("channel"));
        Required(channel, "title", path);
        Assert.True(Uri.IsWellFormedUriString(Required(channel, "link", path), UriKind.Absolute), $"{path}: the channel link is not absolute");
        Required(channel, "description", path);
        var items = channel.Elements("item").ToList();
        Assert.True(items.Count > 0, $"{path} has no item to check");
        foreach (var item in items)
        {
            var where = $"{path}, item {item.Element("link")?.Value}";
            Assert.True(!string.IsNullOrWhiteSpace(item.Element("title")?.Value) || !string.IsNullOrWhiteSpace(item.Element("description")?.Value),
                $"{where}: neither a title nor a description");
            Assert.True(Uri.IsWellFormedUriString(Required(item, "link", where), UriKind.Absolute), $"{where}: the link is not absolute");
            Required(item, "guid", where);
            var date = Required(item, "pubDate", where);
            // RFC 822 with a four-digit year, as RSS 2.0 asks: "Fri, 04 Dec 2026 19:14:40 Z" or "... +0000".
            Assert.Matches(@"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (Z|GMT|[+-]\d{4})$", date);
        }
    }

    private static void AssertAtom(XDocument document, string path)
    {
        var feed = document.Root!;
        Assert.Equal(Atom + "feed", feed.Name);
        Required(feed, Atom + "id", path);
        Required(feed, Atom + "title", path);
        Assert.True(DateTimeOffset.TryParse(Required(feed, Atom + "updated", path), out _), $"{path}: the feed's updated is not a date");
        var entries = feed.Elements(Atom + "entry").ToList();
        Assert.True(entries.Count > 0, $"{path} has no entry to check");
        foreach (var entry in entries)
        {
            var where = $"{path}, entry {entry.Element(Atom + "id")?.Value}";
            Required(entry, Atom + "id", where);
            Required(entry, Atom + "title", where);
            Assert.True(DateTimeOffset.TryParse(Required(entry, Atom + "updated", where), out _), $"{where}: updated is not a date");
            var link = entry.Elements(Atom + "link").FirstOrDefault(l => (string?)l.Attribute("rel") is null or "alternate");
            Assert.True(Uri.IsWellFormedUriString((string?)link?.Attribute("href"), UriKind.Absolute), $"{where}: no alternate link with an absolute href");
            // RFC 4287: an author in every entry, unless the feed names one for all of them.
            Assert.True(feed.Elements(Atom + "author").Any() || entry.Elements(Atom + "author").Any(), $"{where}: no author, and the feed names none");
        }
    }

    [Fact]
    public async Task Every_feed_and_sitemap_parses_without_a_DTD_and_carries_the_required_elements()
    {
        await using var site = await StartAsync();
        var coast = (await site.Taxonomy.CreateSectionAsync(site.Admin, new TaxonomyInput { Name = "Coast" })).Value!;
        var harbour = (await site.Taxonomy.CreateTagAsync(site.Admin, new TaxonomyInput { Name = "Harbour" })).Value!;
        var writer = (await site.Authors.CreateAsync(site.Admin, new AuthorInput { DisplayName = "Nadia Okafor" })).Value;
        await site.PublishAsync("Harbour wall <rebuilt> & reopened", "Three weeks early.",
            "<h2>How</h2><p><strong>Granite</strong> and <a href=\"/news/storm-damage\">last winter's report</a>.</p><ul><li><p>One</p></li></ul><hr>",
            tags: [harbour.Id], section: coast.Id, bylines: [writer]);
        // No standfirst and no byline: the item still needs its title, and Atom still an author.
        await site.PublishAsync("Storm damage", body: "<p>Capstones lifted.</p>", tags: [harbour.Id], section: coast.Id);

        using var reader = site.App.CreateClient();
        var feeds = new List<string> { FeedPaths.SiteRss, FeedPaths.SiteAtom };
        foreach (var (kind, slug) in (IEnumerable<(string, string)>)[("section", coast.Slug), ("tag", harbour.Slug), ("author", "nadia-okafor")])
        {
            feeds.Add(FeedPaths.Rss(kind, slug));
            feeds.Add(FeedPaths.Atom(kind, slug));
        }
        foreach (var path in feeds)
        {
            var document = ParseStrictly((await GetAsync(reader, path)).Body, path);
            if (path.EndsWith("atom.xml", StringComparison.Ordinal)) AssertAtom(document, path);
            else AssertRss(document, path);
        }

        var index = ParseStrictly((await GetAsync(reader, "/sitemap.xml")).Body, "/sitemap.xml");
        Assert.Equal(Sitemap + "sitemapindex", index.Root!.Name);
        var sitemaps = index.Root.Elements(Sitemap + "sitemap").Select(s => Required(s, Sitemap + "loc", "/sitemap.xml")).ToList();
        Assert.NotEmpty(sitemaps);
        foreach (var location in sitemaps)
        {
            Assert.StartsWith(Origin + "/", location);
            var path = location[Origin.Length..];
            var urlset = ParseStrictly((await GetAsync(reader, path)).Body, path);
            Assert.Equal(Sitemap + "urlset", urlset.Root!.Name);
            var urls = urlset.Root.Elements(Sitemap + "url").ToList();
            Assert.True(urls.Count > 0, $"{path} lists no address");
            foreach (var url in urls) Assert.StartsWith(Origin + "/", Required(url, Sitemap + "loc", path));
        }

        var news = ParseStrictly((await GetAsync(reader, "/news-sitemap.xml")).Body, "/news-sitemap.xml");
        Assert.Equal(Sitemap + "urlset", news.Root!.Name);
        var newsUrls = news.Root.Elements(Sitemap + "url").ToList();
        Assert.Equal(2, newsUrls.Count);
        foreach (var url in newsUrls)
        {
            var where = "/news-sitemap.xml, " + Required(url, Sitemap + "loc", "/news-sitemap.xml");
            var article = url.Element(News + "news");
            Assert.True(article is not null, $"{where}: no news:news");
            var publication = article.Element(News + "publication");
            Assert.True(publication is not null, $"{where}: no news:publication");
            Required(publication, News + "name", where);
            Required(publication, News + "language", where);
            Required(article, News + "publication_date", where);
            Required(article, News + "title", where);
        }
    }
}
