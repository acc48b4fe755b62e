using System.Collections.Concurrent;

namespace NewsCms.Web.Features.Readership;

/// <summary>
/// This node's article views not yet written: (article, the site's day) → views. Counting touches only memory; the
/// flusher takes the counts every few seconds and adds them to the database (see <see cref="ReadershipFlusher"/>).
/// </summary>
public sealed class ViewCounter(TimeProvider clock)
{
    private readonly ConcurrentDictionary<(int ArticleId, DateOnly Day), long> pending = new();
    private volatile TimeZoneInfo zone = TimeZoneInfo.Utc;

    /// <summary>The site's time zone, kept here by the flusher (from the settings) so counting never reads the database.</summary>
    public TimeZoneInfo TimeZone { get => zone; set => zone = value; }

    /// <summary>Today in the site's time zone.</summary>
    public DateOnly Today => DayOf(clock.GetUtcNow(), zone);

    public static DateOnly DayOf(DateTimeOffset when, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(when, zone).DateTime);

    public void Count(int articleId) => pending.AddOrUpdate((articleId, Today), 1, static (_, views) => views + 1);

    /// <summary>
    /// Takes every count so far. Each key is removed with the value it had, so a view counted meanwhile starts a new
    /// entry and is taken next time: none is lost or taken twice.
    /// </summary>
    public IReadOnlyList<ViewCount> Take()
    {
        var taken = new List<ViewCount>();
        foreach (var key in pending.Keys)
        {
            if (pending.TryRemove(key, out var views)) taken.Add(new ViewCount(key.ArticleId, key.Day, views));
        }
        return taken;
    }

    /// <summary>Puts counts back after a failed write, to be written with the next flush.</summary>
    public void Restore(IEnumerable<ViewCount> counts)
    {
        foreach (var count in counts) pending.AddOrUpdate((count.ArticleId, count.Day), count.Views, (_, views) => views + count.Views);
    }

    /// <summary>The views not yet written (for tests and the log).</summary>
    public long Pending => pending.Values.Sum();
}

public readonly record struct ViewCount(int ArticleId, DateOnly Day, long Views);
