using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Users;
using static NewsCms.Web.Features.Articles.NewsroomArticleAccess;

namespace NewsCms.Web.Features.Dashboard;

/// <summary>A submission in the review queue.</summary>
public sealed record ReviewQueueItem(int Id, string Headline, string Standfirst, DateTime SubmittedAt, string SubmittedByName,
    DateTime? ReviewStartedAt, string? ReviewStartedByName, Guid Version);

/// <summary>An article in one of the dashboard's lists, with the time that matters for that list.</summary>
public sealed record DashboardArticle(int Id, string Headline, ArticleStatus Status, DateTime? At, string? ByName = null, string? Message = null);

/// <summary>Someone editing an article right now.</summary>
public sealed record EditingNow(int ArticleId, string Headline, string EditorName);

/// <summary>One step of an Administrator's first day: done or not, and where to do it.</summary>
public sealed record ChecklistStep(string Text, string Href, bool Done);

/// <summary>What the dashboard shows one person: their own work, and for the desk the newsroom's.</summary>
public sealed record DashboardView(
    int MyDrafts, int MyInReview, int MyScheduled,
    IReadOnlyList<DashboardArticle> MyDraftList, IReadOnlyList<DashboardArticle> MyInReviewList, IReadOnlyList<DashboardArticle> MyScheduledList,
    IReadOnlyList<DashboardArticle> ChangesRequested,
    bool IsDesk, int QueueCount, IReadOnlyList<ReviewQueueItem> Queue, IReadOnlyList<DashboardArticle> Scheduled,
    IReadOnlyList<DashboardArticle> RecentlyPublished, IReadOnlyList<EditingNow> Editing,
    IReadOnlyList<ChecklistStep>? Checklist);

