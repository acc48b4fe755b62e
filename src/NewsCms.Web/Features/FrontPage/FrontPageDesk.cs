using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.FrontPage;

/// <summary>A published story the desk may place: in the "Recent stories" list, a search result or a filled slot.</summary>
public sealed record FrontPageStory(int Id, string Headline, string Standfirst, DateTime PublishedAt, string? SectionName, bool IsFeatured, bool IsLive);

/// <summary>A stored slot with its story (null when the story is no longer public: the slot then fills by itself).</summary>
public sealed record StoredSlot(int Position, FrontPageStory? Story, int ArticleId, DateTime? PinnedUntil, DateTime UpdatedAt, string UpdatedByName);

/// <summary>
/// What the newsroom page opens with: the stored slots, the newest stories and the newest Featured one (for the
/// preview), and the arrangement's <paramref name="Version"/>, which a save must name (two editors never silently
/// overwrite each other).
/// </summary>
public sealed record FrontPageBoardData(IReadOnlyList<StoredSlot> Slots, IReadOnlyList<FrontPageStory> Recent, FrontPageStory? Featured, string Version);

/// <summary>
/// The curated front page in the newsroom (<c>/admin/front-page</c>, Editors and Administrators): which stories fill
/// the lead and top-story slots, each optionally "Pinned until" a time. Saving replaces the arrangement, is audited
/// and evicts the home page on every node (<see cref="PublicChange.FrontPage"/>); <see cref="FrontPageExpiry"/>
/// evicts it again when a pin runs out, and the home page checks the time as it renders.
/// </summary>
public sealed class FrontPageDesk(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    PublicContent publicContent,
    FrontPageExpiry expiry,
    TimeProvider clock)
{
    /// <summary>How many of the newest stories the page lists to drag from.</summary>
    public const int RecentCount = 30;

    public async Task<ServiceResult<FrontPageBoardData>> GetAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ArrangeFrontPage, ct);
        if (actor.Error is { } error) return ServiceResult<FrontPageBoardData>.Fail(error);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.FrontPageSlots.AsNoTracking().OrderBy(s => s.Position).ToListAsync(ct);
        var ids = rows.Select(r => r.ArticleId).ToList();
        var placed = (await Stories(db, db.Articles.AsNoTracking().WherePublic().Where(a => ids.Contains(a.Id))).ToListAsync(ct)).ToDictionary(s => s.Id);
        var recent = await Stories(db, db.Articles.AsNoTracking().WherePublic().OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id).Take(RecentCount)).ToListAsync(ct);
        var featured = await Stories(db, db.Articles.AsNoTracking().WherePublic().Where(a => a.IsFeatured).OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id))
            .FirstOrDefaultAsync(ct);
        return ServiceResult<FrontPageBoardData>.Success(new FrontPageBoardData(
            [.. rows.Select(r => new StoredSlot(r.Position, placed.GetValueOrDefault(r.ArticleId), r.ArticleId, r.PinnedUntil, r.UpdatedAt, r.UpdatedByName))],
            recent, featured, VersionOf(rows)));
    }

    /// <summary>Published stories whose headline contains <paramref name="text"/>, newest first (the search box).</summary>
    public async Task<ServiceResult<IReadOnlyList<FrontPageStory>>> FindStoriesAsync(ClaimsPrincipal acting, string? text, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ArrangeFrontPage, ct);
        if (actor.Error is { } error) return ServiceResult<IReadOnlyList<FrontPageStory>>.Fail(error);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Articles.AsNoTracking().WherePublic();
        if (!string.IsNullOrWhiteSpace(text))
        {
            var term = text.Trim().ToLower();
            query = query.Where(a => a.Headline.ToLower().Contains(term));
        }
        IReadOnlyList<FrontPageStory> found = await Stories(db, query.OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id).Take(20)).ToListAsync(ct);
        return ServiceResult<IReadOnlyList<FrontPageStory>>.Success(found);
    }

    /// <summary>
    /// "Save front page": the slots as given replace the stored ones (a slot not given fills by itself), if the stored
    /// arrangement is still the one the editor opened (<paramref name="openedVersion"/>, from <see cref="GetAsync"/>);
    /// otherwise nothing changes and the editor is told who saved it meanwhile.
    /// </summary>
    public async Task<ServiceResult> SaveAsync(ClaimsPrincipal acting, IReadOnlyList<SlotPin> pins, string openedVersion, CancellationToken ct = default)
    {
        var resolved = await actors.ResolveAsync(acting, Capabilities.ArrangeFrontPage, ct);
        if (resolved.Value is not { } actor) return ServiceResult.Fail(resolved.Error!);
        var now = clock.GetUtcNow().UtcDateTime;
        pins = [.. pins.Select(p => p with { PinnedUntil = p.PinnedUntil is { } until ? AsUtc(until) : null })];
        if (FrontPageRules.Check(pins, now) is { } invalid) return ServiceResult.Fail(invalid);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = pins.Select(p => p.ArticleId).ToList();
        var headlines = await db.Articles.AsNoTracking().WherePublic().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Headline, ct);
        if (headlines.Count != ids.Count) return ServiceResult.Fail("Only published stories can go on the front page.");

        // One save at a time on this node; across nodes, the row count deleted (and the slots' keys) catch a save that
        // slipped in between the check and the write. The old rows go and the new ones come in one transaction.
        await saving.WaitAsync(ct);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var stored = await db.FrontPageSlots.AsNoTracking().OrderBy(s => s.Position).ToListAsync(ct);
            if (VersionOf(stored) != openedVersion) return ServiceResult.Fail(ChangedMeanwhile(stored));
            if (await db.FrontPageSlots.ExecuteDeleteAsync(ct) != stored.Count) return ServiceResult.Fail(ChangedMeanwhile([]));
            db.FrontPageSlots.AddRange(pins.Select(p => new FrontPageSlot
            {
                Position = p.Position, ArticleId = p.ArticleId, PinnedUntil = p.PinnedUntil, UpdatedAt = now, UpdatedById = actor.UserId, UpdatedByName = actor.DisplayName,
            }));
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                return ServiceResult.Fail(ChangedMeanwhile([]));
            }
            await transaction.CommitAsync(ct);
        }
        finally
        {
            saving.Release();
        }

        await publicContent.NotifyChangedAsync(PublicChange.FrontPage);
        if (FrontPageRules.NextExpiry(pins, now) is { } next) expiry.EvictAt(next);
        await audit.WriteAsync(actor, AuditActions.FrontPageArranged, "Front page", Describe(pins, headlines), ct);
        return ServiceResult.Ok;
    }

    private static readonly SemaphoreSlim saving = new(1, 1);

    /// <summary>What a save is checked against: every stored slot, its story, pin and last save.</summary>
    internal static string VersionOf(IEnumerable<FrontPageSlot> rows) =>
        string.Join(";", rows.OrderBy(r => r.Position).Select(r =>
            string.Create(CultureInfo.InvariantCulture, $"{r.Position}:{r.ArticleId}:{r.PinnedUntil?.Ticks}:{r.UpdatedAt.Ticks}")));

    private static string ChangedMeanwhile(IReadOnlyList<FrontPageSlot> stored) =>
        (stored.MaxBy(s => s.UpdatedAt) is { } last ? $"{last.UpdatedByName} saved the front page since you opened it." : "Someone changed the front page since you opened it.")
        + " Your arrangement is still here: choose \"Load the saved front page\" to see theirs, then arrange it again.";

    /// <summary>The audit entry's details: each slot's story and pin.</summary>
    internal static string Describe(IReadOnlyList<SlotPin> pins, IReadOnlyDictionary<int, string> headlines) =>
        pins.Count == 0 ? "Every slot fills with the newest stories." :
        string.Join("; ", pins.OrderBy(p => p.Position).Select(p =>
            (p.Position == FrontPageSlot.LeadPosition ? "Lead" : "Top story " + p.Position.ToString(CultureInfo.InvariantCulture)) +
            $": #{p.ArticleId} {headlines.GetValueOrDefault(p.ArticleId)}" +
            (p.PinnedUntil is { } until ? $" until {until:yyyy-MM-dd HH:mm} UTC" : "")));

    private static DateTime AsUtc(DateTime at) => at.Kind == DateTimeKind.Local ? at.ToUniversalTime() : DateTime.SpecifyKind(at, DateTimeKind.Utc);

    private static IQueryable<FrontPageStory> Stories(NewsCmsDbContext db, IQueryable<Article> articles) =>
        articles.Select(a => new FrontPageStory(a.Id, a.Headline, a.Standfirst, a.PublishedAt!.Value,
            db.Sections.Where(s => s.Id == a.SectionId).Select(s => s.Name).FirstOrDefault(), a.IsFeatured, a.LiveStartedAt != null && a.LiveEndedAt == null));
}

