using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// The one way a change to an article is committed, whoever makes it (a save, a workflow action, the scheduler):
/// save changes, search index and webhook outbox in one transaction → related articles → public cache → audit, each once
/// and in that order.
/// </summary>
public sealed class ArticleCommit(AuditLog audit, PublicContent publicContent, Webhooks.WebhookPayloads webhooks, Notifications.NewsroomEvents events,
    RelatedBackfill relatedRanking, ILogger<ArticleCommit> logger)
{
    /// <summary>What the newsroom's lists show of an article: a change to one of these is told to open pages (not every autosave).</summary>
    private static readonly string[] Listed =
    [
        nameof(Article.Status), nameof(Article.TrashedAt), nameof(Article.ScheduledAt), nameof(Article.PublishedAt), nameof(Article.Headline),
        nameof(Article.SubmittedAt), nameof(Article.ReviewStartedAt), nameof(Article.ChangesRequestedAt),
    ];

    /// <summary>What goes with one commit besides the article's own changes.</summary>
    internal sealed record Plan
    {
        /// <summary>More writes in the same transaction, after the article is saved (its bylines and tags).</summary>
        public Func<CancellationToken, Task>? AlsoWrite { get; init; }

        /// <summary>
        /// Rank the related articles after the commit (a workflow action, or a save that changed what ranking reads),
        /// outside the write transaction so no other save waits for it; a failure there is logged and the change
        /// stands (the previous list stays until the next ranking, the background round's included).
        /// </summary>
        public bool RankRelated { get; init; }

        /// <summary>
        /// With <see cref="RankRelated"/> (publishing): also rank again the articles this one now relates to, so they
        /// link back to it. That happens in the background (<see cref="RelatedBackfill.RankAgain"/>), which evicts
        /// their pages when their lists change: ranking six more lists kept the writer's Publish waiting ~2 s at
        /// 100,000 articles.
        /// </summary>
        public bool RankTheirsToo { get; init; }

        /// <summary>Whether readers could see the change (then every node's public cache hears what it evicts).</summary>
        public bool NotifyPublic { get; init; }

        /// <summary>With <see cref="NotifyPublic"/>: add the change here instead of telling now (a batch tells once).</summary>
        public List<ArticleChange>? CollectInto { get; init; }

        public AuditNote? Audit { get; init; }

        /// <summary>Whether the change tells webhooks (in the outbox, in the same transaction); imports do not.</summary>
        public bool FiresWebhooks { get; init; } = true;
    }

    /// <summary>An audit entry about the committed article; a null <paramref name="ActorId"/> is the scheduler.</summary>
    internal sealed record AuditNote(string? ActorId, string ActorName, string Action, string? Details)
    {
        public static AuditNote By(Actor actor, string action, string? details) => new(actor.UserId, actor.DisplayName, action, details);

        public static AuditNote ByScheduler(string action, string details) => new(null, "Scheduler", action, details);
    }

    /// <summary>
    /// Commits <paramref name="article"/>'s tracked changes in <paramref name="db"/> and does the after-save work. False
    /// when someone changed the article meanwhile (nothing was written); constraint errors are left to the caller.
    /// </summary>
    internal async Task<bool> CommitAsync(NewsCmsDbContext db, Article article, Plan plan, CancellationToken ct)
    {
        // Where it was filed before (read outside the write transaction): those pages showed it.
        var before = plan.NotifyPublic && article.Kind == ArticleKind.Article ? await FilingAsync(db, article.Id, ct) : ArticleFiling.None;
        // Decided before the write: which events someone listens to, and the item as it was when they need it.
        var webhookEvents = plan.FiresWebhooks ? await webhooks.BeforePostChangeAsync(db, article, plan.NotifyPublic, ct) : null;
        var entry = db.Entry(article);
        entry.DetectChanges();
        var listedChange = entry.State == EntityState.Added || Listed.Any(p => entry.Property(p).IsModified);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            if (plan.AlsoWrite is { } alsoWrite) await alsoWrite(ct);
            await Search.ArticleSearch.SyncAsync(db, article.Id, ct);
            if (webhookEvents is not null)
            {
                await webhooks.QueuePostEventsAsync(db, article.Id, webhookEvents, ct);
                await db.SaveChangesAsync(ct);
            }
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }

        IReadOnlyList<int> related = plan.RankRelated ? await RefreshRelatedAsync(db, article.Id, ct) : [];
        if (plan.NotifyPublic)
        {
            // A page is filed nowhere and neighbours nothing: it evicts its own responses and those linking it.
            var change = article.Kind == ArticleKind.Page
                ? ArticleChange.Page(article.Id)
                : new ArticleChange(article.Id, before, await FilingAsync(db, article.Id, ct), await NeighboursAsync(db, article.Id, ct));
            if (plan.CollectInto is { } batch) batch.Add(change);
            else await NotifyPublicChangedAsync([change]);
        }
        if (plan.RankTheirsToo) relatedRanking.RankAgain(related.Take(RelatedArticles.Shown));
        if (plan.Audit is { } note) await audit.WriteAsync(note.ActorId, note.ActorName, note.Action, Target(article), note.Details, ct);
        // The dashboard, the review queue and open editors on every node hear of it (the bus logs its own failures).
        if (listedChange) await events.PublishAsync(new Notifications.ArticleChanged(article.Id, article.Version, article.Status));
        return true;
    }

    /// <summary>Tells every node's public cache, once, about commits that each left it alone.</summary>
    internal Task NotifyPublicChangedAsync(IReadOnlyCollection<ArticleChange> changes) => publicContent.NotifyChangedAsync(PublicChange.Articles(changes));

    /// <summary>Where the article is filed (its section, tags and bylines), as stored now.</summary>
    private static async Task<ArticleFiling> FilingAsync(NewsCmsDbContext db, int id, CancellationToken ct)
    {
        if (id == 0) return ArticleFiling.None; // not saved yet
        var section = await db.Articles.AsNoTracking().Where(a => a.Id == id).Select(a => a.SectionId).FirstOrDefaultAsync(ct);
        var tags = await db.ArticleTags.AsNoTracking().Where(t => t.ArticleId == id).Select(t => t.TagId).ToListAsync(ct);
        var authors = await db.ArticleAuthors.AsNoTracking().Where(x => x.ArticleId == id).Select(x => x.AuthorProfileId).ToListAsync(ct);
        return new ArticleFiling(section, tags, authors);
    }

    /// <summary>
    /// The articles whose pages now show this one as previous or next in its section: they showed each other
    /// before, so they are not tagged with it (the ones that showed it before are).
    /// </summary>
    private static async Task<List<int>> NeighboursAsync(NewsCmsDbContext db, int id, CancellationToken ct)
    {
        var placed = await db.Articles.AsNoTracking().WherePublic().Where(a => a.Id == id)
            .Select(a => new { a.SectionId, a.PublishedAt }).FirstOrDefaultAsync(ct);
        if (placed is not { SectionId: { } sectionId, PublishedAt: { } at }) return [];
        var inSection = db.Articles.AsNoTracking().WherePublic().Where(a => a.SectionId == sectionId && a.Id != id);
        var previous = await inSection.Where(a => a.PublishedAt < at).OrderByDescending(a => a.PublishedAt).Select(a => (int?)a.Id).FirstOrDefaultAsync(ct);
        var next = await inSection.Where(a => a.PublishedAt > at).OrderBy(a => a.PublishedAt).Select(a => (int?)a.Id).FirstOrDefaultAsync(ct);
        return [.. new[] { previous, next }.OfType<int>()];
    }

    /// <summary>
    /// Ranks the article's related articles again after a commit and returns its new list; a failure leaves the
    /// previous list and is logged (the list is then empty here), the change stands.
    /// </summary>
    private async Task<IReadOnlyList<int>> RefreshRelatedAsync(NewsCmsDbContext db, int articleId, CancellationToken ct)
    {
        try
        {
            return await RelatedArticles.RefreshAfterCommitAsync(db, articleId, ct);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or DbUpdateException)
        {
            logger.LogError(ex, "Ranking the related articles of article {Id} failed; the previous lists stay until the next ranking.", articleId);
            return [];
        }
    }

    /// <summary>How the audit log names an article.</summary>
    internal static string Target(Article article) => $"{article.Headline} (#{article.Id})";

    internal static ArticleRevision Revision(Article article, Actor actor, RevisionKind kind, DateTime now) => new()
    {
        ArticleId = article.Id, CreatedAt = now, AuthorId = actor.UserId, AuthorName = actor.DisplayName, Kind = kind,
        Headline = article.Headline, Standfirst = article.Standfirst, BodyHtml = article.BodyHtml,
    };
}
