using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Unit;

/// <summary>
/// The note mark's place in the one HTML policy: kept only in the newsroom's annotated copy, never in the body readers
/// get, and never a way in for script (through the mark's attributes or what it wraps).
/// </summary>
public class EditorialNoteHtmlTests
{
    private const string Marked = "<p>The council <span data-note=\"n-1\" class=\"editorial-note\">voted 7–2</span> on Monday.</p>";

    [Fact]
    public void The_annotated_copy_keeps_the_mark_and_the_public_body_has_only_its_text()
    {
        var body = ArticleHtml.SanitizeAnnotated(Marked);
        Assert.Equal(Marked, body.Annotated);
        Assert.Equal("<p>The council voted 7–2 on Monday.</p>", body.Html);
        Assert.Equal(body.Html, ArticleHtml.Sanitize(body.Annotated));
    }

    [Fact]
    public void The_public_policy_unwraps_marks_whoever_sends_them() =>
        Assert.Equal("<p>The council voted 7–2 on Monday.</p>", ArticleHtml.Sanitize(Marked));

    [Fact]
    public void A_body_without_marks_has_no_annotated_copy()
    {
        var body = ArticleHtml.SanitizeAnnotated("<p>No notes <span>here</span>.</p>");
        Assert.Null(body.Annotated);
        Assert.Equal(ArticleHtml.Sanitize("<p>No notes <span>here</span>.</p>"), body.Html);
    }

    [Fact]
    public void Nested_marks_and_marks_inside_formatting_survive_in_the_annotated_copy_only()
    {
        const string html = "<p><strong><span data-note=\"a\" class=\"editorial-note\">x <span data-note=\"b\" class=\"editorial-note\">y</span></span></strong> z</p>";
        var body = ArticleHtml.SanitizeAnnotated(html);
        Assert.Equal(html, body.Annotated);
        Assert.Equal("<p><strong>x y</strong> z</p>", body.Html);
        Assert.Equal(["a", "b"], ArticleHtml.NoteAnchors(body.Annotated));
    }

    [Theory]
    [InlineData("<p><span data-note='x\" onmouseover=\"alert(1)' class=\"editorial-note\">t</span></p>")]
    [InlineData("<p><span data-note=\"javascript:alert(1)\" class=\"editorial-note\">t</span></p>")]
    [InlineData("<p><span data-note=\"&lt;script&gt;alert(1)&lt;/script&gt;\">t</span></p>")]
    [InlineData("<p><span data-note=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">t</span></p>")]
    public void A_malformed_anchor_is_no_mark(string html)
    {
        var body = ArticleHtml.SanitizeAnnotated(html);
        Assert.Null(body.Annotated);
        Assert.DoesNotContain("data-note", body.Html);
        Assert.DoesNotContain("editorial-note", body.Html);
        Assert.DoesNotContain("onmouseover", body.Html);
    }

    [Theory]
    [InlineData("<p data-note=\"n1\">t</p>", "<p>t</p>")]
    [InlineData("<p><a href=\"/x\" data-note=\"n1\">t</a></p>", "<p><a href=\"/x\">t</a></p>")]
    [InlineData("<p><span class=\"editorial-note\">t</span></p>", "<p><span>t</span></p>")]
    [InlineData("<p><span data-note=\"n1\" class=\"see-also editorial-note evil\" onclick=\"alert(1)\" style=\"color:red\">t</span></p>",
        "<p><span data-note=\"n1\" class=\"editorial-note\">t</span></p>")]
    [InlineData("<p><span data-note=\"n1\"><script>alert(1)</script><img src=x onerror=alert(1)>t</span></p>",
        "<p><span data-note=\"n1\" class=\"editorial-note\">t</span></p>")]
    public void Only_a_span_with_a_well_formed_anchor_is_a_mark_and_it_carries_nothing_else(string html, string annotated)
    {
        var body = ArticleHtml.SanitizeAnnotated(html);
        Assert.Equal(annotated, body.Annotated ?? body.Html);
        Assert.DoesNotContain("data-note", body.Html);
    }

    public static TheoryData<string> Vectors() => new(XssCorpus.Vectors);

    /// <summary>Without marks, the annotated policy gives exactly the public body (SanitizeAnnotated relies on it).</summary>
    [Theory]
    [MemberData(nameof(Vectors))]
    [InlineData("<p>Plain <strong>bold</strong> <span class=\"x\">span</span> <a href=\"https://example.org\" target=\"_blank\">link</a></p>")]
    [InlineData("<aside class=\"see-also\" data-article-id=\"42\"><span class=\"see-also__label\">See also:</span> <a href=\"/news/x\">X</a></aside>")]
    public void Without_marks_both_policies_agree(string html) => Assert.Equal(ArticleHtml.Sanitize(html), ArticleHtml.SanitizeAnnotated(html).Html);

    /// <summary>The corpus, each vector also wrapped in a mark: the annotated copy is as safe as the public body.</summary>
    [Theory]
    [MemberData(nameof(Vectors))]
    public void No_vector_survives_in_the_annotated_copy(string vector)
    {
        foreach (var html in new[] { vector, $"<p><span data-note=\"n1\">{vector}</span></p>", $"<span data-note=\"{vector}\">t</span>" })
        {
            var body = ArticleHtml.SanitizeAnnotated(html);
            foreach (var clean in new[] { body.Html, body.Annotated ?? "" })
            {
                var document = new HtmlParser().ParseDocument("<body>" + clean + "</body>");
                foreach (var element in document.Body!.Descendants<IElement>())
                {
                    Assert.DoesNotContain(element.LocalName, new[] { "script", "style", "iframe", "object", "embed", "svg", "math", "form", "template" });
                    foreach (var attribute in element.Attributes)
                    {
                        Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"event handler {attribute.Name} in {clean}");
                        if (attribute.Name == "data-note") Assert.True(element.LocalName == "span" && ArticleHtml.IsAnchorId(attribute.Value), clean);
                    }
                }
            }
            Assert.DoesNotContain("data-note", body.Html);
        }
    }
}
