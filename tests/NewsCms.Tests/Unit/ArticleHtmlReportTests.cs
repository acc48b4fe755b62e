using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Unit;

/// <summary>ArticleHtml.SanitizeWithReport: the same policy as Sanitize, and what it removed in words.</summary>
public class ArticleHtmlReportTests
{
    [Theory]
    [InlineData("<p>x</p><script>alert(1)</script>", "a script was removed")]
    [InlineData("<iframe src=\"https://widgets.example.com/results\"></iframe>", "an <iframe> from widgets.example.com was removed")]
    [InlineData("<iframe srcdoc=\"<b>x</b>\"></iframe>", "an <iframe> was removed")]
    [InlineData("<p onclick=\"alert(1)\">x</p>", "an onclick attribute was removed")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>", "a javascript: link was removed")]
    [InlineData("<img src=\"https://cdn.example.org/a.jpg\" alt=\"\">", "an image from cdn.example.org was removed")]
    [InlineData("<form action=\"/x\"><p>x</p></form>", "a <form> was removed")]
    [InlineData("<video src=\"/a.mp4\"></video>", "a <video> was removed")]
    public void A_removal_is_reported_in_words(string html, string expected)
    {
        var (clean, removed) = ArticleHtml.SanitizeWithReport(html);

        Assert.Equal(ArticleHtml.Sanitize(html), clean);
        Assert.Contains(expected, removed);
    }

    [Fact]
    public void Repeated_removals_are_counted_once()
    {
        var (_, removed) = ArticleHtml.SanitizeWithReport("<script>a</script><p>x</p><script>b</script><script>c</script>");
        Assert.Equal(["a script was removed (3 times)"], removed);
    }

    [Theory]
    [InlineData("<div class=\"wp-block-group\"><p class=\"has-text-color\" style=\"color:red\" id=\"x\">Text</p></div>")]
    [InlineData("<figure><span>caption</span></figure>")]
    [InlineData("<p>Plain <strong>bold</strong></p>")]
    public void Wrappers_classes_and_styles_are_dropped_quietly(string html)
    {
        var (clean, removed) = ArticleHtml.SanitizeWithReport(html);
        Assert.Empty(removed);
        Assert.NotEmpty(clean);
    }

    [Fact]
    public void Every_vector_of_the_corpus_gives_the_same_html_as_Sanitize_and_a_report()
    {
        foreach (var vector in XssCorpus.Vectors)
        {
            var (clean, _) = ArticleHtml.SanitizeWithReport(vector);
            Assert.Equal(ArticleHtml.Sanitize(vector), clean);
        }
        Assert.Contains(XssCorpus.Vectors, v => ArticleHtml.SanitizeWithReport(v).Removed.Count > 0);
    }

    [Fact]
    public async Task Reports_of_calls_on_other_threads_do_not_mix()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() =>
            i % 2 == 0 ? ArticleHtml.SanitizeWithReport("<script>x</script><p>a</p>") : ArticleHtml.SanitizeWithReport("<p onclick=\"x\">b</p>"))));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? "a script was removed" : "an onclick attribute was removed", Assert.Single(results[i].Removed));
        }
    }
}
