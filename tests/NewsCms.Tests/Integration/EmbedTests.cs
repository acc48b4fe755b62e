using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Embeds;

namespace NewsCms.Tests.Integration;

/// <summary>An article with embeds, read as a reader, a feed reader and an API client would.</summary>
public class EmbedTests
{
    private const string YouTube = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
    private const string Spotify = "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk";

    private static string Body =>
        "<p>The storm, as seen from the harbour.</p>" +
        $"<figure class=\"embed\" data-provider=\"youtube\"><a href=\"{YouTube}\">{YouTube}</a></figure>" +
        "<p>The harbourmaster spoke to the podcast.</p>" +
        $"<figure class=\"embed\" data-provider=\"spotify\"><a href=\"{Spotify}\">{Spotify}</a></figure>";

    private static async Task<(int Id, string Slug)> PublishAsync(NewsCmsAppFactory app, string headline, string body)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var articles = scope.ServiceProvider.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = body }, null, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
        Assert.True(published.Succeeded, published.Error);
        return (saved.Id, saved.Slug);
    }

    private static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ') + 1)..]);

    [Fact]
    public async Task The_article_page_shows_click_to_load_placeholders_and_nothing_that_loads_from_a_provider()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, slug) = await PublishAsync(app, "Storm reaches the coast", Body);
        var (_, plainSlug) = await PublishAsync(app, "No embeds here", "<p>Plain.</p>");
        using var client = app.CreateClient();

        var response = await client.GetAsync(ArticleUrls.ForSlug(slug));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("Load content from YouTube", html);
        Assert.Contains("Load content from Spotify", html);
        Assert.Contains($"<a href=\"{YouTube}\" rel=\"noopener noreferrer\">{YouTube}</a>", html);
        Assert.Contains("data-embed-src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\"", html);
        Assert.Contains("data-embed-src=\"https://open.spotify.com/embed/episode/4rOoJ6Egrf8K2IrywzwOMk\"", html);
        Assert.DoesNotContain("<iframe", html);
        // Everything the page loads by itself comes from this site: no third-party src, srcset or stylesheet.
        foreach (Match source in Regex.Matches(html, "\\s(?:src|srcset)=\"(?<url>[^\"]*)\""))
        {
            Assert.False(source.Groups["url"].Value.Contains("//", StringComparison.Ordinal), $"the page loads {source.Groups["url"].Value}");
        }
        foreach (Match link in Regex.Matches(html, "<link [^>]*href=\"(?<url>[^\"]*)\"[^>]*>"))
        {
            if (link.Value.Contains("rel=\"stylesheet\"") || link.Value.Contains("rel=\"preload\"") || link.Value.Contains("rel=\"modulepreload\""))
                Assert.DoesNotContain("//", link.Groups["url"].Value);
        }
        // The static script, deferred; no inline script.
        var script = Regex.Match(html, "<script src=\"/?(?<src>js/embeds[^\"]*\\.js)\" defer></script>");
        Assert.True(script.Success, "the page loads /js/embeds.js: " + string.Join(" ", Regex.Matches(html, "<script[^>]*>").Select(m => m.Value)));
        foreach (Match tag in Regex.Matches(html, "<script(?<attributes>[^>]*)>", RegexOptions.Singleline))
        {
            Assert.True(tag.Groups["attributes"].Value.Contains("src=") || tag.Groups["attributes"].Value.Contains("application/ld+json"), tag.Value);
        }
        var js = await client.GetAsync("/" + script.Groups["src"].Value);
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.Contains("javascript", js.Content.Headers.ContentType!.MediaType);

        // The CSP allows exactly the providers' players in frames, and still no inline script.
        var csp = Directives(response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(EmbedProviders.FrameSources, csp["frame-src"]);
        Assert.Equal(
            ["https://www.youtube-nocookie.com", "https://player.vimeo.com", "https://platform.twitter.com", "https://www.instagram.com",
             "https://www.facebook.com", "https://www.tiktok.com", "https://embed.bsky.app",
             .. EmbedProviders.MastodonServers.Select(h => "https://" + h),
             "https://open.spotify.com", "https://w.soundcloud.com", "https://www.google.com", "https://datawrapper.dwcdn.net", "https://flo.uri.sh"],
            csp["frame-src"].Split(' '));
        Assert.Equal("'self'", csp["script-src"]);

        // A page without embeds does not load the script.
        var plain = await client.GetStringAsync(ArticleUrls.ForSlug(plainSlug));
        Assert.DoesNotContain("js/embeds", plain);
    }

    [Fact]
    public async Task Feeds_and_the_content_API_carry_the_link()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, slug) = await PublishAsync(app, "Storm reaches the coast", Body);
        using var client = app.CreateClient(new() { HandleCookies = false });

        var stored = $"<figure class=\"embed\" data-provider=\"youtube\"><a href=\"{YouTube}\">{YouTube}</a></figure>";
        foreach (var feed in new[] { NewsCms.Web.Features.Feeds.FeedPaths.SiteRss, NewsCms.Web.Features.Feeds.FeedPaths.SiteAtom })
        {
            var xml = await client.GetStringAsync(feed);
            var item = System.Xml.Linq.XDocument.Parse(xml).Descendants().Single(e => e.Value.Contains("The storm, as seen", StringComparison.Ordinal) && !e.HasElements);
            Assert.Contains(stored, item.Value);
            Assert.Contains(Spotify, item.Value);
            Assert.DoesNotContain("Load content from", item.Value);
            Assert.DoesNotContain("iframe", item.Value);
        }

        var (key, _) = await ContentApiKeys.CreateAsync(app.Services);
        var post = JsonNode.Parse(await client.GetStringAsync($"/ghost/api/content/posts/slug/{slug}/?key={key}"))!["posts"]![0]!;
        Assert.Contains(stored, (string)post["html"]!);
        Assert.DoesNotContain("Load content from", (string)post["html"]!);
    }

    [Fact]
    public async Task A_hostile_embed_saved_through_the_service_is_stored_without_its_payload()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, slug) = await PublishAsync(app, "Hostile",
            "<figure class=\"embed\" data-provider=\"youtube\" data-embed-src=\"javascript:alert(1)\" onclick=\"alert(1)\"><a href=\"javascript:alert(1)\">x</a></figure>" +
            "<figure class=\"embed\" data-provider=\"youtube\"><a href=\"https://evil.example/watch?v=dQw4w9WgXcQ\">https://evil.example/watch?v=dQw4w9WgXcQ</a></figure>");
        using var client = app.CreateClient();
        var html = await client.GetStringAsync(ArticleUrls.ForSlug(slug));
        Assert.DoesNotContain("javascript:", html);
        Assert.DoesNotContain("data-embed-src", html);
        Assert.DoesNotContain("Load content from", html);
        Assert.Contains("<a rel=\"noopener noreferrer\" href=\"https://evil.example/watch?v=dQw4w9WgXcQ\">", html);
    }
}
