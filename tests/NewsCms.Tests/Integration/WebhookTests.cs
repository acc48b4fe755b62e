using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.Webhooks;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Durable, signed webhook delivery against a real receiver on 127.0.0.1: the outbox row written with the change,
/// the signature, retries on a fake clock, 410, timeouts, the address checks, a restart, resending, and who may
/// manage which integration's webhooks.
/// </summary>
public sealed class WebhookTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
    private const string Payload = """{"post":{"current":{"id":"1","title":"Harbour ferries resume"},"previous":{}}}""";

    private static Dictionary<string, string?> Settings(bool allowPrivate = true, string? timeout = null)
    {
        var settings = new Dictionary<string, string?> { ["NewsCms:Webhooks:AllowPrivateTargets"] = allowPrivate ? "true" : "false" };
        if (timeout is not null) settings["NewsCms:Webhooks:Timeout"] = timeout;
        return settings;
    }

    /// <summary>A site on <paramref name="clock"/> whose delivery rounds the test drives itself (<see cref="DeliverAsync"/>).</summary>
    private static async Task<NewsCmsAppFactory> OnFakeClockAsync(FakeTimeProvider clock, Dictionary<string, string?> settings)
    {
        var app = await NewsCmsAppFactory.CreateAsync(settings);
        app.TestServices = services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.Remove(services.Single(d => d.ImplementationType == typeof(WebhookDeliveryWorker)));
        };
        app.CreateClient().Dispose();
        return app;
    }

    private static Task<int> DeliverAsync(NewsCmsAppFactory app) => app.Services.GetRequiredService<WebhookSender>().DeliverDueAsync();

    /// <summary>What a change does: queues the event inside its own transaction, then commits.</summary>
    private static async Task<int> QueueAsync(NewsCmsAppFactory app, string eventName, string payload = Payload)
    {
        var outbox = app.Services.GetRequiredService<WebhookOutbox>();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var queued = await outbox.QueueAsync(db, eventName, () => payload, now);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return queued;
    }

    private static async Task<List<WebhookDelivery>> DeliveriesAsync(NewsCmsAppFactory app, int webhookId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        return await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhookId).OrderBy(d => d.Id).ToListAsync();
    }

    private static async Task<Webhook> WebhookAsync(NewsCmsAppFactory app, int webhookId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        return await db.Webhooks.AsNoTracking().SingleAsync(w => w.Id == webhookId);
    }

    private static async Task<(Webhooks Service, ClaimsPrincipal Admin, int IntegrationId)> SetUpAsync(NewsCmsAppFactory app)
    {
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var (integrationId, _, _) = await TestIntegrations.CreateAsync(app.Services, NewsroomRoles.Editor, name: "Wire desk scripts");
        return (app.Services.CreateScope().ServiceProvider.GetRequiredService<Webhooks>(), admin, integrationId);
    }

    private static async Task<WebhookRow> AddAsync(Webhooks webhooks, ClaimsPrincipal acting, int integrationId, string eventName, string target, string? secret = null)
    {
        var added = await webhooks.AddAsync(acting, integrationId, new WebhookInput { Event = eventName, TargetUrl = target, Name = "Test hook", Secret = secret });
        Assert.True(added.Succeeded, added.Error);
        return added.Value!;
    }

    [Fact]
    public async Task A_delivery_is_posted_as_json_with_ghosts_signature_and_the_event_id()
    {
        var clock = new FakeTimeProvider(Start);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await OnFakeClockAsync(clock, Settings());
        var (webhooks, admin, integrationId) = await SetUpAsync(app);
        var signed = await AddAsync(webhooks, admin, integrationId, WebhookEvents.PostPublished, receiver.Url + "?signed", secret: "harbour-secret-1");
        var unsigned = await AddAsync(webhooks, admin, integrationId, WebhookEvents.PostPublished, receiver.Url + "?unsigned");
        Assert.True(signed.HasSecret);

        Assert.Equal(0, await QueueAsync(app, WebhookEvents.TagAdded)); // nobody listens
        Assert.Equal(2, await QueueAsync(app, WebhookEvents.PostPublished));
        Assert.Equal(2, await DeliverAsync(app));

        var requests = receiver.Received.ToList();
        Assert.Equal(2, requests.Count);
        var sent = (await DeliveriesAsync(app, signed.Id)).Single();
        Assert.Equal(WebhookDeliveryStatus.Delivered, sent.Status);
        Assert.Equal(1, sent.Attempts);
        Assert.Equal(200, sent.LastStatusCode);
        Assert.Equal(sent.EventId, (await DeliveriesAsync(app, unsigned.Id)).Single().EventId); // one event, one id

        foreach (var request in requests)
        {
            Assert.Equal(Payload, request.Body);
            Assert.Equal("application/json", request.Headers["Content-Type"]);
            Assert.Equal(sent.EventId.ToString(), request.Headers[WebhookSender.EventIdHeader]);
            Assert.Contains("NewsCms", request.Headers["User-Agent"]);
        }
        var signedRequest = requests.Single(r => r.Headers.ContainsKey("X-Ghost-Signature"));
        var match = Regex.Match(signedRequest.Headers["X-Ghost-Signature"], "^sha256=([0-9a-f]{64}), t=([0-9]+)$");
        Assert.True(match.Success, signedRequest.Headers["X-Ghost-Signature"]);
        var timestamp = match.Groups[2].Value;
        Assert.Equal(Start.ToUnixTimeMilliseconds().ToString(), timestamp);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes("harbour-secret-1"));
        var expected = Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes(signedRequest.Body + timestamp))).ToLowerInvariant();
        Assert.Equal(expected, match.Groups[1].Value);
        Assert.Equal(2, requests.Count(r => !r.Headers.ContainsKey("X-Ghost-Signature")) + 1);

        var hook = await WebhookAsync(app, signed.Id);
        Assert.Equal(Start.UtcDateTime, hook.LastTriggeredAt);
        Assert.Equal(200, hook.LastTriggeredStatus);
        // The secret is stored protected, never as entered.
        Assert.DoesNotContain("harbour-secret-1", hook.ProtectedSecret);
    }

    [Fact]
    public async Task A_receiver_that_fails_three_times_gets_the_event_on_the_fourth_attempt_after_the_backoff()
    {
        var clock = new FakeTimeProvider(Start);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => n <= 3 ? 500 : 204;
        await using var app = await OnFakeClockAsync(clock, Settings());
        var (webhooks, admin, integrationId) = await SetUpAsync(app);
        var hook = await AddAsync(webhooks, admin, integrationId, WebhookEvents.PostEdited, receiver.Url, secret: "s");
        await QueueAsync(app, WebhookEvents.PostEdited);

        await DeliverAsync(app);
        var first = (await DeliveriesAsync(app, hook.Id)).Single();
        Assert.Equal((WebhookDeliveryStatus.Pending, 1, 500), (first.Status, first.Attempts, first.LastStatusCode));
        Assert.Contains("500", first.LastError);
        Assert.Equal(Start.UtcDateTime + WebhookSender.RetryDelays[0], first.NextAttemptAt);

        // Not before its time.
        clock.Advance(WebhookSender.RetryDelays[0] - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await DeliverAsync(app));
        Assert.Single(receiver.Received);

        clock.Advance(TimeSpan.FromSeconds(1));
        await DeliverAsync(app);
        clock.Advance(WebhookSender.RetryDelays[1]);
        await DeliverAsync(app);
        var third = (await DeliveriesAsync(app, hook.Id)).Single();
        Assert.Equal((WebhookDeliveryStatus.Pending, 3), (third.Status, third.Attempts));
        Assert.Equal("500", (await WebhookAsync(app, hook.Id)).LastTriggeredStatus?.ToString());

        clock.Advance(WebhookSender.RetryDelays[2]);
        await DeliverAsync(app);
        var delivered = (await DeliveriesAsync(app, hook.Id)).Single();
        Assert.Equal((WebhookDeliveryStatus.Delivered, 4, 204), (delivered.Status, delivered.Attempts, delivered.LastStatusCode));
        Assert.Null(delivered.LastError);
        Assert.Equal(4, receiver.Received.Count);
        Assert.All(receiver.Received, r => Assert.Equal(delivered.EventId.ToString(), r.Headers[WebhookSender.EventIdHeader]));
        Assert.True(WebhookSender.MaxAttempts >= 5);
    }

    [Fact]
    public async Task A_410_turns_the_webhook_off_and_cancels_what_it_still_had_waiting()
    {
        var clock = new FakeTimeProvider(Start);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => n == 1 ? 503 : 410;
        await using var app = await OnFakeClockAsync(clock, Settings());
        var (webhooks, admin, integrationId) = await SetUpAsync(app);
        var hook = await AddAsync(webhooks, admin, integrationId, WebhookEvents.TagEdited, receiver.Url);

        // The first event waits for its retry; the second is answered 410.
        await QueueAsync(app, WebhookEvents.TagEdited);
        await DeliverAsync(app);
        clock.Advance(TimeSpan.FromSeconds(1));
        await QueueAsync(app, WebhookEvents.TagEdited);
        await DeliverAsync(app);

        Assert.False((await WebhookAsync(app, hook.Id)).IsActive);
        var deliveries = await DeliveriesAsync(app, hook.Id);
        Assert.Equal([WebhookDeliveryStatus.Cancelled, WebhookDeliveryStatus.Failed], deliveries.Select(d => d.Status));
        Assert.Equal(410, deliveries[1].LastStatusCode);

        // Nothing more is queued for it, nothing more is sent, and the log says who turned it off and why.
        Assert.Equal(0, await QueueAsync(app, WebhookEvents.TagEdited));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await DeliverAsync(app));
        Assert.Equal(2, receiver.Received.Count);
        var entry = (await app.Services.CreateScope().ServiceProvider.GetRequiredService<AuditLog>().SearchAsync(new AuditQuery(Action: AuditActions.WebhookDisabled))).Items.Single();
        Assert.Equal("Webhook delivery", entry.ActorName);
        Assert.Contains(receiver.Url, entry.Target);
        Assert.Contains("410", entry.Details);
        Assert.False((await webhooks.ListAsync(admin, integrationId)).Value!.Single().IsActive);
    }

    [Fact]
    public async Task An_event_nobody_listens_to_costs_no_query_and_its_payload_is_never_made()
    {
        var clock = new FakeTimeProvider(Start);
        var counter = new CommandCounter();
        await using var app = await NewsCmsAppFactory.CreateAsync(Settings());
        app.TestServices = services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(counter);
            services.Remove(services.Single(d => d.ImplementationType == typeof(WebhookDeliveryWorker)));
        };
        app.CreateClient().Dispose();
        var (webhooks, admin, integrationId) = await SetUpAsync(app);
        await AddAsync(webhooks, admin, integrationId, WebhookEvents.PostPublished, "https://hooks.example.com/a");
        var outbox = app.Services.GetRequiredService<WebhookOutbox>();
        Assert.True(await outbox.IsSubscribedAsync(WebhookEvents.PostPublished));

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        counter.Reset();
        Assert.Equal(0, await outbox.QueueAsync(db, WebhookEvents.TagDeleted, () => throw new InvalidOperationException("made for nobody"), Start.UtcDateTime));
        Assert.Equal(0, counter.Count);
        Assert.False(db.ChangeTracker.HasChanges());

        // A webhook turned off is forgotten as well.
        var hook = (await webhooks.ListAsync(admin, integrationId)).Value!.Single();
        Assert.True((await webhooks.EditAsync(admin, integrationId, hook.Id, new WebhookInput { Active = false })).Succeeded);
        counter.Reset();
        Assert.Equal(0, await outbox.QueueAsync(db, WebhookEvents.PostPublished, () => throw new InvalidOperationException("made for nobody"), Start.UtcDateTime));
        Assert.Equal(0, counter.Count);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[::ffff:192.168.0.1]/hook")]
    [InlineData("http://2130706433/hook")]
    public async Task Private_targets_are_refused_when_a_webhook_is_added_or_edited(string target)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(Settings(allowPrivate: false));
        var (webhooks, admin, integrationId) = await SetUpAsync(app);
        var added = await webhooks.AddAsync(admin, integrationId, new WebhookInput { Event = WebhookEvents.PostAdded, TargetUrl = target });
        Assert.Contains("private address", added.Error);

        var hook = await AddAsync(webhooks, admin, integrationId, WebhookEvents.PostAdded, "https://hooks.example.com/newscms");
        var edited = await webhooks.EditAsync(admin, integrationId, hook.Id, new WebhookInput { TargetUrl = target });
        Assert.Contains("private address", edited.Error);
        Assert.Equal("https://hooks.example.com/newscms", (await WebhookAsync(app, hook.Id)).TargetUrl);
    }

    [Fact]
    public async Task Unknown_events_and_addresses_that_are_not_http_are_refused()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(Settings());
        var (webhooks, admin, integrationId) = await SetUpAsync(app);
        Assert.Contains("not a webhook event", (await webhooks.AddAsync(admin, integrationId, new WebhookInput { Event = "post.exploded", TargetUrl = "https://hooks.example.com/" })).Error);
        Assert.Equal(WebhookTargets.NotHttp, (await webhooks.AddAsync(admin, integrationId, new WebhookInput { Event = WebhookEvents.PostAdded, TargetUrl = "ftp://hooks.example.com/" })).Error);
        Assert.Equal(WebhookTargets.NotHttp, (await webhooks.AddAsync(admin, integrationId, new WebhookInput { Event = WebhookEvents.PostAdded, TargetUrl = "/relative" })).Error);
        await AddAsync(webhooks, admin, integrationId, WebhookEvents.PostAdded, "https://hooks.example.com/a");
        Assert.Equal(Webhooks.AlreadyUsed, (await webhooks.AddAsync(admin, integrationId, new WebhookInput { Event = WebhookEvents.PostAdded, TargetUrl = "https://hooks.example.com/a" })).Error);
    }

    [Fact]
    public async Task At_delivery_a_name_that_resolves_to_a_private_address_is_not_called()
    {
        var clock = new FakeTimeProvider(Start);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await OnFakeClockAsync(clock, Settings(allowPrivate: false));
        var (_, _, integrationId) = await SetUpAsync(app);
        // Saved while the name pointed elsewhere (DNS rebinding), or written past the service: now it is loopback.
        int webhookId;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            var webhook = new Webhook
            {
                IntegrationId = integrationId, Event = WebhookEvents.PostDeleted, TargetUrl = $"http://localhost:{receiver.Port}/hook",
                CreatedAt = Start.UtcDateTime, UpdatedAt = Start.UtcDateTime,
            };
            db.Webhooks.Add(webhook);
            await db.SaveChangesAsync();
            webhookId = webhook.Id;
        }
        await app.Services.GetRequiredService<WebhookOutbox>().NotifyChangedAsync();
        Assert.Equal(1, await QueueAsync(app, WebhookEvents.PostDeleted));

        await DeliverAsync(app);
        Assert.Empty(receiver.Received);
        var delivery = (await DeliveriesAsync(app, webhookId)).Single();
        Assert.Equal((WebhookDeliveryStatus.Pending, 1, (int?)null), (delivery.Status, delivery.Attempts, delivery.LastStatusCode));
        Assert.Contains("private address", delivery.LastError);
        Assert.Contains("127.0.0.1", delivery.LastError);
    }

    [Fact]
    public async Task An_answer_slower_than_the_timeout_is_a_failed_attempt()
    {
        var clock = new FakeTimeProvider(Start);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromSeconds(5);
        await using var app = await OnFakeClockAsync(clock, Settings(timeout: "00:00:00.300"));
        var (webhooks, admin, integrationId) = await SetUpAsync(app);
        var hook = await AddAsync(webhooks, admin, integrationId, WebhookEvents.SiteChanged, receiver.Url);
        await QueueAsync(app, WebhookEvents.SiteChanged, "{}");

        var started = DateTime.UtcNow;
        await DeliverAsync(app);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(4), "the attempt waited for the slow receiver");
        var delivery = (await DeliveriesAsync(app, hook.Id)).Single();
        Assert.Equal((WebhookDeliveryStatus.Pending, 1, (int?)null), (delivery.Status, delivery.Attempts, delivery.LastStatusCode));
        Assert.Contains("No answer within 0.3 s", delivery.LastError);
        Assert.Equal(Start.UtcDateTime + WebhookSender.RetryDelays[0], delivery.NextAttemptAt);
    }

    [Fact]
    public async Task The_default_timeout_is_two_seconds_and_a_bad_one_stops_start_up()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), new WebhookOptions().Timeout);
        await using var app = await NewsCmsAppFactory.CreateAsync(Settings(timeout: "00:00:00"));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("NewsCms:Webhooks:Timeout", error.ToString());
    }

    [Fact]
    public async Task A_delivery_that_failed_every_attempt_is_resent_as_a_copy_of_the_same_event()
    {
        var clock = new FakeTimeProvider(Start);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => n <= WebhookSender.MaxAttempts ? 500 : 200;
        await using var app = await OnFakeClockAsync(clock, Settings());
        var (webhooks, admin, integrationId) = await SetUpAsync(app);
        var hook = await AddAsync(webhooks, admin, integrationId, WebhookEvents.PageUnpublished, receiver.Url);
        await QueueAsync(app, WebhookEvents.PageUnpublished);

        await DeliverAsync(app);
        var pending = (await DeliveriesAsync(app, hook.Id)).Single();
        Assert.Equal("This delivery is still being tried; it needs no resend.", (await webhooks.ResendAsync(admin, pending.Id)).Error);
        foreach (var delay in WebhookSender.RetryDelays)
        {
            clock.Advance(delay);
            await DeliverAsync(app);
        }
        var failed = (await DeliveriesAsync(app, hook.Id)).Single();
        Assert.Equal((WebhookDeliveryStatus.Failed, WebhookSender.MaxAttempts), (failed.Status, failed.Attempts));
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await DeliverAsync(app));

        var log = (await webhooks.ListDeliveriesAsync(admin, integrationId, 0, 25)).Value!;
        var row = Assert.Single(log.Items);
        Assert.Equal((WebhookDeliveryStatus.Failed, WebhookSender.MaxAttempts, 500, receiver.Url), (row.Status, row.Attempts, row.LastStatusCode, row.TargetUrl));

        var resent = await webhooks.ResendAsync(admin, failed.Id);
        Assert.True(resent.Succeeded, resent.Error);
        await DeliverAsync(app);
        var deliveries = await DeliveriesAsync(app, hook.Id);
        Assert.Equal([WebhookDeliveryStatus.Failed, WebhookDeliveryStatus.Delivered], deliveries.Select(d => d.Status));
        Assert.Equal(resent.Value, deliveries[1].Id);
        Assert.Equal(failed.EventId, deliveries[1].EventId);
        Assert.Equal(Payload, receiver.Received.Last().Body);
        Assert.Equal(failed.EventId.ToString(), receiver.Received.Last().Headers[WebhookSender.EventIdHeader]);
        var counts = (await webhooks.ListAsync(admin, integrationId)).Value!.Single();
        Assert.Equal((0, 1, 1), (counts.Pending, counts.Delivered, counts.Failed));
        var audit = (await app.Services.CreateScope().ServiceProvider.GetRequiredService<AuditLog>().SearchAsync(new AuditQuery(Action: AuditActions.WebhookResent))).Items.Single();
        Assert.Equal(NewsCmsAppFactory.AdminName, audit.ActorName);
        Assert.Contains(receiver.Url, audit.Target);
    }

    [Fact]
    public async Task A_committed_event_is_delivered_at_once_not_at_the_next_poll()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await NewsCmsAppFactory.CreateAsync(Settings());
        app.CreateClient().Dispose();
        var (webhooks, admin, integrationId) = await SetUpAsync(app);
        var hook = await AddAsync(webhooks, admin, integrationId, WebhookEvents.PostScheduled, receiver.Url);

        // The first may ride on the worker's start-up round; once it is recorded the worker waits, and only the
        // wake-up after the second commit brings it back before the poll.
        foreach (var expected in new[] { 1, 2 })
        {
            var committed = DateTime.UtcNow;
            await QueueAsync(app, WebhookEvents.PostScheduled);
            await receiver.NextAsync(WebhookDeliveryWorker.Poll / 3);
            Assert.True(DateTime.UtcNow - committed < TimeSpan.FromSeconds(3));
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while ((await DeliveriesAsync(app, hook.Id)).Count(d => d.Status == WebhookDeliveryStatus.Delivered) < expected)
            {
                Assert.True(DateTime.UtcNow < deadline, "the delivery was not recorded");
                await Task.Delay(20);
            }
        }
    }

    [Fact]
    public async Task Events_committed_before_a_crash_are_delivered_after_the_restart_exactly_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var database = await TestDatabase.NewAsync();
        var settings = Settings();
        settings["NewsCms:Bootstrap:AdminEmail"] = NewsCmsAppFactory.AdminEmail;
        settings["NewsCms:Bootstrap:AdminPassword"] = NewsCmsAppFactory.AdminPassword;
        int webhookId;
        await using (var before = NewsCmsAppFactory.OnDatabase(database, settings))
        {
            // The process dies between the commit and the delivery: here, it never delivers at all.
            before.TestServices = services => services.Remove(services.Single(d => d.ImplementationType == typeof(WebhookDeliveryWorker)));
            before.CreateClient().Dispose();
            var (webhooks, admin, integrationId) = await SetUpAsync(before);
            webhookId = (await AddAsync(webhooks, admin, integrationId, WebhookEvents.PostPublished, receiver.Url, secret: "after-restart")).Id;
            Assert.Equal(1, await QueueAsync(before, WebhookEvents.PostPublished));
        }
        Assert.Empty(receiver.Received);

        await using var after = NewsCmsAppFactory.OnDatabase(database, settings);
        after.CreateClient().Dispose();
        var received = await receiver.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Payload, received.Body);
        Assert.StartsWith("sha256=", received.Headers["X-Ghost-Signature"]);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await DeliveriesAsync(after, webhookId)).Single().Status != WebhookDeliveryStatus.Delivered)
        {
            Assert.True(DateTime.UtcNow < deadline, "the delivery was not recorded");
            await Task.Delay(50);
        }
        Assert.Single(receiver.Received);
        await after.DisposeAsync();
        await database.DropAsync();
    }

    [Fact]
    public async Task Killing_the_app_in_the_middle_of_a_delivery_sends_the_event_again_after_the_restart()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync();
        // The first attempt is never answered: the app is killed while it waits.
        receiver.Delay = TimeSpan.FromMinutes(2);
        var database = await TestDatabase.NewAsync();
        var settings = Settings(timeout: "00:00:30");
        database.ApplyTo(settings);
        settings["NewsCms:Bootstrap:AdminEmail"] = NewsCmsAppFactory.AdminEmail;
        settings["NewsCms:Bootstrap:AdminPassword"] = NewsCmsAppFactory.AdminPassword;
        // The child apps are asked for /healthz at http://127.0.0.1:<port>: the site answers only for its own host.
        settings["NewsCms:Site:BaseUrl"] = "http://127.0.0.1";
        var childSettings = settings.Where(s => s.Value is not null).ToDictionary(s => s.Key, s => s.Value!);
        var folder = Path.GetDirectoryName(database.FilePath ?? database.MediaFolder)!;
        try
        {
            // The change is committed in this process, whose own worker is off; the apps that deliver are processes of their own.
            await using var writer = NewsCmsAppFactory.OnDatabase(database, settings);
            writer.TestServices = services => services.Remove(services.Single(d => d.ImplementationType == typeof(WebhookDeliveryWorker)));
            writer.CreateClient().Dispose();
            var (webhooks, admin, integrationId) = await SetUpAsync(writer);
            var hook = await AddAsync(webhooks, admin, integrationId, WebhookEvents.PostUnpublished, receiver.Url, secret: "killed");
            Assert.Equal(1, await QueueAsync(writer, WebhookEvents.PostUnpublished));

            await using (var first = await AppProcess.StartSiteAsync(folder, childSettings, ct))
            {
                Assert.Equal(Payload, await receiver.NextStartedAsync(TimeSpan.FromSeconds(30)));
                first.Kill();
                await first.WaitForExitAsync(ct);
            }
            var unanswered = (await DeliveriesAsync(writer, hook.Id)).Single();
            Assert.Equal((WebhookDeliveryStatus.Pending, 0), (unanswered.Status, unanswered.Attempts));

            receiver.Delay = TimeSpan.Zero;
            await using (var second = await AppProcess.StartSiteAsync(folder, childSettings, ct))
            {
                var received = await receiver.NextAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(Payload, received.Body);
                Assert.Equal(unanswered.EventId.ToString(), received.Headers[WebhookSender.EventIdHeader]);
                var deadline = DateTime.UtcNow.AddSeconds(15);
                while ((await DeliveriesAsync(writer, hook.Id)).Single().Status != WebhookDeliveryStatus.Delivered)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the delivery was not recorded\n" + second.Output);
                    await Task.Delay(50);
                }
            }
            Assert.Single(receiver.Received);
            Assert.Equal(1, (await DeliveriesAsync(writer, hook.Id)).Single().Attempts);
        }
        finally
        {
            await database.DropAsync();
        }
    }

    [Fact]
    public async Task In_a_cluster_each_event_is_sent_once_and_a_commit_on_either_node_starts_its_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var redis = await TestRedis.NewConfigurationAsync();
        var settingsA = Settings();
        settingsA[ClusterSetup.RedisSetting] = redis;
        await using var a = await NewsCmsAppFactory.CreateAsync(settingsA);
        _ = a.Services; // started first: it makes and migrates the database
        var settingsB = Settings();
        settingsB[ClusterSetup.RedisSetting] = $"{redis},name=newscms-test-b-{Guid.NewGuid():N}";
        await using var b = NewsCmsAppFactory.SecondNodeOf(a, settingsB);
        _ = b.Services;
        var (webhooks, admin, integrationId) = await SetUpAsync(a);
        var hook = await AddAsync(webhooks, admin, integrationId, WebhookEvents.PagePublished, receiver.Url);
        // Added on A: B hears it over the bus.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!await b.Services.GetRequiredService<WebhookOutbox>().IsSubscribedAsync(WebhookEvents.PagePublished))
        {
            Assert.True(DateTime.UtcNow < deadline, "node B did not hear of the new webhook");
            await Task.Delay(20);
        }

        // Both nodes are woken by every commit; only the lease holder sends.
        var started = DateTime.UtcNow;
        for (var i = 0; i < 10; i++) Assert.Equal(1, await QueueAsync(i % 2 == 0 ? a : b, WebhookEvents.PagePublished, "{\"page\":{\"current\":{\"id\":\"" + i + "\"}}}"));
        for (var i = 0; i < 10; i++) await receiver.NextAsync(TimeSpan.FromSeconds(5));
        Assert.True(DateTime.UtcNow - started < WebhookDeliveryWorker.Poll / 2, "deliveries waited for the poll");
        deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await DeliveriesAsync(a, hook.Id)).Any(d => d.Status != WebhookDeliveryStatus.Delivered))
        {
            Assert.True(DateTime.UtcNow < deadline, "the deliveries were not all recorded");
            await Task.Delay(50);
        }
        Assert.Equal(10, receiver.Received.Count);
        Assert.Equal(10, receiver.Received.Select(r => r.Headers[WebhookSender.EventIdHeader]).Distinct().Count());
    }

    [Fact]
    public async Task An_integration_manages_its_own_webhooks_and_only_an_administrator_manages_every_integrations()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(Settings(allowPrivate: false));
        var (webhooks, admin, _) = await SetUpAsync(app);
        // Integrations whose keys have the Contributor role: still masters of their own webhooks.
        var (ownId, _, own) = await TestIntegrations.CreateAsync(app.Services, NewsroomRoles.Contributor, name: "Newsletter tool");
        var (otherId, _, other) = await TestIntegrations.CreateAsync(app.Services, NewsroomRoles.Administrator, name: "Search index");
        var (_, editorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Editor);
        var editor = await app.PrincipalForAsync(editorEmail);

        var hook = await AddAsync(webhooks, own, ownId, WebhookEvents.PostPublished, "https://newsletter.example.com/hook", secret: "n");
        var edited = await webhooks.EditAsync(own, ownId, hook.Id, new WebhookInput { Name = "Newsletter", Secret = "" });
        Assert.True(edited.Succeeded, edited.Error);
        Assert.False(edited.Value!.HasSecret);
        Assert.Equal(WebhookEvents.PostPublished, edited.Value.Event);
        Assert.True((await webhooks.ListAsync(own, ownId)).Succeeded);

        // Another integration, even one whose key is an Administrator's, and the newsroom's Editor: no.
        Assert.Equal(NewsroomActors.NotAllowed, (await webhooks.ListAsync(own, otherId)).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await webhooks.AddAsync(own, otherId, new WebhookInput { Event = WebhookEvents.TagAdded, TargetUrl = "https://x.example.com/" })).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await webhooks.EditAsync(editor, ownId, hook.Id, new WebhookInput { Name = "Taken" })).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await webhooks.DeleteAsync(editor, ownId, hook.Id)).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await webhooks.DeleteAsync(other, ownId, hook.Id)).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await webhooks.ListDeliveriesAsync(other, ownId, 0, 10)).Error);
        // A webhook is found only through its own integration.
        Assert.Equal(Webhooks.NotFound, (await webhooks.DeleteAsync(other, otherId, hook.Id)).Error);
        Assert.Equal(Webhooks.NotFound, (await webhooks.DeleteAsync(admin, otherId, hook.Id)).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await webhooks.ListAsync(editor, 987654)).Error);
        Assert.Equal(Webhooks.IntegrationNotFound, (await webhooks.ListAsync(admin, 987654)).Error);

        // The Administrator manages anyone's; turning one off by hand is audited as such.
        Assert.True((await webhooks.EditAsync(admin, ownId, hook.Id, new WebhookInput { Active = false })).Succeeded);
        Assert.True((await webhooks.DeleteAsync(own, ownId, hook.Id)).Succeeded);
        Assert.Empty((await webhooks.ListAsync(admin, ownId)).Value!);

        var entries = (await app.Services.CreateScope().ServiceProvider.GetRequiredService<AuditLog>().SearchAsync(new AuditQuery(PageSize: 100))).Items
            .Where(e => e.Action.StartsWith("webhook.", StringComparison.Ordinal)).Reverse().ToList();
        Assert.Equal(
            [(AuditActions.WebhookAdded, "Newsletter tool"), (AuditActions.WebhookEdited, "Newsletter tool"), (AuditActions.WebhookDisabled, NewsCmsAppFactory.AdminName), (AuditActions.WebhookDeleted, "Newsletter tool")],
            entries.Select(e => (e.Action, e.ActorName)));
        Assert.All(entries, e => Assert.Contains("https://newsletter.example.com/hook", e.Target));
    }
}
