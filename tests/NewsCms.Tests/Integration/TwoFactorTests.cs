using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

public class TwoFactorTests
{
    [Fact]
    public async Task An_account_with_an_authenticator_app_needs_its_code_to_sign_in()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, email, password) = await app.CreateUserAsync(NewsroomRoles.Editor);
        string key;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            await users.ResetAuthenticatorKeyAsync(user);
            key = (await users.GetAuthenticatorKeyAsync(user))!;
            await users.SetTwoFactorEnabledAsync(user, true);
        }

        using var client = app.CreateBrowserlikeClient();
        var signIn = await FormPost.SignInAsync(client, email, password);
        Assert.Contains("Account/LoginWith2fa", signIn.Headers.Location!.ToString());
        var twoFactorUrl = new Uri(new Uri("https://localhost/"), signIn.Headers.Location!).PathAndQuery;
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin")).StatusCode);

        var wrong = await FormPost.SubmitAsync(client, twoFactorUrl, "login-with-2fa", new Dictionary<string, string> { ["Input.TwoFactorCode"] = "000000" == Totp(key) ? "111111" : "000000" });
        Assert.Contains("Invalid authenticator code", await wrong.Content.ReadAsStringAsync());

        var right = await FormPost.SubmitAsync(client, twoFactorUrl, "login-with-2fa", new Dictionary<string, string> { ["Input.TwoFactorCode"] = Totp(key) });
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
    }

    [Fact]
    public async Task Turning_two_factor_on_and_off_under_My_account_keeps_the_user_signed_in()
    {
        // The security stamp is checked on every request, and a new authenticator key or 2FA switch changes it.
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, email, password) = await app.CreateUserAsync(NewsroomRoles.Author);
        using var client = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(client, email, password);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Manage/EnableAuthenticator")).StatusCode);
        string key;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            key = (await users.GetAuthenticatorKeyAsync((await users.FindByEmailAsync(email))!))!;
        }
        var enabled = await FormPost.SubmitAsync(client, "/Account/Manage/EnableAuthenticator", "send-code", new Dictionary<string, string> { ["Input.Code"] = Totp(key) });
        Assert.Contains("Your authenticator app has been verified", await enabled.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);

        var disabled = await FormPost.SubmitAsync(client, "/Account/Manage/Disable2fa", "disable-2fa", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, disabled.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
    }

    /// <summary>The code an authenticator app shows now (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits).</summary>
    internal static string Totp(string base32Key)
    {
        var key = Base32Decode(base32Key);
        var step = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
        var counter = BitConverter.GetBytes(step);
        if (BitConverter.IsLittleEndian) Array.Reverse(counter);
        var hash = HMACSHA1.HashData(key, counter);
        var offset = hash[^1] & 0x0f;
        var code = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (code % 1_000_000).ToString("D6");
    }

    private static byte[] Base32Decode(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var value = 0;
        var bytes = new List<byte>();
        foreach (var c in text.TrimEnd('=').ToUpperInvariant())
        {
            value = (value << 5) | alphabet.IndexOf(c);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(value >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. bytes];
    }
}
