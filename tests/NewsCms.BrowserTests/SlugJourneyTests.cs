using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;

namespace NewsCms.BrowserTests;

/// <summary>Slugs as writers meet them in the editor: made from the headline until they type one.</summary>
public sealed class SlugJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private async Task WriteNewArticleAsync(IPage page, string headline, string body)
    {
        await page.GotoAsync("/admin/articles/new");
        await Browser.WaitForCircuitAsync();
        await page.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.GetByLabel("Headline", new() { Exact = true }).FillAsync(headline);
        await page.GetByLabel("Body", new() { Exact = true }).ClickAsync();
        await page.Keyboard.TypeAsync(body);
    }

    [Fact]
    public async Task Two_articles_with_the_same_headline_both_autosave_the_second_with_a_suffixed_slug()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Editor:AutosaveDelaySeconds"] = "1" }));
        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        var slug = page.GetByLabel("Slug", new() { Exact = true });

        await WriteNewArticleAsync(page, "Storm closes the bridge", "The first report.");
        await Expect(page.GetByTestId("save-state")).ToContainTextAsync("Saved");
        await Expect(slug).ToHaveValueAsync("storm-closes-the-bridge");

        // The second writer never chose a slug: autosave saves it under the next free one, with no error.
        await WriteNewArticleAsync(page, "Storm closes the bridge", "A second report.");
        await Expect(page.GetByTestId("save-state")).ToContainTextAsync("Saved");
        await Expect(slug).ToHaveValueAsync("storm-closes-the-bridge-2");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin/articles/\\d+$"));

        // Typed by hand, a taken slug is refused where it was typed.
        await slug.FillAsync("storm-closes-the-bridge");
        await Expect(page.GetByText("is already used by \"Storm closes the bridge\"").First).ToBeVisibleAsync();
    }
}
