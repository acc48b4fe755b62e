using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>An editor redirects an old address at /admin/redirects; a reader following it lands on the article.</summary>
public sealed class RedirectJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    [Fact]
    public async Task An_editor_adds_a_redirect_and_a_reader_asking_for_the_old_address_lands_on_the_new_one()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var articles = scope.ServiceProvider.NewsroomArticles();
            var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Harbour wall rebuilt", BodyHtml = "<p>The wall is back.</p>" }, null, SaveKind.Manual);
            Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
        }
        var (_, email, password) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Erin Editor");
        await SignInAsync(page, email, password);

        await page.GotoAsync("/admin/redirects");
        await Browser.WaitForCircuitAsync();
        await Button(page, "Add redirect").ClickAsync();
        await page.GetByLabel("Old address", new() { Exact = true }).FillAsync("/2019/05/harbour-wall/");
        await page.GetByLabel("New address", new() { Exact = true }).FillAsync("/2019/05/harbour-wall");
        await Button(page, "Save redirect").ClickAsync();
        // The error is shown in the form, which keeps what was typed.
        await Expect(page.GetByTestId("redirect-error")).ToHaveTextAsync("The new address is the same as the old one.");
        await page.GetByLabel("New address", new() { Exact = true }).FillAsync("/news/harbour-wall-rebuilt");
        await Button(page, "Save redirect").ClickAsync();

        var row = page.GetByTestId("redirects").Locator("tbody tr", new() { HasText = "/2019/05/harbour-wall" });
        await Expect(row).ToContainTextAsync("/news/harbour-wall-rebuilt");
        await Expect(row).ToContainTextAsync("Manual");
        await page.GetByLabel("Search redirects").FillAsync("nothing-like-this");
        await Expect(row).ToHaveCountAsync(0);
        await page.GetByLabel("Search redirects").FillAsync("harbour");
        await Expect(row).ToHaveCountAsync(1);
        await Button(page, "Add redirect").ClickAsync();
        // Serious problems of the page and its form (the newsroom layout's landmarks are not this page's).
        var violations = (await Axe.ViolationsAsync(page)).Where(v => v.Contains("(serious)") || v.Contains("(critical)")).ToList();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
        await Button(page, "Cancel").ClickAsync();

        // A reader with an old link lands on the article.
        await using var reader = await OpenAnotherSessionAsync();
        var response = await reader.Page.GotoAsync("/2019/05/harbour-wall/");
        Assert.Equal(200, response!.Status);
        Assert.EndsWith("/news/harbour-wall-rebuilt", reader.Page.Url);
        await Expect(reader.Page.Locator("article h1")).ToHaveTextAsync("Harbour wall rebuilt");

        // Edited to 410: the new address goes, and the list says where it goes now.
        await row.GetByRole(AriaRole.Button, new() { Name = "Edit /2019/05/harbour-wall" }).ClickAsync();
        await Expect(page.GetByLabel("Old address", new() { Exact = true })).ToHaveValueAsync("/2019/05/harbour-wall");
        await page.GetByLabel("Status", new() { Exact = true }).SelectOptionAsync("410");
        await Expect(page.GetByLabel("New address", new() { Exact = true })).ToHaveCountAsync(0);
        await Button(page, "Save redirect").ClickAsync();
        await Expect(row).ToContainTextAsync("Gone (410)");
        await using (var goneReader = await OpenAnotherSessionAsync())
        {
            Assert.Equal(410, (await goneReader.Page.GotoAsync("/2019/05/harbour-wall"))!.Status);
            await Expect(goneReader.Page.Locator("h1")).ToHaveTextAsync("This page has been removed");
        }

        // Deleting asks first.
        await row.GetByRole(AriaRole.Button, new() { Name = "Delete /2019/05/harbour-wall" }).ClickAsync();
        await Expect(page.GetByTestId("confirm-delete")).ToContainTextAsync("Delete the redirect from /2019/05/harbour-wall?");
        await Button(page, "Delete redirect").ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        // A browser keeps a 301 for an hour (its Cache-Control); a reader who never followed it gets "not found".
        await using var laterReader = await OpenAnotherSessionAsync();
        Assert.Equal(404, (await laterReader.Page.GotoAsync("/2019/05/harbour-wall/"))!.Status);
    }
}
