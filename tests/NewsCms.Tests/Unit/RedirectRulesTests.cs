using NewsCms.Web.Features.Redirects;

namespace NewsCms.Tests.Unit;

/// <summary>How old addresses are compared, and the one-hop rule for chains and loops.</summary>
public class RedirectRulesTests
{
    [Theory]
    [InlineData("/old-page", "/old-page")]
    [InlineData("/Old-Page/", "/old-page")]
    [InlineData("  /old-page//  ", "/old-page")]
    [InlineData("/", "/")]
    [InlineData("/2020/01/02/caf%C3%A9/", "/2020/01/02/café")]
    [InlineData("/2020/01/02/CAFÉ", "/2020/01/02/café")]
    [InlineData("/2020/01/02/cafe\u0301", "/2020/01/02/café")] // decomposed é: the same address
    [InlineData("/tag/%E6%97%A5%E6%9C%AC/", "/tag/日本")]
    [InlineData("/?p=123", "/?p=123")]
    [InlineData("/?P=123&utm_source=x", "/?p=123")]
    [InlineData("/?utm_source=x&page_id=7", "/?page_id=7")]
    [InlineData("/?cat=Local%20News", "/?cat=local news")]
    [InlineData("/?feed=rss2", "/?feed=rss2")]
    [InlineData("/?s=search", "/")]
    [InlineData("/page?p=1", "/page")]
    [InlineData("/story#comments", "/story")]
    public void Old_addresses_are_decoded_lower_case_without_trailing_slash_and_keep_wordpress_query_forms(string input, string expected) =>
        Assert.Equal(expected, RedirectPaths.Normalize(input));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("old-page")]
    [InlineData("//evil.example/x")]
    [InlineData("/\\evil.example")]
    [InlineData("https://example.org/x")]
    [InlineData("/a%0Ab")]
    public void Anything_but_a_site_path_is_not_an_old_address(string input) => Assert.Null(RedirectPaths.Normalize(input));

    [Fact]
    public void A_request_is_matched_by_its_query_form_on_the_home_page_then_by_its_path()
    {
        Assert.Equal(("/?p=42", "/"), RedirectPaths.ForRequest("/", "?p=42&x=1"));
        Assert.Equal(((string?)null, "/"), RedirectPaths.ForRequest("/", "?s=ferry"));
        Assert.Equal(((string?)null, "/2020/01/02/café"), RedirectPaths.ForRequest("/2020/01/02/caf%C3%A9/", ""));
        Assert.Equal(((string?)null, "/news/story"), RedirectPaths.ForRequest("/news/story", "?p=42"));
    }

    [Fact]
    public void Locations_are_ascii_with_unicode_percent_encoded()
    {
        Assert.Equal("/news/story?x=1", RedirectPaths.ForLocation("/news/story?x=1"));
        Assert.Equal("/tag/caf%C3%A9", RedirectPaths.ForLocation("/tag/café"));
        Assert.Equal("/tag/%F0%9F%93%B0", RedirectPaths.ForLocation("/tag/📰"));
    }

    private static readonly Dictionary<string, RedirectTarget> Existing = new()
    {
        ["/b"] = RedirectTarget.ToPath("/c"),
        ["/gone"] = RedirectTarget.Gone,
        ["/to-article"] = new RedirectTarget(RedirectTargetKind.Article, 5, null),
        ["/x"] = RedirectTarget.ToPath("/a"),
    };

    private static (RedirectTarget? Target, string? Error) Collapse(string source, RedirectTarget target) =>
        RedirectChains.Collapse(source, target, key => Existing.GetValueOrDefault(key));

    [Fact]
    public void A_target_that_redirects_is_replaced_by_its_final_target()
    {
        Assert.Equal(RedirectTarget.ToPath("/c"), Collapse("/a", RedirectTarget.ToPath("/b/")).Target);
        Assert.Equal(RedirectTarget.Gone, Collapse("/a", RedirectTarget.ToPath("/gone")).Target);
        Assert.Equal(new RedirectTarget(RedirectTargetKind.Article, 5, null), Collapse("/a", RedirectTarget.ToPath("/To-Article")).Target);
        Assert.Equal(RedirectTarget.ToPath("/elsewhere"), Collapse("/a", RedirectTarget.ToPath("/elsewhere")).Target);
        Assert.Equal(RedirectTarget.ToPath("https://example.org/b"), Collapse("/a", RedirectTarget.ToPath("https://example.org/b")).Target);
    }

    [Fact]
    public void A_target_that_is_the_source_or_leads_back_to_it_is_refused()
    {
        Assert.Equal("The new address is the same as the old one.", Collapse("/a", RedirectTarget.ToPath("/A/")).Error);
        var loop = Collapse("/a", RedirectTarget.ToPath("/x"));
        Assert.Null(loop.Target);
        Assert.Equal("That would make a loop: /x already redirects back to /a.", loop.Error);
    }
}
