using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;
using static NewsCms.Web.Features.Articles.NewsroomArticleAccess;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// The newsroom's reads of articles: one to edit, the list and the dashboard's counts, history, the See-also search
/// and the preview. Each call re-checks the acting user (current role, not locked) and opens its own short-lived context.
/// </summary>
public sealed class NewsroomArticleReads(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    PublicArticles publicArticles)
{
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


    public async Task<ServiceResult<PagedList<ArticleListItem>>> ListAsync(ClaimsPrincipal acting, ArticleListQuery query, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<PagedList<ArticleListItem>>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Articles and pages have a list each.
        var articles = db.Set<Article>().AsNoTracking().Where(a => a.Kind == query.Kind);
        // Writers without EditAnyArticle see their own only.
        if (query.Mine || !actor.Can(Capabilities.EditAnyArticle)) articles = articles.Where(OwnedBy(db, actor.UserId));
        articles = query.Trash ? articles.Where(a => a.TrashedAt != null) : articles.Where(a => a.TrashedAt == null);
        if (query.Status is { } status) articles = articles.Where(a => a.Status == status);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            articles = articles.WhereAnyContains(db.Database, query.Search, a => a.Headline);
        }
        var total = await articles.CountAsync(ct);
        // Unpublished last on both providers (PostgreSQL would sort the missing dates first).
        var ordered = query.SortByPublished
            ? articles.OrderByDescending(a => a.PublishedAt != null).ThenByDescending(a => a.PublishedAt).ThenByDescending(a => a.UpdatedAt)
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
        var articles = db.Set<Article>().AsNoTracking().Where(a => a.Kind == ArticleKind.Article);
        if (!actor.Can(Capabilities.EditAnyArticle)) articles = articles.Where(OwnedBy(db, actor.UserId));
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
        if (!string.IsNullOrWhiteSpace(text)) articles = articles.WhereAnyContains(db.Database, text, a => a.Headline);
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


    private async Task<ServiceResult> CheckReadAsync(ClaimsPrincipal acting, int id, CancellationToken ct)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return actorResult;
        var actor = actorResult.Value!;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Set<Article>().AnyAsync(a => a.Id == id, ct)) return ServiceResult.Fail(ArticleNotFound);
        return actor.Can(Capabilities.EditAnyArticle) || await IsAuthorAsync(db, id, actor, ct) ? ServiceResult.Ok : ServiceResult.Fail(NewsroomActors.NotAllowed);
    }

}
