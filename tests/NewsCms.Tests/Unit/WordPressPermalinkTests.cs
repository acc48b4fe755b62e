using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.WordPress;

namespace NewsCms.Tests.Unit;

/// <summary>WxrPermalinks: the old site's permalink structure and every old address of its posts, pages, terms and feeds.</summary>
public class WordPressPermalinkTests
{
    private static async Task<(WxrPermalinks Links, List<WxrEntry> Entries)> ReadAsync(string fixture)
    {
        await using var stream = WordPressFixtures.Open(fixture);
        var entries = new List<WxrEntry>();
        await foreach (var entry in WxrReader.ReadAsync(stream, TestContext.Current.CancellationToken)) entries.Add(entry);
        var links = new WxrPermalinks((WxrSite)entries[0]);
        foreach (var entry in entries) links.Observe(entry);
        return (links, entries);
    }

    private static WxrItem Post(int id, string link, string slug, string type = "post", string status = "publish", params WxrItemTerm[] terms) =>
        new(id, type, status, "T", link, "", slug, "admin", "", "", new DateTime(2024, 3, 4, 8, 0, 0, DateTimeKind.Utc), null, 0, 0, false, "", terms, new Dictionary<string, string>(), 0);

    private static WxrPermalinks Site(string baseUrl, params WxrEntry[] entries)
    {
        var links = new WxrPermalinks(new WxrSite("S", baseUrl, baseUrl, baseUrl, "en", "1.2"));
        foreach (var entry in entries) links.Observe(entry);
        return links;
    }

    [Fact]
    public async Task The_fixture_site_uses_day_and_name_permalinks()
    {
        var (links, _) = await ReadAsync("site.xml");
        Assert.Equal("/%year%/%monthnum%/%day%/%postname%/", links.Structure);
        Assert.Equal("", links.BasePath);
    }

    [Fact]
    public async Task A_post_answers_at_its_link_and_at_its_id()
    {
        var (links, entries) = await ReadAsync("site.xml");
        var items = entries.OfType<WxrItem>().ToDictionary(i => i.Id);

        Assert.Equal(["/2024/03/04/harbour-reopens-after-the-storm", "/?p=21"], links.OldPaths(items[21]));
        Assert.Equal(["/2024/03/06/東京の選挙", "/?p=23"], links.OldPaths(items[23]));
        Assert.Equal(["/2024/03/13/zoes-café-reopens", "/?p=34"], links.OldPaths(items[34]));
    }

    [Fact]
    public async Task A_post_that_was_never_public_has_only_its_id_address()
    {
        var (links, entries) = await ReadAsync("site.xml");
        var draft = entries.OfType<WxrItem>().Single(i => i.Id == 31);
        Assert.Equal(["/?p=31"], links.OldPaths(draft));
    }

    [Fact]
    public async Task A_page_answers_at_its_link_and_at_its_page_id()
    {
        var (links, entries) = await ReadAsync("site.xml");
        var about = entries.OfType<WxrItem>().Single(i => i.Id == 40);
        Assert.Equal(["/about-us", "/?page_id=40"], links.OldPaths(about));
    }

    [Fact]
    public async Task Categories_answer_at_their_full_path_and_their_own_slug_tags_and_authors_at_theirs()
    {
        var (links, _) = await ReadAsync("site.xml");

        Assert.Equal(["/category/news"], links.CategoryPaths("news"));
        Assert.Equal(["/category/news/local", "/category/local"], links.CategoryPaths("local"));
        Assert.Equal(["/category/culture/café-culture", "/category/café-culture"], links.CategoryPaths("café-culture"));
        Assert.Equal(["/tag/東京"], links.TagPaths("東京"));
        Assert.Equal(["/author/editor"], links.AuthorPaths("editor"));
        Assert.Equal(["/author/john-doe"], links.AuthorPaths("John.Doe"));
    }

