using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>A static page from the newsroom to the reader: written, published, linked in the footer, opened.</summary>
public sealed class PageJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    [Fact]
    public async Task An_editor_publishes_About_us_the_administrator_puts_it_in_the_footer_and_a_reader_opens_it()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var (_, email, password) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Edna Editor");

        // The editor: Pages in the menu, "New page", the article editor without section, tags or bylines.
        await SignInAsync(page, email, password);
        await Browser.WaitForCircuitAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Pages", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/pages$"));
        await page.GetByRole(AriaRole.Link, new() { Name = "New page", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/pages/new$"));
        await page.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Expect(page.GetByLabel("Section", new() { Exact = true })).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Authors", new() { Exact = true })).ToHaveCountAsync(0);

        await page.GetByLabel("Title", new() { Exact = true }).FillAsync("About us");
        await Expect(page.GetByLabel("Slug", new() { Exact = true })).ToHaveValueAsync("about-us");
        await page.GetByLabel("Body", new() { Exact = true }).ClickAsync();
        await page.Keyboard.TypeAsync("The Harbour Courier has reported on the town since 1887.");
        await Button(page, "Publish").ClickAsync();
        await Expect(page.GetByTestId("article-status")).ToHaveTextAsync("Published");
        await Expect(page).ToHaveURLAsync(new Regex(@"/admin/pages/\d+$"));

        // The administrator links it in the footer.
        await using var administrator = await OpenAnotherSessionAsync();
        await SignInAsync(administrator.Page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await administrator.Page.GotoAsync("/admin/settings");
        await administrator.WaitForCircuitAsync();
        await administrator.Page.GetByLabel("Add page to the footer", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "About us" });
        await Expect(administrator.Page.GetByTestId("footer-page")).ToHaveTextAsync(["About us"]);
        await Button(administrator.Page, "Save").ClickAsync();
        await Expect(administrator.Page.GetByText("Settings saved. The public site shows them now.")).ToBeVisibleAsync();

        // A reader finds it from the footer of the home page.
        await using var reader = await OpenAnotherSessionAsync();
        await reader.Page.GotoAsync("/");
        await reader.Page.GetByRole(AriaRole.Navigation, new() { Name = "Footer" }).GetByRole(AriaRole.Link, new() { Name = "About us", Exact = true }).ClickAsync();
        await Expect(reader.Page).ToHaveURLAsync(new Regex("/about-us$"));
        await Expect(reader.Page.Locator("article h1")).ToHaveTextAsync("About us");
        await Expect(reader.Page.Locator("article .article__body")).ToContainTextAsync("The Harbour Courier has reported on the town since 1887.");
    }
}
