using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

public class UserAdministrationTests
{
    [Fact]
    public async Task Each_administrative_action_is_applied_and_audited_with_who_what_and_target()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

        var created = await users.CreateAsync(admin, new NewUserInput { DisplayName = "Rita Reporter", Email = "rita@newsroom.test", Role = NewsroomRoles.Contributor });
        Assert.True(created.Succeeded, created.Error);
        Assert.NotNull(created.Value!.GeneratedPassword);
        var id = created.Value.UserId;

        Assert.True((await users.UpdateAsync(admin, id, "Rita Reporter", NewsroomRoles.Author)).Succeeded);
        Assert.True((await users.LockAsync(admin, id)).Succeeded);
        Assert.True((await users.GetAsync(admin, id)).Value!.IsLocked);
        Assert.True((await users.UnlockAsync(admin, id)).Succeeded);
        var reset = await users.ResetPasswordAsync(admin, id);
        Assert.True(reset.Succeeded);
        Assert.NotEqual(created.Value.GeneratedPassword, reset.Value);
        Assert.True((await users.DeleteAsync(admin, id)).Succeeded);
        Assert.False((await users.GetAsync(admin, id)).Succeeded);

        var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();
        var entries = await db.AuditEntries.Where(e => e.Target.Contains("rita@newsroom.test")).OrderBy(e => e.Id).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(
            [AuditActions.UserCreated, AuditActions.RoleChanged, AuditActions.UserLocked, AuditActions.UserUnlocked, AuditActions.PasswordReset, AuditActions.UserDeleted],
            entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal(NewsCmsAppFactory.AdminName, e.ActorName));
        Assert.Contains("Contributor → Author", entries[1].Details);
    }

    [Fact]
    public async Task A_created_user_can_sign_in_with_the_generated_password_and_must_change_it()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

        var typed = await users.CreateAsync(admin, new NewUserInput { DisplayName = "Ed Itor", Email = "ed@newsroom.test", Role = NewsroomRoles.Editor, Password = "typed-password-1" });
        Assert.Null(typed.Value!.GeneratedPassword);

        using var client = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(client, "ed@newsroom.test", "typed-password-1");
        Assert.Contains("/Account/Manage/ChangePassword", (await client.GetAsync("/admin")).Headers.Location!.OriginalString);
        // The account notice was "sent" (logged: no SMTP in this test) without the password.
        Assert.Contains(app.Logs.Lines, l => l.Contains("ed@newsroom.test") && l.Contains("Your NewsCms account") && !l.Contains("typed-password-1"));
    }

    [Fact]
    public async Task Bad_input_and_duplicates_are_refused_with_a_clear_message()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

        Assert.Equal("Enter a valid e-mail address.", (await users.CreateAsync(admin, new NewUserInput { DisplayName = "X", Email = "not-an-email", Role = NewsroomRoles.Author })).Error);
        Assert.Contains("Choose one of the roles", (await users.CreateAsync(admin, new NewUserInput { DisplayName = "X", Email = "x@newsroom.test", Role = "Overlord" })).Error);
        Assert.Contains("at least 10", (await users.CreateAsync(admin, new NewUserInput { DisplayName = "X", Email = "x@newsroom.test", Role = NewsroomRoles.Author, Password = "short" })).Error);
        Assert.Contains("already an account", (await users.CreateAsync(admin, new NewUserInput { DisplayName = "X", Email = NewsCmsAppFactory.AdminEmail, Role = NewsroomRoles.Author })).Error);
    }

    [Fact]
    public async Task The_last_administrator_and_ones_own_account_are_protected()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var adminId = await app.UserIdAsync(NewsCmsAppFactory.AdminEmail);

        Assert.Contains("your own account", (await users.DeleteAsync(admin, adminId)).Error);
        Assert.Contains("your own account", (await users.LockAsync(admin, adminId)).Error);
        Assert.Contains("last active Administrator", (await users.UpdateAsync(admin, adminId, NewsCmsAppFactory.AdminName, NewsroomRoles.Editor)).Error);

        // With a second, locked administrator the first is still the last active one.
        var (secondId, secondEmail, _) = await app.CreateUserAsync(NewsroomRoles.Administrator);
        var second = await app.PrincipalForAsync(secondEmail);
        Assert.True((await users.LockAsync(admin, secondId)).Succeeded);
        Assert.Contains("last active Administrator", (await users.UpdateAsync(admin, adminId, NewsCmsAppFactory.AdminName, NewsroomRoles.Editor)).Error);

        // Unlocked, the second may demote the first; then the second is the last and cannot step down.
        Assert.True((await users.UnlockAsync(admin, secondId)).Succeeded);
        Assert.True((await users.UpdateAsync(admin, adminId, NewsCmsAppFactory.AdminName, NewsroomRoles.Editor)).Succeeded);
        second = await app.PrincipalForAsync(secondEmail);
        Assert.Contains("last active Administrator", (await users.UpdateAsync(second, secondId, "Second", NewsroomRoles.Author)).Error);
        // The demoted first administrator's old principal no longer works anywhere.
        Assert.Equal(NewsroomActors.SessionEnded, (await users.ListAsync(admin, null, 0, 10)).Error);
    }

    [Fact]
    public async Task Every_method_refuses_callers_without_the_capability()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var adminId = await app.UserIdAsync(NewsCmsAppFactory.AdminEmail);

        foreach (var role in new[] { NewsroomRoles.Editor, NewsroomRoles.Author, NewsroomRoles.Contributor })
        {
            var (_, email, _) = await app.CreateUserAsync(role);
            var caller = await app.PrincipalForAsync(email);
            Assert.Equal(NewsroomActors.NotAllowed, (await users.ListAsync(caller, null, 0, 10)).Error);
            Assert.Equal(NewsroomActors.NotAllowed, (await users.GetAsync(caller, adminId)).Error);
            Assert.Equal(NewsroomActors.NotAllowed, (await users.CreateAsync(caller, new NewUserInput { DisplayName = "X", Email = "x@newsroom.test" })).Error);
            Assert.Equal(NewsroomActors.NotAllowed, (await users.UpdateAsync(caller, adminId, "X", role)).Error);
            Assert.Equal(NewsroomActors.NotAllowed, (await users.LockAsync(caller, adminId)).Error);
            Assert.Equal(NewsroomActors.NotAllowed, (await users.UnlockAsync(caller, adminId)).Error);
            Assert.Equal(NewsroomActors.NotAllowed, (await users.ResetPasswordAsync(caller, adminId)).Error);
            Assert.Equal(NewsroomActors.NotAllowed, (await users.DeleteAsync(caller, adminId)).Error);
            Assert.True((await users.CountByRoleAsync(caller)).Succeeded);
        }
        Assert.Equal(NewsroomActors.SessionEnded, (await users.ListAsync(new System.Security.Claims.ClaimsPrincipal(), null, 0, 10)).Error);
    }

    [Fact]
    public async Task The_list_searches_by_name_or_email_and_pages()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        for (var i = 0; i < 12; i++)
        {
            await app.CreateUserAsync(NewsroomRoles.Author, email: $"writer{i:00}@newsroom.test", displayName: $"Writer {i:00}");
        }
        await app.CreateUserAsync(NewsroomRoles.Editor, email: "desk@paper.test", displayName: "Percent 100% Desk");
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

        var page = (await users.ListAsync(admin, "writer", 1, 5)).Value!;
        Assert.Equal(12, page.Total);
        Assert.Equal(["Writer 05", "Writer 06", "Writer 07", "Writer 08", "Writer 09"], page.Items.Select(u => u.DisplayName));
        Assert.All(page.Items, u => Assert.Equal(NewsroomRoles.Author, u.Role));
        Assert.Equal("Percent 100% Desk", Assert.Single((await users.ListAsync(admin, "paper.test", 0, 10)).Value!.Items).DisplayName);
        Assert.Single((await users.ListAsync(admin, "100%", 0, 10)).Value!.Items);
        Assert.Empty((await users.ListAsync(admin, "%_", 0, 10)).Value!.Items);

        var counts = (await users.CountByRoleAsync(admin)).Value!;
        Assert.Equal(12, counts[NewsroomRoles.Author]);
        Assert.Equal(1, counts[NewsroomRoles.Editor]);
        Assert.Equal(1, counts[NewsroomRoles.Administrator]);
        Assert.Equal(0, counts[NewsroomRoles.Contributor]);
    }
}
