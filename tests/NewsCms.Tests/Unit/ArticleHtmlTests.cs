using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using NewsCms.Web.Features.Articles;

using NewsCms.Tests.Infrastructure;

namespace NewsCms.Tests.Unit;

/// <summary>The HTML policy against a corpus of cross-site scripting vectors, and against ordinary formatting.</summary>
public class ArticleHtmlTests
{
    /// <summary>The shared corpus: the same vectors the browser test saves in every field and renders.</summary>
    public static string[] XssVectors => XssCorpus.Vectors;

    private static readonly string[] ForbiddenElements =
        ["script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "button", "select", "textarea", "img",
         "video", "audio", "meta", "link", "base", "template", "details", "marquee", "noscript", "xmp", "isindex", "body"];

    [Fact]
    public void The_corpus_has_at_least_a_hundred_vectors() => Assert.True(XssVectors.Length >= 100, $"{XssVectors.Length} vectors");

    public static TheoryData<string> Vectors() => new(XssVectors);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void No_vector_survives(string vector)
    {
        var clean = ArticleHtml.Sanitize(vector);
        var document = new HtmlParser().ParseDocument("<body>" + clean + "</body>");
        foreach (var element in document.Body!.Descendants<IElement>())
        {
            Assert.DoesNotContain(element.LocalName, ForbiddenElements);
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"event handler {attribute.Name} in {clean}");
                Assert.NotEqual("style", attribute.Name);
                Assert.NotEqual("srcdoc", attribute.Name);
                if (attribute.Name is "href")
                {
                    var value = new string(attribute.Value.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray()).ToLowerInvariant();
                    Assert.False(value.StartsWith("javascript:") || value.StartsWith("vbscript:") || value.StartsWith("data:"), $"dangerous href in {clean}");
                }
                if (attribute.Name is "target") Assert.Equal("_blank", attribute.Value);
            }
        }
        Assert.DoesNotContain("<script", clean, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("<p>Plain <strong>bold</strong>, <em>italic</em>, <u>underlined</u> and <s>struck</s>.</p>")]
    [InlineData("<h2>Section</h2><h3>Subsection</h3>")]
    [InlineData("<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>")]
    [InlineData("<blockquote><p>“A quote,” she said.</p></blockquote>")]
    [InlineData("<p>Before</p><hr><p>After</p>")]
    [InlineData("<p>Line<br>break</p>")]
    [InlineData("<p><a href=\"/news/other-story\">internal link</a></p>")]
    [InlineData("<p><a href=\"mailto:desk@news.test\">mail the desk</a></p>")]
    [InlineData("<aside class=\"see-also\" data-article-id=\"42\"><span class=\"see-also__label\">See also:</span> <a href=\"/news/other-story\">Other story</a></aside>")]
    public void Ordinary_formatting_survives_unchanged(string html) => Assert.Equal(html, ArticleHtml.Sanitize(html));

    /// <summary>
    /// What the newsroom editor (TipTap) serializes for each block it makes, exactly as its getHTML() returns it. A stored
    /// body in this form loads into the editor and serializes back byte for byte, so it must also pass the sanitizer
    /// unchanged: otherwise every save rewrites the body and the next load differs from what was saved.
    /// </summary>
    public static TheoryData<string, string> EditorBlocks() => new()
    {
        { "paragraphs", "<p>First paragraph.</p><p>Second paragraph.</p>" },
        { "headings", "<h2>Heading two</h2><h3>Heading three</h3>" },
        { "marks", "<p>Plain <strong>bold</strong> <em>italic</em> <u>underlined</u> <strong><em><u>all three</u></em></strong></p>" },
        // The editor writes <a href> for a link it makes; the sanitizer adds rel (see below), and a stored link loads back as this.
        { "external link", "<p><a rel=\"noopener noreferrer\" href=\"https://example.org/a\">external</a></p>" },
        { "external link in a new tab", "<p><a target=\"_blank\" rel=\"noopener noreferrer\" href=\"https://example.org/b\">new tab</a></p>" },
        { "local link", "<p><a href=\"/news/other-story\">local</a></p>" },
        { "local link in a new tab", "<p><a target=\"_blank\" rel=\"noopener noreferrer\" href=\"/news/other-story\">local, new tab</a></p>" },
        { "mail link", "<p><a href=\"mailto:desk@news.test\">mail the desk</a></p>" },
        { "bulleted list", "<ul><li><p>one</p></li><li><p>two</p><ul><li><p>nested</p></li></ul></li></ul>" },
        { "numbered list", "<ol><li><p>first</p></li><li><p>second</p></li></ol><ol start=\"3\"><li><p>third</p></li></ol>" },
        { "quote", "<blockquote><p>“A quote,” she said.</p></blockquote>" },
        { "horizontal rule", "<p>Before</p><hr><p>After</p>" },
        { "line break", "<p>Line<br>break</p>" },
        { "body image", "<img loading=\"lazy\" src=\"/media/1/a-960.webp\" alt=\"A harbour at dawn\" width=\"960\" height=\"640\">" },
        { "see also", "<aside class=\"see-also\" data-article-id=\"5\"><span class=\"see-also__label\">See also:</span> <a href=\"/news/other\">Other story here</a></aside>" },
    };

    [Theory]
    [MemberData(nameof(EditorBlocks))]
    public void What_the_editor_serializes_passes_the_sanitizer_byte_for_byte(string block, string html) =>
        Assert.True(html == ArticleHtml.Sanitize(html), $"{block}: {ArticleHtml.Sanitize(html)}");

    [Fact]
    public void Only_media_library_images_survive_and_missing_alt_text_is_counted()
    {
        Assert.Equal("<img src=\"/media/abc123/640.webp\" alt=\"A harbour\" width=\"640\" height=\"427\" loading=\"lazy\">",
            ArticleHtml.Sanitize("<img src=\"/media/abc123/640.webp\" alt=\" A harbour \" width=\"640\" height=\"427\" onload=\"x()\">"));
        Assert.Equal("", ArticleHtml.Sanitize("<img src=\"https://tracker.example/pixel.gif\" alt=\"x\">"));
        Assert.Equal("", ArticleHtml.Sanitize("<img src=\"/media/../../etc/passwd\" alt=\"x\">"));
        Assert.Equal("<p>x</p>", ArticleHtml.Sanitize("<p src=\"/media/a\" alt=\"y\">x</p>"));
        Assert.Equal(2, ArticleHtml.CountImagesWithoutAlt(ArticleHtml.Sanitize("<img src=\"/media/a/1.webp\"><img src=\"/media/b/1.webp\" alt=\"\"><img src=\"/media/c/1.webp\" alt=\"ok\">")));
    }

    [Fact]
    public void External_and_new_tab_links_never_pass_the_opener()
    {
        Assert.Equal("<p><a rel=\"noopener noreferrer\" href=\"https://example.org/\">x</a></p>",
            ArticleHtml.Sanitize("<p><a href=\"https://example.org/\">x</a></p>"));
        Assert.Equal("<p><a target=\"_blank\" rel=\"noopener noreferrer\" href=\"https://example.org/\">x</a></p>",
            ArticleHtml.Sanitize("<p><a href=\"https://example.org/\" target=\"_blank\" rel=\"opener\">x</a></p>"));
        Assert.Equal("<p><a href=\"/news/x\">x</a></p>", ArticleHtml.Sanitize("<p><a href=\"/news/x\" rel=\"opener\" target=\"_top\">x</a></p>"));
    }

    [Fact]
    public void Classes_other_than_the_editors_blocks_are_dropped()
    {
        Assert.Equal("<p>x</p>", ArticleHtml.Sanitize("<p class=\"MsoNormal evil\">x</p>"));
        Assert.Equal("<aside>x</aside>", ArticleHtml.Sanitize("<aside class=\"ad\" data-article-id=\"3\">x</aside>"));
    }

    [Fact]
    public void Plain_text_words_and_reading_time_come_from_the_body()
    {
        var text = ArticleHtml.ToPlainText("<h2>Title here</h2><p>One two <strong>three</strong>.</p><ul><li>four</li><li>five</li></ul>");
        Assert.Equal("Title here\nOne two three.\nfour\nfive", text);
        Assert.Equal(7, ArticleHtml.CountWords(text));
        Assert.Equal(0, ArticleHtml.ReadingMinutes(0));
        Assert.Equal(1, ArticleHtml.ReadingMinutes(7));
        Assert.Equal(4, ArticleHtml.ReadingMinutes(800));
    }
}
