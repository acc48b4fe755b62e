using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.LiveBlogs;

/// <summary>
/// Live coverage of an article, in the newsroom: turning it on and off, and posting, editing and deleting entries.
/// Each entry change takes the article's next <see cref="LiveEntry.Seq"/> in its own transaction (with the webhook
/// outbox when the article is published), then evicts the article's page and catch-up windows on every node, pushes
/// the entry to open pages (<see cref="LiveStream"/>) and is audited. The article itself is not saved again, so the
/// editor's version stays valid and nothing is republished.
/// </summary>
public sealed class LiveBlogService(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    PublicContent publicContent,
    Webhooks.WebhookPayloads webhooks,
    LiveStream stream,
    Media.MediaLibrary media,
    Settings.SiteSettingsStore settings,
    TimeProvider clock,
    ILogger<LiveBlogService> logger)
{
    /// <summary>Entries the composer lists (newest first); older ones stay on the public page and in the feeds.</summary>
    public const int ComposerEntries = 200;

    public async Task<ServiceResult<LiveCoverage>> GetAsync(ClaimsPrincipal acting, int articleId, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (actor.Value is not { } who) return ServiceResult<LiveCoverage>.Fail(actor.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var article = await ArticleAsync(db, articleId, ct);
        if (article is null) return ServiceResult<LiveCoverage>.Fail(NewsroomArticleAccess.ArticleNotFound);
        var isOwn = await NewsroomArticleAccess.IsAuthorAsync(db, articleId, who, ct);
        // Reading follows the editor's rule: your own articles, or any for the desk.
        if (!isOwn && !who.Can(Capabilities.EditAnyArticle)) return ServiceResult<LiveCoverage>.Fail(NewsroomActors.NotAllowed);
        return ServiceResult<LiveCoverage>.Success(await CoverageAsync(db, article, LiveBlogRules.MayRunCoverage(who.Role, isOwn), ct));
    }

    /// <summary>"Live coverage" on or off ("End coverage"). Turning it on again after it ended resumes it.</summary>
    public async Task<ServiceResult<LiveCoverage>> SetCoverageAsync(ClaimsPrincipal acting, int articleId, bool on, CancellationToken ct = default)
    {
        var (actor, article, error) = await AuthorizeAsync(acting, articleId, ct);
        if (error is not null) return ServiceResult<LiveCoverage>.Fail(error);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (article!.IsLive == on) return ServiceResult<LiveCoverage>.Success(await CoverageAsync(db, article, true, ct));
        var now = clock.GetUtcNow().UtcDateTime;
        // Only these two columns: the article's version (held by an open editor) does not change.
        if (on)
        {
            await db.Articles.Where(a => a.Id == articleId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LiveStartedAt, a => a.LiveStartedAt ?? now).SetProperty(a => a.LiveEndedAt, (DateTime?)null), ct);
        }
        else
        {
            await db.Articles.Where(a => a.Id == articleId).ExecuteUpdateAsync(s => s.SetProperty(a => a.LiveEndedAt, now), ct);
        }
        var after = (await ArticleAsync(db, articleId, ct))!;
        // The badge on every list and the page's structured data change: the article's listings, not only its page.
        await publicContent.NotifyChangedAsync(PublicChange.LiveCoverage(articleId));
        await stream.PublishCoverageAsync(articleId, on);
        await audit.WriteAsync(actor!, on ? AuditActions.LiveCoverageStarted : AuditActions.LiveCoverageEnded, $"{after.Headline} (#{articleId})", ct: ct);
        return ServiceResult<LiveCoverage>.Success(await CoverageAsync(db, after, true, ct));
    }

    /// <summary>"Post update": a new entry, at once on the public page.</summary>
    public async Task<ServiceResult<LiveEntryView>> PostAsync(ClaimsPrincipal acting, int articleId, LiveEntryInput input, CancellationToken ct = default)
    {
        var (actor, article, error) = await AuthorizeAsync(acting, articleId, ct);
        if (error is not null) return ServiceResult<LiveEntryView>.Fail(error);
        if (!article!.IsLive) return ServiceResult<LiveEntryView>.Fail(LiveBlogRules.NotLive);
        var (html, text, invalid) = await CleanAsync(input, ct);
        if (invalid is not null) return ServiceResult<LiveEntryView>.Fail(invalid);
        var now = clock.GetUtcNow().UtcDateTime;
        var result = await ChangeAsync(article, ct, (db, seq) =>
        {
            var entry = new LiveEntry
            {
                ArticleId = articleId, Seq = seq, BodyHtml = html, BodyText = text, ImageId = input.ImageId,
                IsKeyEvent = input.IsKeyEvent, IsPinned = input.IsPinned, AuthorId = actor!.UserId, AuthorName = actor.DisplayName,
                PostedAt = now, UpdatedAt = now, Version = Guid.NewGuid(),
            };
            db.LiveEntries.Add(entry);
            return Task.FromResult<LiveEntry?>(entry);
        });
        if (result.Value is { } posted) await audit.WriteAsync(actor!, AuditActions.LiveEntryPosted, Target(article, posted), Flags(posted), ct);
        return result;
    }

    /// <summary>Edits an entry: its old text goes to its history, and open pages replace it in place.</summary>
    public async Task<ServiceResult<LiveEntryView>> EditAsync(ClaimsPrincipal acting, long entryId, Guid expectedVersion, LiveEntryInput input, CancellationToken ct = default)
    {
        var (html, text, invalid) = await CleanAsync(input, ct);
        return await ChangeEntryAsync(acting, entryId, expectedVersion, AuditActions.LiveEntryEdited, ct, invalid, (entry, now) =>
        {
            entry.BodyHtml = html;
            entry.BodyText = text;
            entry.ImageId = input.ImageId;
            entry.IsKeyEvent = input.IsKeyEvent;
            entry.IsPinned = input.IsPinned;
        });
    }

    /// <summary>Deletes an entry: it stays as a tombstone (with its text in its history), so open pages remove it.</summary>
    public Task<ServiceResult<LiveEntryView>> DeleteAsync(ClaimsPrincipal acting, long entryId, Guid expectedVersion, CancellationToken ct = default) =>
        ChangeEntryAsync(acting, entryId, expectedVersion, AuditActions.LiveEntryDeleted, ct, null, (entry, now) => entry.DeletedAt = now);

    private async Task<ServiceResult<LiveEntryView>> ChangeEntryAsync(
        ClaimsPrincipal acting, long entryId, Guid expectedVersion, string auditAction, CancellationToken ct, string? invalid, Action<LiveEntry, DateTime> change)
    {
        int articleId;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var found = await db.LiveEntries.AsNoTracking().Where(e => e.Id == entryId && e.DeletedAt == null).Select(e => (int?)e.ArticleId).FirstOrDefaultAsync(ct);
            // Asked before saying whether it exists: an anonymous caller learns nothing.
            var resolved = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
            if (resolved.Error is { } refused) return ServiceResult<LiveEntryView>.Fail(refused);
            if (found is null) return ServiceResult<LiveEntryView>.Fail(LiveBlogRules.EntryNotFound);
            articleId = found.Value;
        }
        var (actor, article, error) = await AuthorizeAsync(acting, articleId, ct);
        if (error is not null) return ServiceResult<LiveEntryView>.Fail(error);
        if (article!.StartedAt is null) return ServiceResult<LiveEntryView>.Fail(LiveBlogRules.NeverLive);
        if (invalid is not null) return ServiceResult<LiveEntryView>.Fail(invalid);
        var now = clock.GetUtcNow().UtcDateTime;
        var result = await ChangeAsync(article, ct, async (db, seq) =>
        {
            var entry = await db.LiveEntries.FirstOrDefaultAsync(e => e.Id == entryId && e.DeletedAt == null, ct);
            if (entry is null || entry.Version != expectedVersion) return null;
            db.LiveEntryRevisions.Add(new LiveEntryRevision
            {
                EntryId = entry.Id, CreatedAt = now, EditorId = actor!.UserId, EditorName = actor.DisplayName,
                BodyHtml = entry.BodyHtml, IsKeyEvent = entry.IsKeyEvent, IsPinned = entry.IsPinned, ImageId = entry.ImageId,
            });
            change(entry, now);
            entry.Seq = seq;
            entry.UpdatedAt = now;
            entry.Version = Guid.NewGuid();
            return entry;
        });
        if (result.Value is { } changed) await audit.WriteAsync(actor!, auditAction, Target(article, changed), Flags(changed), ct);
        return result;
    }

    /// <summary>
    /// One entry change: the next Seq of the article, the change, and the webhook events, in one transaction; then the
    /// public cache, open pages and the caller hear of it. Two changes racing for a Seq: the loser takes the next one.
    /// </summary>
    private async Task<ServiceResult<LiveEntryView>> ChangeAsync(ArticleState article, CancellationToken ct, Func<NewsCmsDbContext, long, Task<LiveEntry?>> change)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var seq = (await db.LiveEntries.Where(e => e.ArticleId == article.Id).MaxAsync(e => (long?)e.Seq, ct) ?? 0) + 1;
                var entry = await change(db, seq);
                if (entry is null) return ServiceResult<LiveEntryView>.Fail(LiveBlogRules.EntryChanged);
                await db.SaveChangesAsync(ct);
                // A published article changed for readers: the APIs' subscribers hear post.edited and post.published.edited.
                if (article.IsPublished) await webhooks.QueueLiveUpdateAsync(db, article.Id, ct);
                await transaction.CommitAsync(ct);
                var view = ToView(entry);
                await publicContent.NotifyChangedAsync(PublicChange.LiveEntries(article.Id));
                await PushAsync(view, ct);
                return ServiceResult<LiveEntryView>.Success(view);
            }
            catch (DbUpdateConcurrencyException)
            {
                return ServiceResult<LiveEntryView>.Fail(LiveBlogRules.EntryChanged);
            }
            catch (DbUpdateException ex) when (attempt < 3)
            {
                // The unique (article, Seq) index refused a Seq another change took first.
                logger.LogDebug(ex, "Live entry of article {Id}: Seq taken, trying the next.", article.Id);
            }
        }
    }

    /// <summary>Open pages replace the entry in place (rendered once here, the same bytes for every reader).</summary>
    private async Task PushAsync(LiveEntryView view, CancellationToken ct)
    {
        var image = view.ImageId is { } imageId && !view.Deleted ? (await media.GetByIdsAsync([imageId], ct)).GetValueOrDefault(imageId) : null;
        await stream.PublishEntryAsync(view.ArticleId, LiveEntryMarkup.Event(view, image, (await settings.GetAsync(ct)).TimeZone));
    }

    private async Task<(Actor? Actor, ArticleState? Article, string? Error)> AuthorizeAsync(ClaimsPrincipal acting, int articleId, CancellationToken ct)
    {
        var resolved = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (resolved.Value is not { } actor) return (null, null, resolved.Error);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var article = await ArticleAsync(db, articleId, ct);
        if (article is null) return (actor, null, NewsroomArticleAccess.ArticleNotFound);
        var isOwn = await NewsroomArticleAccess.IsAuthorAsync(db, articleId, actor, ct);
        if (!LiveBlogRules.MayRunCoverage(actor.Role, isOwn)) return (actor, null, NewsroomActors.NotAllowed);
        if (LiveBlogRules.Refusal(article.Kind, article.Trashed) is { } refusal) return (actor, null, refusal);
        return (actor, article, null);
    }

    private async Task<(string Html, string Text, string? Error)> CleanAsync(LiveEntryInput input, CancellationToken ct)
    {
        var html = ArticleHtml.Sanitize(input.Html);
        var text = ArticleHtml.ToPlainText(html);
        if (LiveBlogRules.CheckEntry(html, text, input.ImageId) is { } error) return (html, text, error);
        if (input.ImageId is { } imageId)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            if (!await db.MediaItems.AnyAsync(m => m.Id == imageId, ct)) return (html, text, "That image is no longer in the library.");
        }
        return (html, text, null);
    }

    /// <summary>What the service needs to know of the article.</summary>
    private sealed record ArticleState(int Id, string Headline, ArticleKind Kind, bool Trashed, bool IsPublished, DateTime? StartedAt, DateTime? EndedAt)
    {
        public bool IsLive => StartedAt is not null && EndedAt is null;
    }

    private static Task<ArticleState?> ArticleAsync(NewsCmsDbContext db, int id, CancellationToken ct) =>
        db.Articles.AsNoTracking().Where(a => a.Id == id)
            .Select(a => new ArticleState(a.Id, a.Headline, a.Kind, a.TrashedAt != null, a.Status == ArticleStatus.Published && a.TrashedAt == null, a.LiveStartedAt, a.LiveEndedAt))
            .FirstOrDefaultAsync(ct);

    private static async Task<LiveCoverage> CoverageAsync(NewsCmsDbContext db, ArticleState article, bool mayRun, CancellationToken ct)
    {
        var entries = await db.LiveEntries.AsNoTracking().Where(e => e.ArticleId == article.Id && e.DeletedAt == null)
            .OrderByDescending(e => e.PostedAt).ThenByDescending(e => e.Id).Take(ComposerEntries)
            .Select(Projection).ToListAsync(ct);
        return new LiveCoverage(article.Id, article.StartedAt, article.EndedAt, mayRun, entries);
    }

    internal static readonly System.Linq.Expressions.Expression<Func<LiveEntry, LiveEntryView>> Projection = e => new LiveEntryView(
        e.Id, e.ArticleId, e.Seq, e.BodyHtml, e.BodyText, e.ImageId, e.IsKeyEvent, e.IsPinned, e.AuthorName, e.PostedAt, e.UpdatedAt, e.DeletedAt != null, e.Version);

    private static LiveEntryView ToView(LiveEntry e) => new(
        e.Id, e.ArticleId, e.Seq, e.BodyHtml, e.BodyText, e.ImageId, e.IsKeyEvent, e.IsPinned, e.AuthorName, e.PostedAt, e.UpdatedAt, e.DeletedAt != null, e.Version);

    private static string Target(ArticleState article, LiveEntryView entry) => $"{article.Headline} (#{article.Id}), update #{entry.Id}";

    private static string? Flags(LiveEntryView entry) =>
        string.Join(", ", new[] { entry.IsKeyEvent ? "key event" : null, entry.IsPinned ? "pinned" : null }.OfType<string>()) is { Length: > 0 } flags ? flags : null;
}
