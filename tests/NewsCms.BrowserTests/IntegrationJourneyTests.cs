using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Integrations;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>
/// An Administrator adds an integration at /admin/integrations, a tool uses the keys the page shows, and the page says
/// when they were last used; regenerating, revoking and deleting take effect at once. Other roles never see the page.
/// </summary>
public sealed class IntegrationJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private static ILocator Field(IPage page, string label) => page.GetByLabel(label, new() { Exact = true });

    private static async Task<HttpStatusCode> ContentApiAsync(HttpClient http, string key)
    {
        using var response = await http.GetAsync($"/ghost/api/content/posts/?key={key}", Ct);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            Assert.Contains(body.RootElement.GetProperty("posts").EnumerateArray(), p => p.GetProperty("title").GetString() == "Harbour wall rebuilt");
        }
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> AdminApiAsync(HttpClient http, string adminKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ghost/api/admin/posts/");
        request.Headers.Authorization = AuthenticationHeaderValue.Parse(GhostAdminToken.Header(adminKey));
        using var response = await http.SendAsync(request, Ct);
        return response.StatusCode;
    }

    /// <summary>Serious and critical axe problems of the page (the newsroom layout's landmarks are not this page's), as RedirectJourneyTests checks.</summary>
    private static async Task AssertAccessibleAsync(IPage page)
    {
        var violations = (await Axe.ViolationsAsync(page)).Where(v => v.Contains("(serious)") || v.Contains("(critical)")).ToList();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public async Task An_administrator_adds_an_integration_a_tool_uses_its_keys_and_regenerating_revoking_and_deleting_take_effect_at_once()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var articles = scope.ServiceProvider.NewsroomArticles();
            var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Harbour wall rebuilt", BodyHtml = "<p>The wall is back.</p>" }, null, SaveKind.Manual);
            Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
        }
        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await Browser.WaitForCircuitAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Integrations", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/integrations$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Integrations", Exact = true })).ToBeVisibleAsync();
        await Browser.WaitForCircuitAsync();
        await Expect(page.GetByText("No integrations yet.")).ToBeVisibleAsync();
        await AssertAccessibleAsync(page);

        await Field(page, "Name").FillAsync("Newsletter tool");
        await Field(page, "Role").SelectOptionAsync("Author");
        await Button(page, "Add integration").ClickAsync();

        var created = page.GetByTestId("integration-created");
        await Expect(created).ToContainTextAsync("Newsletter tool was added");
        var contentKey = await Field(page, "Content API key").InputValueAsync();
        var adminKey = await Field(page, "Admin API key").InputValueAsync();
        Assert.Matches("^[0-9a-f]{26}$", contentKey);
        Assert.Matches("^[0-9a-f]{24}:[0-9a-f]{64}$", adminKey);
        var row = page.Locator("tbody tr", new() { HasText = "Newsletter tool" });
        await Expect(row).ToContainTextAsync("Author");
        await Expect(row).ToContainTextAsync("Never");
        await AssertAccessibleAsync(page);

        // The tool uses the keys it was shown.
        using var http = new HttpClient { BaseAddress = BaseUrl };
        Assert.Equal(HttpStatusCode.OK, await ContentApiAsync(http, contentKey));
        Assert.Equal(HttpStatusCode.OK, await AdminApiAsync(http, adminKey));

        // Uses are written in batches; the test writes this batch now instead of waiting for the next one.
        await App.Services.GetRequiredService<IntegrationKeyTable>().FlushUsesAsync(Ct);
        await page.ReloadAsync();
        await Browser.WaitForCircuitAsync();
        await Expect(row).Not.ToContainTextAsync("Never");
        await Expect(row.Locator("td").Nth(3)).ToHaveTextAsync(new Regex("^" + Time + "$"));

        await row.GetByRole(AriaRole.Link, new() { Name = "Newsletter tool", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/integrations/\\d+$"));
        await Browser.WaitForCircuitAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Newsletter tool", Exact = true })).ToBeVisibleAsync();
        var contentSection = page.GetByTestId("content-key-section");
        var adminSection = page.GetByTestId("admin-key-section");
        await Expect(contentSection).ToContainTextAsync(new Regex("last used " + Time));
        await Expect(adminSection).ToContainTextAsync(new Regex("last used " + Time));
        await Expect(Field(page, "Content API key")).ToHaveValueAsync(contentKey);
        await Expect(Field(page, "Admin API key")).ToHaveValueAsync(adminKey);
        await Expect(Field(page, "Role")).ToHaveValueAsync("Author");
        await AssertAccessibleAsync(page);

        // Regenerate the Admin API key: the old one stops working at once, the new one (shown) works.
        await Button(page, "Regenerate the Admin API key").ClickAsync();
        await Expect(Field(page, "Admin API key")).Not.ToHaveValueAsync(adminKey);
        var newAdminKey = await Field(page, "Admin API key").InputValueAsync();
        Assert.Matches("^[0-9a-f]{24}:[0-9a-f]{64}$", newAdminKey);
        Assert.Equal(HttpStatusCode.Unauthorized, await AdminApiAsync(http, adminKey));
        Assert.Equal(HttpStatusCode.OK, await AdminApiAsync(http, newAdminKey));
        await Expect(adminSection).ToContainTextAsync("last used never");

        // Revoke the Content API key: it gets 401 from then on.
        await Button(page, "Revoke the Content API key").ClickAsync();
        await Expect(contentSection).ToContainTextAsync("Content API key: none (revoked)");
        await Expect(Field(page, "Content API key")).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, await ContentApiAsync(http, contentKey));
        // The earlier keys are listed with when they were used.
        await Expect(page.Locator("tbody tr", new() { HasText = "Content API" }).Locator("td").Nth(2)).ToHaveTextAsync(new Regex("^" + Time + "$"));

        // Deleting asks first, then the integration and its keys are gone.
        await Button(page, "Delete integration").ClickAsync();
        await Expect(page.GetByTestId("confirm-delete")).ToContainTextAsync("Delete Newsletter tool?");
        await Button(page, "Delete").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/integrations$"));
        await Expect(page.GetByText("No integrations yet.")).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await AdminApiAsync(http, newAdminKey));

        Assert.DoesNotContain(Browser.ConsoleLines, line => line.StartsWith("[error]") || line.StartsWith("[pageerror]"));
    }

    [Fact]
    public async Task An_editor_gets_no_integrations_link_and_the_page_is_refused()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var (_, email, password) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Erin Editor");
        int id;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<Integrations>()
                .CreateAsync(await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), "Wire desk script", NewsroomRoles.Editor, Ct);
            Assert.True(created.Succeeded, created.Error);
            id = created.Value!.Id;
        }
        await SignInAsync(page, email, password);
        await Browser.WaitForCircuitAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Dashboard", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Integrations", Exact = true })).ToHaveCountAsync(0);

        foreach (var path in (string[])["/admin/integrations", $"/admin/integrations/{id}"])
        {
            await page.GotoAsync(path);
            await Expect(page).ToHaveURLAsync(new Regex("/Account/AccessDenied"));
            await Expect(page.GetByText("Wire desk script")).ToHaveCountAsync(0);
        }
    }

    /// <summary>A time as the integrations pages show it.</summary>
    private const string Time = @"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC";
}
