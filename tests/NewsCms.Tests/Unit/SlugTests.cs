using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Unit;

public class SlugTests
{
    [Theory]
    [InlineData("Council approves new budget", "council-approves-new-budget")]
    [InlineData("  Leading and trailing  ", "leading-and-trailing")]
    [InlineData("Crème brûlée: a café's secret", "creme-brulee-a-cafes-secret")]
    [InlineData("Straße in Köln gesperrt", "strasse-in-koln-gesperrt")]
    [InlineData("Łódź and Gdańsk", "lodz-and-gdansk")]
    [InlineData("Ærø Ørsted", "aero-orsted")]
    [InlineData("Rock & Roll", "rock-and-roll")]
    [InlineData("Don't stop — believin'!", "dont-stop-believin")]
    [InlineData("COVID-19: 2,000 new cases", "covid-19-2-000-new-cases")]
    [InlineData("a---b___c", "a-b-c")]
    [InlineData("ﬁnance ﬁgures", "finance-figures")]
    [InlineData("Ⅻ", "xii")]
    public void Headlines_become_readable_ascii_slugs(string headline, string slug) => Assert.Equal(slug, Slugs.From(headline));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("!!! ??? ...")]
    [InlineData("北京")]
    [InlineData(null)]
    public void Text_with_nothing_usable_gives_an_empty_slug(string? headline) => Assert.Equal("", Slugs.From(headline));

    [Fact]
    public void Long_headlines_are_cut_at_a_word_boundary_within_the_limit()
    {
        var slug = Slugs.From(string.Join(' ', Enumerable.Repeat("newsroom", 30)));
        Assert.True(slug.Length <= Slugs.MaxLength);
        Assert.EndsWith("newsroom", slug);
        Assert.False(slug.EndsWith('-'));
        var unbroken = Slugs.From(new string('x', 200));
        Assert.Equal(Slugs.MaxLength, unbroken.Length);
    }

    [Fact]
    public void Collisions_get_a_numeric_suffix_that_still_fits()
    {
        Assert.Equal("budget-2", Slugs.WithSuffix("budget", 2));
        var longSlug = new string('a', Slugs.MaxLength);
        var suffixed = Slugs.WithSuffix(longSlug, 12);
        Assert.Equal(Slugs.MaxLength, suffixed.Length);
        Assert.EndsWith("-12", suffixed);
    }

    [Theory]
    [InlineData("good-slug", true)]
    [InlineData("Bad-Slug", false)]
    [InlineData("double--hyphen", false)]
    [InlineData("-leading", false)]
    [InlineData("trailing-", false)]
    [InlineData("spa ce", false)]
    [InlineData("", false)]
    public void Typed_slugs_must_already_be_canonical(string slug, bool valid) => Assert.Equal(valid, Slugs.IsValid(slug));
}
