using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Email;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Notifications;

/// <summary>Someone's latest notifications and how many of theirs are unread.</summary>
public sealed record NotificationInbox(IReadOnlyList<NotificationItem> Latest, int Unread);

/// <summary>
/// Stored notifications: each person reads and marks only their own. The workflow writes them in the same transaction as
/// the change they tell of (<see cref="AddAsync"/>) and, once that has committed, <see cref="DeliverAsync"/> pushes them
/// to the recipients' open pages on every node; their e-mails, written due with them, go out from
/// <see cref="NotificationMailer"/> (a failed e-mail is retried; the action stands either way).
/// </summary>
public sealed class Notifications(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    NewsroomEvents events,
    NotificationMailer mailer,
    IOptions<SmtpOptions> smtp,
    TimeProvider clock,
    ILogger<Notifications> logger)
{
    public const int MenuSize = 20;

    public async Task<ServiceResult<NotificationInbox>> ListAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<NotificationInbox>.Fail(actorResult.Error!);
        var userId = actorResult.Value!.UserId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mine = db.Notifications.AsNoTracking().Where(n => n.UserId == userId);
        var latest = await mine.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(MenuSize)
            .Select(n => new NotificationItem(n.Id, n.UserId, n.Kind, n.ArticleId, n.ArticleHeadline, n.ActorName, n.Message, n.CreatedAt, n.ReadAt))
            .ToListAsync(ct);
        var unread = await mine.CountAsync(n => n.ReadAt == null, ct);
        return ServiceResult<NotificationInbox>.Success(new NotificationInbox(latest, unread));
    }

    /// <summary>Marks one of the caller's own notifications read (someone else's is "not found", as it is for them).</summary>
    public async Task<ServiceResult<bool>> MarkReadAsync(ClaimsPrincipal acting, long id, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<bool>.Fail(actorResult.Error!);
        var userId = actorResult.Value!.UserId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var exists = await db.Notifications.AnyAsync(n => n.Id == id && n.UserId == userId, ct);
        if (!exists) return ServiceResult<bool>.Fail(NotFound);
        await db.Notifications.Where(n => n.Id == id && n.UserId == userId && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        return ServiceResult<bool>.Success(true);
    }

    public async Task<ServiceResult<int>> MarkAllReadAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<int>.Fail(actorResult.Error!);
        var userId = actorResult.Value!.UserId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var marked = await db.Notifications.Where(n => n.UserId == userId && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        return ServiceResult<int>.Success(marked);
    }

    public const string NotFound = "That notification does not exist.";

    // ----- written by the workflow -----

    /// <summary>Who is told: their account, where e-mail goes, and whether they turned newsroom e-mail off.</summary>
    internal sealed record Recipient(string UserId, string? Email, bool EmailOff);

    /// <summary>Notifications added to <paramref name="db"/> (saved with the caller's commit) and whom they go to.</summary>
    internal sealed record Pending(IReadOnlyList<(Notification Row, Recipient To)> Items);

    /// <summary>
    /// Adds a notification of <paramref name="kind"/> about <paramref name="article"/> for each recipient the kind has
    /// (the desk for submissions and withdrawals, the writers otherwise), except <paramref name="actorId"/>; the caller's
    /// commit saves them, with their e-mails due (the outbox <see cref="NotificationMailer"/> sends from).
    /// </summary>
    internal async Task<Pending> AddAsync(NewsCmsDbContext db, Article article, NotificationKind kind, string? actorId, string actorName, string message,
        DateTime now, CancellationToken ct)
    {
        var recipients = kind is NotificationKind.Submitted or NotificationKind.Withdrawn
            ? await DeskAsync(db, actorId ?? "", ct)
            : await WritersAsync(db, article, actorId ?? "", ct);
        // Withdrawals send no e-mail; the others do when SMTP is configured, to whoever has an address and wants them.
        var emails = kind != NotificationKind.Withdrawn && !string.IsNullOrWhiteSpace(smtp.Value.Host);
        var items = recipients.Select(to => (Row: new Notification
        {
            UserId = to.UserId, Kind = kind, ArticleId = article.Id, ArticleHeadline = Cut(article.Headline, 300), ActorName = Cut(actorName, 256),
            Message = Cut(message, 4000), CreatedAt = now,
            EmailDueAt = emails && !to.EmailOff && !string.IsNullOrWhiteSpace(to.Email) ? now : null,
        }, To: to)).ToList();
        foreach (var (row, _) in items) db.Notifications.Add(row);
        return new Pending(items);
    }

    /// <summary>
    /// After the commit: pushes the notifications to open pages on every node and wakes the mailer, which sends their
    /// e-mails in the background (a slow or unreachable mail server never holds up the action).
    /// </summary>
    internal async Task DeliverAsync(Pending pending, int articleId)
    {
        if (pending.Items.Count == 0) return;
        try
        {
            await events.PublishAsync([.. pending.Items.Select(i => ToItem(i.Row))]);
        }
        catch (Exception ex)
        {
            // Stored already: whoever missed the push sees it on their next page.
            logger.LogError(ex, "Could not push notifications about article {Id}.", articleId);
        }
        if (pending.Items.Any(i => i.Row.EmailDueAt is not null)) mailer.Wake();
    }

    internal static NotificationItem ToItem(Notification n) => new(n.Id, n.UserId, n.Kind, n.ArticleId, n.ArticleHeadline, n.ActorName, n.Message, n.CreatedAt, n.ReadAt);

    /// <summary>Every Editor and Administrator (people, not integrations, and not locked) except the one who acted.</summary>
    private static async Task<List<Recipient>> DeskAsync(NewsCmsDbContext db, string actorId, CancellationToken ct)
    {
        var people = await db.Users.AsNoTracking().Where(u => !u.IsIntegration)
            .Select(u => new
            {
                u.Id, u.Email, u.NewsroomEmailOff, u.LockoutEnd,
                Role = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).FirstOrDefault(),
            })
            .Where(u => u.Role == NewsroomRoles.Administrator || u.Role == NewsroomRoles.Editor).ToListAsync(ct);
        // Who hears of submissions is the workflow's rule; the query above only narrows the reading.
        return [.. people.Where(p => ArticleWorkflow.HearsOfSubmissions(p.Role ?? "", p.Id, actorId) && !AccountLocks.IsLockedByAdministrator(p.LockoutEnd))
            .OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => new Recipient(p.Id, p.Email, p.NewsroomEmailOff))];
    }

    /// <summary>
    /// The article's writers: the people on its byline and whoever submitted it (for a page, or an article whose
    /// byline has no account, the one who created it), except the one who acted.
    /// </summary>
    private static async Task<List<Recipient>> WritersAsync(NewsCmsDbContext db, Article article, string actorId, CancellationToken ct)
    {
        var ids = await db.ArticleAuthors.AsNoTracking().Where(aa => aa.ArticleId == article.Id)
            .Join(db.AuthorProfiles, aa => aa.AuthorProfileId, p => p.Id, (aa, p) => p.UserId)
            .Where(id => id != null).Select(id => id!).ToListAsync(ct);
        if (article.SubmittedById is { } submitter) ids.Add(submitter);
        if (ids.Count == 0 && article.CreatedById != "") ids.Add(article.CreatedById);
        var wanted = ids.Where(id => id != actorId).Distinct().ToList();
        if (wanted.Count == 0) return [];
        var people = await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id) && !u.IsIntegration)
            .Select(u => new { u.Id, u.Email, u.NewsroomEmailOff }).ToListAsync(ct);
        return [.. people.OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => new Recipient(p.Id, p.Email, p.NewsroomEmailOff))];
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];
}
