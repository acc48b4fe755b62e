using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// The one way a change to an article is committed, whoever makes it (a save, a workflow action, the scheduler):
/// save changes → search index → related articles → public cache → audit, each once and in that order.
/// </summary>
public sealed class ArticleCommit(AuditLog audit, PublicContent publicContent, ILogger<ArticleCommit> logger)
{
    /// <summary>What goes with one commit besides the article's own changes.</summary>
    internal sealed record Plan
    {
        /// <summary>More writes in the same transaction, after the article is saved (its bylines and tags).</summary>
        public Func<CancellationToken, Task>? AlsoWrite { get; init; }

        /// <summary>Rank the related articles inside the transaction (a workflow action), and also those that list this one.</summary>
        public bool RankWithCommit { get; init; }
        public bool RankTheirsToo { get; init; }

        /// <summary>
        /// Rank the related articles after the commit (a save: manual, or ranking inputs changed), so autosaves
        /// neither wait for it nor hold the write lock for it; a failure there is logged and the save stands.
        /// </summary>
        public bool RankAfterCommit { get; init; }

        /// <summary>Whether readers could see the change (then the public pages' cache hears of it).</summary>
        public bool NotifyPublic { get; init; }

        public AuditNote? Audit { get; init; }
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
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            if (plan.AlsoWrite is { } alsoWrite) await alsoWrite(ct);
            await Search.ArticleSearch.SyncAsync(db, article.Id, ct);
            if (plan.RankWithCommit) await RelatedArticles.RefreshAsync(db, article.Id, andTheirs: plan.RankTheirsToo, ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }

        if (plan.RankAfterCommit) await RefreshRelatedAsync(db, article.Id, ct);
        if (plan.NotifyPublic) publicContent.NotifyChanged();
        if (plan.Audit is { } note) await audit.WriteAsync(note.ActorId, note.ActorName, note.Action, Target(article), note.Details, ct);
        return true;
    }

    /// <summary>Tells the public pages' cache after a batch of commits that each left it alone.</summary>
    internal void NotifyPublicChanged() => publicContent.NotifyChanged();

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

    /// <summary>How the audit log names an article.</summary>
    internal static string Target(Article article) => $"{article.Headline} (#{article.Id})";

    internal static ArticleRevision Revision(Article article, Actor actor, RevisionKind kind, DateTime now) => new()
    {
        ArticleId = article.Id, CreatedAt = now, AuthorId = actor.UserId, AuthorName = actor.DisplayName, Kind = kind,
        Headline = article.Headline, Standfirst = article.Standfirst, BodyHtml = article.BodyHtml,
    };
}
