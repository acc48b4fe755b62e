using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>Sign-in, sign-out and what a failed sign-in may and may not do to the sessions already open.</summary>
public sealed partial class SignInAndSessionTests
{
    [Fact]
    public async Task Failed_sign_ins_at_an_account_do_not_end_its_open_sessions()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, email, password) = await app.CreateUserAsync(NewsroomRoles.Editor);
        using var editor = app.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await FormPost.SignInAsync(editor, email, password)).StatusCode);
        // The principal the editor's circuit holds, with the stamp of the cookie it came with.
        var circuitPrincipal = await app.PrincipalForAsync(email);
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var draft = await articles.Editing.SaveAsync(circuitPrincipal, null, new ArticleInput { Headline = "Council budget", BodyHtml = "<p>First.</p>" }, null, SaveKind.Manual);
        Assert.True(draft.Succeeded, draft.Error);

        // Someone else guesses at the editor's password until Identity locks the account against new sign-ins.
        using var attacker = app.CreateBrowserlikeClient();
        for (var attempt = 0; attempt < 5; attempt++) await FormPost.SignInAsync(attacker, email, "wrong-password");
        await using (var check = app.Services.CreateAsyncScope())
        {
            var users = check.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True(await users.IsLockedOutAsync((await users.FindByEmailAsync(email))!));
        }

        // The editor's next save and next page still work.
        var next = await articles.Editing.SaveAsync(circuitPrincipal, draft.Id, new ArticleInput { Headline = "Council budget", BodyHtml = "<p>Second.</p>" }, draft.Version, SaveKind.Manual);
        Assert.True(next.Succeeded, next.Error);
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync("/admin")).StatusCode);
        // A new sign-in is still refused while the lockout lasts, even with the right password.
        Assert.NotEqual(HttpStatusCode.Redirect, (await FormPost.SignInAsync(app.CreateBrowserlikeClient(), email, password)).StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_look_the_same_for_an_existing_and_a_missing_account()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, email, _) = await app.CreateUserAsync(NewsroomRoles.Author);
        using var existing = app.CreateBrowserlikeClient();
        using var missing = app.CreateBrowserlikeClient();

        // Past Identity's five failures: the existing account locks, the missing one cannot.
        for (var attempt = 1; attempt <= 7; attempt++)
        {
            var a = await FormPost.SignInAsync(existing, email, "wrong-password");
            var b = await FormPost.SignInAsync(missing, "nobody-here@newsroom.test", "wrong-password");
            Assert.Equal(b.StatusCode, a.StatusCode);
            Assert.Equal(b.Headers.Location?.ToString(), a.Headers.Location?.ToString());
            Assert.Equal(Alert(await b.Content.ReadAsStringAsync()), Alert(await a.Content.ReadAsStringAsync()));
            Assert.NotNull(Alert(await a.Content.ReadAsStringAsync()));
        }
    }

    [Fact]
    public async Task A_deep_link_into_the_newsroom_survives_sign_in()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        var bounce = await client.GetAsync("/admin/articles?status=Draft");
        Assert.Equal(HttpStatusCode.Redirect, bounce.StatusCode);
        var loginUrl = bounce.Headers.Location!.OriginalString;
        Assert.StartsWith("/Account/Login?ReturnUrl=", loginUrl);

        var signIn = await FormPost.SubmitAsync(client, loginUrl, "login", new Dictionary<string, string>
        {
            ["Input.Email"] = NewsCmsAppFactory.AdminEmail, ["Input.Password"] = NewsCmsAppFactory.AdminPassword,
        });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/admin/articles?status=Draft", signIn.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("authenticator")]
    [InlineData("recovery")]
    public async Task A_deep_link_survives_the_second_factor(string step)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, email, password) = await app.CreateUserAsync(NewsroomRoles.Editor);
        string key;
        string recoveryCode;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            await users.ResetAuthenticatorKeyAsync(user);
            key = (await users.GetAuthenticatorKeyAsync(user))!;
            await users.SetTwoFactorEnabledAsync(user, true);
            recoveryCode = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 1))!.Single();
        }

        using var client = app.CreateBrowserlikeClient();
        var signIn = await FormPost.SubmitAsync(client, "/Account/Login?ReturnUrl=%2Fadmin%2Farticles%2F7", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email, ["Input.Password"] = password,
        });
        var twoFactorUrl = signIn.Headers.Location!.OriginalString;
        Assert.Contains("/Account/LoginWith2fa", twoFactorUrl);
        var done = step == "authenticator"
            ? await FormPost.SubmitAsync(client, twoFactorUrl, "login-with-2fa", new Dictionary<string, string> { ["Input.TwoFactorCode"] = TwoFactorTests.Totp(key) })
            : await FormPost.SubmitAsync(client, RecoveryLink(await client.GetStringAsync(twoFactorUrl)), "login-with-recovery-code",
                new Dictionary<string, string> { ["Input.RecoveryCode"] = recoveryCode });
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("/admin/articles/7", done.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("https://evil.example/phish")]
    [InlineData("//evil.example/phish")]
    [InlineData("/\\evil.example/phish")]
    public async Task Sign_in_never_sends_anyone_to_another_site(string returnUrl)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        var signIn = await FormPost.SubmitAsync(client, "/Account/Login?ReturnUrl=" + Uri.EscapeDataString(returnUrl), "login", new Dictionary<string, string>
        {
            ["Input.Email"] = NewsCmsAppFactory.AdminEmail, ["Input.Password"] = NewsCmsAppFactory.AdminPassword,
        });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/admin", signIn.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("Host", "attacker.example")]
    [InlineData("X-Forwarded-Host", "attacker.example")]
    public async Task The_sign_in_redirect_does_not_echo_the_requests_host(string header, string value)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        if (header == "Host") client.DefaultRequestHeaders.Host = value;
        else client.DefaultRequestHeaders.Add(header, value);
        if (header == "Host")
        {
            // A host that is not the site's is refused before anything runs (NewsCms:Site:AdditionalHosts).
            Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/Account/Login")).StatusCode);
            return;
        }
        var signIn = await FormPost.SignInAsync(client, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("attacker", signIn.Headers.Location!.OriginalString);
        Assert.Equal("/admin", signIn.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("Host", "attacker.example")]
    [InlineData("X-Forwarded-Host", "attacker.example")]
    public async Task The_redirect_to_sign_in_does_not_echo_the_requests_host(string header, string value)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        if (header == "Host") client.DefaultRequestHeaders.Host = value;
        else client.DefaultRequestHeaders.Add(header, value);
        var bounce = await client.GetAsync("/admin/articles");
        if (header == "Host")
        {
            Assert.Equal(HttpStatusCode.BadRequest, bounce.StatusCode);
            return;
        }
        Assert.Equal(HttpStatusCode.Redirect, bounce.StatusCode);
        Assert.Equal("/Account/Login?ReturnUrl=%2Fadmin%2Farticles", bounce.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_so_the_old_cookie_no_longer_works()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, email, password) = await app.CreateUserAsync(NewsroomRoles.Editor);
        using var client = app.CreateBrowserlikeClient();
        var signIn = await FormPost.SignInAsync(client, email, password);
        var cookie = string.Join("; ", signIn.Headers.GetValues("Set-Cookie").Where(c => c.StartsWith("NewsCms.Auth")).Select(c => c.Split(';')[0]));
        Assert.NotEmpty(cookie);
        using var replay = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost") });
        Assert.Equal(HttpStatusCode.OK, (await Get(replay, "/admin", cookie)).StatusCode);

        var signOut = await PostLogoutAsync(client, "");
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        var again = await Get(replay, "/admin", cookie);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Contains("/Account/Login", again.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Sign_out_without_an_antiforgery_token_is_a_bad_request_and_signs_nobody_out()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(client, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        var response = await client.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["ReturnUrl"] = "" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
        // A forged or stale form is the client's mistake, not a fault for the operator's error log.
        Assert.DoesNotContain(app.Logs.Lines, line => line.StartsWith("Error ") || line.StartsWith("Critical "));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    public async Task Sign_out_ignores_a_return_address_on_another_site(string returnUrl)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(client, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        var response = await PostLogoutAsync(client, returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin")).StatusCode);
    }

    [Fact]
    public async Task Sign_out_returns_to_a_local_address()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(client, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        var response = await PostLogoutAsync(client, "/search?q=ferry");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/search?q=ferry", response.Headers.Location!.OriginalString);
    }

    /// <summary>Signs out the way the newsroom's "Sign out" button does: the form on a newsroom page, with its token.</summary>
    private static async Task<HttpResponseMessage> PostLogoutAsync(HttpClient client, string returnUrl)
    {
        var page = await client.GetStringAsync("/admin");
        var token = AntiforgeryToken().Match(page);
        Assert.True(token.Success, "no antiforgery token on /admin");
        return await client.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value), ["ReturnUrl"] = returnUrl,
        }));
    }

    private static Task<HttpResponseMessage> Get(HttpClient client, string url, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", cookie);
        return client.SendAsync(request);
    }

    private static string? Alert(string html)
    {
        var match = AlertText().Match(html);
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value).Trim() : null;
    }

    private static string RecoveryLink(string twoFactorPage)
    {
        var match = RecoveryHref().Match(twoFactorPage);
        Assert.True(match.Success, "no recovery-code link on the two-factor page");
        return "/" + WebUtility.HtmlDecode(match.Groups[1].Value).TrimStart('/');
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("role=\"alert\"[^>]*>(.*?)</", RegexOptions.Singleline)]
    private static partial Regex AlertText();

    [GeneratedRegex("href=\"([^\"]*LoginWithRecoveryCode[^\"]*)\"")]
    private static partial Regex RecoveryHref();
}
