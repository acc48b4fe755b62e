using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Corrections;

/// <summary>
/// Corrections and updates on published articles, in the newsroom: adding, editing and withdrawing them (Editors and
/// Administrators, <see cref="Capabilities.CorrectArticles"/>). A change never overwrites silently: the previous kind
/// and text go to an <see cref="ArticleCorrectionRevision"/>, the correction is marked amended, its version guards
/// against a concurrent change. Each change, in one transaction, moves the article's time of change (readers and
/// search engines see dateModified move) and queues post.edited / post.published.edited in the webhook outbox; then
/// the public cache hears what it evicts (<see cref="PublicChange.Corrections"/>) and the change is audited. The
/// article's own version is not touched, so an open editor's next save is no conflict.
/// </summary>
public sealed class ArticleCorrections(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    PublicContent publicContent,
    Webhooks.WebhookPayloads webhooks,
    TimeProvider clock)
{
    /// <summary>The article's corrections (withdrawn ones too, with their history) for its editor.</summary>
    public async Task<ServiceResult<ArticleCorrectionsPanel>> GetAsync(ClaimsPrincipal acting, int articleId, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (actor.Value is not { } who) return ServiceResult<ArticleCorrectionsPanel>.Fail(actor.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var article = await ArticleAsync(db, articleId, ct);
        if (article is null) return ServiceResult<ArticleCorrectionsPanel>.Fail(NewsroomArticleAccess.ArticleNotFound);
        // Reading follows the editor's rule: your own articles, or any for the desk.
        if (!who.Can(Capabilities.EditAnyArticle) && !await NewsroomArticleAccess.IsAuthorAsync(db, articleId, who, ct))
            return ServiceResult<ArticleCorrectionsPanel>.Fail(NewsroomActors.NotAllowed);
        return ServiceResult<ArticleCorrectionsPanel>.Success(await PanelAsync(db, article, who, ct));
    }

    /// <summary>"Add correction" / "Add update": a dated note at the end of the published article.</summary>
    public async Task<ServiceResult<ArticleCorrectionsPanel>> AddAsync(ClaimsPrincipal acting, int articleId, CorrectionInput input, CancellationToken ct = default)
    {
        var resolved = await actors.ResolveAsync(acting, Capabilities.CorrectArticles, ct);
        if (resolved.Value is not { } actor) return ServiceResult<ArticleCorrectionsPanel>.Fail(resolved.Error!);
        var text = CorrectionRules.Normalize(input.Text);
        if (Invalid(input.Kind, text) is { } invalid) return ServiceResult<ArticleCorrectionsPanel>.Fail(invalid);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var article = await ArticleAsync(db, articleId, ct);
        if (article is null) return ServiceResult<ArticleCorrectionsPanel>.Fail(NewsroomArticleAccess.ArticleNotFound);
        if (Refusal(article) is { } refusal) return ServiceResult<ArticleCorrectionsPanel>.Fail(refusal);
        var now = clock.GetUtcNow().UtcDateTime;
        var correction = new ArticleCorrection
        {
            ArticleId = articleId, Kind = input.Kind, Text = text, CreatedAt = now, CreatedById = actor.UserId, CreatedByName = actor.DisplayName,
            Version = Guid.NewGuid(),
        };
        db.ArticleCorrections.Add(correction);
        await CommitAsync(db, articleId, now, ct);
        await audit.WriteAsync(actor, AuditActions.CorrectionAdded, Target(article, correction), $"{CorrectionRules.Label(correction.Kind)}: {correction.Text}", ct);
        return ServiceResult<ArticleCorrectionsPanel>.Success(await PanelAsync(db, article, actor, ct));
    }

    /// <summary>Changes a correction's kind or text: what it said before is kept, and readers see it marked amended.</summary>
    public Task<ServiceResult<ArticleCorrectionsPanel>> EditAsync(ClaimsPrincipal acting, int correctionId, Guid expectedVersion, CorrectionInput input, CancellationToken ct = default)
    {
        var text = CorrectionRules.Normalize(input.Text);
        return ChangeAsync(acting, correctionId, expectedVersion, AuditActions.CorrectionEdited, Invalid(input.Kind, text), ct, (correction, now) =>
        {
            if (correction.Kind == input.Kind && correction.Text == text) return CorrectionRules.Unchanged;
            correction.Kind = input.Kind;
            correction.Text = text;
            correction.EditedAt = now;
            return null;
        });
    }

    /// <summary>Withdraws a correction: readers no longer see it; its row and history stay.</summary>
    public Task<ServiceResult<ArticleCorrectionsPanel>> WithdrawAsync(ClaimsPrincipal acting, int correctionId, Guid expectedVersion, CancellationToken ct = default) =>
        ChangeAsync(acting, correctionId, expectedVersion, AuditActions.CorrectionWithdrawn, null, ct, (correction, now) =>
        {
            correction.WithdrawnAt = now;
            return null;
        });

    private async Task<ServiceResult<ArticleCorrectionsPanel>> ChangeAsync(ClaimsPrincipal acting, int correctionId, Guid expectedVersion, string auditAction,
        string? invalid, CancellationToken ct, Func<ArticleCorrection, DateTime, string?> change)
    {
        // Asked before saying whether it exists: a caller who may not correct learns nothing.
        var resolved = await actors.ResolveAsync(acting, Capabilities.CorrectArticles, ct);
        if (resolved.Value is not { } actor) return ServiceResult<ArticleCorrectionsPanel>.Fail(resolved.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var correction = await db.ArticleCorrections.FirstOrDefaultAsync(c => c.Id == correctionId, ct);
        if (correction is null) return ServiceResult<ArticleCorrectionsPanel>.Fail(CorrectionRules.NotFound);
        if (correction.WithdrawnAt is not null) return ServiceResult<ArticleCorrectionsPanel>.Fail(CorrectionRules.Withdrawn);
        if (correction.Version != expectedVersion) return ServiceResult<ArticleCorrectionsPanel>.Fail(CorrectionRules.Changed);
        if (invalid is not null) return ServiceResult<ArticleCorrectionsPanel>.Fail(invalid);
        var article = (await ArticleAsync(db, correction.ArticleId, ct))!;
        if (Refusal(article) is { } refusal) return ServiceResult<ArticleCorrectionsPanel>.Fail(refusal);
        var now = clock.GetUtcNow().UtcDateTime;
        var before = new ArticleCorrectionRevision
        {
            CorrectionId = correction.Id, Kind = correction.Kind, Text = correction.Text, ChangedAt = now, ChangedById = actor.UserId, ChangedByName = actor.DisplayName,
        };
        if (change(correction, now) is { } unchanged) return ServiceResult<ArticleCorrectionsPanel>.Fail(unchanged);
        db.ArticleCorrectionRevisions.Add(before);
        correction.Version = Guid.NewGuid();
        try
        {
            await CommitAsync(db, correction.ArticleId, now, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ServiceResult<ArticleCorrectionsPanel>.Fail(CorrectionRules.Changed);
        }
        var details = auditAction == AuditActions.CorrectionWithdrawn
            ? $"Withdrew: {CorrectionRules.Label(before.Kind)}: {before.Text}"
            : $"Was {CorrectionRules.Label(before.Kind)}: {before.Text}; now {CorrectionRules.Label(correction.Kind)}: {correction.Text}";
        await audit.WriteAsync(actor, auditAction, Target(article, correction), details, ct);
        return ServiceResult<ArticleCorrectionsPanel>.Success(await PanelAsync(db, article, actor, ct));
    }

    /// <summary>
    /// The correction's change, the article's new time of change and the webhook events in one transaction; then the
    /// public cache on every node.
    /// </summary>
    private async Task CommitAsync(NewsCmsDbContext db, int articleId, DateTime now, CancellationToken ct)
    {
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            // Only the time of change: the article's version (held by an open editor) stays.
            await db.Articles.Where(a => a.Id == articleId).ExecuteUpdateAsync(s => s.SetProperty(a => a.UpdatedAt, now), ct);
            // A published article changed for readers: the APIs' subscribers hear post.edited and post.published.edited.
            await webhooks.QueueLiveUpdateAsync(db, articleId, ct);
            await transaction.CommitAsync(ct);
        }
        await publicContent.NotifyChangedAsync(PublicChange.Corrections(articleId));
    }

    private static string? Invalid(CorrectionKind kind, string text) =>
        !Enum.IsDefined(kind) ? "Choose Correction or Update." : CorrectionRules.Check(kind, text);

    private static string? Refusal(ArticleState article) =>
        article.Kind != ArticleKind.Article ? CorrectionRules.NotAnArticle : !article.IsPublished ? CorrectionRules.NotPublished : null;

    /// <summary>What the service needs to know of the article.</summary>
    private sealed record ArticleState(int Id, string Headline, ArticleKind Kind, bool IsPublished);

    private static Task<ArticleState?> ArticleAsync(NewsCmsDbContext db, int id, CancellationToken ct) =>
        db.Articles.AsNoTracking().Where(a => a.Id == id)
            .Select(a => new ArticleState(a.Id, a.Headline, a.Kind, a.Status == ArticleStatus.Published && a.TrashedAt == null))
            .FirstOrDefaultAsync(ct);

    private static async Task<ArticleCorrectionsPanel> PanelAsync(NewsCmsDbContext db, ArticleState article, Actor actor, CancellationToken ct)
    {
        var corrections = await db.ArticleCorrections.AsNoTracking().Where(c => c.ArticleId == article.Id)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(ct);
        var ids = corrections.Select(c => c.Id).ToList();
        var revisions = (await db.ArticleCorrectionRevisions.AsNoTracking().Where(r => ids.Contains(r.CorrectionId))
            .OrderByDescending(r => r.ChangedAt).ThenByDescending(r => r.Id).ToListAsync(ct)).ToLookup(r => r.CorrectionId);
        return new ArticleCorrectionsPanel(article.Id, article.IsPublished && article.Kind == ArticleKind.Article, actor.Can(Capabilities.CorrectArticles),
            [.. corrections.Select(c => new CorrectionView(c.Id, c.ArticleId, c.Kind, c.Text, c.CreatedAt, c.CreatedByName, c.EditedAt, c.WithdrawnAt, c.Version,
                [.. revisions[c.Id].Select(r => new CorrectionRevisionView(r.Kind, r.Text, r.ChangedAt, r.ChangedByName))]))]);
    }

    private static string Target(ArticleState article, ArticleCorrection correction) =>
        $"{article.Headline} (#{article.Id}), {CorrectionRules.Label(correction.Kind).ToLowerInvariant()} #{correction.Id}";
}
