using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;

namespace NewsCms.BrowserTests;

/// <summary>
/// Embeds in Chromium: a writer makes them in the editor, a reader gets a placeholder that contacts nobody until the
/// click. Nothing leaves the machine: every request to another host is answered by the test (and recorded).
/// </summary>
public sealed class EmbedJourneyTests(ChromiumFixture fixture) : BrowserTest(fixture)
{
    private readonly ChromiumFixture chromium = fixture;

    private const string YouTube = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
    private const string Spotify = "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk";
    private const string Vimeo = "https://vimeo.com/76979871";

    private static string Embed(string provider, string url) => $"<figure class=\"embed\" data-provider=\"{provider}\"><a href=\"{url}\">{url}</a></figure>";

    private static ILocator Body(IPage page) => page.GetByLabel("Body", new() { Exact = true });

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private async Task<string> PublishAsync(string body)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Storm reaches the coast", BodyHtml = body }, null, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
        return ArticleUrls.ForSlug(saved.Slug);
    }

    /// <summary>Answers every request to another host with a stand-in page (nothing goes out) and records it.</summary>
    private static async Task<ConcurrentQueue<string>> KeepRequestsLocalAsync(IBrowserContext context, Uri site)
    {
        var thirdParty = new ConcurrentQueue<string>();
        await context.RouteAsync("**/*", async route =>
        {
            if (new Uri(route.Request.Url).Host == site.Host)
            {
                await route.ContinueAsync();
                return;
            }
            thirdParty.Enqueue(route.Request.Url);
            await route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = "<!doctype html><title>Player</title><p>Player stand-in</p>" });
        });
        return thirdParty;
    }

    [Fact]
    public async Task A_reader_makes_no_third_party_request_before_clicking_an_embed_and_only_the_providers_after()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var url = await PublishAsync("<p>The storm, from the harbour.</p>" + Embed("youtube", YouTube) + "<p>The podcast.</p>" + Embed("spotify", Spotify));
        var thirdParty = await KeepRequestsLocalAsync(Browser.Context, BaseUrl);
        var requests = new ConcurrentQueue<string>();
        page.Request += (_, request) => requests.Enqueue(request.Url);

        await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.NetworkIdle });
        var video = page.GetByRole(AriaRole.Figure).Filter(new() { HasText = "YouTube" });
        var load = video.GetByRole(AriaRole.Button, new() { Name = "Load content from YouTube" });
        await Expect(load).ToBeVisibleAsync(); // the script has run
        await Expect(video.GetByRole(AriaRole.Link, new() { Name = YouTube })).ToHaveAttributeAsync("href", YouTube);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Load content from Spotify" })).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        // Before the click: every request went to this site, none to a provider, and there is no frame.
        Assert.Empty(thirdParty);
        Assert.Contains(requests, r => r.Contains("/js/embeds", StringComparison.Ordinal));
        Assert.All(requests, r => Assert.Equal(BaseUrl.Host, new Uri(r).Host));
        await Expect(page.Locator("iframe")).ToHaveCountAsync(0);

        // The click loads YouTube's privacy-enhanced player, sandboxed, and nothing else.
        await page.RunAndWaitForRequestAsync(() => load.ClickAsync(), r => r.Url.StartsWith("https://www.youtube-nocookie.com/", StringComparison.Ordinal));
        var frame = page.Locator("iframe[title='Content from YouTube']");
        await Expect(frame).ToHaveAttributeAsync("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ");
        var sandbox = (await frame.GetAttributeAsync("sandbox"))!.Split(' ');
        Assert.Contains("allow-scripts", sandbox);
        Assert.DoesNotContain("allow-top-navigation", sandbox);
        await Expect(page.FrameLocator("iframe[title='Content from YouTube']").GetByText("Player stand-in")).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.Equal(["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"], thirdParty.Distinct());
        // The link stays with the player; the other embed is still only a placeholder.
        await Expect(video.GetByRole(AriaRole.Link, new() { Name = YouTube })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Load content from Spotify" })).ToBeVisibleAsync();
        Assert.DoesNotContain(thirdParty, r => r.Contains("spotify", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_JavaScript_an_embed_is_a_plain_link()
    {
        await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var url = await PublishAsync("<p>The storm.</p>" + Embed("youtube", YouTube));
        await using var context = await chromium.Browser.NewContextAsync(new() { BaseURL = BaseUrl.ToString().TrimEnd('/'), JavaScriptEnabled = false });
        var thirdParty = await KeepRequestsLocalAsync(context, BaseUrl);
        var page = await context.NewPageAsync();

        await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.NetworkIdle });
        var video = page.GetByRole(AriaRole.Figure).Filter(new() { HasText = "YouTube" });
        await Expect(video.GetByRole(AriaRole.Link, new() { Name = YouTube })).ToHaveAttributeAsync("href", YouTube);
        await Expect(video.GetByRole(AriaRole.Button)).ToBeHiddenAsync();
        await Expect(page.Locator("iframe")).ToHaveCountAsync(0);
        Assert.Empty(thirdParty);
    }

    [Fact]
    public async Task A_writer_pastes_and_inserts_embeds_and_the_draft_stores_their_links()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Editor:AutosaveDelaySeconds"] = "120" }));
        await using var scope = App.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Storm", BodyHtml = "<p>Start.</p>" + Embed("vimeo", Vimeo) }, null, SaveKind.Manual);
        Assert.True(draft.Succeeded, draft.Error);

        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await page.GotoAsync($"/admin/articles/{draft.Id}");
        await Browser.WaitForCircuitAsync();
        await page.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        // The stored embed shows its provider and URL.
        var embeds = Body(page).Locator("figure.newsroom-embed");
        await Expect(embeds).ToHaveCountAsync(1);
        await Expect(embeds.First).ToContainTextAsync("Embed: Vimeo");
        await Expect(embeds.First).ToContainTextAsync(Vimeo);

        // A provider's URL pasted on an empty line becomes an embed.
        await Body(page).Locator("p", new() { HasText = "Start." }).ClickAsync();
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.PressAsync("Enter");
        await Body(page).EvaluateAsync("(element, url) => { const data = new DataTransfer(); data.setData('text/plain', url); element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })) }", YouTube);
        await Expect(embeds).ToHaveCountAsync(2);
        await Expect(embeds.Nth(0)).ToContainTextAsync("Embed: YouTube");

        // The toolbar's "Embed" opens a dialog that refuses an address no provider matches and inserts one that does.
        await Body(page).Locator("p", new() { HasText = "Start." }).ClickAsync();
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.PressAsync("Enter");
        await Button(page, "Embed").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Embed" });
        await dialog.GetByLabel("URL").FillAsync("https://example.com/video/1");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Insert" }).ClickAsync();
        await Expect(dialog.GetByText("not from a supported provider")).ToBeVisibleAsync();
        await dialog.GetByLabel("URL").FillAsync(Spotify);
        await Expect(dialog.GetByTestId("embed-provider")).ToHaveTextAsync("Spotify");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Insert" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(embeds).ToHaveCountAsync(3);
        await Expect(embeds.Nth(0)).ToContainTextAsync("Embed: Spotify");

        await Button(page, "Save draft").ClickAsync();
        await Expect(page.GetByText("Saved.")).ToBeVisibleAsync();
        var stored = (await articles.Reads.GetForEditAsync(admin, draft.Id)).Value!;
        Assert.Equal("<p>Start.</p>" + Embed("spotify", Spotify) + Embed("youtube", YouTube) + Embed("vimeo", Vimeo), stored.BodyHtml);
    }
}
