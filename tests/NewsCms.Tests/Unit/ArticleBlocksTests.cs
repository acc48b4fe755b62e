using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;

namespace NewsCms.Tests.Unit;

/// <summary>
/// The editor's blocks (table, gallery, pull quote, fact box, key points) through the one HTML policy, hostile variants
/// of each, and how readers get them (table scroll region, gallery of pictures, the "Key points" heading).
/// </summary>
public sealed class ArticleBlocksTests
{
    private const string Key = "0123456789abcdef01234567";
    private const string Key2 = "fedcba9876543210fedcba98";

    /// <summary>Exactly what the editor's getHTML() writes for each block: it must pass the policy byte for byte.</summary>
    public static TheoryData<string, string> EditorBlocks() => new()
    {
        { "table", "<table><tbody><tr><th><p>Team</p></th><th><p>Points</p></th></tr><tr><td><p><strong>Rovers</strong></p></td><td><p><a href=\"/news/x\">12</a></p></td></tr></tbody></table>" },
        { "table with spans", "<table><tbody><tr><th colspan=\"2\"><p>Budget</p></th></tr><tr><td rowspan=\"2\"><p>a</p></td><td><p>b</p></td></tr><tr><td><p>c</p></td></tr></tbody></table>" },
        { "gallery", $"<div class=\"gallery\"><img src=\"/media/{Key}/640.webp\" alt=\"The pier\" width=\"640\" height=\"411\" loading=\"lazy\"><img src=\"/media/{Key2}/640.webp\" alt=\"The harbour\" width=\"640\" height=\"427\" loading=\"lazy\"></div>" },
        { "pull quote", "<aside class=\"pull-quote\"><p>“We will rebuild the pier,” the mayor said.</p></aside>" },
        { "fact box", "<aside class=\"fact-box\"><h2 class=\"fact-box__title\">What we know so far</h2><p>The storm hit at 4 am.</p><ul><li><p>No one was hurt.</p></li></ul><ol><li><p>First</p></li></ol></aside>" },
        { "key points", "<aside class=\"key-points\"><ul><li><p>The pier is closed.</p></li><li><p>Repairs start in May.</p></li></ul></aside>" },
    };

    [Theory]
    [MemberData(nameof(EditorBlocks))]
    public void What_the_editor_writes_for_each_block_passes_unchanged(string block, string html) =>
        Assert.True(html == ArticleHtml.Sanitize(html), $"{block}: {ArticleHtml.Sanitize(html)}");

