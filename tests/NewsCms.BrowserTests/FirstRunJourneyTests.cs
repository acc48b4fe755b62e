using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Web.Features.Audit;
using NewsCms.Tests.Infrastructure;

namespace NewsCms.BrowserTests;

/// <summary>A new site, end to end in a real browser: set-up, an Editor's account, the Editor's first sign-in.</summary>
public sealed partial class FirstRunJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private const string AdminName = "Grace Chief";
    private const string AdminEmail = "chief@newsroom.test";
    private const string AdminPassword = "chief-password-1";
    private const string EditorName = "Eddie Editor";
    private const string EditorEmail = "eddie@newsroom.test";
    private const string EditorPassword = "eddies-own-password-1";

    [Fact]
    public async Task A_new_site_is_set_up_and_its_first_editor_signs_in_and_chooses_a_password()
    {
        var page = await StartAsync(await NewsCmsAppFactory.WithoutBootstrap());

        // 1. A fresh site sends the admin area to /setup; the setup code is in the server's log.
        await page.GotoAsync("/admin");
        await Expect(page).ToHaveURLAsync(PathIs("/setup"));
        var code = SetupCode().Match(Assert.Single(App.Logs.Lines, line => SetupCode().IsMatch(line))).Groups[1].Value;

        // 2. Set-up creates the Administrator, signs them in and opens the dashboard.
        await page.GetByLabel("Setup code", new() { Exact = true }).FillAsync(code);
        await page.GetByLabel("Site title", new() { Exact = true }).FillAsync("The Daily Test");
        await page.GetByLabel("Display name", new() { Exact = true }).FillAsync(AdminName);
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(AdminEmail);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(AdminPassword);
        await page.GetByLabel("Confirm password", new() { Exact = true }).FillAsync(AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create site", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PathIs("/admin"));
        await Expect(Heading(page, "Dashboard")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync(AdminName);
        await Expect(UsersLink(page)).ToBeVisibleAsync();

        // 3. The Administrator creates an Editor, leaving the password for the app to generate.
        await page.GotoAsync("/admin/users/new");
        await Browser.WaitForCircuitAsync();
        await page.GetByLabel("Display name", new() { Exact = true }).FillAsync(EditorName);
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(EditorEmail);
        await page.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("Editor");
        await Expect(page.GetByLabel("Password", new() { Exact = true })).ToBeEmptyAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("user-created")).ToContainTextAsync(EditorEmail);
        var generated = page.GetByTestId("generated-password");
        await Expect(generated).ToBeVisibleAsync();
        var oneTimePassword = (await generated.InnerTextAsync()).Trim();
        Assert.False(string.IsNullOrEmpty(oneTimePassword));

        // 4. Sign out from the app bar.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PathIs("/"));

        // 5. The Editor signs in with the one-time password and must choose their own first.
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(EditorEmail);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(oneTimePassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/Account/Manage/ChangePassword\?returnUrl="));
        await Expect(page.GetByTestId("must-change-password")).ToBeVisibleAsync();
        await page.GetByLabel("Old password", new() { Exact = true }).FillAsync(oneTimePassword);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync(EditorPassword);
        await page.GetByLabel("Confirm password", new() { Exact = true }).FillAsync(EditorPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Update password", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PathIs("/admin"));
        await Expect(Heading(page, "Dashboard")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync(EditorName);

        // 6. An Editor does not manage users: no Users link, and the page itself is refused.
        await Browser.WaitForCircuitAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Dashboard", Exact = true })).ToBeVisibleAsync();
        await Expect(UsersLink(page)).ToHaveCountAsync(0);
        await page.GotoAsync("/admin/users");
        await Expect(page).ToHaveURLAsync(new Regex("/Account/AccessDenied"));

        // Nothing went wrong in the browser along the way (script errors, a failed circuit).
        Assert.DoesNotContain(Browser.ConsoleLines, line => line.StartsWith("[error]") || line.StartsWith("[pageerror]"));
    }

    private static ILocator Heading(IPage page, string name) =>
        page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true });

    private static ILocator UsersLink(IPage page) =>
        page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true });

    /// <summary>The page's path (no query) is exactly <paramref name="path"/>.</summary>
    private Regex PathIs(string path) => new($"^{Regex.Escape(BaseUrl.GetLeftPart(UriPartial.Authority) + path)}$");

    [GeneratedRegex("Setup code: ([A-Z0-9]{4}-[A-Z0-9]{4})")]
    private static partial Regex SetupCode();
}
