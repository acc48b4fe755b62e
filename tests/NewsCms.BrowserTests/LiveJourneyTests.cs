using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.LiveBlogs;

namespace NewsCms.BrowserTests;

/// <summary>
/// Two people at once: a reader with a live blog open and an editor in the newsroom. What the editor posts appears on
/// the reader's page without a reload, each entry in its place; the banner set on /admin/breaking appears on the
/// reader's open page. How fast is the benchmark's to measure (its "live" step: delivery p50 and p99 under load), not a
/// test's: on a loaded test machine a journey waits a few seconds at most.
/// </summary>
public sealed class LiveJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static readonly TimeSpan Push = TimeSpan.FromSeconds(5);

    private async Task<(int Id, string Slug)> PublishedAsync(string headline)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>What we know so far.</p>" }, null, SaveKind.Manual);
        var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
        Assert.True(published.Succeeded, published.Error);
        return (saved.Id, published.Value!.Slug);
    }

    /// <summary>Waits until this many open pages of the article are connected (their event streams are open).</summary>
    private async Task ReadersConnectedAsync(int articleId, int count)
    {
        var stream = App.Services.GetRequiredService<LiveStream>();
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check() { if (stream.CountOf(articleId) >= count) connected.TrySetResult(); }
        stream.ReadersChanged += Check;
        try
        {
            Check();
            await connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            stream.ReadersChanged -= Check;
        }
    }

    private static ILocator Update(IPage page) => page.GetByLabel("Update", new() { Exact = true });

    private static async Task PostUpdateAsync(IPage page, string text, bool key = false, bool pinned = false)
    {
        await Update(page).FillAsync(text);
        var keyBox = page.GetByRole(AriaRole.Checkbox, new() { Name = "Key event" });
        var pinnedBox = page.GetByRole(AriaRole.Checkbox, new() { Name = "Pinned" });
        if (await keyBox.IsCheckedAsync() != key) await keyBox.ClickAsync();
        if (await pinnedBox.IsCheckedAsync() != pinned) await pinnedBox.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Post update", Exact = true }).ClickAsync();
    }

    [Fact]
    public async Task A_reader_sees_each_update_the_editor_posts_at_once_in_its_place()
    {
        var editor = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var article = await PublishedAsync("Storm hits the coast");
        await SignInAsync(editor, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await editor.GotoAsync($"/admin/articles/{article.Id}");
        await Browser.WaitForCircuitAsync();
        await editor.GetByRole(AriaRole.Checkbox, new() { Name = "Live coverage" }).ClickAsync();
        await editor.Locator("#live-update-label-editor[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

        await using var readerSession = await OpenAnotherSessionAsync();
        var reader = readerSession.Page;
        await reader.GotoAsync(ArticleUrls.ForSlug(article.Slug));
        await Expect(reader.GetByRole(AriaRole.Heading, new() { Name = "Live updates" })).ToBeVisibleAsync();
        await ReadersConnectedAsync(article.Id, 1);

        var entries = reader.Locator("[data-live-entries] > .live-entry");
        await PostUpdateAsync(editor, "Winds reach 120 km/h on the headland.");
        await Expect(entries.First).ToContainTextAsync("Winds reach 120 km/h", new() { Timeout = (float)Push.TotalMilliseconds });

        // A pinned entry goes on top, above newer ones; a key event goes first among the others and into "Key events".
        await PostUpdateAsync(editor, "Shelters are open at the town hall.", pinned: true);
        var pinned = reader.Locator("[data-live-pinned] > .live-entry");
        await Expect(pinned).ToHaveCountAsync(1, new() { Timeout = (float)Push.TotalMilliseconds });
        await Expect(pinned.First).ToContainTextAsync("Shelters are open");
        await PostUpdateAsync(editor, "Coastal road closed at Seaview.", key: true);
        await Expect(entries.First).ToContainTextAsync("Coastal road closed", new() { Timeout = (float)Push.TotalMilliseconds });
        await Expect(entries).ToHaveCountAsync(2);
        await Expect(entries.Nth(1)).ToContainTextAsync("Winds reach 120 km/h");
        var keyEvents = reader.GetByRole(AriaRole.Navigation, new() { Name = "Key events" });
        await Expect(keyEvents).ToBeVisibleAsync();
        var keyLink = keyEvents.GetByRole(AriaRole.Link, new() { Name = "Coastal road closed", Exact = false });
        await Expect(keyLink).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex(@"^#entry-\d+$"));
        // The pinned entry stays on top of the page.
        Assert.True(await reader.Locator(".live-entry").First.EvaluateAsync<bool>("e => e.closest('[data-live-pinned]') !== null"));

        // "End coverage": the open page says so at once, and the entries stay.
        await editor.GetByRole(AriaRole.Button, new() { Name = "End coverage", Exact = true }).ClickAsync();
        await Expect(reader.Locator("[data-live-status]")).ToHaveTextAsync("Coverage ended", new() { Timeout = (float)Push.TotalMilliseconds });
        await Expect(editor.GetByRole(AriaRole.Button, new() { Name = "Post update", Exact = true })).ToHaveCountAsync(0);
        await Expect(entries).ToHaveCountAsync(2);

        // A reload without JavaScript shows the same entries in the same places, and that coverage ended.
        await reader.ReloadAsync();
        await Expect(reader.Locator("[data-live-pinned] > .live-entry")).ToContainTextAsync("Shelters are open");
        await Expect(reader.Locator("[data-live-entries] > .live-entry").First).ToContainTextAsync("Coastal road closed");
        await Expect(reader.Locator("[data-live-status]")).ToHaveTextAsync("Coverage ended");
    }

    [Fact]
    public async Task The_banner_set_on_the_breaking_news_page_appears_on_an_open_article_page()
    {
        var editor = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var article = await PublishedAsync("Bridge closed after crash");
        await using var readerSession = await OpenAnotherSessionAsync();
        var reader = readerSession.Page;
        await reader.GotoAsync(ArticleUrls.ForSlug(article.Slug));
        await ReadersConnectedAsync(0, 1);

        await SignInAsync(editor, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await editor.GotoAsync("/admin/breaking");
        await Browser.WaitForCircuitAsync();
        await editor.GetByLabel("Text", new() { Exact = true }).FillAsync("River bridge closed in both directions");
        await Expect(editor.GetByLabel("Expires", new() { Exact = true })).ToBeVisibleAsync();
        // "Link": the article, picked by its headline.
        await editor.GetByLabel("Link", new() { Exact = true }).FillAsync("Bridge closed");
        await editor.GetByRole(AriaRole.Option, new() { Name = "Bridge closed after crash" }).ClickAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = "Set banner" }).ClickAsync();

        var banner = reader.GetByRole(AriaRole.Region, new() { Name = "Breaking news" });
        await Expect(banner).ToContainTextAsync("River bridge closed in both directions", new() { Timeout = (float)Push.TotalMilliseconds });
        await Expect(banner.GetByRole(AriaRole.Link, new() { Name = "River bridge closed in both directions" }))
            .ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(ArticleUrls.ForSlug(article.Slug)) + "$"));

        await editor.GetByRole(AriaRole.Button, new() { Name = "Clear banner" }).ClickAsync();
        await Expect(banner).ToBeHiddenAsync(new() { Timeout = (float)Push.TotalMilliseconds });
    }
}
