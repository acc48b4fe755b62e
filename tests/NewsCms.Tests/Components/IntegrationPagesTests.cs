using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Components.Admin.Integrations;
using NewsCms.Web.Features.Integrations;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Components;

/// <summary>The integrations pages rendered with bUnit over the real services and a real database.</summary>
public sealed class IntegrationPagesTests : IAsyncLifetime
{
    private NewsCmsAppFactory app = default!;
    private AsyncServiceScope scope;
    private readonly BunitContext context = new();

    public async ValueTask InitializeAsync()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        scope = app.Services.CreateAsyncScope();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<Integrations>());
        // Each integration's page shows its webhooks and their delivery log.
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<NewsCms.Web.Features.Webhooks.Webhooks>());
        context.Services.AddLogging();
    }

    public async ValueTask DisposeAsync()
    {
        await context.DisposeAsync();
        await scope.DisposeAsync();
        await app.DisposeAsync();
    }

    private async Task<Task<AuthenticationState>> AdminAsync() =>
        Task.FromResult(new AuthenticationState(await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail)));

    [Fact]
    public async Task Adding_an_integration_shows_both_keys_with_copy_buttons_and_lists_it_with_its_role()
    {
        var admin = await AdminAsync();
        var page = context.Render<IntegrationsPage>(p => p.AddCascadingValue(admin));
        page.WaitForElement("input#integration-name");
        Assert.Contains("<label for=\"integration-role\">Role</label>", page.Markup);

        page.Find("input#integration-name").Change("Newsletter");
        page.Find("select#integration-role").Change(NewsroomRoles.Author);
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Add integration").Click();

        page.WaitForElement("[data-testid=integration-created]", TimeSpan.FromSeconds(10));
        var content = page.Find("input#new-content-key").GetAttribute("value");
        var adminKey = page.Find("input#new-admin-key").GetAttribute("value");
        Assert.Matches("^[0-9a-f]{26}$", content);
        Assert.Matches("^[0-9a-f]{24}:[0-9a-f]{64}$", adminKey);
        Assert.Contains("Content API key", page.Markup);
        Assert.Contains("Admin API key", page.Markup);
        Assert.Equal(2, page.FindAll("[data-testid=integration-created] button").Count(b => b.TextContent.Trim() == "Copy"));
        page.FindAll("button").First(b => b.TextContent.Trim() == "Copy").Click();
        context.JSInterop.VerifyInvoke("navigator.clipboard.writeText");
        page.WaitForAssertion(() => Assert.Contains(page.FindAll("tbody tr"), r => r.TextContent.Contains("Newsletter") && r.TextContent.Contains(NewsroomRoles.Author) && r.TextContent.Contains("Never")));
    }

    [Fact]
    public async Task An_integrations_page_regenerates_and_revokes_keys_and_deletes_after_confirmation()
    {
        var admin = await AdminAsync();
        var created = (await scope.ServiceProvider.GetRequiredService<Integrations>().CreateAsync((await admin).User, "Wire desk", NewsroomRoles.Editor)).Value!;
        var page = context.Render<IntegrationPage>(p => p.Add(c => c.Id, created.Id).AddCascadingValue(admin));
        page.WaitForElement("input#admin-key");
        Assert.Equal(created.AdminKey, page.Find("input#admin-key").GetAttribute("value"));
        Assert.Equal(created.ContentKey, page.Find("input#content-key").GetAttribute("value"));
        Assert.Contains("last used never", page.Markup);
        // The integration's webhooks and their delivery log are on its page.
        page.WaitForElement("[data-testid=webhook-log]");

        page.Find("button[aria-label='Regenerate the Admin API key']").Click();
        page.WaitForAssertion(() => Assert.NotEqual(created.AdminKey, page.Find("input#admin-key").GetAttribute("value")), TimeSpan.FromSeconds(10));
        Assert.Contains("Earlier keys", page.Markup);

        page.Find("button[aria-label='Revoke the Content API key']").Click();
        page.WaitForAssertion(() => Assert.Contains("none (revoked)", page.Markup), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("input#content-key"));

        page.Find("select#integration-role").Change(NewsroomRoles.Contributor);
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();
        page.WaitForAssertion(async () => Assert.Equal(NewsroomRoles.Contributor,
            (await scope.ServiceProvider.GetRequiredService<Integrations>().GetAsync((await admin).User, created.Id)).Value!.Role), TimeSpan.FromSeconds(10));

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Delete integration").Click();
        page.FindAll("[data-testid=confirm-delete] button").Single(b => b.TextContent.Trim() == "Delete").Click();
        var navigation = context.Services.GetRequiredService<BunitNavigationManager>();
        page.WaitForAssertion(() => Assert.EndsWith("/admin/integrations", navigation.Uri), TimeSpan.FromSeconds(10));
        Assert.Equal(Integrations.NotFound, (await scope.ServiceProvider.GetRequiredService<Integrations>().GetAsync((await admin).User, created.Id)).Error);
    }
}
