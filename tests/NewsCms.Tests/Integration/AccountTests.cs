using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

public class AccountTests
{
    [Fact]
    public async Task Registration_is_closed_and_cannot_create_an_account()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();

        var page = await client.GetStringAsync("/Account/Register");
        Assert.Contains("Registration is closed", page);
        Assert.DoesNotContain("method=\"post\"", page);
        Assert.DoesNotContain("type=\"password\"", page);

        var post = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "walk-in@evil.test", ["Input.Password"] = "walk-in-password", ["Input.ConfirmPassword"] = "walk-in-password",
        }));
        Assert.NotEqual(HttpStatusCode.Redirect, post.StatusCode);

        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.Null(await users.FindByEmailAsync("walk-in@evil.test"));
        Assert.Single(users.Users);
    }

    [Fact]
    public async Task Five_failed_sign_ins_lock_the_account_against_new_sign_ins_and_are_audited()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, email, password) = await app.CreateUserAsync(NewsroomRoles.Author);
        using var client = app.CreateBrowserlikeClient();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var failed = await FormPost.SignInAsync(client, email, "wrong-password");
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
            Assert.Contains("e-mail or password is not right", WebUtility.HtmlDecode(await failed.Content.ReadAsStringAsync()));
        }

        // Even the right password is refused now, with the same answer as a wrong one (so the lock tells nobody the account exists).
        var right = await FormPost.SignInAsync(client, email, password);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("pauses for 15 minutes", WebUtility.HtmlDecode(await right.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin")).StatusCode);

        await SetupTests.AssertAuditedAsync(app, AuditActions.SignInFailed, email);
        await SetupTests.AssertAuditedAsync(app, AuditActions.LockedOut, email);
    }

    [Fact]
    public async Task A_locked_users_next_request_is_refused()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (id, email, password) = await app.CreateUserAsync(NewsroomRoles.Editor);
        using var editor = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(editor, email, password);
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync("/admin")).StatusCode);
        var editorPrincipal = await app.PrincipalForAsync(email);

        await using var scope = app.Services.CreateAsyncScope();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        Assert.True((await scope.ServiceProvider.GetRequiredService<UserAdministration>().LockAsync(admin, id)).Succeeded);

        var next = await editor.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.Contains("/Account/Login", next.Headers.Location!.ToString());
        // A service call made with the principal the user's circuit still holds is refused too.
        var call = await scope.ServiceProvider.GetRequiredService<UserAdministration>().CountByRoleAsync(editorPrincipal);
        Assert.Equal(NewsroomActors.SessionEnded, call.Error);
    }

    [Fact]
    public async Task A_role_change_applies_at_the_next_request()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (id, email, password) = await app.CreateUserAsync(NewsroomRoles.Administrator);
        using var client = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(client, email, password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/users")).StatusCode);

        await using var scope = app.Services.CreateAsyncScope();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        Assert.True((await users.UpdateAsync(admin, id, "Demoted", NewsroomRoles.Contributor)).Succeeded);

        var next = await client.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        // The old cookie's stamp is stale: signed out, so sent to sign in.
        Assert.Contains("/Account/Login", next.Headers.Location!.ToString());
        await FormPost.SignInAsync(client, email, password);
        Assert.Contains("/Account/AccessDenied", (await client.GetAsync("/admin/users")).Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
    }

    [Fact]
    public async Task An_account_made_by_an_administrator_must_choose_a_new_password_first()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, email, password) = await app.CreateUserAsync(NewsroomRoles.Editor, mustChangePassword: true);
        using var client = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(client, email, password);

        var admin = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.StartsWith("/Account/Manage/ChangePassword?returnUrl=%2Fadmin", admin.Headers.Location!.OriginalString);
        Assert.Contains("must-change-password", await client.GetStringAsync("/Account/Manage/ChangePassword?returnUrl=%2Fadmin"));

        var changed = await FormPost.SubmitAsync(client, "/Account/Manage/ChangePassword?returnUrl=%2Fadmin", "change-password", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = password, ["Input.NewPassword"] = "my-own-password", ["Input.ConfirmPassword"] = "my-own-password",
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.EndsWith("/admin", changed.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
        await SetupTests.AssertAuditedAsync(app, AuditActions.PasswordChanged, email);
    }

    [Fact]
    public async Task A_password_reset_email_reaches_smtp_with_a_link_on_the_public_origin()
    {
        await using var sink = new SmtpSink();
        await using var app = await NewsCmsAppFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["NewsCms:Smtp:Host"] = "127.0.0.1",
            ["NewsCms:Smtp:Port"] = sink.Port.ToString(),
            ["NewsCms:Smtp:Sender"] = "Newsroom <newsroom@news.example.test>",
        });
        var (_, email, _) = await app.CreateUserAsync(NewsroomRoles.Author);
        // A forged Host is refused before anything runs; a host the site also answers to (localhost, the test
        // client's) still never makes the link.
        using (var forged = app.CreateBrowserlikeClient())
        {
            forged.DefaultRequestHeaders.Host = "attacker.example";
            Assert.Equal(HttpStatusCode.BadRequest, (await forged.GetAsync("/Account/ForgotPassword")).StatusCode);
        }
        using var client = app.CreateBrowserlikeClient();

        var response = await FormPost.SubmitAsync(client, "/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var message = await sink.NextMessageAsync(TimeSpan.FromSeconds(20));
        Assert.Contains($"To: {email}", message);
        Assert.Contains("Reset your NewsCms password", message);
        Assert.Contains("https://news.example.test/Account/ResetPassword?code=", message.Replace("=\r\n", "").Replace("=\n", ""));
        Assert.DoesNotContain("attacker.example", message);
        Assert.DoesNotContain("://localhost", message);
    }

    [Fact]
    public async Task Without_smtp_the_email_is_written_to_the_log()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, email, _) = await app.CreateUserAsync(NewsroomRoles.Author);
        using var client = app.CreateBrowserlikeClient();
        await FormPost.SubmitAsync(client, "/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });
        Assert.Contains(app.Logs.Lines, line => line.Contains("SMTP is not configured") && line.Contains(email) && line.Contains("/Account/ResetPassword?code="));
    }
}

public class AccountPagesOutOfStepTests
{
    [Theory]
    [InlineData("/Account/LoginWith2fa", "/Account/Login")]
    [InlineData("/Account/LoginWithRecoveryCode", "/Account/Login")]
    public async Task A_second_factor_page_without_a_sign_in_in_progress_sends_back_to_sign_in(string url, string to)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        var response = await client.GetAsync(url);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(to, new Uri(new Uri("https://localhost/"), response.Headers.Location!).AbsolutePath);
    }

    [Theory]
    [InlineData("/Account/Manage/Disable2fa")]
    [InlineData("/Account/Manage/GenerateRecoveryCodes")]
    public async Task Two_factor_pages_for_an_account_without_it_lead_to_the_two_factor_settings(string url)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(client, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        var response = await client.GetAsync(url);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Manage/TwoFactorAuthentication", new Uri(new Uri("https://localhost/"), response.Headers.Location!).AbsolutePath);
    }
}
