using NewsCms.Web.Features.Authors;

namespace NewsCms.Tests.Unit;

public class AuthorTextTests
{
    [Fact]
    public void Bios_are_kept_as_plain_text_whatever_is_pasted()
    {
        Assert.Equal("Bold reporter", BioText.Clean("<script>alert(1)</script><b>Bold</b> reporter"));
        Assert.Equal("One\n\nTwo", BioText.Clean("One\r\n\r\n\r\n\r\nTwo"));
        Assert.Equal("", BioText.Clean("   "));
        Assert.Equal("Tom & Jerry < cats", BioText.Clean("Tom & Jerry < cats"));
    }

    [Fact]
    public void Bios_render_encoded_with_their_web_addresses_as_safe_links()
    {
        Assert.Equal("<p>Tom &amp; Jerry &lt;script&gt;</p>", BioText.ToHtml("Tom & Jerry <script>"));
        Assert.Equal("<p>See <a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"noopener noreferrer\">https://example.org/a?b=1&amp;c=2</a>.</p>",
            BioText.ToHtml("See https://example.org/a?b=1&c=2."));
        Assert.Equal("<p>First</p><p>Second<br>line</p>", BioText.ToHtml("First\n\nSecond\nline"));
        Assert.DoesNotContain("javascript:", BioText.ToHtml("javascript:alert(1)").Replace("<p>javascript:alert(1)</p>", ""));
        // A quote ends the address: what follows stays text, never an attribute.
        Assert.Equal("<p><a href=\"https://a.example/\" rel=\"noopener noreferrer\">https://a.example/</a>&quot;onmouseover=alert(1)</p>",
            BioText.ToHtml("https://a.example/\"onmouseover=alert(1)"));
    }

    [Theory]
    [InlineData("@newsdesk", "X", "https://x.com/", "https://x.com/newsdesk")]
    [InlineData("https://x.com/newsdesk", "X", "https://x.com/", "https://x.com/newsdesk")]
    [InlineData("example.org", "Website", null, "https://example.org/")]
    [InlineData("http://example.org/me", "Website", null, "http://example.org/me")]
    public void Social_links_accept_handles_and_addresses(string value, string label, string? handleBase, string expected)
    {
        Assert.Null(SocialLinks.Normalize(value, label, handleBase, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("ftp://example.org", null)]
    [InlineData("not a url", null)]
    [InlineData("bad handle!", "https://x.com/")]
    public void Social_links_refuse_anything_else(string value, string? handleBase) =>
        Assert.NotNull(SocialLinks.Normalize(value, "Link", handleBase, out _));
}
