using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Corrections;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>
/// An Editor corrects a published story from its editor's "Corrections and updates" panel: the reader sees the dated
/// note at the end of the article and on /corrections, newest first, linked to the story.
/// </summary>
public sealed class CorrectionsJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    [Fact]
    public async Task An_editor_adds_a_correction_and_an_update_and_readers_see_them_on_the_article_and_on_the_corrections_page()
    {
        var editor = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        const string headline = "Harbour wall repairs to start in spring";
        int articleId;
        string slug;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var articles = scope.ServiceProvider.NewsroomArticles();
            var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>Work on the wall costs 3 million.</p>" }, null, SaveKind.Manual);
            var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
            Assert.True(published.Succeeded, published.Error);
            (articleId, slug) = (saved.Id, published.Value!.Slug);
        }
        var (_, email, password) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Edna Editor");
        var zone = (await App.Services.GetRequiredService<SiteSettingsStore>().GetAsync()).TimeZone;

        await SignInAsync(editor, email, password);
        await editor.GotoAsync($"/admin/articles/{articleId}");
        await Browser.WaitForCircuitAsync();
        var panel = editor.GetByTestId("corrections-panel");
        await Expect(panel.GetByRole(AriaRole.Radio, new() { Name = "Correction" })).ToBeCheckedAsync();
        await panel.GetByLabel("Correction text").FillAsync("An earlier version said the work costs 30 million. It costs 3 million.");
        await Button(editor, "Add correction").ClickAsync();
        var heading = CorrectionRules.Heading(CorrectionKind.Correction, DateTime.UtcNow, zone);
        await Expect(panel.GetByRole(AriaRole.List, new() { Name = "Corrections and updates made" })).ToContainTextAsync(heading);
        await Expect(panel.GetByLabel("Correction text")).ToHaveValueAsync("");

        // An update: the kind changes the button.
        await panel.GetByRole(AriaRole.Radio, new() { Name = "Update" }).CheckAsync();
        await panel.GetByLabel("Update text").FillAsync("The contractor has since named 3 March as the start date.");
        await Button(editor, "Add update").ClickAsync();
        await Expect(panel.Locator("li[data-correction-id]")).ToHaveCountAsync(2);

        await using var readerSession = await OpenAnotherSessionAsync();
        var reader = readerSession.Page;
        await reader.GotoAsync(ArticleUrls.ForSlug(slug));
        var notes = reader.GetByRole(AriaRole.Region, new() { Name = "Corrections and updates" });
        await Expect(notes).ToContainTextAsync($"{heading}: An earlier version said the work costs 30 million. It costs 3 million.");
        await Expect(notes.Locator("li").Nth(1)).ToContainTextAsync($"{CorrectionRules.Heading(CorrectionKind.Update, DateTime.UtcNow, zone)}: The contractor has since named 3 March");

        // The footer leads to /corrections: newest first, each linked to its story.
        await reader.GetByRole(AriaRole.Contentinfo).GetByRole(AriaRole.Link, new() { Name = "Corrections", Exact = true }).ClickAsync();
        await Expect(reader.GetByRole(AriaRole.Heading, new() { Name = "Corrections", Level = 1 })).ToBeVisibleAsync();
        var items = reader.GetByRole(AriaRole.List, new() { Name = "Corrections and updates" }).Locator("li");
        await Expect(items.First).ToContainTextAsync("The contractor has since named 3 March");
        await Expect(items.Nth(1)).ToContainTextAsync("It costs 3 million.");
        await items.Nth(1).GetByRole(AriaRole.Link, new() { Name = headline }).ClickAsync();
        await Expect(reader.GetByRole(AriaRole.Heading, new() { Name = headline, Level = 1 })).ToBeVisibleAsync();
        Assert.Contains("#correction-", reader.Url);

        // An edit is no silent change: the panel keeps the earlier text, the reader sees the note marked amended.
        var first = panel.Locator("li[data-correction-id]").First;
        await first.GetByRole(AriaRole.Button, new() { Name = $"Edit {heading}" }).ClickAsync();
        await panel.GetByLabel("Correction text (editing)").FillAsync("An earlier version said the work costs 30 million. It costs 3.2 million.");
        await Button(editor, "Save correction").ClickAsync();
        await Expect(first).ToContainTextAsync("amended");
        await first.GetByText("Earlier versions (1)").ClickAsync();
        await Expect(first).ToContainTextAsync("It costs 3 million.");
        await reader.GotoAsync(ArticleUrls.ForSlug(slug));
        await Expect(notes.Locator("li").First).ToContainTextAsync("It costs 3.2 million. (amended");

        // Withdrawn: gone from the page, still listed (struck through) in the newsroom.
        await first.GetByRole(AriaRole.Button, new() { Name = $"Withdraw {heading}" }).ClickAsync();
        await Button(editor, "Withdraw it").ClickAsync();
        await Expect(first).ToContainTextAsync("withdrawn");
        await reader.ReloadAsync();
        await Expect(notes.Locator("li")).ToHaveCountAsync(1);
        await Expect(notes).Not.ToContainTextAsync("3.2 million");
    }
}
