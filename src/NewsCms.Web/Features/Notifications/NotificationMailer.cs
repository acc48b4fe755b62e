using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Email;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Web.Features.Notifications;

/// <summary>
/// Sends the newsroom's notification e-mails from their outbox: the notification rows themselves, written with the
/// change they tell of and marked <see cref="Notification.EmailDueAt"/>. Woken after each commit that wrote some, and
/// every <see cref="Poll"/> for retries and for what a stopped node left. Each e-mail is claimed with one conditional
/// UPDATE before it is sent, so two nodes never send the same one; a failure is retried later (<see cref="Retries"/>),
/// then given up and logged. A node that dies while sending lets another send it again when its claim runs out.
/// </summary>
public sealed class NotificationMailer(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomMail mail,
    IOptions<SiteOptions> site,
    TimeProvider clock,
    ILogger<NotificationMailer> logger) : BackgroundService
{
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(30);

    /// <summary>How long a claim lasts: longer than one SMTP exchange can take (MailKit gives up after 2 minutes).</summary>
    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(5);

    /// <summary>Waits before each retry; after the last, the e-mail is given up.</summary>
    internal static readonly TimeSpan[] Retries = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), TimeSpan.FromHours(6)];

    private const int BatchSize = 20;
    private readonly SemaphoreSlim wake = new(0);

    /// <summary>Something is due now: send without waiting for the next poll.</summary>
    public void Wake()
    {
        if (wake.CurrentCount == 0) wake.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) == BatchSize)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // One bad round must not stop the e-mails for good.
                logger.LogError(ex, "Sending notification e-mails failed; trying again in {Wait}.", Poll);
            }
            try
            {
                await wake.WaitAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Claims and sends up to one batch of due e-mails; the number it looked at.</summary>
    internal async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.Notifications.AsNoTracking().Where(n => n.EmailDueAt != null && n.EmailDueAt <= now)
            .OrderBy(n => n.EmailDueAt).ThenBy(n => n.Id).Take(BatchSize)
            .Select(n => new { Row = n, Email = db.Users.Where(u => u.Id == n.UserId).Select(u => new { u.Email, u.NewsroomEmailOff }).FirstOrDefault() })
            .ToListAsync(ct);
        foreach (var item in due)
        {
            var row = item.Row;
            var claimedUntil = now + Claim;
            var claimed = await db.Notifications.Where(n => n.Id == row.Id && n.EmailDueAt == row.EmailDueAt)
                .ExecuteUpdateAsync(set => set.SetProperty(n => n.EmailDueAt, claimedUntil), ct);
            if (claimed == 0) continue; // another node has it
            // Turned off (or the address removed) since the notification was written: nothing to send.
            if (item.Email is not { Email: { Length: > 0 } to, NewsroomEmailOff: false })
            {
                await SetAsync(db, row.Id, due: null, row.EmailAttempts, ct);
                continue;
            }
            var (subject, body) = Message(row, new Uri(site.Value.BaseUri, $"admin/articles/{row.ArticleId}"));
            if (await mail.SendAsync(to, subject, body + "\n\nYou can turn these e-mails off on your account page in the newsroom.\n", ct))
            {
                await SetAsync(db, row.Id, due: null, row.EmailAttempts, ct);
                continue;
            }
            var attempts = row.EmailAttempts + 1;
            if (attempts > Retries.Length)
            {
                logger.LogError("Gave up e-mailing notification {Id} (\"{Subject}\") after {Attempts} attempts.", row.Id, subject, attempts);
                await SetAsync(db, row.Id, due: null, attempts, ct);
            }
            else
            {
                await SetAsync(db, row.Id, now + Retries[attempts - 1], attempts, ct);
            }
        }
        return due.Count;
    }

    private static Task SetAsync(NewsCmsDbContext db, long id, DateTime? due, int attempts, CancellationToken ct) =>
        db.Notifications.Where(n => n.Id == id)
            .ExecuteUpdateAsync(set => set.SetProperty(n => n.EmailDueAt, due).SetProperty(n => n.EmailAttempts, attempts), ct);

    internal static (string Subject, string Body) Message(Notification n, Uri link) => n.Kind switch
    {
        NotificationKind.Submitted => ($"For review: {n.ArticleHeadline}", $"{n.ActorName} submitted \"{n.ArticleHeadline}\" for review.\n\nOpen it in the newsroom: {link}"),
        NotificationKind.ChangesRequested => ($"Changes requested: {n.ArticleHeadline}",
            $"{n.ActorName} sent \"{n.ArticleHeadline}\" back to you with this message:\n\n{n.Message}\n\nOpen it in the newsroom: {link}"),
        _ => ($"Published: {n.ArticleHeadline}", $"\"{n.ArticleHeadline}\" is published.\n\nOpen it in the newsroom: {link}"),
    };
}
