using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>Editorial notes between two editors on two nodes of one site (one PostgreSQL database, one Redis).</summary>
[Trait("Category", "Cluster")]
public sealed class ClusterNotesJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static ILocator Body(IPage page) => page.GetByLabel("Body", new() { Exact = true });

    private static ILocator Button(ILocator scope, string name) => scope.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private static async Task OpenEditorAsync(BrowserSession session, string url)
    {
        await session.Page.GotoAsync(url);
        await session.WaitForCircuitAsync();
        await session.Page.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    [Fact]
    public async Task A_note_added_on_node_A_appears_on_node_B_and_the_reply_from_B_appears_on_A()
    {
        var settings = new Dictionary<string, string?>
        {
            [ClusterSetup.RedisSetting] = await TestRedis.NewConfigurationAsync(),
            ["NewsCms:Editor:AutosaveDelaySeconds"] = "120",
        };
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync(settings, DatabaseProvider.PostgreSQL));
        await using var scope = App.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Ferry fares", BodyHtml = "<p>Fares rise by ten percent.</p>" }, null, SaveKind.Manual);
        var (_, firstEmail, firstPassword) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Fiona First");
        var (_, secondEmail, secondPassword) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Sam Second");
        await using var second = await StartAnotherNodeAsync(NewsCmsAppFactory.SecondNodeOf(App, settings));

        await SignInAsync(page, firstEmail, firstPassword);
        await OpenEditorAsync(Browser, $"/admin/articles/{draft.Id}");
        await SignInAsync(second.Page, secondEmail, secondPassword);
        await OpenEditorAsync(second, $"/admin/articles/{draft.Id}");
        await Expect(second.Page.GetByTestId("notes-panel")).ToContainTextAsync("No open notes");

        // Fiona, on A, notes "ten percent".
        await Body(page).ClickAsync();
        await page.Keyboard.PressAsync("Control+End");
        for (var i = 0; i < "ten percent.".Length; i++) await page.Keyboard.PressAsync("Shift+ArrowLeft");
        await Button(page.Locator("body"), "Add note").ClickAsync();
        await page.GetByLabel("Note", new() { Exact = true }).FillAsync("Source for the figure?");
        await Button(page.Locator("body"), "Save note").ClickAsync();

        // Sam, on B, sees it without reloading and replies; Fiona sees the reply on A.
        var samThread = second.Page.GetByTestId("note-thread").Filter(new() { HasText = "Source for the figure?" });
        await Expect(samThread).ToContainTextAsync("ten percent.");
        await samThread.GetByLabel("Reply", new() { Exact = true }).FillAsync("The operator's notice.");
        await Button(samThread, "Reply").ClickAsync();
        await Expect(page.GetByTestId("note-thread").GetByTestId("note-reply")).ToContainTextAsync("The operator's notice.");
    }
}