/// <summary>The newsroom's dashboard and review queue, read for the acting user (the desk sees everyone's work).</summary>
public sealed class NewsroomDashboard(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    ArticlePresence presence,
    SiteSettingsStore siteSettings)
{
    private const int ListSize = 8;

    /// <summary>The submissions waiting for review, oldest first (Editors and Administrators).</summary>
    public async Task<ServiceResult<IReadOnlyList<ReviewQueueItem>>> ReviewQueueAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.EditAnyArticle, ct);
        if (!actorResult.Succeeded) return ServiceResult<IReadOnlyList<ReviewQueueItem>>.Fail(actorResult.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return ServiceResult<IReadOnlyList<ReviewQueueItem>>.Success(await QueueAsync(db, int.MaxValue, ct));
    }

    /// <summary>How many submissions wait for review (the count on "Review queue"; Editors and Administrators).</summary>
    public async Task<ServiceResult<int>> ReviewQueueCountAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.EditAnyArticle, ct);
        if (!actorResult.Succeeded) return ServiceResult<int>.Fail(actorResult.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return ServiceResult<int>.Success(await InReview(db).CountAsync(ct));
    }

    public async Task<ServiceResult<DashboardView>> GetAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<DashboardView>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;
        await using var db = await dbFactory.CreateDbContextAsync(ct);

        var mine = db.Articles.AsNoTracking().Where(a => a.Kind == ArticleKind.Article && a.TrashedAt == null).Where(OwnedBy(db, actor.UserId));
        var counts = await mine.GroupBy(a => a.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        int Count(ArticleStatus status) => counts.Where(c => c.Status == status).Sum(c => c.Count);

        var myDrafts = await mine.Where(a => a.Status == ArticleStatus.Draft).OrderByDescending(a => a.UpdatedAt).Take(ListSize)
            .Select(a => new DashboardArticle(a.Id, a.Headline, a.Status, a.UpdatedAt, a.ChangesRequestedByName, a.ChangesRequestedMessage)).ToListAsync(ct);
        var myInReview = await mine.Where(a => a.Status == ArticleStatus.InReview).OrderBy(a => a.SubmittedAt).Take(ListSize)
            .Select(a => new DashboardArticle(a.Id, a.Headline, a.Status, a.SubmittedAt, a.ReviewStartedByName, null)).ToListAsync(ct);
        var myScheduled = await mine.Where(a => a.Status == ArticleStatus.Scheduled).OrderBy(a => a.ScheduledAt).Take(ListSize)
            .Select(a => new DashboardArticle(a.Id, a.Headline, a.Status, a.ScheduledAt, a.ScheduledByName, null)).ToListAsync(ct);
        var changesRequested = await mine.Where(a => a.Status == ArticleStatus.Draft && a.ChangesRequestedAt != null).OrderByDescending(a => a.ChangesRequestedAt)
            .Select(a => new DashboardArticle(a.Id, a.Headline, a.Status, a.ChangesRequestedAt, a.ChangesRequestedByName, a.ChangesRequestedMessage)).ToListAsync(ct);

        var isDesk = actor.Can(Capabilities.EditAnyArticle);
        IReadOnlyList<ReviewQueueItem> queue = [];
        IReadOnlyList<DashboardArticle> scheduled = [], published = [];
        IReadOnlyList<EditingNow> editing = [];
        var queueCount = 0;
        if (isDesk)
        {
            var articles = db.Articles.AsNoTracking().Where(a => a.TrashedAt == null);
            queueCount = await InReview(db).CountAsync(ct);
            queue = await QueueAsync(db, ListSize, ct);
            scheduled = await articles.Where(a => a.Status == ArticleStatus.Scheduled).OrderBy(a => a.ScheduledAt).Take(50)
                .Select(a => new DashboardArticle(a.Id, a.Headline, a.Status, a.ScheduledAt, a.ScheduledByName, null)).ToListAsync(ct);
            published = await articles.Where(a => a.Status == ArticleStatus.Published && a.Kind == ArticleKind.Article).OrderByDescending(a => a.PublishedAt).Take(ListSize)
                .Select(a => new DashboardArticle(a.Id, a.Headline, a.Status, a.PublishedAt, a.LastEditedByName, null)).ToListAsync(ct);
            var editors = presence.Editors();
            if (editors.Count > 0)
            {
                var ids = editors.Keys.ToList();
                var headlines = await db.Articles.AsNoTracking().Where(a => ids.Contains(a.Id)).Select(a => new { a.Id, a.Headline }).ToListAsync(ct);
                editing = [.. headlines.OrderBy(h => h.Headline).Select(h => new EditingNow(h.Id, h.Headline, editors[h.Id]))];
            }
        }

        var checklist = actor.Role == NewsroomRoles.Administrator ? await ChecklistAsync(db, ct) : null;
        return ServiceResult<DashboardView>.Success(new DashboardView(
            Count(ArticleStatus.Draft), Count(ArticleStatus.InReview), Count(ArticleStatus.Scheduled), myDrafts, myInReview, myScheduled, changesRequested,
            isDesk, queueCount, queue, scheduled, published, editing, checklist is { } steps && steps.All(s => s.Done) ? null : checklist));
    }

    private static IQueryable<Article> InReview(NewsCmsDbContext db) =>
        db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.InReview && a.TrashedAt == null);

    private static async Task<IReadOnlyList<ReviewQueueItem>> QueueAsync(NewsCmsDbContext db, int take, CancellationToken ct) =>
        // Submitted before this feature recorded it: by when it was last updated.
        await InReview(db).OrderBy(a => a.SubmittedAt ?? a.UpdatedAt).ThenBy(a => a.Id).Take(take)
            .Select(a => new ReviewQueueItem(a.Id, a.Headline, a.Standfirst, a.SubmittedAt ?? a.UpdatedAt, a.SubmittedByName ?? a.LastEditedByName,
                a.ReviewStartedAt, a.ReviewStartedByName, a.Version))
            .ToListAsync(ct);

    /// <summary>An Administrator's first day: the site named and given a logo, the staff invited, their profiles filled in, the navigation set.</summary>
    private async Task<IReadOnlyList<ChecklistStep>> ChecklistAsync(NewsCmsDbContext db, CancellationToken ct)
    {
        var site = await siteSettings.GetAsync(ct);
        var people = await db.Users.AsNoTracking().CountAsync(u => !u.IsIntegration, ct);
        var profilesEmpty = await db.AuthorProfiles.AsNoTracking().AnyAsync(p => p.UserId != null && p.Bio == "", ct);
        var navigationSet = site.Navigation is { Count: > 0 } || site.NavigationPages.Count > 0;
        return
        [
            new("Give the site its title and logo", "/admin/settings", !string.IsNullOrWhiteSpace(site.Title) && site.LogoImageId is not null),
            new("Invite the staff", "/admin/users/new", people > 1),
            new("Fill in the author profiles", "/admin/authors", !profilesEmpty),
            new("Set the navigation", "/admin/settings", navigationSet),
        ];
    }
}
