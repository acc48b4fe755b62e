using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Readership;

/// <summary>An article and its views over a period.</summary>
public sealed record ArticleViews(int ArticleId, string Headline, string Slug, bool IsPublic, long Views);

/// <summary>Views on one of the site's days.</summary>
public sealed record DailyViews(DateOnly Day, long Views);

/// <summary>One article's readership: its total, and its views on each of the last days (oldest first, zeros included).</summary>
public sealed record ArticleStats(int ArticleId, long Total, IReadOnlyList<DailyViews> Days);

/// <summary>
/// The newsroom's readership figures. Site-wide figures are for Editors and Administrators
/// (<see cref="Capabilities.ViewReadership"/>); a writer sees the figures of the articles they may open. Days are the
/// site's days, in its time zone; the counts of the last few seconds are not written yet.
/// </summary>
public sealed class ReadershipReports(IDbContextFactory<NewsCmsDbContext> dbFactory, NewsroomActors actors, SiteSettingsStore settings, TimeProvider clock)
{
    /// <summary>The longest period the newsroom asks about.</summary>
    public const int MaxDays = 366;

    /// <summary>The articles read most today, for the dashboard (Editors and Administrators).</summary>
    public async Task<ServiceResult<IReadOnlyList<ArticleViews>>> MostReadTodayAsync(ClaimsPrincipal acting, int count, CancellationToken ct = default) =>
        await TopAsync(acting, 1, count, ct);

    /// <summary>
    /// The articles (not static pages: the pages list shows theirs) read most in the last <paramref name="days"/> days,
    /// today included, whatever their state now (Editors and Administrators).
    /// </summary>
    public async Task<ServiceResult<IReadOnlyList<ArticleViews>>> TopAsync(ClaimsPrincipal acting, int days, int count, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ViewReadership, ct);
        if (!actor.Succeeded) return ServiceResult<IReadOnlyList<ArticleViews>>.Fail(actor.Error!);
        var since = (await TodayAsync(ct)).AddDays(1 - Math.Clamp(days, 1, MaxDays));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var top = await db.ArticleViewDays.Where(v => v.Day >= since)
            .GroupBy(v => v.ArticleId).Select(g => new { ArticleId = g.Key, Views = g.Sum(v => v.Views) })
            .Join(db.Articles.Where(a => a.Kind == ArticleKind.Article), v => v.ArticleId, a => a.Id, (v, a) => new { v.Views, a.Id, a.Headline, a.Slug, a.Kind, a.Status, a.TrashedAt })
            .OrderByDescending(x => x.Views).ThenByDescending(x => x.Id).Take(Math.Clamp(count, 1, 100))
            .ToListAsync(ct);
        return ServiceResult<IReadOnlyList<ArticleViews>>.Success(top.Select(x => new ArticleViews(x.Id, x.Headline, x.Slug,
            x.Kind == ArticleKind.Article && x.Status == ArticleStatus.Published && x.TrashedAt == null, x.Views)).ToList());
    }

    /// <summary>The site's views (articles and static pages) on each of the last <paramref name="days"/> days, oldest first (Editors and Administrators).</summary>
    public async Task<ServiceResult<IReadOnlyList<DailyViews>>> DailyTotalsAsync(ClaimsPrincipal acting, int days, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ViewReadership, ct);
        if (!actor.Succeeded) return ServiceResult<IReadOnlyList<DailyViews>>.Fail(actor.Error!);
        days = Math.Clamp(days, 1, MaxDays);
        var today = await TodayAsync(ct);
        var since = today.AddDays(1 - days);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var totals = await db.ArticleViewDays.Where(v => v.Day >= since).GroupBy(v => v.Day)
            .Select(g => new { Day = g.Key, Views = g.Sum(v => v.Views) }).ToDictionaryAsync(x => x.Day, x => x.Views, ct);
        return ServiceResult<IReadOnlyList<DailyViews>>.Success(EveryDay(since, days, totals));
    }

    /// <summary>One article's total and its last <paramref name="days"/> days, for whoever may open it.</summary>
    public async Task<ServiceResult<ArticleStats>> ArticleStatsAsync(ClaimsPrincipal acting, int articleId, int days, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<ArticleStats>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;
        days = Math.Clamp(days, 1, MaxDays);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Articles.AnyAsync(a => a.Id == articleId, ct)) return ServiceResult<ArticleStats>.Fail(NewsroomArticleAccess.ArticleNotFound);
        if (!SeesEverything(actor) && !await NewsroomArticleAccess.IsAuthorAsync(db, articleId, actor, ct))
        {
            return ServiceResult<ArticleStats>.Fail(NewsroomActors.NotAllowed);
        }
        var since = (await TodayAsync(ct)).AddDays(1 - days);
        var views = db.ArticleViewDays.Where(v => v.ArticleId == articleId);
        var total = await views.SumAsync(v => v.Views, ct);
        var recent = await views.Where(v => v.Day >= since).ToDictionaryAsync(v => v.Day, v => v.Views, ct);
        return ServiceResult<ArticleStats>.Success(new ArticleStats(articleId, total, EveryDay(since, days, recent)));
    }

    /// <summary>
    /// Total views of each of the given articles that the acting user may open (for the article list); the others
    /// are left out.
    /// </summary>
    public async Task<ServiceResult<IReadOnlyDictionary<int, long>>> TotalsAsync(ClaimsPrincipal acting, IReadOnlyCollection<int> articleIds, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<IReadOnlyDictionary<int, long>>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;
        if (articleIds.Count == 0) return ServiceResult<IReadOnlyDictionary<int, long>>.Success(new Dictionary<int, long>());
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var articles = db.Articles.Where(a => articleIds.Contains(a.Id));
        if (!SeesEverything(actor)) articles = articles.Where(NewsroomArticleAccess.OwnedBy(db, actor.UserId));
        var totals = await db.ArticleViewDays.Where(v => articles.Select(a => a.Id).Contains(v.ArticleId))
            .GroupBy(v => v.ArticleId).Select(g => new { ArticleId = g.Key, Views = g.Sum(v => v.Views) })
            .ToDictionaryAsync(x => x.ArticleId, x => x.Views, ct);
        return ServiceResult<IReadOnlyDictionary<int, long>>.Success(totals);
    }

    /// <summary>Editors and Administrators see every article's figures (they may open every article too).</summary>
    private static bool SeesEverything(Actor actor) => actor.Can(Capabilities.ViewReadership) || actor.Can(Capabilities.EditAnyArticle);

    private async Task<DateOnly> TodayAsync(CancellationToken ct) => ViewCounter.DayOf(clock.GetUtcNow(), (await settings.GetAsync(ct)).TimeZone);

    private static List<DailyViews> EveryDay(DateOnly since, int days, IReadOnlyDictionary<DateOnly, long> views) =>
        [.. Enumerable.Range(0, days).Select(i => since.AddDays(i)).Select(day => new DailyViews(day, views.GetValueOrDefault(day)))];
}
