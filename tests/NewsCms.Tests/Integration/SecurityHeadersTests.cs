using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using Microsoft.EntityFrameworkCore;

namespace NewsCms.Tests.Integration;

public partial class SecurityHeadersTests
{
    private static string Csp(HttpResponseMessage response) => response.Headers.GetValues("Content-Security-Policy").Single();

    private static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ') + 1)..]);

    [Theory]
    [InlineData("/")]
    [InlineData("/search?q=x")]
    [InlineData("/news/no-such-article")]
    [InlineData("/feed.xml")]
    [InlineData("/Account/Login")]
    [InlineData("/healthz")]
    public async Task Public_responses_carry_a_strict_policy_and_the_other_security_headers(string url)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateClient();
        var response = await client.GetAsync(url);
        var csp = Directives(Csp(response));
        Assert.Equal("'self'", csp["script-src"]);
        Assert.Equal("'self'", csp["style-src"]);
        Assert.Equal("'self' data:", csp["img-src"]);
        Assert.Equal("'none'", csp["frame-ancestors"]);
        Assert.Equal("'none'", csp["object-src"]);
        Assert.Equal(NewsCms.Web.Features.Embeds.EmbedProviders.FrameSources, csp["frame-src"]);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("camera=()", response.Headers.GetValues("Permissions-Policy").Single());
    }

    [Fact]
    public async Task Public_pages_have_no_inline_script_or_style_the_policy_would_block()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateClient();
        foreach (var url in new[] { "/", "/search?q=harbour", "/Account/Login", "/no-such-page" })
        {
            var html = await (await client.GetAsync(url)).Content.ReadAsStringAsync();
            // Data blocks (JSON-LD) are not run; every other script has a src.
            foreach (Match script in Regex.Matches(html, "<script(?<attributes>[^>]*)>(?<body>.*?)</script>", RegexOptions.Singleline))
            {
                var attributes = script.Groups["attributes"].Value;
                Assert.True(attributes.Contains("src=") || attributes.Contains("application/ld+json"), $"Inline script on {url}: {script.Value[..Math.Min(120, script.Value.Length)]}");
            }
            Assert.DoesNotMatch(" style=\"", html);
            Assert.DoesNotContain("<style", html);
        }
    }

    [Fact]
    public async Task The_newsroom_allows_its_import_map_by_hash_and_inline_styles_for_MudBlazor_only()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await FormPost.SignInAsync(client, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword)).StatusCode);

        var response = await client.GetAsync("/admin");
        var html = await response.Content.ReadAsStringAsync();
        var csp = Directives(Csp(response));
        var importMap = Regex.Match(html, "<script type=\"importmap\">(.*?)</script>", RegexOptions.Singleline);
        Assert.True(importMap.Success, "the newsroom page has an import map");
        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(importMap.Groups[1].Value)));
        Assert.Equal($"'self' 'sha256-{hash}'", csp["script-src"]);
        Assert.DoesNotContain("unsafe-eval", csp["script-src"]);
        Assert.Equal("'self' 'unsafe-inline'", csp["style-src"]);
        Assert.Equal("'self'", csp["connect-src"]);
        Assert.Equal("'none'", csp["frame-ancestors"]);
    }

    [Fact]
    public async Task Cookies_are_HttpOnly_SameSite_and_Secure_on_an_https_site()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        var page = await client.GetAsync("/Account/Login");
        var signIn = await FormPost.SignInAsync(client, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        var cookies = page.Headers.GetValues("Set-Cookie").Concat(signIn.Headers.GetValues("Set-Cookie")).ToList();
        Assert.Contains(cookies, c => c.StartsWith("NewsCms.Auth="));
        Assert.All(cookies, cookie =>
        {
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Matches("samesite=(lax|strict)", cookie.ToLowerInvariant());
        });
    }

    [Fact]
    public async Task Sign_in_is_rate_limited_per_address_and_per_account_with_a_clear_message()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(new()
        {
            ["NewsCms:SignIn:AttemptsPerAccount"] = "3",
            ["NewsCms:SignIn:AttemptsPerAddress"] = "6",
        });
        var (_, email, password) = await app.CreateUserAsync("Editor");
        using var client = app.CreateBrowserlikeClient();

        // Three attempts at one account are allowed; the fourth is refused before the password is checked, even the right one.
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await FormPost.SignInAsync(client, email, "wrong-password")).StatusCode);
        var refused = await FormPost.SignInAsync(client, email, password);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("Too many sign-in attempts. Wait", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));

        // The per-address limit stops spraying other accounts from the same address.
        for (var i = 0; i < 2; i++) await FormPost.SignInAsync(client, $"someone{i}@newsroom.test", "wrong-password");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await FormPost.SignInAsync(client, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword)).StatusCode);

        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        Assert.True(await db.AuditEntries.CountAsync(e => e.Action == AuditActions.SignInThrottled) >= 2);
        // Fewer than Identity's five failures reached the account: it is not locked out.
        var user = await db.Users.SingleAsync(u => u.Email == email);
        Assert.Equal(3, user.AccessFailedCount);
    }
}
