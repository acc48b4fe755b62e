using System.Diagnostics;
using System.Net;
using NewsCms.BrowserTests.Validation;
using NewsCms.Tests.Infrastructure;

namespace NewsCms.BrowserTests;

/// <summary>
/// Every public page type, fetched as an anonymous reader over the app's real HTTP pipeline, saved to files and checked
/// by the Nu HTML Checker in one run (with the public stylesheet, checked as CSS): no errors allowed; warnings are
/// listed in the test output.
/// </summary>
public sealed class HtmlValidationTests
{
    private static IEnumerable<(string Name, string Url, HttpStatusCode Status)> Pages(ValidationContent content) =>
    [
        ("home", "/", HttpStatusCode.OK),
        ("home-page-2", "/?page=2", HttpStatusCode.OK),
        ("article-every-block", $"/news/{content.Article}", HttpStatusCode.OK),
        ("section", $"/section/{content.Section}", HttpStatusCode.OK),
        ("tag", $"/tag/{content.Tag}", HttpStatusCode.OK),
        ("author", $"/author/{content.Author}", HttpStatusCode.OK),
        ("search-results", $"/search?q={Uri.EscapeDataString(content.SearchWord)}", HttpStatusCode.OK),
        ("search-no-results", "/search?q=zebra%20crossing", HttpStatusCode.OK),
        ("search-empty", "/search", HttpStatusCode.OK),
        ("not-found-page", "/no-such-page", HttpStatusCode.NotFound),
        ("not-found-article", "/news/no-such-story", HttpStatusCode.NotFound),
        ("gone-article", $"/news/{content.Trashed}", HttpStatusCode.Gone),
        ("page", $"/{content.Page}", HttpStatusCode.OK),
        ("corrections", "/corrections", HttpStatusCode.OK),
        ("gone-page", $"/{content.TrashedPage}", HttpStatusCode.Gone),
        ("sign-in", "/Account/Login", HttpStatusCode.OK),
        // The public pages' stylesheet (static, unfingerprinted address): checked as CSS in the same run.
        ("site-stylesheet", "/css/site.css", HttpStatusCode.OK),
    ];

    /// <summary>The markup each editor block becomes on the article page: if the editor or the HTML policy changes, this says so.</summary>
    private static readonly string[] EveryBlock =
    [
        "<h2>", "<h3>", "<strong>", "<em>", "<u>", "<br>", "target=\"_blank\" rel=\"noopener noreferrer\"", "<ul>", "<ol start=\"2\">",
        "<li><p>", "<blockquote>", "<hr>", "<img src=\"/media/", "class=\"see-also\"", "<figure class=\"article__figure\">", "<figcaption>",
        "class=\"article__credit\"", "<figure class=\"embed embed--video\" data-provider=\"youtube\"", ">Load content from YouTube</button>",
    ];

    private static void AssertEveryBlock(string article)
    {
        var missing = EveryBlock.Where(markup => !article.Contains(markup, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "The article that should show every editor block lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Every_public_page_type_is_valid_HTML()
    {
        var output = TestContext.Current.TestOutputHelper!;
        var ct = TestContext.Current.CancellationToken;
        // Before anything slow: without Java this test fails at once, naming the package to install.
        NuHtmlChecker.FindJava();

        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateClient();
        var content = await ValidationContent.CreateAsync(app);
        // The home and article pages with their "Most read" block.
        await TestReadership.ReadEverythingAsync(app);

        // Kept when the checker finds errors, for a look at the markup; removed otherwise.
        var folder = Directory.CreateTempSubdirectory("newscms-html-");
        var keep = false;
        try
        {
            var files = new List<string>();
            var wrongStatus = new List<string>();
            foreach (var (name, url, status) in Pages(content))
            {
                using var response = await client.GetAsync(url, ct);
                if (response.StatusCode != status) wrongStatus.Add($"{url} answered {(int)response.StatusCode}, expected {(int)status}");
                var extension = response.Content.Headers.ContentType?.MediaType switch
                {
                    "text/html" => ".html",
                    "text/css" => ".css",
                    var other => throw new InvalidOperationException($"{url} answered {other}, which is neither HTML nor CSS."),
                };
                var body = await response.Content.ReadAsByteArrayAsync(ct);
                var text = System.Text.Encoding.UTF8.GetString(body);
                // Each page shows the state it stands for.
                if (name == "article-every-block") AssertEveryBlock(text);
                if (name is "home" or "article-every-block") Assert.Contains("id=\"most-read-heading\"", text);
                if (name == "search-results") Assert.Contains("class=\"search-result\"", text);
                if (name == "search-no-results") Assert.Contains("data-testid=\"no-results\"", text);
                var file = Path.Combine(folder.FullName, name + extension);
                await File.WriteAllBytesAsync(file, body, ct);
                files.Add(file);
            }
            Assert.True(wrongStatus.Count == 0, string.Join("\n", wrongStatus));

            var timer = Stopwatch.StartNew();
            var messages = await NuHtmlChecker.CheckAsync(files, ct);
            var errors = messages.Where(m => m.IsError).ToList();
            var warnings = messages.Where(m => m.Type == "warning").ToList();
            var summary = $"Nu HTML Checker: {files.Count(f => f.EndsWith(".html", StringComparison.Ordinal))} pages and the stylesheet in "
                + $"{timer.Elapsed.TotalSeconds:0.0} s, {errors.Count} errors, {warnings.Count} warnings.";
            output.WriteLine(summary);
            TestContext.Current.SendDiagnosticMessage(summary);
            var urls = files.Zip(Pages(content)).ToDictionary(p => Path.GetFileName(p.First), p => p.Second.Url);
            foreach (var warning in warnings)
            {
                output.WriteLine($"warning: {warning.Describe(urls.GetValueOrDefault(warning.File))}");
                TestContext.Current.SendDiagnosticMessage($"Nu HTML Checker warning: {warning.Describe(urls.GetValueOrDefault(warning.File))}");
            }

            if (errors.Count > 0)
            {
                keep = true;
                Assert.Fail($"The Nu HTML Checker found {errors.Count} errors (pages kept in {folder.FullName}):\n"
                    + string.Join("\n", errors.Select(e => e.Describe(urls.GetValueOrDefault(e.File)))));
            }
        }
        finally
        {
            if (!keep) folder.Delete(recursive: true);
        }
    }
}
