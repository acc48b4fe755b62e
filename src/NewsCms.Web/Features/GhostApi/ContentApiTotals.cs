using System.Collections.Concurrent;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.GhostApi;

/// <summary>
/// How many posts (or pages) a Content API list matches, kept until readers' content next changes. Every page of a
/// list reports its total, and counting 100,000 published articles costs more than reading the page (about 9 ms on
/// either database): a client walking through every page of a list now counts it once. The totals are kept for one
/// version of the public content (<see cref="PublicCacheVersion"/>, moved on every node by every change to what
/// readers can see); at most <see cref="MaxLists"/> lists, as filters are the client's to choose.
/// </summary>
public sealed class ContentApiTotals(PublicCacheVersion versions)
{
    public const int MaxLists = 256;

    private Totals current = new(-1);

    private sealed class Totals(long version)
    {
        public long Version { get; } = version;
        public ConcurrentDictionary<(ArticleKind Kind, string Filter), int> Counts { get; } = new();
    }

    /// <summary>The total of the list of <paramref name="kind"/> under <paramref name="filter"/> (as the client wrote it): kept, or <paramref name="count"/>ed.</summary>
    public async Task<int> CountAsync(ArticleKind kind, string? filter, Func<Task<int>> count)
    {
        // The version is read before counting: a change committed after that moves it on, so a total counted before the
        // change is never kept under the version that follows it.
        var version = versions.Current.Number;
        var key = (kind, filter ?? "");
        var totals = Volatile.Read(ref current);
        if (totals.Version == version && totals.Counts.TryGetValue(key, out var kept)) return kept;

        var total = await count();
        while (totals.Version < version)
        {
            var fresh = new Totals(version);
            totals = Interlocked.CompareExchange(ref current, fresh, totals) == totals ? fresh : Volatile.Read(ref current);
        }
        if (totals.Version == version && totals.Counts.Count < MaxLists) totals.Counts.TryAdd(key, total);
        return total;
    }
}
