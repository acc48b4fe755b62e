using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;

namespace NewsCms.Web.Features.Webhooks;

/// <summary>
/// Sends due outbox rows (<see cref="DeliverDueAsync"/>; the <see cref="WebhookDeliveryWorker"/> calls it, tests may
/// too). Each attempt is a POST of the stored body, signed as Ghost signs it, with a timeout. A row becomes Delivered
/// only after a 2xx answer, so a crash in between sends it again after the restart (at least once; receivers
/// de-duplicate on the X-NewsCms-Event-Id header). A 410 turns the webhook off; other failures are tried again after
/// <see cref="RetryDelays"/>, and the row is Failed after the last attempt.
/// </summary>
public sealed class WebhookSender(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    IHttpClientFactory httpClients,
    IDataProtectionProvider protection,
    WebhookOutbox outbox,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<WebhookSender> logger)
{
    public const string HttpClientName = "NewsCms.Webhooks";
    public const string SignatureHeader = "X-Ghost-Signature";
    public const string EventIdHeader = "X-NewsCms-Event-Id";
    public const int BatchSize = 20;

    /// <summary>
    /// The waits before the second, third… attempt: the first is immediate, so a delivery gets
    /// <see cref="MaxAttempts"/> attempts over about seven hours before it is Failed.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> RetryDelays =
        [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), TimeSpan.FromHours(6)];

    public static int MaxAttempts => RetryDelays.Count + 1;

    public static readonly string UserAgent = $"NewsCms/{Backup.SiteBackup.AppVersion} (webhooks)";

    private const int Parallel = 4;
    private readonly IDataProtector secrets = protection.CreateProtector(Webhooks.SecretPurpose);
    // One round at a time on this node (the worker's, or a test's).
    private readonly SemaphoreSlim round = new(1, 1);

    /// <summary>The header value: "sha256=" the hex HMAC-SHA256 of the body followed by the timestamp, ", t=" the timestamp (Unix ms).</summary>
    public static string Signature(string secret, string body, long timestampMs)
    {
        var t = timestampMs.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body + t));
        return $"sha256={Convert.ToHexStringLower(mac)}, t={t}";
    }

    /// <summary>
    /// Sends one batch of the due Pending rows, oldest first (at most <see cref="BatchSize"/>, a few at a time), and
    /// records each outcome. Returns how many rows it took: a full batch means more may be due.
    /// </summary>
    internal async Task<int> DeliverDueAsync(CancellationToken ct = default)
    {
        await round.WaitAsync(ct);
        try
        {
            var now = clock.GetUtcNow().UtcDateTime;
            List<Due> due;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                due = await db.WebhookDeliveries.AsNoTracking()
                    .Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now)
                    .Join(db.Webhooks, d => d.WebhookId, w => w.Id, (d, w) => new { d, w })
                    .OrderBy(x => x.d.NextAttemptAt).ThenBy(x => x.d.Id)
                    .Take(BatchSize)
                    .Select(x => new Due(x.d.Id, x.d.EventId, x.d.Event, x.d.Payload, x.w.Id, x.w.TargetUrl, x.w.ProtectedSecret, x.w.IsActive))
                    .ToListAsync(ct);
            }
            await System.Threading.Tasks.Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct },
                async (delivery, token) => await DeliverAsync(delivery, token));
            return due.Count;
        }
        finally
        {
            round.Release();
        }
    }

    /// <summary>How long until the next Pending row is due (zero when one is), at most <paramref name="atMost"/>.</summary>
    internal async Task<TimeSpan> UntilNextDueAsync(TimeSpan atMost, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var next = await db.WebhookDeliveries.AsNoTracking().Where(d => d.Status == WebhookDeliveryStatus.Pending)
            .OrderBy(d => d.NextAttemptAt).Select(d => (DateTime?)d.NextAttemptAt).FirstOrDefaultAsync(ct);
        if (next is null) return atMost;
        var wait = next.Value - clock.GetUtcNow().UtcDateTime;
        return wait <= TimeSpan.Zero ? TimeSpan.Zero : wait < atMost ? wait : atMost;
    }

    private sealed record Due(long Id, Guid EventId, string Event, string Payload, int WebhookId, string TargetUrl, string? ProtectedSecret, bool WebhookActive);

    private sealed record Outcome(int? StatusCode, string? Error)
    {
        public bool Delivered => StatusCode is >= 200 and < 300;
        public bool Gone => StatusCode == (int)HttpStatusCode.Gone;
    }

    private async Task DeliverAsync(Due delivery, CancellationToken ct)
    {
        if (!delivery.WebhookActive)
        {
            await CancelAsync(delivery.Id, ct);
            return;
        }
        Outcome outcome;
        try
        {
            outcome = await SendAsync(delivery, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // One row that cannot even be sent (an address stored past the checks) must not hold up the others.
            logger.LogError(ex, "Webhook delivery {Delivery} to {Target} could not be sent.", delivery.Id, ForLog(delivery.TargetUrl));
            outcome = new Outcome(null, $"Could not send: {ex.Message}");
        }
        try
        {
            await RecordAsync(delivery, outcome, ct);
        }
        catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException)
        {
            // The row stays Pending and is sent again: at least once.
            logger.LogError(ex, "Could not record the outcome of webhook delivery {Delivery}.", delivery.Id);
        }
    }

    private async Task<Outcome> SendAsync(Due delivery, CancellationToken ct)
    {
        string? secret = null;
        if (delivery.ProtectedSecret is { Length: > 0 } protectedSecret)
        {
            try
            {
                secret = secrets.Unprotect(protectedSecret);
            }
            catch (CryptographicException)
            {
                // Never sent unsigned in its place: the receiver expects a signature.
                return new Outcome(null, "The webhook's secret can no longer be read (the site's keys changed); set it again.");
            }
        }
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.TargetUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Add(EventIdHeader, delivery.EventId.ToString());
        if (secret is { Length: > 0 })
        {
            request.Headers.TryAddWithoutValidation(SignatureHeader, Signature(secret, delivery.Payload, clock.GetUtcNow().ToUnixTimeMilliseconds()));
        }
        var client = httpClients.CreateClient(HttpClientName);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            if (code is >= 200 and < 300) return new Outcome(code, null);
            if (code is >= 300 and < 400) return new Outcome(code, $"The receiver answered {code} (a redirect; webhooks do not follow redirects).");
            return new Outcome(code, response.ReasonPhrase is { Length: > 0 } reason ? $"The receiver answered {code} {reason}." : $"The receiver answered {code}.");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Outcome(null, $"No answer within {client.Timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException ex)
        {
            var refused = Find<WebhookTargetRefusedException>(ex);
            logger.LogInformation("Webhook delivery {Delivery} to {Target} failed: {Error}", delivery.Id, ForLog(delivery.TargetUrl), refused?.Message ?? ex.Message);
            return new Outcome(null, refused?.Message ?? $"Request failed: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            return new Outcome(null, $"Request failed: {ex.Message}");
        }
    }

    private static T? Find<T>(Exception? ex) where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException) if (ex is T found) return found;
        return null;
    }

    private async Task RecordAsync(Due due, Outcome outcome, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == due.Id, ct);
        // Deleted with its webhook, or cancelled while it was on its way.
        if (delivery is null || delivery.Status != WebhookDeliveryStatus.Pending) return;
        var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == due.WebhookId, ct);

        delivery.Attempts++;
        delivery.LastAttemptAt = now;
        delivery.LastStatusCode = outcome.StatusCode;
        delivery.LastError = Truncate(outcome.Error);
        var turnedOff = false;
        if (outcome.Delivered)
        {
            delivery.Status = WebhookDeliveryStatus.Delivered;
            delivery.DeliveredAt = now;
        }
        else if (outcome.Gone)
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
            delivery.LastError = "The receiver answered 410 Gone: the webhook was turned off.";
            turnedOff = webhook is { IsActive: true };
        }
        else if (delivery.Attempts >= MaxAttempts)
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
        }
        else
        {
            delivery.NextAttemptAt = now + RetryDelays[delivery.Attempts - 1];
        }
        if (webhook is not null)
        {
            webhook.LastTriggeredAt = now;
            webhook.LastTriggeredStatus = outcome.StatusCode;
            webhook.LastTriggeredError = Truncate(delivery.LastError);
            if (turnedOff) webhook.IsActive = false;
        }
        await db.SaveChangesAsync(ct);
        if (turnedOff) await CancelPendingAsync(db, due.WebhookId, ct);
        await transaction.CommitAsync(ct);

        if (turnedOff)
        {
            logger.LogWarning("Webhook {Webhook} ({Event} to {Target}) was turned off: its receiver answered 410 Gone.", due.WebhookId, due.Event, ForLog(due.TargetUrl));
            // The audit log is scoped (it records the request's client address; here there is none).
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AuditLog>().WriteAsync(null, "Webhook delivery", AuditActions.WebhookDisabled, Webhooks.Describe(due.Event, due.TargetUrl), "the receiver answered 410 Gone", ct);
            await outbox.NotifyChangedAsync();
        }
    }

    /// <summary>Marks the webhook's Pending rows Cancelled (it was turned off or is going away).</summary>
    internal static Task<int> CancelPendingAsync(NewsCmsDbContext db, int webhookId, CancellationToken ct) =>
        db.WebhookDeliveries.Where(d => d.WebhookId == webhookId && d.Status == WebhookDeliveryStatus.Pending)
            .ExecuteUpdateAsync(set => set
                .SetProperty(d => d.Status, WebhookDeliveryStatus.Cancelled)
                .SetProperty(d => d.LastError, "Not sent: the webhook was turned off."), ct);

    private async Task CancelAsync(long id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.WebhookDeliveries.Where(d => d.Id == id && d.Status == WebhookDeliveryStatus.Pending)
            .ExecuteUpdateAsync(set => set
                .SetProperty(d => d.Status, WebhookDeliveryStatus.Cancelled)
                .SetProperty(d => d.LastError, "Not sent: the webhook was turned off."), ct);
    }

    /// <summary>The target without its query (receivers often put a token there), for the log.</summary>
    internal static string ForLog(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : "(not a URL)";

    private static string? Truncate(string? text) => text is { Length: > 1000 } ? text[..1000] : text;
}