/// <summary>
/// Evicts the home page when a pin runs out, though nothing else changed (the page checks the time as it renders,
/// but a cached copy would keep the story up to ten minutes longer). Each node sets its timer when it renders the home
/// page or saves the arrangement, for the earliest pin still holding; nothing is kept that the database does not have.
/// </summary>
public sealed class FrontPageExpiry(PublicContent publicContent, TimeProvider clock, ILogger<FrontPageExpiry> logger) : IDisposable
{
    private readonly Lock gate = new();
    private ITimer? timer;
    private DateTime? due;

    /// <summary>Makes sure the home page is evicted at <paramref name="utc"/> (an earlier time already set stays).</summary>
    public void EvictAt(DateTime utc)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        lock (gate)
        {
            if (due is { } set && set > now && set <= utc) return;
            timer?.Dispose();
            due = utc;
            timer = clock.CreateTimer(_ => Expired(utc), null, utc - now > TimeSpan.Zero ? utc - now : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private void Expired(DateTime at)
    {
        lock (gate)
        {
            if (due == at) due = null;
        }
        _ = EvictAsync();
    }

    private async Task EvictAsync()
    {
        try
        {
            await publicContent.NotifyChangedAsync(PublicChange.FrontPage with { What = "a front-page pin ran out" });
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not evict the home page after a front-page pin ran out.");
        }
    }

    public void Dispose() => timer?.Dispose();
}

public static class FrontPageSetup
{
    public static WebApplicationBuilder AddFrontPage(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FrontPageExpiry>();
        builder.Services.AddScoped<FrontPageDesk>();
        return builder;
    }
}
