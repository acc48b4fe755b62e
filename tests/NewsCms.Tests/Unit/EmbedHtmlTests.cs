using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Embeds;

namespace NewsCms.Tests.Unit;

/// <summary>The embed block in the one HTML policy, and its public click-to-load placeholder.</summary>
public class EmbedHtmlTests
{
    private const string Url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=42";
    private const string Stored = $"<figure class=\"embed\" data-provider=\"youtube\"><a href=\"{Url}\">{Url}</a></figure>";

    [Fact]
    public void The_editors_embed_is_kept_byte_for_byte()
    {
        Assert.Equal(Stored, ArticleHtml.Sanitize(Stored));
        Assert.Equal(Stored, ArticleHtml.EmbedHtml(EmbedProviders.Recognize("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42")!));
        Assert.Equal("<p>Before</p>" + Stored + "<p>After</p>", ArticleHtml.Sanitize("<p>Before</p>" + Stored + "<p>After</p>"));
    }

    [Fact]
    public void The_provider_is_the_one_the_URL_says_not_the_one_the_markup_claims()
    {
        var clean = ArticleHtml.Sanitize("<figure class=\"embed\" data-provider=\"vimeo\"><a href=\"https://youtu.be/dQw4w9WgXcQ\">my video</a></figure>");
        Assert.Equal("<figure class=\"embed\" data-provider=\"youtube\"><a href=\"https://youtu.be/dQw4w9WgXcQ\">https://youtu.be/dQw4w9WgXcQ</a></figure>", clean);
    }

    public static TheoryData<string, string> Hostile() => new()
    {
        // javascript: link: refused, only text is left
        { "<figure class=\"embed\" data-provider=\"youtube\"><a href=\"javascript:alert(1)\">https://youtu.be/dQw4w9WgXcQ</a></figure>", "<p>https://youtu.be/dQw4w9WgXcQ</p>" },
        { "<figure class=\"embed\" data-provider=\"youtube\"><a href=\"java&#115;cript:alert(1)//https://youtu.be/dQw4w9WgXcQ\">x</a></figure>", "<p>x</p>" },
        // unknown provider: a plain link in a paragraph
        { "<figure class=\"embed\" data-provider=\"youtube\"><a href=\"https://evil.example/watch?v=dQw4w9WgXcQ\">https://evil.example/watch?v=dQw4w9WgXcQ</a></figure>",
          "<p><a rel=\"noopener noreferrer\" href=\"https://evil.example/watch?v=dQw4w9WgXcQ\">https://evil.example/watch?v=dQw4w9WgXcQ</a></p>" },
        { "<figure class=\"embed\" data-provider=\"evil\"><a href=\"https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ\">x</a></figure>",
          "<p><a rel=\"noopener noreferrer\" href=\"https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ\">https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ</a></p>" },
        // no link at all
        { "<figure class=\"embed\" data-provider=\"youtube\"></figure>", "" },
        // attributes and elements smuggled onto or into a good embed are dropped: the figure is rebuilt from its link
        { $"<figure class=\"embed wide\" data-provider=\"youtube\" data-embed-src=\"javascript:alert(1)\" style=\"x\" onclick=\"alert(1)\" id=\"x\" title=\"t\"><a href=\"{Url}\" target=\"_blank\" onclick=\"alert(1)\" data-provider=\"x\">x</a><iframe src=\"https://evil.example\"></iframe><script>alert(1)</script><img src=\"/media/0123456789abcdef01234567/a.jpg\" alt=\"a\"><p>extra</p></figure>", Stored },
        { $"<figure class=\"embed\" data-provider=\"youtube\" srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"><a href=\"{Url}\">{Url}</a></figure>", Stored },
        // the embed's class and provider attribute belong to the figure only
        { "<p class=\"embed\" data-provider=\"youtube\">x</p>", "<p>x</p>" },
        { "<aside class=\"see-also embed\" data-article-id=\"3\" data-provider=\"youtube\"><span class=\"see-also__label\">See also:</span> <a href=\"/news/x\">X</a></aside>",
          "<aside class=\"see-also\" data-article-id=\"3\"><span class=\"see-also__label\">See also:</span> <a href=\"/news/x\">X</a></aside>" },
        // a figure that is not an embed is unwrapped, its content kept (as before figures were allowed)
        { "<figure class=\"wp-block-image\"><p>Text</p></figure>", "<p>Text</p>" },
        { "<figure data-provider=\"youtube\"><a href=\"https://youtu.be/dQw4w9WgXcQ\">x</a></figure>", "<a rel=\"noopener noreferrer\" href=\"https://youtu.be/dQw4w9WgXcQ\">x</a>" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_variants_are_refused(string html, string expected) => Assert.Equal(expected, ArticleHtml.Sanitize(html));

    [Fact]
    public void A_refused_embed_is_reported()
    {
        var report = ArticleHtml.SanitizeWithReport("<figure class=\"embed\"><a href=\"https://evil.example/v\">x</a></figure>");
        Assert.Contains("an embed from evil.example was removed (not a supported provider)", report.Removed);
    }

    [Fact]
    public void The_embed_counts_as_its_link_in_plain_text_and_words()
    {
        var text = ArticleHtml.ToPlainText("<p>One two</p>" + Stored);
        Assert.Equal("One two\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42", text);
        Assert.Equal(3, ArticleHtml.CountWords(text));
    }

    [Fact]
    public void Readers_get_a_placeholder_that_requests_nothing_from_the_provider()
    {
        var html = EmbedPlaceholders.Render("<p>Intro</p>" + Stored);
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument("<body>" + html + "</body>");
        var figure = Assert.Single(document.QuerySelectorAll("figure.embed"));
        Assert.Equal("youtube", figure.GetAttribute("data-provider"));
        Assert.Equal("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", figure.GetAttribute("data-embed-src"));
        Assert.Equal(EmbedPlaceholders.Sandbox, figure.GetAttribute("data-embed-sandbox"));
        Assert.Equal("YouTube", figure.QuerySelector(".embed__provider")!.TextContent);
        Assert.Equal("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42", figure.QuerySelector(".embed__link a")!.GetAttribute("href"));
        var button = figure.QuerySelector("button.embed__load")!;
        Assert.Equal("Load content from YouTube", button.TextContent);
        Assert.True(button.HasAttribute("hidden"), "without JavaScript the placeholder is a plain link: the button shows only with the script");
        // Nothing that loads by itself: no iframe, image, script or source anywhere.
        Assert.Empty(document.QuerySelectorAll("iframe, img, script, object, embed, video, audio, source, link"));
        Assert.Empty(document.QuerySelectorAll("[src], [srcset], [srcdoc], [style]"));
    }

    [Fact]
    public void A_body_without_embeds_is_returned_as_it_is() =>
        Assert.Equal("<p>x</p>", EmbedPlaceholders.Render("<p>x</p>"));
}
