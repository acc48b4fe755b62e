using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Notifications;
using NewsCms.Web.Features.Users;
using static NewsCms.Web.Features.Articles.NewsroomArticleAccess;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// An article's way through the newsroom: submit, publish, schedule, unpublish, trash and restore from the trash, and
/// publishing scheduled articles when their time comes. Each action re-checks the acting user and the workflow rules,
/// refuses to act on a version the caller has not seen, and returns the article as the editor shows it afterwards.
/// </summary>
public sealed class ArticleWorkflowService(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    ArticleCommit commit,
    Notifications.Notifications notifications,
    NewsroomEvents events,
    TimeProvider clock,
    ILogger<ArticleWorkflowService> logger)
{
    public const string MessageRequired = "Write what needs changing in the message.";
    public const int MessageMaxLength = 4000;

    public Task<ServiceResult<ArticleForEdit>> SubmitAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, CancellationToken ct = default) =>
        TransitionAsync(acting, id, expectedVersion, ArticleAction.Submit, ct, (article, actor, now) =>
        {
            article.Status = ArticleStatus.InReview;
            article.SubmittedAt = now;
            article.SubmittedById = actor.UserId;
            article.SubmittedByName = actor.DisplayName;
            ClearReview(article);
            // Submitting again answers the request: the message has done its job.
            article.ChangesRequestedAt = null;
            article.ChangesRequestedByName = null;
            article.ChangesRequestedMessage = null;
            return (AuditActions.ArticleSubmitted, RevisionKind.Submitted, null);
        }, NotificationKind.Submitted);

    /// <summary>
    /// Sends a submission back to its writer as a draft with <paramref name="message"/>, which they see in the editor
    /// until they submit again (Editors and Administrators).
    /// </summary>
    public Task<ServiceResult<ArticleForEdit>> RequestChangesAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, string message, CancellationToken ct = default)
    {
        var text = (message ?? "").Trim();
        return TransitionAsync(acting, id, expectedVersion, ArticleAction.RequestChanges, ct, (article, actor, now) =>
        {
            if (text.Length == 0) return (null, null, MessageRequired);
            if (text.Length > MessageMaxLength) return (null, null, $"Keep the message under {MessageMaxLength} characters.");
            article.Status = ArticleStatus.Draft;
            article.ChangesRequestedAt = now;
            article.ChangesRequestedByName = actor.DisplayName;
            article.ChangesRequestedMessage = text;
            ClearSubmission(article);
            return (AuditActions.ArticleChangesRequested, null, text);
        }, NotificationKind.ChangesRequested, text);
    }

    /// <summary>The writer takes their submission back to a draft, while nobody has started reviewing it.</summary>
    public Task<ServiceResult<ArticleForEdit>> WithdrawAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, CancellationToken ct = default) =>
        TransitionAsync(acting, id, expectedVersion, ArticleAction.Withdraw, ct, (article, actor, now) =>
        {
            article.Status = ArticleStatus.Draft;
            ClearSubmission(article);
            return (AuditActions.ArticleWithdrawn, null, null);
        }, NotificationKind.Withdrawn);

    /// <summary>
    /// Records that an Editor or Administrator other than the submitter opened a submission in the editor: from then on
    /// its writer can no longer withdraw it. Changes no version (the editor that opened it keeps its own); answers
    /// whether this call started the review.
    /// </summary>
    public async Task<ServiceResult<bool>> StartReviewAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.EditAnyArticle, ct);
        if (!actorResult.Succeeded) return ServiceResult<bool>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var article = await db.Set<Article>().AsNoTracking().Where(a => a.Id == id)
            .Select(a => new { a.Status, a.SubmittedById, a.ReviewStartedAt, a.Version }).FirstOrDefaultAsync(ct);
        if (article is null) return ServiceResult<bool>.Fail(ArticleNotFound);
        if (!ArticleWorkflow.StartsReview(actor.Role, actor.UserId, article.Status, article.SubmittedById, article.ReviewStartedAt is not null))
        {
            return ServiceResult<bool>.Success(false);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        // Conditional, so a withdrawal or a second reviewer racing this one is never overwritten.
        var started = await db.Set<Article>()
            .Where(a => a.Id == id && a.Status == ArticleStatus.InReview && a.ReviewStartedAt == null && a.Version == article.Version)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ReviewStartedAt, now).SetProperty(a => a.ReviewStartedByName, actor.DisplayName), ct);
        if (started > 0) await events.PublishAsync(new ArticleChanged(id, article.Version, ArticleStatus.InReview));
        return ServiceResult<bool>.Success(started > 0);
    }

    public Task<ServiceResult<ArticleForEdit>> PublishAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, CancellationToken ct = default) =>
        TransitionAsync(acting, id, expectedVersion, ArticleAction.Publish, ct, (article, actor, now) =>
        {
            Publish(article, now);
            return (AuditActions.ArticlePublished, RevisionKind.Published, null);
        }, NotificationKind.Published);

    public Task<ServiceResult<ArticleForEdit>> ScheduleAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, DateTime publishAtUtc, CancellationToken ct = default) =>
        TransitionAsync(acting, id, expectedVersion, ArticleAction.Schedule, ct, (article, actor, now) =>
        {
            if (publishAtUtc.Kind != DateTimeKind.Utc) publishAtUtc = publishAtUtc.ToUniversalTime();
            if (publishAtUtc <= now) return (null, null, "Choose a time in the future, or publish now.");
            article.Status = ArticleStatus.Scheduled;
            article.ScheduledAt = publishAtUtc;
            article.ScheduledById = actor.UserId;
            article.ScheduledByName = actor.DisplayName;
            return (AuditActions.ArticleScheduled, null, $"For {publishAtUtc:yyyy-MM-dd HH:mm} UTC");
        });

    public Task<ServiceResult<ArticleForEdit>> UnpublishAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, CancellationToken ct = default) =>
        TransitionAsync(acting, id, expectedVersion, ArticleAction.Unpublish, ct, (article, actor, now) =>
        {
            article.Status = ArticleStatus.Draft;
            ClearSchedule(article);
            article.PublishedAt = null;
            return (AuditActions.ArticleUnpublished, null, null);
        });

    public Task<ServiceResult<ArticleForEdit>> TrashAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, CancellationToken ct = default) =>
        TransitionAsync(acting, id, expectedVersion, ArticleAction.Trash, ct, (article, actor, now) =>
        {
            article.TrashedAt = now;
            if (article.Status == ArticleStatus.Scheduled)
            {
                article.Status = ArticleStatus.Draft;
                ClearSchedule(article);
            }
            return (AuditActions.ArticleTrashed, null, null);
        });

    public Task<ServiceResult<ArticleForEdit>> RestoreAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, CancellationToken ct = default) =>
        TransitionAsync(acting, id, expectedVersion, ArticleAction.Restore, ct, (article, actor, now) =>
        {
            article.TrashedAt = null;
            return (AuditActions.ArticleRestored, null, $"Back as {ArticleWorkflow.Describe(article.Status, false)}");
        });

    /// <summary>Publishes every scheduled article whose time has come, each in its own transaction.</summary>
    public async Task<int> PublishDueAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.Set<Article>().Where(a => a.Status == ArticleStatus.Scheduled && a.TrashedAt == null && a.ScheduledAt <= now)
            .Select(a => a.Id).ToListAsync(ct);
        var published = 0;
        var changes = new List<ArticleChange>();
        try
        {
            foreach (var id in due)
            {
                await using var one = await dbFactory.CreateDbContextAsync(ct);
                var article = await one.Set<Article>().FirstOrDefaultAsync(a => a.Id == id && a.Status == ArticleStatus.Scheduled && a.TrashedAt == null, ct);
                if (article is null) continue;
                if (await SchedulerRefusalAsync(one, article, ct) is { } refusal)
                {
                    await WithdrawScheduleAsync(one, article, refusal, now, ct);
                    continue;
                }
                var scheduledBy = (Id: article.ScheduledById, Name: article.ScheduledByName ?? "");
                Publish(article, now);
                article.Version = Guid.NewGuid();
                article.Revisions.Add(ArticleCommit.Revision(article, new Actor("", "Scheduler", ""), RevisionKind.Published, now));
                // The writers hear of it as if whoever scheduled it had published it now.
                var told = await notifications.AddAsync(one, article, NotificationKind.Published, scheduledBy.Id, scheduledBy.Name, "", now, ct);
                var isArticle = article.Kind == ArticleKind.Article;
                // The public cache hears once, after the round, of every article published in it.
                var committed = await commit.CommitAsync(one, article, new ArticleCommit.Plan
                {
                    RankRelated = isArticle, RankTheirsToo = isArticle,
                    NotifyPublic = true, CollectInto = changes,
                    Audit = ArticleCommit.AuditNote.ByScheduler(AuditActions.ArticlePublished, "As scheduled"),
                }, ct);
                if (!committed) continue; // Someone changed it meanwhile; the next round sees its new state.
                published++;
                await notifications.DeliverAsync(told, article.Id);
                logger.LogInformation("Published scheduled article {Id} \"{Headline}\".", article.Id, article.Headline);
            }
        }
        finally
        {
            // Also when the round stops part-way (an error, a shutdown): what it committed must reach every cache,
            // as the next round no longer sees those articles as scheduled.
            if (changes.Count > 0) await commit.NotifyPublicChangedAsync(changes);
        }
        return published;
    }

    // ----- helpers -----

    /// <summary>Sends a scheduled article back to the review queue instead of publishing it, and says why in the audit log.</summary>
    private async Task WithdrawScheduleAsync(NewsCmsDbContext db, Article article, string refusal, DateTime now, CancellationToken ct)
    {
        var scheduledFor = article.ScheduledAt;
        article.Status = ArticleStatus.InReview;
        ClearSchedule(article);
        article.Version = Guid.NewGuid();
        article.UpdatedAt = now;
        var details = $"Not published at {scheduledFor:yyyy-MM-dd HH:mm} UTC: {refusal}. It is back in review.";
        var committed = await commit.CommitAsync(db, article, new ArticleCommit.Plan
        {
            Audit = ArticleCommit.AuditNote.ByScheduler(AuditActions.ArticleScheduleWithdrawn, details),
        }, ct);
        if (!committed) return; // Someone changed it meanwhile; the next round sees its new state.
        logger.LogWarning("Scheduled article {Id} \"{Headline}\" went back to review: {Reason}.", article.Id, article.Headline, refusal);
    }

    private async Task<ServiceResult<ArticleForEdit>> TransitionAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, ArticleAction action, CancellationToken ct,
        Func<Article, Actor, DateTime, (string? AuditAction, RevisionKind? Revision, string? Note)> apply, NotificationKind? tell = null, string message = "")
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<ArticleForEdit>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var article = await db.Set<Article>().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null) return ServiceResult<ArticleForEdit>.Fail(ArticleNotFound);
        var wasPublic = article.IsPublic;
        var wasVisible = article.IsVisible;
        var isOwn = await IsAuthorAsync(db, id, actor, ct);
        if (!ArticleWorkflow.Allows(actor.Role, action, isOwn, article.Status, article.TrashedAt is not null, article.ReviewStartedAt is not null))
        {
            return ServiceResult<ArticleForEdit>.Fail(Refusal(action, article));
        }
        if (article.Version != expectedVersion)
        {
            return ServiceResult<ArticleForEdit>.Fail($"{article.LastEditedByName} changed this article meanwhile. Reload it to see their version first.");
        }
        if (action is ArticleAction.Publish or ArticleAction.Schedule && await MissingAltTextAsync(db, article, ct) is { } missing)
        {
            return ServiceResult<ArticleForEdit>.Fail(missing);
        }
        db.Entry(article).Property(a => a.Version).OriginalValue = expectedVersion;

        var now = clock.GetUtcNow().UtcDateTime;
        var (auditAction, revision, note) = apply(article, actor, now);
        if (auditAction is null) return ServiceResult<ArticleForEdit>.Fail(note ?? "That is not possible now.");
        article.Version = Guid.NewGuid();
        article.UpdatedAt = now;
        if (revision is { } kind) article.Revisions.Add(ArticleCommit.Revision(article, actor, kind, now));
        // Stored with the change, in its transaction; pushed and e-mailed only once it has committed.
        var told = tell is { } notice ? await notifications.AddAsync(db, article, notice, actor.UserId, actor.DisplayName, message, now, ct) : null;

        var isPublic = article.IsPublic;
        var committed = await commit.CommitAsync(db, article, new ArticleCommit.Plan
        {
            RankRelated = wasPublic || isPublic, RankTheirsToo = isPublic && !wasPublic,
            // A page is never ranked, but readers see it (and the links to it) as they see an article.
            NotifyPublic = wasVisible || article.IsVisible,
            Audit = ArticleCommit.AuditNote.By(actor, auditAction, note),
        }, ct);
        if (!committed) return ServiceResult<ArticleForEdit>.Fail("Someone changed this article meanwhile. Reload it to see their version first.");
        if (told is not null) await notifications.DeliverAsync(told, article.Id);
        // The editor's new state from this context: an action changes no byline, so whether it is the actor's own stands.
        return ServiceResult<ArticleForEdit>.Success(await ToEditAsync(db, article, actor, isOwn, ct));
    }

    private static void Publish(Article article, DateTime now)
    {
        article.Status = ArticleStatus.Published;
        article.PublishedAt = now;
        article.FirstPublishedAt ??= now;
        ClearSchedule(article);
    }

    private static void ClearSubmission(Article article)
    {
        article.SubmittedAt = null;
        article.SubmittedById = null;
        article.SubmittedByName = null;
        ClearReview(article);
    }

    private static void ClearReview(Article article)
    {
        article.ReviewStartedAt = null;
        article.ReviewStartedByName = null;
    }

    private static void ClearSchedule(Article article)
    {
        article.ScheduledAt = null;
        article.ScheduledById = null;
        article.ScheduledByName = null;
    }

    /// <summary>
    /// Why the person who scheduled the article may no longer publish it (locked, deleted, role or byline changed),
    /// or null when they still may: a schedule acts in their name when its time comes.
    /// </summary>
    private async Task<string?> SchedulerRefusalAsync(NewsCmsDbContext db, Article article, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(article.ScheduledById)) return "nobody is recorded as having scheduled it";
        var name = article.ScheduledByName ?? "the account that scheduled it";
        var account = await db.Users.AsNoTracking().Where(u => u.Id == article.ScheduledById)
            .Select(u => new
            {
                u.DisplayName,
                u.LockoutEnd,
                Role = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);
        if (account is null) return $"{name}, who scheduled it, no longer exists";
        // Only an administrator's lock counts: a lockout after failed sign-ins is something anyone can cause.
        if (AccountLocks.IsLockedByAdministrator(account.LockoutEnd)) return $"{name}, who scheduled it, is locked";
        var scheduler = new Actor(article.ScheduledById, account.DisplayName, account.Role ?? "");
        if (!ArticleWorkflow.Allows(scheduler.Role, ArticleAction.Publish, await IsAuthorAsync(db, article.Id, scheduler, ct), ArticleStatus.Scheduled, trashed: false))
        {
            return $"{name}, who scheduled it, may no longer publish it (role now {account.Role ?? "none"})";
        }
        return null;
    }

    /// <summary>Readers who cannot see images need their descriptions: nothing goes public without them.</summary>
    private static async Task<string?> MissingAltTextAsync(NewsCmsDbContext db, Article article, CancellationToken ct)
    {
        var inBody = ArticleHtml.CountImagesWithoutAlt(article.BodyHtml);
        if (inBody > 0)
        {
            return $"Add alt text to every image in the body before publishing ({inBody} image{(inBody == 1 ? " has" : "s have")} none).";
        }
        if (article.FeaturedImageId is { } imageId && await db.MediaItems.AnyAsync(m => m.Id == imageId && m.AltText == "", ct))
        {
            return "The featured image has no alt text. Add it in the media library before publishing.";
        }
        return null;
    }


    private static string Refusal(ArticleAction action, Article article) => action switch
    {
        ArticleAction.Publish or ArticleAction.Schedule or ArticleAction.Unpublish when article.TrashedAt is null =>
            $"You are not allowed to {action.ToString().ToLowerInvariant()} this article{(article.Status == ArticleStatus.Published && action == ArticleAction.Publish ? " (it is already published)" : "")}.",
        ArticleAction.Submit when article.Status != ArticleStatus.Draft => "Only drafts can be submitted for review.",
        ArticleAction.Withdraw when article.Status == ArticleStatus.InReview && article.ReviewStartedAt is not null && article.TrashedAt is null =>
            $"{article.ReviewStartedByName ?? "An editor"} has started reviewing it: it can no longer be withdrawn.",
        ArticleAction.Withdraw or ArticleAction.RequestChanges when article.Status != ArticleStatus.InReview && article.TrashedAt is null =>
            "It is not in review (any more).",
        _ when article.TrashedAt is not null && action != ArticleAction.Restore => "This article is in the trash.",
        _ => NewsroomActors.NotAllowed,
    };

}
