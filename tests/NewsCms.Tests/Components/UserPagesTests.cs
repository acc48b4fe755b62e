using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Components.Admin.Users;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Components;

/// <summary>The users pages rendered with bUnit over the real services and a real database.</summary>
public class UserPagesTests : IAsyncLifetime
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
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<UserAdministration>());
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<NewsCms.Web.Features.Authors.AuthorProfiles>());
    }

    public async ValueTask DisposeAsync()
    {
        await context.DisposeAsync();
        await scope.DisposeAsync();
        await app.DisposeAsync();
    }

    private async Task<Task<AuthenticationState>> SignedInAsync(string email) =>
        Task.FromResult(new AuthenticationState(await app.PrincipalForAsync(email)));

    [Fact]
    public async Task The_users_list_shows_each_user_with_role_and_status()
    {
        await app.CreateUserAsync(NewsroomRoles.Editor, email: "eddie@newsroom.test", displayName: "Eddie Editor");
        var (lockedId, _, _) = await app.CreateUserAsync(NewsroomRoles.Contributor, email: "carla@newsroom.test", displayName: "Carla Contributor");
        var admin = await SignedInAsync(NewsCmsAppFactory.AdminEmail);
        await scope.ServiceProvider.GetRequiredService<UserAdministration>().LockAsync((await admin).User, lockedId);

        var page = context.Render<UserList>(parameters => parameters.AddCascadingValue(admin));

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("tbody tr").Count), TimeSpan.FromSeconds(10));
        var rows = page.FindAll("tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains(rows, r => r.Contains("Eddie Editor") && r.Contains("eddie@newsroom.test") && r.Contains("Editor") && r.Contains("Active"));
        Assert.Contains(rows, r => r.Contains("Carla Contributor") && r.Contains("Contributor") && r.Contains("Locked"));
        Assert.Contains(rows, r => r.Contains(NewsCmsAppFactory.AdminName) && r.Contains("Administrator"));
    }

    [Fact]
    public async Task Demoting_the_last_administrator_shows_the_refusal_and_keeps_the_role()
    {
        var adminId = await app.UserIdAsync(NewsCmsAppFactory.AdminEmail);
        var admin = await SignedInAsync(NewsCmsAppFactory.AdminEmail);
        var page = context.Render<EditUser>(parameters => parameters
            .Add(p => p.Id, adminId)
            .AddCascadingValue(admin));
        page.WaitForElement("select#role");

        page.Find("select#role").Change(NewsroomRoles.Editor);
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();

        page.WaitForAssertion(() => Assert.Contains("last active Administrator", page.Find("[role=alert]").TextContent), TimeSpan.FromSeconds(10));
        var details = await scope.ServiceProvider.GetRequiredService<UserAdministration>().GetAsync(await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), adminId);
        Assert.Equal(NewsroomRoles.Administrator, details.Value!.Role);
    }

    [Fact]
    public async Task Deleting_oneself_is_refused_on_the_page()
    {
        var adminId = await app.UserIdAsync(NewsCmsAppFactory.AdminEmail);
        var admin = await SignedInAsync(NewsCmsAppFactory.AdminEmail);
        var page = context.Render<EditUser>(parameters => parameters
            .Add(p => p.Id, adminId)
            .AddCascadingValue(admin));
        page.WaitForElement("select#role");

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();
        page.FindAll("[data-testid=confirm-delete] button").Single(b => b.TextContent.Trim() == "Delete").Click();

        page.WaitForAssertion(() => Assert.Contains("cannot delete your own account", page.Find("[role=alert]").TextContent), TimeSpan.FromSeconds(10));
    }
}