    public static TheoryData<string, string, string> HostileVariants() => new()
    {
        { "script in a table cell", "<table><tbody><tr><td><p>a<script>alert(1)</script></p></td></tr></tbody></table>", "<table><tbody><tr><td><p>a</p></td></tr></tbody></table>" },
        { "event handler and style on a table", "<table onmouseover=\"x()\" style=\"width:9999px\" background=\"javascript:alert(1)\" border=\"1\"><tbody><tr><td onclick=\"x()\" style=\"color:red\" width=\"9\"><p>a</p></td></tr></tbody></table>", "<table><tbody><tr><td><p>a</p></td></tr></tbody></table>" },
        { "colgroup and thead", "<table><colgroup><col style=\"width:10px\"></colgroup><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>", "<table><tbody><tr><th>h</th></tr><tr><td>d</td></tr></tbody></table>" },
        { "spans that are not whole numbers", "<table><tbody><tr><td colspan=\"2;x\" rowspan=\"-1\">a</td><td colspan=\"1\" rowspan=\"99999\">b</td></tr></tbody></table>", "<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>" },
        { "a table inside a table", "<table><tbody><tr><td><table><tbody><tr><td>inner</td></tr></tbody></table></td></tr></tbody></table>", "<table><tbody><tr><td>inner</td></tr></tbody></table>" },
        { "an image or heading in a cell", $"<table><tbody><tr><td><h2>big</h2><img src=\"/media/{Key}/640.webp\" alt=\"x\"></td></tr></tbody></table>", "<table><tbody><tr><td>big</td></tr></tbody></table>" },
        { "a gallery image from elsewhere", $"<div class=\"gallery\"><img src=\"https://tracker.example/p.gif\" alt=\"x\"><img src=\"/media/{Key}/640.webp\" alt=\"The pier\" width=\"640\" height=\"411\"></div>", $"<div class=\"gallery\"><img src=\"/media/{Key}/640.webp\" alt=\"The pier\" width=\"640\" height=\"411\" loading=\"lazy\"></div>" },
        { "a gallery with only outside images", "<div class=\"gallery\"><img src=\"javascript:alert(1)\" alt=\"x\"><img src=\"//evil.example/x.png\" alt=\"y\"></div>", "" },
        { "a gallery with other content", $"<div class=\"gallery\"><p>text</p><img src=\"/media/{Key}/640.webp\" alt=\"x\"></div>", $"<p>text</p><img src=\"/media/{Key}/640.webp\" alt=\"x\" loading=\"lazy\">" },
        { "a div that is no gallery", "<div class=\"gallery2\" onclick=\"x()\"><p>text</p></div>", "<p>text</p>" },
        { "an unknown class beside a block's", "<aside class=\"pull-quote ad-slot\" style=\"color:red\"><p>q</p></aside>", "<aside class=\"pull-quote\"><p>q</p></aside>" },
        { "an unknown class", "<aside class=\"sponsored\"><p>q</p></aside>", "<aside><p>q</p></aside>" },
        { "a block class on another element", "<p class=\"pull-quote\">a</p><h2 class=\"fact-box__title\">t</h2><span class=\"gallery\">s</span>", "<p>a</p><h2>t</h2><span>s</span>" },
        { "a fact box without its title", "<aside class=\"fact-box\"><p>no title</p></aside>", "<aside><p>no title</p></aside>" },
        { "a fact box holding an image", $"<aside class=\"fact-box\"><h2 class=\"fact-box__title\">T</h2><img src=\"/media/{Key}/640.webp\" alt=\"x\"></aside>", $"<aside><h2>T</h2><img src=\"/media/{Key}/640.webp\" alt=\"x\" loading=\"lazy\"></aside>" },
        { "key points that are not a list", "<aside class=\"key-points\"><p>one</p></aside>", "<aside><p>one</p></aside>" },
        { "a block inside a block", "<aside class=\"fact-box\"><h2 class=\"fact-box__title\">T</h2><ul><li><aside class=\"pull-quote\"><p>q</p></aside></li></ul></aside>", "<aside class=\"fact-box\"><h2 class=\"fact-box__title\">T</h2><ul><li><aside><p>q</p></aside></li></ul></aside>" },
    };

    [Theory]
    [MemberData(nameof(HostileVariants))]
    public void Hostile_variants_are_refused(string variant, string html, string expected) =>
        Assert.True(expected == ArticleHtml.Sanitize(html), $"{variant}: {ArticleHtml.Sanitize(html)}");

