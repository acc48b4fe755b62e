using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// Everything that changes or reads articles. Each call re-checks the acting user (current role, not locked) and the
/// workflow rules, opens its own short-lived context, and never overwrites a newer version than the caller saw.
/// </summary>
public sealed class ArticleService(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    PublicContent publicContent,
    PublicArticles publicArticles,
    AuthorProfiles authorProfiles,
    TimeProvider clock,
    ILogger<ArticleService> logger)
{
    /// <summary>Autosaves make a revision at most this often; manual saves always do.</summary>
    public static readonly TimeSpan AutosaveRevisionInterval = TimeSpan.FromMinutes(5);

    public async Task<ServiceResult<ArticleForEdit>> GetForEditAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<ArticleForEdit>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var article = await db.Set<Article>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null) return ServiceResult<ArticleForEdit>.Fail(ArticleNotFound);
        var isOwn = await IsAuthorAsync(db, id, actor, ct);
        if (!isOwn && !actor.Can(Capabilities.EditAnyArticle)) return ServiceResult<ArticleForEdit>.Fail(NewsroomActors.NotAllowed);
        return ServiceResult<ArticleForEdit>.Success(await ToEditAsync(db, article, actor, isOwn, ct));
    }

    /// <summary>Creates (when <paramref name="id"/> is null) or saves an article's text.</summary>
    public Task<SaveOutcome> SaveAsync(ClaimsPrincipal acting, int? id, ArticleInput input, Guid? expectedVersion, SaveKind kind, CancellationToken ct = default) =>
        SaveAsync(acting, id, input, expectedVersion, kind, recordAs: null, ct);

    /// <param name="recordAs">Always record a revision of this kind, in the same transaction as the save (a restore).</param>
    private async Task<SaveOutcome> SaveAsync(ClaimsPrincipal acting, int? id, ArticleInput input, Guid? expectedVersion, SaveKind kind,
        RevisionKind? recordAs, CancellationToken ct)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return SaveOutcome.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        RemoveXmlForbiddenCharacters(input);
        var invalid = Validate(input);
        if (invalid is not null) return invalid;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        Article article;
        if (id is null)
        {
            article = new Article
            {
                Status = ArticleStatus.Draft, CreatedAt = now, CreatedById = actor.UserId, CreatedByName = actor.DisplayName,
            };
            db.Add(article);
        }
        else
        {
            var existing = await db.Set<Article>().FirstOrDefaultAsync(a => a.Id == id, ct);
            if (existing is null) return SaveOutcome.Fail(ArticleNotFound);
            article = existing;
            if (!ArticleWorkflow.Allows(actor.Role, ArticleAction.Edit, await IsAuthorAsync(db, article.Id, actor, ct), article.Status, article.TrashedAt is not null))
            {
                return SaveOutcome.Fail(EditRefusal(article));
            }
            if (expectedVersion is { } expected && expected != article.Version)
            {
                return Conflict(article);
            }
            // Checked again by SQLite at save time: the token makes a racing save fail instead of overwriting.
            db.Entry(article).Property(a => a.Version).OriginalValue = expectedVersion ?? article.Version;
        }

        var slugResult = await ChooseSlugAsync(db, article, input, ct);
        if (slugResult.Error is not null) return SaveOutcome.Fail(slugResult.Error, "Slug");
        var relations = await CheckRelationsAsync(db, article, input, actor, ct);
        if (relations.Error is not null) return SaveOutcome.Fail(relations.Error, relations.Field);
        if (article.Id != 0 && article.Slug != slugResult.Slug && article.FirstPublishedAt is not null)
        {
            // The old public address keeps working: it answers 301 to the new one.
            db.Add(new ArticleSlugRedirect { Slug = article.Slug, ArticleId = article.Id, CreatedAt = now });
        }
        // An article may take back one of its own old addresses; another article's are refused by ChooseSlugAsync.
        var stale = await db.Set<ArticleSlugRedirect>().FirstOrDefaultAsync(r => r.Slug == slugResult.Slug && r.ArticleId == article.Id, ct);
        if (stale is not null) db.Remove(stale);

        var isPublic = article.IsPublic;
        var rankedFrom = isPublic ? await RankingInputsAsync(db, article, ct) : default;
        var changedText = Apply(article, input, slugResult.Slug!);
        article.SectionId = input.SectionId;
        article.FeaturedImageId = input.FeaturedImageId;
        // Choosing the home page's lead is an editor's call: others keep the article's mark as it is.
        if (Capabilities.Allows(actor.Role, Capabilities.EditAnyArticle)) article.IsFeatured = input.IsFeatured;
        article.UpdatedAt = now;
        article.LastEditedById = actor.UserId;
        article.LastEditedByName = actor.DisplayName;
        article.Version = Guid.NewGuid();

        var revisionKind = recordAs ?? (id is null ? RevisionKind.Created : kind == SaveKind.Manual ? RevisionKind.Saved : RevisionKind.Autosaved);
        if (id is null || recordAs is not null || (changedText && await WantsRevisionAsync(db, article.Id, kind, now, ct)))
        {
            article.Revisions.Add(Revision(article, actor, revisionKind, now));
        }

        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            await SetRelationsAsync(db, article.Id, relations.AuthorIds!, input.TagIds, ct);
            await Search.ArticleSearch.SyncAsync(db, article.Id, ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            await using var fresh = await dbFactory.CreateDbContextAsync(ct);
            var current = await fresh.Set<Article>().AsNoTracking().FirstAsync(a => a.Id == article.Id, ct);
            return Conflict(current);
        }
        catch (Exception ex) when (ConstraintError(ex) is { } constraint)
        {
            // Only the unique slug index means another article was quicker; any other broken constraint is a bug.
            if (constraint is { SqliteExtendedErrorCode: SqliteUniqueConstraint } && constraint.Message.Contains("Articles.Slug", StringComparison.Ordinal))
            {
                return SaveOutcome.Fail($"The slug \"{article.Slug}\" was just taken by another article. Choose another.", "Slug");
            }
            logger.LogError(ex, "Saving article {Id} broke a database constraint other than the unique slug: {Constraint}", id?.ToString() ?? "(new)", constraint.Message);
            return SaveOutcome.Fail(SaveFailed);
        }

        if (isPublic)
        {
            // Ranking reads the headline, standfirst, section and tags: it runs when one of them changed (or on a manual
            // save), after the save committed, so autosaves of the text neither wait for it nor hold the write lock for it.
            if (kind == SaveKind.Manual || rankedFrom != await RankingInputsAsync(db, article, ct)) await RefreshRelatedAsync(db, article.Id, ct);
            publicContent.NotifyChanged();
        }
        // The editor's new state, from this context: the bylines just written decide whether it is still the writer's own.
        var isOwnNow = await IsAuthorAsync(db, article.Id, actor, ct);
        return new SaveOutcome(null, null, article.Id, article.Version, now, article.Slug, null)
        {
            Article = await ToEditAsync(db, article, actor, isOwnNow, ct),
        };
    }

    /// <summary>
    /// Resolves a conflict without losing either side: the text not kept is stored as a revision.
    /// With <paramref name="keepMine"/> the caller's text is saved over the current version they have now seen.
    /// </summary>
    public async Task<SaveOutcome> ResolveConflictAsync(ClaimsPrincipal acting, int id, ArticleInput mine, Guid theirVersion, bool keepMine, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return SaveOutcome.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var article = await db.Set<Article>().FirstOrDefaultAsync(a => a.Id == id, ct);
            if (article is null) return SaveOutcome.Fail(ArticleNotFound);
            if (!ArticleWorkflow.Allows(actor.Role, ArticleAction.Edit, await IsAuthorAsync(db, id, actor, ct), article.Status, article.TrashedAt is not null))
            {
                return SaveOutcome.Fail(EditRefusal(article));
            }
            var now = clock.GetUtcNow().UtcDateTime;
            // Keep the side that loses as a revision, so History can bring it back.
            db.Add(keepMine
                ? Revision(article, new Actor(article.LastEditedById, article.LastEditedByName, ""), RevisionKind.ConflictCopy, now)
                : new ArticleRevision
                {
                    ArticleId = id, CreatedAt = now, AuthorId = actor.UserId, AuthorName = actor.DisplayName, Kind = RevisionKind.ConflictCopy,
                    Headline = Truncate(mine.Headline, 300), Standfirst = Truncate(mine.Standfirst, 1000), BodyHtml = ArticleHtml.Sanitize(mine.BodyHtml),
                });
            await db.SaveChangesAsync(ct);
            if (!keepMine)
            {
                return new SaveOutcome(null, null, article.Id, article.Version, now, article.Slug, null);
            }
        }
        return await SaveAsync(acting, id, mine, theirVersion, SaveKind.Manual, ct);
    }

    public Task<ServiceResult<Guid>> SubmitAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, CancellationToken ct = default) =>
        TransitionAsync(acting, id, expectedVersion, ArticleAction.Submit, ct, (article, actor, now) =>
        {
            article.Status = ArticleStatus.InReview;
            return (AuditActions.ArticleSubmitted, RevisionKind.Submitted, null);
        });

    public Task<ServiceResult<Guid>> PublishAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, CancellationToken ct = default) =>
        TransitionAsync(acting, id, expectedVersion, ArticleAction.Publish, ct, (article, actor, now) =>
        {
            Publish(article, now);
            return (AuditActions.ArticlePublished, RevisionKind.Published, null);
        });

    public Task<ServiceResult<Guid>> ScheduleAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, DateTime publishAtUtc, CancellationToken ct = default) =>
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

    public Task<ServiceResult<Guid>> UnpublishAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, CancellationToken ct = default) =>
        TransitionAsync(acting, id, expectedVersion, ArticleAction.Unpublish, ct, (article, actor, now) =>
        {
            article.Status = ArticleStatus.Draft;
            ClearSchedule(article);
            article.PublishedAt = null;
            return (AuditActions.ArticleUnpublished, null, null);
        });

    public Task<ServiceResult<Guid>> TrashAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, CancellationToken ct = default) =>
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

    public Task<ServiceResult<Guid>> RestoreAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, CancellationToken ct = default) =>
        TransitionAsync(acting, id, expectedVersion, ArticleAction.Restore, ct, (article, actor, now) =>
        {
            article.TrashedAt = null;
            return (AuditActions.ArticleRestored, null, $"Back as {ArticleWorkflow.Describe(article.Status, false)}");
        });

    /// <summary>Records a take-over (presence itself is in memory, see <see cref="ArticlePresence"/>).</summary>
    public async Task<ServiceResult> AuthorizeTakeOverAsync(ClaimsPrincipal acting, int id, string fromName, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return actorResult;
        var actor = actorResult.Value!;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var article = await db.Set<Article>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null) return ServiceResult.Fail(ArticleNotFound);
        if (!ArticleWorkflow.Allows(actor.Role, ArticleAction.TakeOver, await IsAuthorAsync(db, id, actor, ct), article.Status, article.TrashedAt is not null))
        {
            return ServiceResult.Fail("Only Editors and Administrators can take over an article someone else is editing.");
        }
        await audit.WriteAsync(actor, AuditActions.ArticleTakenOver, Target(article), $"From {fromName}", ct);
        return ServiceResult.Ok;
    }

    public async Task<ServiceResult<IReadOnlyList<RevisionSummary>>> ListRevisionsAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default)
    {
        var access = await CheckReadAsync(acting, id, ct);
        if (!access.Succeeded) return ServiceResult<IReadOnlyList<RevisionSummary>>.Fail(access.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var revisions = await db.Set<ArticleRevision>().AsNoTracking().Where(r => r.ArticleId == id)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Select(r => new RevisionSummary(r.Id, r.CreatedAt, r.AuthorName, r.Kind, r.Headline))
            .ToListAsync(ct);
        return ServiceResult<IReadOnlyList<RevisionSummary>>.Success(revisions);
    }

    public async Task<ServiceResult<RevisionDetails>> GetRevisionAsync(ClaimsPrincipal acting, int id, long revisionId, CancellationToken ct = default)
    {
        var access = await CheckReadAsync(acting, id, ct);
        if (!access.Succeeded) return ServiceResult<RevisionDetails>.Fail(access.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var revision = await db.Set<ArticleRevision>().AsNoTracking().Where(r => r.ArticleId == id && r.Id == revisionId)
            .Select(r => new RevisionDetails(r.Id, r.CreatedAt, r.AuthorName, r.Kind, r.Headline, r.Standfirst, r.BodyHtml))
            .FirstOrDefaultAsync(ct);
        return revision is null ? ServiceResult<RevisionDetails>.Fail("That revision does not exist.") : ServiceResult<RevisionDetails>.Success(revision);
    }

    /// <summary>Brings a revision's text back as the current text, recorded as a new revision (history is never rewritten).</summary>
    public async Task<SaveOutcome> RestoreRevisionAsync(ClaimsPrincipal acting, int id, long revisionId, Guid expectedVersion, CancellationToken ct = default)
    {
        var revision = await GetRevisionAsync(acting, id, revisionId, ct);
        if (!revision.Succeeded) return SaveOutcome.Fail(revision.Error!);
        var current = await GetForEditAsync(acting, id, ct);
        if (!current.Succeeded) return SaveOutcome.Fail(current.Error!);
        var c = current.Value!;
        var r = revision.Value!;
        // The text and its "Restored" revision are saved together, in one transaction: no other revision is touched.
        var outcome = await SaveAsync(acting, id, new ArticleInput
        {
            Headline = r.Headline, Standfirst = r.Standfirst, BodyHtml = r.BodyHtml, Slug = c.Slug,
            SeoTitle = c.SeoTitle, MetaDescription = c.MetaDescription, CanonicalUrl = c.CanonicalUrl,
            SectionId = c.SectionId, FeaturedImageId = c.FeaturedImageId, IsFeatured = c.IsFeatured,
            TagIds = c.Tags.Select(t => t.Id).ToList(), AuthorIds = c.Authors.Select(a => a.Id).ToList(),
        }, expectedVersion, SaveKind.Manual, recordAs: RevisionKind.Restored, ct);
        if (!outcome.Succeeded) return outcome;

        var actor = (await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct)).Value!;
        await audit.WriteAsync(actor, AuditActions.RevisionRestored, $"{r.Headline} (#{id})", $"Revision of {r.CreatedAt:yyyy-MM-dd HH:mm} UTC by {r.AuthorName}", ct);
        return outcome;
    }

    public async Task<ServiceResult<PagedList<ArticleListItem>>> ListAsync(ClaimsPrincipal acting, ArticleListQuery query, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<PagedList<ArticleListItem>>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var articles = db.Set<Article>().AsNoTracking();
        // Writers without EditAnyArticle see the articles they are an author of only.
        if (query.Mine || !actor.Can(Capabilities.EditAnyArticle))
        {
            articles = articles.Where(a => db.ArticleAuthors.Any(aa => aa.ArticleId == a.Id
                && db.AuthorProfiles.Any(p => p.Id == aa.AuthorProfileId && p.UserId == actor.UserId)));
        }
        articles = query.Trash ? articles.Where(a => a.TrashedAt != null) : articles.Where(a => a.TrashedAt == null);
        if (query.Status is { } status) articles = articles.Where(a => a.Status == status);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = Like.Contains(query.Search.Trim());
            articles = articles.Where(a => EF.Functions.Like(a.Headline, pattern, Like.Escape));
        }
        var total = await articles.CountAsync(ct);
        var ordered = query.SortByPublished
            ? articles.OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.UpdatedAt)
            : articles.OrderByDescending(a => a.UpdatedAt);
        var items = await ordered.Skip(query.Page * query.PageSize).Take(query.PageSize)
            .Select(a => new ArticleListItem(a.Id, a.Headline, a.Slug, a.Status, a.TrashedAt != null, a.UpdatedAt, a.PublishedAt, a.ScheduledAt, a.CreatedByName, a.LastEditedByName))
            .ToListAsync(ct);
        return ServiceResult<PagedList<ArticleListItem>>.Success(new PagedList<ArticleListItem>(items, total));
    }

    /// <summary>Articles per workflow state (and in the trash), for the dashboard; writers count their own.</summary>
    public async Task<ServiceResult<IReadOnlyDictionary<string, int>>> CountByStatusAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<IReadOnlyDictionary<string, int>>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var articles = db.Set<Article>().AsNoTracking();
        if (!actor.Can(Capabilities.EditAnyArticle))
        {
            articles = articles.Where(a => db.ArticleAuthors.Any(aa => aa.ArticleId == a.Id
                && db.AuthorProfiles.Any(p => p.Id == aa.AuthorProfileId && p.UserId == actor.UserId)));
        }
        var counts = await articles.GroupBy(a => new { a.Status, Trashed = a.TrashedAt != null })
            .Select(g => new { g.Key.Status, g.Key.Trashed, Count = g.Count() }).ToListAsync(ct);
        var result = Enum.GetValues<ArticleStatus>().ToDictionary(
            status => ArticleWorkflow.Describe(status, false),
            status => counts.Where(c => c.Status == status && !c.Trashed).Sum(c => c.Count));
        result[ArticleWorkflow.Describe(ArticleStatus.Draft, true)] = counts.Where(c => c.Trashed).Sum(c => c.Count);
        return ServiceResult<IReadOnlyDictionary<string, int>>.Success(result);
    }

    /// <summary>Published articles whose headline matches, for the See-also picker.</summary>
    public async Task<IReadOnlyList<ArticleLink>> FindPublishedAsync(ClaimsPrincipal acting, string? text, int excludeId, CancellationToken ct = default)
    {
        if (!(await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct)).Succeeded) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var articles = db.Set<Article>().AsNoTracking().WherePublic().Where(a => a.Id != excludeId);
        if (!string.IsNullOrWhiteSpace(text)) articles = articles.Where(a => EF.Functions.Like(a.Headline, Like.Contains(text.Trim()), Like.Escape));
        return await articles.OrderByDescending(a => a.PublishedAt).Take(8)
            .Select(a => new ArticleLink(a.Id, a.Headline, a.Slug, a.PublishedAt)).ToListAsync(ct);
    }

    /// <summary>The article as the public page will show it, whatever its state, for its writers and the desk.</summary>
    public async Task<ServiceResult<PublicArticle>> PreviewAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default)
    {
        var access = await CheckReadAsync(acting, id, ct);
        if (!access.Succeeded) return ServiceResult<PublicArticle>.Fail(access.Error!);
        var article = await publicArticles.ComposeAsync(id, ct);
        return article is null ? ServiceResult<PublicArticle>.Fail(ArticleNotFound) : ServiceResult<PublicArticle>.Success(article);
    }

    /// <summary>Publishes every scheduled article whose time has come, each in its own transaction.</summary>
    public async Task<int> PublishDueAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.Set<Article>().Where(a => a.Status == ArticleStatus.Scheduled && a.TrashedAt == null && a.ScheduledAt <= now)
            .Select(a => a.Id).ToListAsync(ct);
        var published = 0;
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
            Publish(article, now);
            article.Version = Guid.NewGuid();
            article.Revisions.Add(Revision(article, new Actor("", "Scheduler", ""), RevisionKind.Published, now));
            try
            {
                await using var transaction = await one.Database.BeginTransactionAsync(ct);
                await one.SaveChangesAsync(ct);
                await Search.ArticleSearch.SyncAsync(one, article.Id, ct);
                await RelatedArticles.RefreshAsync(one, article.Id, andTheirs: true, ct);
                await transaction.CommitAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                continue; // Someone changed it meanwhile; the next round sees its new state.
            }
            published++;
            logger.LogInformation("Published scheduled article {Id} \"{Headline}\".", article.Id, article.Headline);
            await audit.WriteAsync(null, "Scheduler", AuditActions.ArticlePublished, Target(article), "As scheduled", ct);
        }
        if (published > 0) publicContent.NotifyChanged();
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
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            await Search.ArticleSearch.SyncAsync(db, article.Id, ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return; // Someone changed it meanwhile; the next round sees its new state.
        }
        var details = $"Not published at {scheduledFor:yyyy-MM-dd HH:mm} UTC: {refusal}. It is back in review.";
        logger.LogWarning("Scheduled article {Id} \"{Headline}\" went back to review: {Reason}.", article.Id, article.Headline, refusal);
        await audit.WriteAsync(null, "Scheduler", AuditActions.ArticleScheduleWithdrawn, Target(article), details, ct);
    }

    private async Task<ServiceResult<Guid>> TransitionAsync(ClaimsPrincipal acting, int id, Guid expectedVersion, ArticleAction action, CancellationToken ct,
        Func<Article, Actor, DateTime, (string? AuditAction, RevisionKind? Revision, string? Note)> apply)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<Guid>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var article = await db.Set<Article>().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null) return ServiceResult<Guid>.Fail(ArticleNotFound);
        var wasPublic = article.IsPublic;
        if (!ArticleWorkflow.Allows(actor.Role, action, await IsAuthorAsync(db, id, actor, ct), article.Status, article.TrashedAt is not null))
        {
            return ServiceResult<Guid>.Fail(Refusal(action, article));
        }
        if (article.Version != expectedVersion)
        {
            return ServiceResult<Guid>.Fail($"{article.LastEditedByName} changed this article meanwhile. Reload it to see their version first.");
        }
        if (action is ArticleAction.Publish or ArticleAction.Schedule && await MissingAltTextAsync(db, article, ct) is { } missing)
        {
            return ServiceResult<Guid>.Fail(missing);
        }
        db.Entry(article).Property(a => a.Version).OriginalValue = expectedVersion;

        var now = clock.GetUtcNow().UtcDateTime;
        var (auditAction, revision, note) = apply(article, actor, now);
        if (auditAction is null) return ServiceResult<Guid>.Fail(note ?? "That is not possible now.");
        article.Version = Guid.NewGuid();
        article.UpdatedAt = now;
        if (revision is { } kind) article.Revisions.Add(Revision(article, actor, kind, now));

        var isPublic = article.IsPublic;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            await Search.ArticleSearch.SyncAsync(db, article.Id, ct);
            if (wasPublic || isPublic) await RelatedArticles.RefreshAsync(db, article.Id, andTheirs: isPublic && !wasPublic, ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ServiceResult<Guid>.Fail("Someone changed this article meanwhile. Reload it to see their version first.");
        }

        await audit.WriteAsync(actor, auditAction, Target(article), note, ct);
        if (wasPublic || isPublic) publicContent.NotifyChanged();
        return ServiceResult<Guid>.Success(article.Version);
    }

    private async Task<ServiceResult> CheckReadAsync(ClaimsPrincipal acting, int id, CancellationToken ct)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return actorResult;
        var actor = actorResult.Value!;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Set<Article>().AnyAsync(a => a.Id == id, ct)) return ServiceResult.Fail(ArticleNotFound);
        return actor.Can(Capabilities.EditAnyArticle) || await IsAuthorAsync(db, id, actor, ct) ? ServiceResult.Ok : ServiceResult.Fail(NewsroomActors.NotAllowed);
    }

    /// <summary>Characters XML forbids would break every feed and sitemap showing the article: they are dropped (the body's by ArticleHtml).</summary>
    private static void RemoveXmlForbiddenCharacters(ArticleInput input)
    {
        input.Headline = XmlSafeText.Clean(input.Headline);
        input.Standfirst = XmlSafeText.Clean(input.Standfirst);
        input.Slug = XmlSafeText.Clean(input.Slug);
        input.SeoTitle = XmlSafeText.CleanOptional(input.SeoTitle);
        input.MetaDescription = XmlSafeText.CleanOptional(input.MetaDescription);
        input.CanonicalUrl = XmlSafeText.CleanOptional(input.CanonicalUrl);
    }

    private static SaveOutcome? Validate(ArticleInput input)
    {
        if (string.IsNullOrWhiteSpace(input.Headline)) return SaveOutcome.Fail("Enter a headline.", "Headline");
        if (input.Headline.Trim().Length > 300) return SaveOutcome.Fail("The headline can be at most 300 characters.", "Headline");
        if ((input.Standfirst ?? "").Trim().Length > 1000) return SaveOutcome.Fail("The standfirst can be at most 1000 characters.", "Standfirst");
        if ((input.SeoTitle ?? "").Trim().Length > 300) return SaveOutcome.Fail("The SEO title can be at most 300 characters.", "SeoTitle");
        if ((input.MetaDescription ?? "").Trim().Length > 500) return SaveOutcome.Fail("The meta description can be at most 500 characters.", "MetaDescription");
        if (!string.IsNullOrWhiteSpace(input.CanonicalUrl)
            && (!Uri.TryCreate(input.CanonicalUrl.Trim(), UriKind.Absolute, out var canonical) || (canonical.Scheme != Uri.UriSchemeHttp && canonical.Scheme != Uri.UriSchemeHttps)))
        {
            return SaveOutcome.Fail("The canonical URL must be a full http(s) address, or empty.", "CanonicalUrl");
        }
        if (Slugs.Problem(input.Slug) is { } slugProblem) return SaveOutcome.Fail(slugProblem, "Slug");
        return null;
    }

    /// <summary>
    /// The slug to store: the one typed by hand, when free; while it follows the headline, the headline's slug with
    /// "-2", "-3"… until free. Another article's old addresses count as taken: they still answer 301 for it.
    /// </summary>
    private static async Task<(string? Slug, string? Error)> ChooseSlugAsync(NewsCmsDbContext db, Article article, ArticleInput input, CancellationToken ct)
    {
        var others = db.Set<Article>().Where(a => a.Id != article.Id);
        var othersRedirects = db.Set<ArticleSlugRedirect>().Where(r => r.ArticleId != article.Id);
        var takenSlugs = others.Select(a => a.Slug).Concat(othersRedirects.Select(r => r.Slug));
        var follows = input.SlugFollowsHeadline;
        var (slug, taken) = await Slugs.ChooseAsync(takenSlugs, follows ? null : input.Slug, follows ? null : article.Slug, input.Headline, "article", ct);
        if (!taken) return (slug, null);
        var typed = input.Slug.Trim();
        var owner = await others.Where(a => a.Slug == typed).Select(a => a.Headline).FirstOrDefaultAsync(ct);
        if (owner is not null) return (null, $"The slug \"{typed}\" is already used by \"{owner}\". Choose another.");
        var movedFrom = await othersRedirects.Where(r => r.Slug == typed)
            .Join(db.Set<Article>(), r => r.ArticleId, a => a.Id, (r, a) => a.Headline).FirstOrDefaultAsync(ct);
        return (null, $"The slug \"{typed}\" is an old address of \"{movedFrom}\" and still takes readers there. Choose another.");
    }

    /// <summary>What related-article ranking reads of an article (its tags as stored now, in id order).</summary>
    private static async Task<(string Headline, string Standfirst, int? SectionId, string Tags)> RankingInputsAsync(NewsCmsDbContext db, Article article,
        CancellationToken ct)
    {
        var tags = article.Id == 0 ? [] : await db.ArticleTags.AsNoTracking().Where(at => at.ArticleId == article.Id).Select(at => at.TagId).OrderBy(t => t).ToListAsync(ct);
        return (article.Headline, article.Standfirst, article.SectionId, string.Join(',', tags));
    }

    /// <summary>Ranks the article's related articles again after a save; a failure leaves the previous list and is logged, the save stands.</summary>
    private async Task RefreshRelatedAsync(NewsCmsDbContext db, int articleId, CancellationToken ct)
    {
        try
        {
            await RelatedArticles.RefreshOnItsOwnAsync(db, articleId, ct);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or DbUpdateException)
        {
            logger.LogError(ex, "Ranking the related articles of article {Id} failed; the previous list stays until the next save.", articleId);
        }
    }

    /// <summary>The SQLite constraint error behind a failed write, or null when it is not one.</summary>
    private static Microsoft.Data.Sqlite.SqliteException? ConstraintError(Exception ex) =>
        (ex as Microsoft.Data.Sqlite.SqliteException ?? (ex as DbUpdateException)?.InnerException as Microsoft.Data.Sqlite.SqliteException)
            is { SqliteErrorCode: 19 } constraint ? constraint : null;

    /// <summary>SQLITE_CONSTRAINT_UNIQUE.</summary>
    private const int SqliteUniqueConstraint = 2067;

    private const string SaveFailed = "The article could not be saved because of an error on the server. Your text is still here; "
        + "try again, and tell an administrator if it keeps happening.";

    /// <summary>Copies the input onto the article; returns whether the text (not just metadata) changed.</summary>
    internal static bool Apply(Article article, ArticleInput input, string slug)
    {
        var body = ArticleHtml.Sanitize(input.BodyHtml);
        var headline = input.Headline.Trim();
        var standfirst = (input.Standfirst ?? "").Trim();
        var changed = article.Headline != headline || article.Standfirst != standfirst || article.BodyHtml != body;
        article.Headline = headline;
        article.Standfirst = standfirst;
        article.Slug = slug;
        article.BodyHtml = body;
        article.BodyText = ArticleHtml.ToPlainText(body);
        article.WordCount = ArticleHtml.CountWords(article.BodyText);
        article.ReadingMinutes = ArticleHtml.ReadingMinutes(article.WordCount);
        article.SeoTitle = Blank(input.SeoTitle);
        article.MetaDescription = Blank(input.MetaDescription);
        article.CanonicalUrl = Blank(input.CanonicalUrl);
        return changed;
    }

    private static async Task<bool> WantsRevisionAsync(NewsCmsDbContext db, int articleId, SaveKind kind, DateTime now, CancellationToken ct)
    {
        if (kind == SaveKind.Manual) return true;
        var last = await db.Set<ArticleRevision>().Where(r => r.ArticleId == articleId).MaxAsync(r => (DateTime?)r.CreatedAt, ct);
        return last is null || now - last >= AutosaveRevisionInterval;
    }

    private static void Publish(Article article, DateTime now)
    {
        article.Status = ArticleStatus.Published;
        article.PublishedAt = now;
        article.FirstPublishedAt ??= now;
        ClearSchedule(article);
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
        if (account.LockoutEnd > clock.GetUtcNow()) return $"{name}, who scheduled it, is locked";
        var scheduler = new Actor(article.ScheduledById, account.DisplayName, account.Role ?? "");
        if (!ArticleWorkflow.Allows(scheduler.Role, ArticleAction.Publish, await IsAuthorAsync(db, article.Id, scheduler, ct), ArticleStatus.Scheduled, trashed: false))
        {
            return $"{name}, who scheduled it, may no longer publish it (role now {account.Role ?? "none"})";
        }
        return null;
    }

    private SaveOutcome Conflict(Article current) => new(null, null, current.Id, current.Version, current.UpdatedAt, current.Slug,
        new ArticleConflict(current.Headline, current.Standfirst, current.BodyHtml, current.Version, current.LastEditedByName, current.UpdatedAt));

    internal static ArticleRevision Revision(Article article, Actor actor, RevisionKind kind, DateTime now) => new()
    {
        ArticleId = article.Id, CreatedAt = now, AuthorId = actor.UserId, AuthorName = actor.DisplayName, Kind = kind,
        Headline = article.Headline, Standfirst = article.Standfirst, BodyHtml = article.BodyHtml,
    };

    private static async Task<ArticleForEdit> ToEditAsync(NewsCmsDbContext db, Article a, Actor actor, bool isOwn, CancellationToken ct)
    {
        var allowed = Enum.GetValues<ArticleAction>()
            .Where(action => ArticleWorkflow.Allows(actor.Role, action, isOwn, a.Status, a.TrashedAt is not null)).ToHashSet();
        var tags = await db.ArticleTags.Where(at => at.ArticleId == a.Id).Join(db.Tags, at => at.TagId, t => t.Id, (at, t) => t)
            .OrderBy(t => t.Name).Select(t => new NamedItem(t.Id, t.Name)).ToListAsync(ct);
        var authors = await db.ArticleAuthors.Where(aa => aa.ArticleId == a.Id).OrderBy(aa => aa.Position)
            .Join(db.AuthorProfiles, aa => aa.AuthorProfileId, p => p.Id, (aa, p) => new NamedItem(p.Id, p.DisplayName)).ToListAsync(ct);
        return new ArticleForEdit(a.Id, a.Headline, a.Standfirst, a.Slug, a.BodyHtml, a.SeoTitle, a.MetaDescription, a.CanonicalUrl, a.Status,
            a.TrashedAt is not null, a.CreatedAt, a.UpdatedAt, a.PublishedAt, a.ScheduledAt, a.CreatedByName, a.LastEditedByName,
            a.WordCount, a.ReadingMinutes, a.Version, allowed, a.SectionId, tags, authors, a.FeaturedImageId, a.IsFeatured);
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

    /// <summary>Whether the actor is on the article's byline: writers may only touch articles they are an author of.</summary>
    private static Task<bool> IsAuthorAsync(NewsCmsDbContext db, int articleId, Actor actor, CancellationToken ct) =>
        db.ArticleAuthors.AnyAsync(aa => aa.ArticleId == articleId
            && db.AuthorProfiles.Any(p => p.Id == aa.AuthorProfileId && p.UserId == actor.UserId), ct);

    /// <summary>Checks the bylines, tags, section and featured image the input names; returns the bylines to store.</summary>
    private async Task<(List<int>? AuthorIds, string? Error, string? Field)> CheckRelationsAsync(NewsCmsDbContext db, Article article, ArticleInput input,
        Actor actor, CancellationToken ct)
    {
        var ownProfile = await authorProfiles.EnsureForAccountAsync(actor.UserId, actor.DisplayName, ct);
        var authorIds = input.AuthorIds.Distinct().ToList();
        if (authorIds.Count == 0)
        {
            authorIds = article.Id == 0
                ? [ownProfile]
                : await db.ArticleAuthors.Where(aa => aa.ArticleId == article.Id).OrderBy(aa => aa.Position).Select(aa => aa.AuthorProfileId).ToListAsync(ct);
        }
        if (await db.AuthorProfiles.CountAsync(p => authorIds.Contains(p.Id), ct) != authorIds.Count) return (null, "One of the authors no longer exists.", "Authors");
        if (!actor.Can(Capabilities.EditAnyArticle) && !authorIds.Contains(ownProfile))
        {
            return (null, "Keep yourself among the authors: without your byline you could no longer open this article.", "Authors");
        }
        var tagIds = input.TagIds.Distinct().ToList();
        if (await db.Tags.CountAsync(t => tagIds.Contains(t.Id), ct) != tagIds.Count) return (null, "One of the tags no longer exists.", "Tags");
        input.TagIds = tagIds;
        if (input.SectionId is { } sectionId && !await db.Sections.AnyAsync(s => s.Id == sectionId, ct)) return (null, "That section no longer exists.", "Section");
        if (input.FeaturedImageId is { } imageId && !await db.MediaItems.AnyAsync(m => m.Id == imageId, ct)) return (null, "That image is no longer in the media library.", "FeaturedImage");
        return (authorIds, null, null);
    }

    private static async Task SetRelationsAsync(NewsCmsDbContext db, int articleId, List<int> authorIds, List<int> tagIds, CancellationToken ct)
    {
        await db.ArticleAuthors.Where(aa => aa.ArticleId == articleId).ExecuteDeleteAsync(ct);
        await db.ArticleTags.Where(at => at.ArticleId == articleId).ExecuteDeleteAsync(ct);
        db.ArticleAuthors.AddRange(authorIds.Select((authorId, position) => new ArticleAuthor { ArticleId = articleId, AuthorProfileId = authorId, Position = position }));
        db.ArticleTags.AddRange(tagIds.Select(tagId => new ArticleTag { ArticleId = articleId, TagId = tagId }));
        await db.SaveChangesAsync(ct);
    }


    private static string EditRefusal(Article article) =>
        article.TrashedAt is not null ? "This article is in the trash. Restore it before editing."
        : article.Status == ArticleStatus.Draft ? NewsroomActors.NotAllowed
        : $"This article is {ArticleWorkflow.Describe(article.Status, false).ToLowerInvariant()}: only the desk can change it now.";

    private static string Refusal(ArticleAction action, Article article) => action switch
    {
        ArticleAction.Publish or ArticleAction.Schedule or ArticleAction.Unpublish when article.TrashedAt is null =>
            $"You are not allowed to {action.ToString().ToLowerInvariant()} this article{(article.Status == ArticleStatus.Published && action == ArticleAction.Publish ? " (it is already published)" : "")}.",
        ArticleAction.Submit when article.Status != ArticleStatus.Draft => "Only drafts can be submitted for review.",
        _ when article.TrashedAt is not null && action != ArticleAction.Restore => "This article is in the trash.",
        _ => NewsroomActors.NotAllowed,
    };

    private static string Target(Article article) => $"{article.Headline} (#{article.Id})";

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Truncate(string? value, int length) => (value ?? "").Length <= length ? value ?? "" : value![..length];

    private const string ArticleNotFound = "That article does not exist.";
}
