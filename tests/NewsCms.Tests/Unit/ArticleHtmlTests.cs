using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Unit;

/// <summary>The HTML policy against a corpus of cross-site scripting vectors, and against ordinary formatting.</summary>
public class ArticleHtmlTests
{
    public static readonly string[] XssVectors =
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.test/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<script/xss src=//evil.test></script>",
        "<<script>alert(1);//<</script>",
        "<img src=x onerror=alert(1)>",
        "<img src=\"javascript:alert(1)\">",
        "<IMG SRC=JaVaScRiPt:alert(1)>",
        "<img src=`javascript:alert(1)`>",
        "<img \"\"\"><script>alert(1)</script>\">",
        "<body onload=alert(1)>",
        "<p onclick=\"alert(1)\">click</p>",
        "<p onmouseover=alert(1)>hover</p>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"JAVASCRIPT:alert(1)\">x</a>",
        "<a href=\"  javascript:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
        "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<a href=\"java\0script:alert(1)\">x</a>",
        "<a href=\"#\" onfocus=alert(1) autofocus>x</a>",
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text x=20 y=20>x</text></a></svg>",
        "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<embed src=\"javascript:alert(1)\">",
        "<form action=\"javascript:alert(1)\"><input type=submit></form>",
        "<button formaction=\"javascript:alert(1)\">x</button>",
        "<input onfocus=alert(1) autofocus>",
        "<select onfocus=alert(1) autofocus>",
        "<textarea onfocus=alert(1) autofocus>",
        "<details open ontoggle=alert(1)>",
        "<video><source onerror=alert(1)></video>",
        "<audio src=x onerror=alert(1)>",
        "<marquee onstart=alert(1)>x</marquee>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<link rel=stylesheet href=\"javascript:alert(1)\">",
        "<base href=\"javascript:alert(1)//\">",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<p style=\"background:url(javascript:alert(1))\">x</p>",
        "<p style=\"width:expression(alert(1))\">x</p>",
        "<div style=\"behavior:url(xss.htc)\">x</div>",
        "<p style=\"-moz-binding:url(//evil.test/xss.xml#xss)\">x</p>",
        "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
        "<div/onmouseover='alert(1)'>x</div>",
        "<a href=x onmouseover=alert(1)//>x</a>",
        "<p title=\"</p><script>alert(1)</script>\">x</p>",
        "<!--<img src=x onerror=alert(1)>-->",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<template><script>alert(1)</script></template>",
        "<xmp><script>alert(1)</script></xmp>",
        "<isindex action=javascript:alert(1) type=submit>",
        "<aside class=\"see-also\" data-article-id=\"1\" onclick=\"alert(1)\"><a href=\"javascript:alert(1)\">x</a></aside>",
        "<span data-article-id=\"x\" onpointerenter=alert(1)>x</span>",
        "<a href=\"https://ok.test\" target=\"javascript:alert(1)\">x</a>",
        "<blockquote cite=\"javascript:alert(1)\">x</blockquote>",
        "<h2 id=\"x\" onanimationstart=alert(1) style=\"animation-name:x\">x</h2>",
        "<ul><li onclick=alert(1)>x</li></ul>",
        "\"><script>alert(1)</script>",
        "<img src=1 onerror=\"&#97;&#108;&#101;&#114;&#116;(1)\">",
    ];

    private static readonly string[] ForbiddenElements =
        ["script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "button", "select", "textarea", "img",
         "video", "audio", "meta", "link", "base", "template", "details", "marquee", "table", "noscript", "xmp", "isindex", "body"];

    [Fact]
    public void The_corpus_has_at_least_sixty_vectors() => Assert.True(XssVectors.Length >= 60, $"{XssVectors.Length} vectors");

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
        Assert.Equal("<p><a href=\"https://example.org/\" rel=\"noopener noreferrer\">x</a></p>",
            ArticleHtml.Sanitize("<p><a href=\"https://example.org/\">x</a></p>"));
        Assert.Equal("<p><a href=\"https://example.org/\" target=\"_blank\" rel=\"noopener noreferrer\">x</a></p>",
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
