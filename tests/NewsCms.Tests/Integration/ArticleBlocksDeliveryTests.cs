using System.Text.Json.Nodes;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;

namespace NewsCms.Tests.Integration;

/// <summary>
/// The editor's blocks from the save to every place a story goes: stored as the policy keeps them, on the article page
/// with their reader markup, and in the feeds and the Content API as stored (no reader markup added there).
/// </summary>
public sealed class ArticleBlocksDeliveryTests
{
    [Fact]
    public async Task Tables_galleries_and_boxes_reach_the_article_page_the_feed_and_the_Content_API()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var media = services.GetRequiredService<MediaLibrary>();
        var images = new List<MediaImage>();
        foreach (var (name, caption) in new[] { ("pier.jpg", "The pier at dawn."), ("quay.jpg", "The quay at noon.") })
        {
            var uploaded = (await media.UploadAsync(admin, new MemoryStream(TestImages.Jpeg(800, 600)), name, -1)).Value!;
            images.Add((await media.UpdateDetailsAsync(admin, uploaded.Id, new MediaDetailsInput { AltText = name, Caption = caption, Credit = "Jo Lens" })).Value!);
        }
        var gallery = "<div class=\"gallery\">" + string.Concat(images.Select(i =>
            $"<img src=\"{i.WebpUrl(i.WidthNear(960))}\" alt=\"Alt for {i.OriginalFileName}\" width=\"{i.WidthNear(960)}\" height=\"{i.HeightFor(i.WidthNear(960))}\" loading=\"lazy\">")) + "</div>";
        var body = "<aside class=\"key-points\"><ul><li><p>Pier shut.</p></li></ul></aside>"
            + "<p>The storm hit.</p>"
            + "<table><tbody><tr><th><p>Place</p></th><th><p>Damage</p></th></tr><tr><td><p>Pier</p></td><td><p>Severe</p></td></tr></tbody></table>"
            + gallery
            + "<aside class=\"pull-quote\"><p>We will rebuild.</p></aside>"
            + "<aside class=\"fact-box\"><h2 class=\"fact-box__title\">What we know so far</h2><ul><li><p>No one was hurt.</p></li></ul></aside>";
        var articles = services.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Storm wrecks the pier", BodyHtml = body }, null, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
        var stored = (await articles.Reads.GetForEditAsync(admin, saved.Id)).Value!;
        Assert.Equal(body, stored.BodyHtml);

        using var reader = app.CreateClient(new() { HandleCookies = false });
        var page = new HtmlParser().ParseDocument(await reader.GetStringAsync("/news/storm-wrecks-the-pier"));
        var articleBody = page.QuerySelector(".article__body")!;
        Assert.Equal("key-points", articleBody.FirstElementChild!.ClassName);
        Assert.Equal("Key points", articleBody.QuerySelector(".key-points > h2.key-points__title")!.TextContent);
        var region = articleBody.QuerySelector("div.table-scroll[role=region][tabindex='0'][aria-label='Table']")!;
        Assert.Equal(["Place", "Damage"], region.QuerySelectorAll("table th").Select(th => th.TextContent));
        var figures = articleBody.QuerySelectorAll(".gallery > figure.gallery__item").ToList();
        Assert.Equal(2, figures.Count);
        Assert.Equal(["Alt for pier.jpg", "Alt for quay.jpg"], figures.Select(f => f.QuerySelector("picture > img")!.GetAttribute("alt")));
        Assert.Equal(["The pier at dawn. Photo: Jo Lens", "The quay at noon. Photo: Jo Lens"], figures.Select(f => f.QuerySelector("figcaption")!.TextContent));
        Assert.Equal("We will rebuild.", articleBody.QuerySelector("aside.pull-quote")!.TextContent);
        Assert.Equal("What we know so far", articleBody.QuerySelector("aside.fact-box > h2.fact-box__title")!.TextContent);

        // Feeds carry the body as stored (with absolute addresses): the blocks, none of the page's reader markup.
        var rss = await reader.GetStringAsync("/feed.xml");
        foreach (var part in new[] { "<table><tbody><tr><th><p>Place</p></th>", "class=\"gallery\"", "class=\"pull-quote\"", "class=\"fact-box__title\"", "class=\"key-points\"" })
        {
            Assert.True(rss.Contains(part, StringComparison.Ordinal) || rss.Contains(System.Net.WebUtility.HtmlEncode(part), StringComparison.Ordinal), part);
        }
        Assert.DoesNotContain("table-scroll", rss);
        Assert.DoesNotContain("gallery__item", rss);

        var (key, _) = await ContentApiKeys.CreateAsync(app.Services);
        var json = JsonNode.Parse(await reader.GetStringAsync($"/ghost/api/content/posts/slug/storm-wrecks-the-pier/?key={key}"))!;
        var html = (string)json["posts"]![0]!["html"]!;
        Assert.Contains("<table><tbody><tr><th><p>Place</p></th><th><p>Damage</p></th></tr>", html);
        Assert.Contains("<aside class=\"fact-box\"><h2 class=\"fact-box__title\">What we know so far</h2>", html);
        Assert.Contains("<aside class=\"key-points\"><ul><li><p>Pier shut.</p></li></ul></aside>", html);
        Assert.Contains("<aside class=\"pull-quote\"><p>We will rebuild.</p></aside>", html);
        Assert.Equal(2, new HtmlParser().ParseDocument(html).QuerySelectorAll("div.gallery > img").Length);
        Assert.DoesNotContain("table-scroll", html);
    }
}
