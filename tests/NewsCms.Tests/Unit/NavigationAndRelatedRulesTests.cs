using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Tests.Unit;

public class NavigationAndRelatedRulesTests
{
    private static SiteSettingsSnapshot WithNavigation(params NavigationEntry[] entries) =>
        new("Site", "", "", "en", "UTC", "Site", [], Navigation: entries);

    private static readonly NavigationSection[] Sections = [new(1, "World", "world"), new(2, "Sport", "sport"), new(3, "Arts", "arts")];

    [Fact]
    public void Without_saved_navigation_the_sections_are_the_navigation_in_their_order()
    {
        var items = WithNavigation().ComposeNavigation(Sections);
        Assert.Equal(["/section/world", "/section/sport", "/section/arts"], items.Select(i => i.Href));
    }

    [Fact]
    public void Custom_links_keep_their_place_and_sections_fill_the_section_slots_in_order()
    {
        var items = WithNavigation(new NavigationEntry(), new NavigationEntry("About", "/about"), new NavigationEntry()).ComposeNavigation(Sections);
        Assert.Equal(["World", "About", "Sport", "Arts"], items.Select(i => i.Label));
        Assert.Null(items[1].Section);
        Assert.Equal(2, items[2].Section!.Id);
    }

    [Fact]
    public void Slots_left_over_by_a_hidden_section_are_skipped()
    {
        var items = WithNavigation(new NavigationEntry(), new NavigationEntry(), new NavigationEntry("Shop", "https://shop.example.org/"))
            .ComposeNavigation([Sections[0]]);
        Assert.Equal(["World", "Shop"], items.Select(i => i.Label));
    }

    [Theory]
    [InlineData("/about", "/about")]
    [InlineData("/about?x=1#team", "/about?x=1#team")]
    [InlineData("https://shop.example.org", "https://shop.example.org/")]
    [InlineData("//evil.example", null)]
    [InlineData("/\\evil.example", null)]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("about", null)]
    [InlineData("", null)]
    public void Navigation_addresses_are_web_addresses_or_paths_on_the_site(string address, string? stored)
    {
        Assert.Equal(stored, SiteSettingsService.NavigationHref(address));
    }

    [Fact]
    public void Related_ranking_blends_tags_and_text_and_breaks_ties_by_newest()
    {
        var tags = new Dictionary<int, double> { [10] = 2.0, [11] = 1.0 };
        var text = new Dictionary<int, double> { [11] = 8.0, [12] = 4.0, [13] = 4.0 };
        var ranked = RelatedArticles.Rank(tags, text, new HashSet<int>()).ToList();
        // 11: .55·.5 + .45·1 = .725; 10: .55; 12 and 13: .225 each, the newer (higher id) first.
        Assert.Equal([11, 10, 13, 12], ranked);
    }

    [Fact]
    public void The_same_section_tips_the_balance_between_equals()
    {
        var text = new Dictionary<int, double> { [1] = 5.0, [2] = 5.0 };
        Assert.Equal([1, 2], RelatedArticles.Rank(new Dictionary<int, double>(), text, new HashSet<int> { 1 }));
    }

    [Fact]
    public void The_similarity_query_quotes_distinctive_words_and_drops_common_ones()
    {
        Assert.Equal("\"harbour\" OR \"ferry\" OR \"strike\"", RelatedArticles.MatchExpression("The harbour ferry STRIKE: what they said about it"));
        Assert.Null(RelatedArticles.MatchExpression("it is a \" OR * () :"));
        Assert.Equal("\"near\"", RelatedArticles.MatchExpression("near near"));
    }
}
