using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Web.Features.LiveBlogs;

/// <summary>A live blog as its public page shows it: pinned entries, the latest others, key events, and the last Seq.</summary>
public sealed record LiveBlogPage(
    DateTime StartedAt, DateTime? EndedAt, IReadOnlyList<LiveEntryView> Pinned, IReadOnlyList<LiveEntryView> Entries,
    IReadOnlyList<LiveEntryView> KeyEvents, long LastSeq, IReadOnlyDictionary<int, MediaImage> Images)
{
    public bool IsLive => EndedAt is null;
}

/// <summary>A catch-up window: the changes after a Seq, oldest first, and whether more follow.</summary>
public sealed record LiveWindow(int ArticleId, long After, long Last, bool More, IReadOnlyList<LiveEntryEvent> Entries);

/// <summary>Reads live blogs for readers (a fixed number of queries per page or window).</summary>
public sealed class PublicLiveBlog(IDbContextFactory<NewsCmsDbContext> dbFactory, MediaLibrary media, SiteSettingsStore settings)
{
    /// <summary>Entries on the page besides the pinned ones; older ones are in the feeds and the API.</summary>
    public const int PageEntries = 100;
    public const int WindowSize = 100;

    public async Task<LiveBlogPage?> PageAsync(int articleId, DateTime? startedAt, DateTime? endedAt, CancellationToken ct = default)
    {
        if (startedAt is not { } started) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var live = db.LiveEntries.AsNoTracking().Where(e => e.ArticleId == articleId && e.DeletedAt == null);
        var latest = await live.Where(e => !e.IsPinned).OrderByDescending(e => e.PostedAt).ThenByDescending(e => e.Id).Take(PageEntries)
            .Select(LiveBlogService.Projection).ToListAsync(ct);
        latest.AddRange(await live.Where(e => e.IsPinned).Select(LiveBlogService.Projection).ToListAsync(ct));
        var keyEvents = await live.Where(e => e.IsKeyEvent).OrderByDescending(e => e.PostedAt).ThenByDescending(e => e.Id).Take(PageEntries)
            .Select(LiveBlogService.Projection).ToListAsync(ct);
        var lastSeq = await db.LiveEntries.Where(e => e.ArticleId == articleId).MaxAsync(e => (long?)e.Seq, ct) ?? 0;
        var images = await media.GetByIdsAsync(latest.Where(e => e.ImageId is not null).Select(e => e.ImageId!.Value).Distinct(), ct);
        var ordered = LiveBlogRules.ReaderOrder(latest, e => e.IsPinned, e => e.PostedAt, e => e.Id).ToList();
        return new LiveBlogPage(started, endedAt, [.. ordered.Where(e => e.IsPinned)], [.. ordered.Where(e => !e.IsPinned)], keyEvents, lastSeq, images);
    }

    /// <summary>
    /// The changes after <paramref name="after"/> (posts, edits and deletions), oldest first; null when the article is
    /// not a public live blog.
    /// </summary>
    public async Task<LiveWindow?> WindowAsync(int articleId, long after, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var isLiveBlog = await db.Articles.AsNoTracking().WherePublic().AnyAsync(a => a.Id == articleId && a.Kind == ArticleKind.Article && a.LiveStartedAt != null, ct);
        if (!isLiveBlog) return null;
        var changes = await db.LiveEntries.AsNoTracking().Where(e => e.ArticleId == articleId && e.Seq > after).OrderBy(e => e.Seq).Take(WindowSize + 1)
            .Select(LiveBlogService.Projection).ToListAsync(ct);
        var more = changes.Count > WindowSize;
        if (more) changes.RemoveAt(WindowSize);
        var images = await media.GetByIdsAsync(changes.Where(e => e.ImageId is not null && !e.Deleted).Select(e => e.ImageId!.Value).Distinct(), ct);
        var zone = (await settings.GetAsync()).TimeZone;
        return new LiveWindow(articleId, after, changes.Count > 0 ? changes[^1].Seq : after, more,
            [.. changes.Select(e => LiveEntryMarkup.Event(e, e.ImageId is { } id ? images.GetValueOrDefault(id) : null, zone))]);
    }
}
