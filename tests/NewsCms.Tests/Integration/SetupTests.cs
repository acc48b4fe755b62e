using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Setup;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

public class SetupTests
{
    [Fact]
    public async Task A_fresh_site_sends_every_admin_url_to_setup_and_logs_a_setup_code()
    {
        await using var app = await NewsCmsAppFactory.WithoutBootstrap();
        using var client = app.CreateBrowserlikeClient();

        foreach (var url in new[] { "/admin", "/admin/users", "/admin/settings", "/Account/Login" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/setup", response.Headers.Location?.OriginalString);
        }
        Assert.Contains(app.Logs.Lines, line => System.Text.RegularExpressions.Regex.IsMatch(line, @"Setup code: [A-Z0-9]{4}-[A-Z0-9]{4}"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/setup")).StatusCode);
    }

    [Fact]
    public async Task Setup_needs_the_code_then_creates_the_administrator_and_answers_404_for_ever()
    {
        await using var app = await NewsCmsAppFactory.WithoutBootstrap();
        using var client = app.CreateBrowserlikeClient();
        var code = app.Services.GetRequiredService<FirstRunSetup>().Code!;

        var wrong = await FormPost.SubmitAsync(client, "/setup", "setup", Form("WRONG-CODE", "chief@newsroom.test"));
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("setup code is not right", await wrong.Content.ReadAsStringAsync());
        Assert.Equal(0, await CountUsersAsync(app));

        var right = await FormPost.SubmitAsync(client, "/setup", "setup", Form(code.ToLowerInvariant(), "chief@newsroom.test"));
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.EndsWith("/admin", right.Headers.Location?.OriginalString);

        // Signed in as the new Administrator.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var admin = Assert.Single(await users.GetUsersInRoleAsync(NewsroomRoles.Administrator));
            Assert.Equal("chief@newsroom.test", admin.Email);
            Assert.False(admin.MustChangePassword);
        }
        Assert.Equal("The Daily Test", (await app.Services.GetRequiredService<SiteSettingsStore>().GetAsync()).Title);
        await AssertAuditedAsync(app, AuditActions.SetupCompleted);

        // From now on /setup does not exist and can never make another account.
        using var anonymous = app.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/setup")).StatusCode);
        var again = await app.Services.GetRequiredService<FirstRunSetup>().CompleteAsync(new SetupInput
        {
            SetupCode = code, SiteTitle = "Taken", DisplayName = "Mallory", Email = "mallory@evil.test",
            Password = "mallory-password", ConfirmPassword = "mallory-password",
        }, TestContext.Current.CancellationToken);
        Assert.False(again.Succeeded);
        Assert.Equal(1, await CountUsersAsync(app));
    }

    [Fact]
    public async Task Two_racing_setups_make_exactly_one_administrator()
    {
        await using var app = await NewsCmsAppFactory.WithoutBootstrap();
        app.CreateClient().Dispose();
        var setup = app.Services.GetRequiredService<FirstRunSetup>();
        var code = setup.Code!;

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => setup.CompleteAsync(new SetupInput
        {
            SetupCode = code, SiteTitle = "Race", DisplayName = $"Racer {i}", Email = $"racer{i}@newsroom.test",
            Password = "racing-password", ConfirmPassword = "racing-password",
        }))));

        Assert.Single(results, r => r.Succeeded);
        Assert.Equal(1, await CountUsersAsync(app));
    }

    [Fact]
    public async Task Setup_refuses_a_weak_password_and_keeps_the_other_fields()
    {
        await using var app = await NewsCmsAppFactory.WithoutBootstrap();
        using var client = app.CreateBrowserlikeClient();
        var code = app.Services.GetRequiredService<FirstRunSetup>().Code!;
        var fields = Form(code, "chief@newsroom.test");
        fields["Input.Password"] = fields["Input.ConfirmPassword"] = "short";

        var response = await FormPost.SubmitAsync(client, "/setup", "setup", fields);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("at least 10 characters", html);
        Assert.Contains("value=\"chief@newsroom.test\"", html);
        Assert.Equal(0, await CountUsersAsync(app));
    }

    [Fact]
    public async Task Setup_offers_the_title_the_site_already_has_and_keeps_it()
    {
        await using var app = await NewsCmsAppFactory.WithoutBootstrap();
        using var client = app.CreateBrowserlikeClient();
        // A site filled before its first account (as --demo does) already has a title.
        await app.Services.GetRequiredService<SiteSettingsStore>().WriteAsync(new Dictionary<string, string> { [SiteSettingsStore.TitleKey] = "Kestrel Bay Courier" });

        var page = await (await client.GetAsync("/setup")).Content.ReadAsStringAsync();
        var title = System.Text.RegularExpressions.Regex.Match(page, "<input[^>]*id=\"site-title\"[^>]*>").Value;
        Assert.Contains("value=\"Kestrel Bay Courier\"", title);

        var fields = Form(app.Services.GetRequiredService<FirstRunSetup>().Code!, "chief@newsroom.test");
        fields["Input.SiteTitle"] = "Kestrel Bay Courier";
        var done = await FormPost.SubmitAsync(client, "/setup", "setup", fields);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("Kestrel Bay Courier", (await app.Services.GetRequiredService<SiteSettingsStore>().GetAsync()).Title);
    }

    private static Dictionary<string, string> Form(string code, string email) => new()
    {
        ["Input.SetupCode"] = code,
        ["Input.SiteTitle"] = "The Daily Test",
        ["Input.DisplayName"] = "Chief Editor",
        ["Input.Email"] = email,
        ["Input.Password"] = "a-long-password",
        ["Input.ConfirmPassword"] = "a-long-password",
    };

    private static async Task<int> CountUsersAsync(NewsCmsAppFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>().Users.CountAsync();
    }

    internal static async Task AssertAuditedAsync(NewsCmsAppFactory app, string action, string? targetContains = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();
        var entries = await db.AuditEntries.Where(e => e.Action == action).ToListAsync();
        Assert.Contains(entries, e => targetContains is null || e.Target.Contains(targetContains));
    }
}