    [Fact]
    public void No_corpus_vector_wrapped_in_a_block_survives()
    {
        foreach (var vector in NewsCms.Tests.Infrastructure.XssCorpus.Vectors)
        {
            foreach (var wrapped in new[]
            {
                $"<table><tbody><tr><td>{vector}</td></tr></tbody></table>",
                $"<div class=\"gallery\">{vector}</div>",
                $"<aside class=\"fact-box\"><h2 class=\"fact-box__title\">{vector}</h2><p>{vector}</p></aside>",
                $"<aside class=\"pull-quote\"><p>{vector}</p></aside>",
                $"<aside class=\"key-points\"><ul><li>{vector}</li></ul></aside>",
            })
            {
                var clean = ArticleHtml.Sanitize(wrapped);
                var body = new HtmlParser().ParseDocument("<body>" + clean + "</body>").Body!;
                foreach (var element in body.Descendants<IElement>())
                {
                    Assert.DoesNotContain(element.LocalName, new[] { "script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "video" });
                    Assert.DoesNotContain(element.Attributes, a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase) || a.Name is "style" or "srcdoc" or "background");
                    if (element.LocalName == "img") Assert.StartsWith("/media/", element.GetAttribute("src"));
                }
                // Stable: what the policy keeps, it keeps as it is.
                Assert.Equal(clean, ArticleHtml.Sanitize(clean));
            }
        }
    }

    [Fact]
    public void Gallery_images_without_alt_text_hold_publishing_back_like_body_images()
    {
        var body = ArticleHtml.Sanitize($"<div class=\"gallery\"><img src=\"/media/{Key}/640.webp\" alt=\" \"><img src=\"/media/{Key2}/640.webp\" alt=\"ok\"></div>");
        Assert.Equal(1, ArticleHtml.CountImagesWithoutAlt(body));
    }

    [Fact]
    public void Table_cells_and_block_text_are_separate_words_in_the_plain_text()
    {
        var text = ArticleHtml.ToPlainText(ArticleHtml.Sanitize(
            "<table><tbody><tr><th><p>Team</p></th><th><p>Points</p></th></tr></tbody></table><aside class=\"fact-box\"><h2 class=\"fact-box__title\">Facts</h2><p>One</p></aside>"));
        Assert.Equal("Team\nPoints\nFacts\nOne", text);
        Assert.Equal(4, ArticleHtml.CountWords(text));
    }

    // ----- For readers ---------------------------------------------------------------------------------------

    private static MediaImage Image(string key, string alt, string caption, string credit) => new(7, key, "pier.jpg", "jpeg", 1400, 900, 123_456, [320, 640],
        alt, caption, credit, DateTime.UtcNow, "user-1", "Jane Doe", "jpeg");

    [Fact]
    public void A_table_scrolls_inside_a_focusable_region()
    {
        var body = ArticleHtml.Sanitize("<p>a</p><table><tbody><tr><th><p>h</p></th></tr></tbody></table>");
        Assert.Equal("<p>a</p><div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Table\"><table><tbody><tr><th><p>h</p></th></tr></tbody></table></div>",
            ArticleBlocks.ForReaders(body, []));
    }

    [Fact]
    public void Key_points_get_their_visible_heading()
    {
        var body = ArticleHtml.Sanitize("<aside class=\"key-points\"><ul><li><p>One</p></li></ul></aside>");
        Assert.Equal("<aside class=\"key-points\"><h2 class=\"key-points__title\">Key points</h2><ul><li><p>One</p></li></ul></aside>", ArticleBlocks.ForReaders(body, []));
    }

    [Fact]
    public void A_gallery_is_a_grid_of_pictures_with_the_librarys_caption_and_credit()
    {
        var body = ArticleHtml.Sanitize($"<div class=\"gallery\"><img src=\"/media/{Key}/640.webp\" alt=\"The pier at dawn\" width=\"640\" height=\"411\"><img src=\"/media/{Key2}/640.webp\" alt=\"Harbour\" width=\"640\" height=\"411\"></div>");
        var html = ArticleBlocks.ForReaders(body, [Image(Key, "library alt", "Waves <b>broke</b>.", "Jane Doe"), Image(Key2, "x", "", "")]);
        var gallery = new HtmlParser().ParseDocument("<body>" + html + "</body>").QuerySelector("div.gallery")!;

        var figures = gallery.QuerySelectorAll("figure.gallery__item").ToList();
        Assert.Equal(2, figures.Count);
        var first = figures[0];
        Assert.NotNull(first.QuerySelector("picture > source[type='image/webp'][srcset]"));
        var img = first.QuerySelector("picture > img")!;
        Assert.Equal("The pier at dawn", img.GetAttribute("alt")); // the writer's alt text for this story, not the library's
        Assert.Equal("lazy", img.GetAttribute("loading"));
        Assert.NotNull(img.GetAttribute("width"));
        Assert.NotNull(img.GetAttribute("height"));
        Assert.Equal("Waves <b>broke</b>. Photo: Jane Doe", first.QuerySelector("figcaption")!.TextContent);
        Assert.Equal("Photo: Jane Doe", first.QuerySelector("figcaption .article__credit")!.TextContent);
        Assert.Null(figures[1].QuerySelector("figcaption"));
        // Not captioned a second time by the body-image captions.
        Assert.Equal(html, BodyImages.WithCaptions(html, [Image(Key, "library alt", "Waves.", "Jane Doe")]));
    }

    [Fact]
    public void A_gallery_image_missing_from_the_library_stays_a_plain_image()
    {
        var body = ArticleHtml.Sanitize($"<div class=\"gallery\"><img src=\"/media/{Key}/640.webp\" alt=\"Pier\" width=\"640\" height=\"411\"></div>");
        var html = ArticleBlocks.ForReaders(body, []);
        Assert.Contains($"<figure class=\"gallery__item\"><img src=\"/media/{Key}/640.webp\" alt=\"Pier\" width=\"640\" height=\"411\" loading=\"lazy\"></figure>", html);
    }

    [Fact]
    public void A_body_without_blocks_is_returned_as_it_is() =>
        Assert.Equal("<p>x</p>", ArticleBlocks.ForReaders("<p>x</p>", []));
}
