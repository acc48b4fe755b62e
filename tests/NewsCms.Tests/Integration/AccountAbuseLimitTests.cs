using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>What anonymous requests to /Account may cost the site: bounded audit rows, bounded e-mail, bounded posts.</summary>
public class AccountAbuseLimitTests
{
    [Fact]
    public async Task Refused_sign_ins_write_the_first_refusal_per_key_and_window_and_count_the_rest()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:SignIn:AttemptsPerAccount"] = "2" });
        app.TestServices = services => services.AddSingleton<TimeProvider>(clock);
        using var client = app.CreateBrowserlikeClient();
        const string ghost = "ghost@newsroom.test";

        // Two tries at an account that does not exist, then four refused by the per-account limit.
        for (var attempt = 1; attempt <= 6; attempt++) await FormPost.SignInAsync(client, ghost, "wrong-password");
        var entries = await EntriesForAsync(app, ghost);
        Assert.Single(entries, e => e.Action == AuditActions.SignInFailed);
        Assert.Single(entries, e => e.Action == AuditActions.SignInThrottled);

        // In the next window the first refusal is written again, with the count of those only counted.
        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var refused = await FormPost.SignInAsync(client, ghost, "wrong-password");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var throttled = (await EntriesForAsync(app, ghost)).Where(e => e.Action == AuditActions.SignInThrottled).OrderBy(e => e.Id).ToList();
        Assert.Equal(2, throttled.Count);
        Assert.Contains("3 more", throttled[1].Details);
    }

    [Fact]
    public async Task Knocking_on_a_locked_account_writes_one_row_per_window()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, email, _) = await app.CreateUserAsync(NewsroomRoles.Author);
        using var client = app.CreateBrowserlikeClient();
        // Five wrong passwords lock the account; four more attempts meet the lock (the per-account limit allows ten).
        for (var attempt = 1; attempt <= 9; attempt++) await FormPost.SignInAsync(client, email, "wrong-password");

        var entries = (await EntriesForAsync(app, "")).Where(e => e.Target.Contains(email)).ToList();
        Assert.Equal(4, entries.Count(e => e.Details == "Wrong password"));
        Assert.Single(entries, e => e.Action == AuditActions.LockedOut);
        Assert.Single(entries, e => e.Details!.StartsWith("Refused: the account is locked"));
    }

    [Fact]
    public async Task Password_reset_mail_is_limited_per_account_and_per_address_with_a_clear_message()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(new()
        {
            ["NewsCms:SignIn:ResetRequestsPerAccount"] = "2",
            ["NewsCms:SignIn:ResetRequestsPerAddress"] = "4",
        });
        var (_, email, _) = await app.CreateUserAsync(NewsroomRoles.Author);
        var (_, other, _) = await app.CreateUserAsync(NewsroomRoles.Author);
        using var client = app.CreateBrowserlikeClient();

        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Redirect, (await RequestResetAsync(client, email)).StatusCode);
        var third = await RequestResetAsync(client, email);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter);
        Assert.Contains("Too many password reset requests. Wait", WebUtility.HtmlDecode(await third.Content.ReadAsStringAsync()));
        Assert.Equal(2, MailsTo(app, email));

        // The address's fourth request goes through (another account); its fifth does not, whatever account it names.
        Assert.Equal(HttpStatusCode.Redirect, (await RequestResetAsync(client, other)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await RequestResetAsync(client, "nobody-else@newsroom.test")).StatusCode);
        Assert.Equal(1, MailsTo(app, other));
    }

    [Fact]
    public async Task Every_account_post_is_rate_limited_per_address()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:SignIn:AccountPostsPerAddress"] = "3" });
        using var client = app.CreateBrowserlikeClient();
        var empty = () => new FormUrlEncodedContent(new Dictionary<string, string>());
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/Account/Logout", empty())).StatusCode);

        var refused = await client.PostAsync("/Account/ResendEmailConfirmation", empty());
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("Too many requests. Wait", await refused.Content.ReadAsStringAsync());
        // Reading pages is not limited.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Login")).StatusCode);
    }

    [Fact]
    public async Task A_client_cannot_escape_the_per_address_limit_by_claiming_another_address()
    {
        // No reverse proxy is configured, so no X-Forwarded-For is believed.
        await using var app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:SignIn:AttemptsPerAddress"] = "2" });
        using var client = app.CreateBrowserlikeClient();
        HttpResponseMessage? last = null;
        for (var i = 1; i <= 3; i++)
        {
            client.DefaultRequestHeaders.Remove("X-Forwarded-For");
            client.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.51.100.{i}");
            last = await FormPost.SignInAsync(client, $"someone{i}@newsroom.test", "wrong-password");
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
    }

    private static Task<HttpResponseMessage> RequestResetAsync(HttpClient client, string email) =>
        FormPost.SubmitAsync(client, "/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });

    private static int MailsTo(NewsCmsAppFactory app, string email) =>
        app.Logs.Lines.Count(line => line.Contains("SMTP is not configured") && line.Contains(email) && line.Contains("Reset your NewsCms password"));

    private static async Task<List<AuditEntry>> EntriesForAsync(NewsCmsAppFactory app, string target)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();
        return await db.AuditEntries.AsNoTracking().Where(e => target == "" || e.Target == target).ToListAsync();
    }
}
