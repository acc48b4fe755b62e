using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;

namespace NewsCms.BrowserTests;

/// <summary>
/// A writer inserts every block through the slash menu ("/" on an empty line) and publishes; a reader sees each block,
/// and on a 320 px phone the table scrolls inside its box while the page does not.
/// </summary>
public sealed class BlocksJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static ILocator Body(IPage page) => page.GetByLabel("Body", new() { Exact = true });

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private static ILocator Menu(IPage page) => page.GetByRole(AriaRole.Listbox, new() { Name = "Insert a block" });

    private async Task<int> ImageAsync(string name, string alt, string caption, string credit)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var media = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var uploaded = await media.UploadAsync(admin, new MemoryStream(TestImages.Jpeg(1200, 800)), name, -1);
        Assert.True(uploaded.Succeeded, uploaded.Error);
        var described = await media.UpdateDetailsAsync(admin, uploaded.Value!.Id, new MediaDetailsInput { AltText = alt, Caption = caption, Credit = credit });
        Assert.True(described.Succeeded, described.Error);
        return uploaded.Value.Id;
    }

    /// <summary>Puts the cursor on the empty line at the end of the body and chooses a block from the slash menu.</summary>
    private static async Task SlashAsync(IPage page, string filter, string item)
    {
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync("/" + filter);
        await Expect(Menu(page).GetByRole(AriaRole.Option, new() { Name = item, Exact = true })).ToHaveAttributeAsync("aria-selected", "true");
        await page.Keyboard.PressAsync("Enter");
        await Expect(Menu(page)).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_writer_inserts_every_block_with_the_slash_menu_and_publishes_and_the_reader_sees_them()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Editor:AutosaveDelaySeconds"] = "120" }));
        await ImageAsync("pier.jpg", "The broken pier at low tide", "The pier lost forty metres.", "Jane Doe");
        await ImageAsync("harbour.jpg", "Boats sheltering in the harbour", "Boats sheltered overnight.", "Sam Lee");
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var articles = scope.ServiceProvider.NewsroomArticles();
            var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var earlier = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Earlier storm coverage", BodyHtml = "<p>Before.</p>" }, null, SaveKind.Manual);
            Assert.True((await articles.Workflow.PublishAsync(admin, earlier.Id, earlier.Version)).Succeeded);
        }
        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await page.GotoAsync("/admin/articles/new");
        await Browser.WaitForCircuitAsync();
        await page.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.GetByLabel("Headline", new() { Exact = true }).FillAsync("Storm wrecks the pier");

        var body = Body(page);
        await body.ClickAsync();
        await page.Keyboard.TypeAsync("The storm wrecked the pier overnight.");
        await page.Keyboard.PressAsync("Enter");

        // The menu lists every block, is filtered by what follows the "/", and closes on Escape leaving the "/" typed.
        await page.Keyboard.TypeAsync("/");
        await Expect(Menu(page)).ToBeVisibleAsync();
        await Expect(Menu(page).GetByRole(AriaRole.Option)).ToHaveCountAsync(14);
        await Expect(body).ToHaveAttributeAsync("aria-activedescendant", new System.Text.RegularExpressions.Regex("heading2$"));
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(Menu(page).GetByRole(AriaRole.Option, new() { Name = "Heading 3", Exact = true })).ToHaveAttributeAsync("aria-selected", "true");
        await page.Keyboard.TypeAsync("pull");
        await Expect(Menu(page).GetByRole(AriaRole.Option)).ToHaveTextAsync(["Pull quote"]);
        await page.Keyboard.PressAsync("Escape");
        await Expect(Menu(page)).ToBeHiddenAsync();
        await Expect(body.Locator("p").Last).ToHaveTextAsync("/pull");
        for (var i = 0; i < 5; i++) await page.Keyboard.PressAsync("Backspace");

        await SlashAsync(page, "h2", "Heading 2");
        await page.Keyboard.TypeAsync("What happened");
        await page.Keyboard.PressAsync("Enter");

        await SlashAsync(page, "key", "Key points");
        await page.Keyboard.TypeAsync("The pier is closed until spring.");
        await Expect(body.Locator("> aside.key-points").First).ToBeVisibleAsync();

        await SlashAsync(page, "table", "Table");
        await page.Keyboard.TypeAsync("Section");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Damage");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Cost");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Head");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Collapsed");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("£1.2m");

        await SlashAsync(page, "pull", "Pull quote");
        await page.Keyboard.TypeAsync("We will rebuild it stronger.");

        await SlashAsync(page, "fact", "Fact box");
        await page.Keyboard.TypeAsync("No one was hurt.");
        await Expect(body.Locator("aside.fact-box h2.fact-box__title")).ToHaveTextAsync("What we know so far");

        await SlashAsync(page, "gall", "Gallery");
        var gallery = page.GetByRole(AriaRole.Dialog, new() { Name = "Gallery" });
        await gallery.Locator(".media-grid__item").Nth(0).ClickAsync();
        await gallery.Locator(".media-grid__item").Nth(1).ClickAsync();
        await Expect(gallery.GetByLabel("Alt text for image 2")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("."));
        await gallery.GetByRole(AriaRole.Button, new() { Name = "Insert gallery", Exact = true }).ClickAsync();
        await Expect(body.Locator("div.gallery img")).ToHaveCountAsync(2);

        await body.ClickAsync();
        await SlashAsync(page, "see", "See also");
        await Expect(page.GetByLabel("See also", new() { Exact = true })).ToBeFocusedAsync();
        await page.GetByLabel("See also", new() { Exact = true }).FillAsync("Earlier storm");
        await page.GetByText("Earlier storm coverage", new() { Exact = true }).ClickAsync();
        await Expect(body.Locator("aside.see-also")).ToContainTextAsync("Earlier storm coverage");

        // "Embed" opens the same dialog as the toolbar's Embed button. (The See-also card just inserted is selected:
        // typing now would replace it, so the cursor goes to the empty last line first.)
        await body.Locator("> p").Last.ClickAsync();
        await SlashAsync(page, "emb", "Embed");
        var embed = page.GetByRole(AriaRole.Dialog, new() { Name = "Embed" });
        await Expect(embed).ToBeVisibleAsync();
        await embed.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await Expect(embed).ToHaveCountAsync(0);
        await Expect(body.Locator("aside.see-also")).ToHaveCountAsync(1);

        // Ctrl+/ shows the keyboard shortcuts.
        await body.ClickAsync();
        await page.Keyboard.PressAsync("Control+/");
        var help = page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" });
        await Expect(help).ToContainTextAsync("Insert a block");
        await help.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).First.ClickAsync();
        await Expect(help).ToHaveCountAsync(0);

        await Button(page, "Publish").ClickAsync();
        await Expect(page.GetByTestId("article-status")).ToHaveTextAsync("Published");

        await using var reader = await OpenAnotherSessionAsync();
        var response = await reader.Page.GotoAsync("/news/storm-wrecks-the-pier");
        Assert.Equal(200, response!.Status);
        var article = reader.Page.Locator(".article__body");
        await Expect(article.Locator("> :first-child")).ToHaveClassAsync("key-points");
        await Expect(article.Locator(".key-points h2")).ToHaveTextAsync("Key points");
        await Expect(article.Locator(".key-points li")).ToHaveTextAsync(["The pier is closed until spring."]);
        await Expect(article.Locator("h2", new() { HasText = "What happened" })).ToHaveCountAsync(1);
        var table = reader.Page.GetByRole(AriaRole.Region, new() { Name = "Table" });
        await Expect(table.Locator("th")).ToHaveTextAsync(["Section", "Damage", "Cost"]);
        await Expect(table.Locator("td").First).ToHaveTextAsync("Head");
        await Expect(article.Locator(".pull-quote")).ToHaveTextAsync("We will rebuild it stronger.");
        await Expect(article.Locator(".fact-box .fact-box__title")).ToHaveTextAsync("What we know so far");
        await Expect(article.Locator(".fact-box li")).ToHaveTextAsync(["No one was hurt."]);
        var figures = article.Locator(".gallery figure.gallery__item");
        await Expect(figures).ToHaveCountAsync(2);
        await Expect(figures.Locator("picture source[type='image/webp']")).ToHaveCountAsync(2);
        // In the order chosen (the library lists the newest first).
        await Expect(figures.Locator("figcaption")).ToHaveTextAsync(["Boats sheltered overnight. Photo: Sam Lee", "The pier lost forty metres. Photo: Jane Doe"]);
        await Expect(article.Locator("aside.see-also")).ToContainTextAsync("Earlier storm coverage");

        // On a 320 px phone the table scrolls inside its box; the page does not scroll sideways.
        await reader.Page.SetViewportSizeAsync(320, 640);
        await Expect(table).ToBeVisibleAsync();
        var widths = await reader.Page.EvaluateAsync<int[]>(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, document.querySelector('.table-scroll').scrollWidth, document.querySelector('.table-scroll').clientWidth]");
        Assert.True(widths[0] <= widths[1], $"the page scrolls sideways: {widths[0]} > {widths[1]}");
        Assert.True(widths[2] > widths[3], $"the table fits ({widths[2]} px), so nothing shows that it scrolls inside its box");
    }
}