    [Fact]
    public async Task Feeds_of_the_site_and_of_each_category_and_tag()
    {
        var (links, _) = await ReadAsync("site.xml");

        Assert.Contains("/feed", links.SiteFeedPaths());
        Assert.Contains("/feed/rss2", links.SiteFeedPaths());
        Assert.Contains("/feed/atom", links.SiteFeedPaths());
        Assert.Contains("/?feed=rss2", links.SiteFeedPaths());
        Assert.Equal(["/category/news/local/feed", "/category/local/feed"], links.CategoryFeedPaths("local"));
        Assert.Equal(["/tag/elections/feed"], links.TagFeedPaths("elections"));
    }

    [Fact]
    public async Task A_site_under_a_folder_keeps_it_in_every_path()
    {
        var (links, entries) = await ReadAsync("wxr-1.0.xml");
        var post = entries.OfType<WxrItem>().Single();

        Assert.Equal("/blog", links.BasePath);
        Assert.Equal("/archives/%post_id%", links.Structure);
        Assert.Equal(["/blog/archives/7", "/blog/?p=7"], links.OldPaths(post));
        Assert.Equal(["/blog/category/actualités"], links.CategoryPaths("actualités"));
        Assert.Contains("/blog/feed", links.SiteFeedPaths());
    }

    [Theory]
    [InlineData("https://s.example/my-story/", "/%postname%/")]
    [InlineData("https://s.example/2024/03/my-story/", "/%year%/%monthnum%/%postname%/")]
    [InlineData("https://s.example/2024/my-story", "/%year%/%postname%")]
    [InlineData("https://s.example/news/my-story/", "/%category%/%postname%/")]
    [InlineData("https://s.example/news/local/my-story/", "/%category%/%postname%/")]
    [InlineData("https://s.example/archives/12", "/archives/%post_id%")]
    [InlineData("https://s.example/index.php/2024/03/04/my-story/", "/index.php/%year%/%monthnum%/%day%/%postname%/")]
    [InlineData("https://s.example/stories/12/my-story/", "/stories/%post_id%/%postname%/")]
    [InlineData("https://s.example/?p=12", "")]
    public void The_structure_is_read_from_the_links(string link, string expected)
    {
        var links = Site("https://s.example",
            new WxrTerm(1, "category", "news", "News", "", ""), new WxrTerm(2, "category", "local", "Local", "news", ""),
            Post(12, link, "my-story", terms: new WxrItemTerm("category", "local", "Local")));
        Assert.Equal(expected, links.Structure);
    }

    [Fact]
    public void The_structure_most_posts_use_wins()
    {
        var links = Site("https://s.example",
            Post(1, "https://s.example/2024/03/04/a/", "a"), Post(2, "https://s.example/2024/03/05/b/", "b"),
            Post(3, "https://s.example/c/", "c"), Post(4, "https://s.example/about/", "about", type: "page"));
        Assert.Equal("/%year%/%monthnum%/%day%/%postname%/", links.Structure);
    }

    [Theory]
    [InlineData("https://oldnews.example/2024/03/04/harbour/", "/2024/03/04/harbour")]
    [InlineData("http://www.oldnews.example/2024/03/04/harbour", "/2024/03/04/harbour")]
    [InlineData("//oldnews.example/%E6%9D%B1%E4%BA%AC/", "/東京")]
    [InlineData("/about-us/#team", "/about-us")]
    [InlineData("https://oldnews.example/?p=23", "/?p=23")]
    [InlineData("https://oldnews.example/?page_id=40&preview=true", "/?page_id=40")]
    [InlineData("https://oldnews.example/", "/")]
    [InlineData("https://elsewhere.example/2024/03/04/harbour/", null)]
    [InlineData("mailto:desk@oldnews.example", null)]
    [InlineData("#top", null)]
    public void A_link_in_a_body_gives_the_old_path_it_points_at(string href, string? expected)
    {
        var links = Site("https://oldnews.example");
        Assert.Equal(expected, links.PathOf(href));
    }

    [Theory]
    [InlineData("https://oldnews.example/?p=23", 23)]
    [InlineData("/?page_id=40", 40)]
    [InlineData("https://oldnews.example/blog/?p=5", null)]
    [InlineData("https://oldnews.example/2024/03/04/harbour/", null)]
    public void A_link_by_id_gives_the_id(string href, int? expected) =>
        Assert.Equal(expected, Site("https://oldnews.example").IdOf(href));
}
