using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>
/// Two editors on two nodes of one site (one PostgreSQL database, one Redis), each browser pinned to its node.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ClusterEditorJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static ILocator Body(IPage page) => page.GetByLabel("Body", new() { Exact = true });

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private static async Task OpenEditorAsync(BrowserSession session, string url)
    {
        await session.Page.GotoAsync(url);
        await session.WaitForCircuitAsync();
        await session.Page.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    [Fact]
    public async Task Editors_on_two_nodes_see_each_other_and_a_take_over_on_B_saves_As_text_and_turns_A_read_only()
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
        var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Ferry timetable", BodyHtml = "<p>Start.</p>" }, null, SaveKind.Manual);
        var (_, firstEmail, firstPassword) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Fiona First");
        var (_, secondEmail, secondPassword) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Sam Second");
        await using var second = await StartAnotherNodeAsync(NewsCmsAppFactory.SecondNodeOf(App, settings));

        // Fiona on node A, with text not saved yet.
        await SignInAsync(page, firstEmail, firstPassword);
        await OpenEditorAsync(Browser, $"/admin/articles/{draft.Id}");
        await Body(page).ClickAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync(" Fiona's last sentence.");
        await Expect(page.GetByTestId("save-state")).ToHaveTextAsync("Unsaved changes");

        // Sam on node B: each sees the other at once.
        await SignInAsync(second.Page, secondEmail, secondPassword);
        await OpenEditorAsync(second, $"/admin/articles/{draft.Id}");
        await Expect(second.Page.GetByTestId("presence")).ToContainTextAsync(new Regex(@"Fiona First is editing this article \(since \d\d:\d\d\)"));
        await Expect(page.GetByTestId("presence")).ToContainTextAsync("Sam Second is also looking at this article.");
        await Expect(Body(second.Page)).ToHaveAttributeAsync("contenteditable", "false");

        await Button(second.Page, "Take over").ClickAsync();

        // Node A saved Fiona's text before the article changed hands; Sam starts from it.
        await Expect(Body(second.Page)).ToHaveAttributeAsync("contenteditable", "true");
        await Expect(Body(second.Page)).ToContainTextAsync("Fiona's last sentence.");
        Assert.Contains("Fiona's last sentence.", (await articles.Reads.GetForEditAsync(admin, draft.Id)).Value!.BodyHtml);

        // Fiona's editor on A is read-only and says who took it.
        await Expect(page.GetByTestId("presence")).ToContainTextAsync(new Regex(@"Sam Second took over this article at \d\d:\d\d"));
        await Expect(Body(page)).ToHaveAttributeAsync("contenteditable", "false");
        await Expect(Button(page, "Take over")).ToHaveCountAsync(0);
    }
}
