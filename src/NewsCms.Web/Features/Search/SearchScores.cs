using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Search;

/// <summary>Settings under NewsCms:Search.</summary>
public sealed class SearchOptions
{
    public const string Section = "NewsCms:Search";

    /// <summary>Memory for the scored match lists of searched terms (<see cref="SearchScores"/>), in megabytes.</summary>
    [Range(1, 65_536)]
    public int ScoreCacheMB { get; set; } = 64;
}

/// <summary>
/// Every article one search term matches, with the term's share of the rank: ids ascending, scores beside them
/// (higher is better). <see cref="Ignored"/> is a term the index leaves out (an English stop word on PostgreSQL): it
/// neither narrows nor ranks a search.
/// </summary>
internal sealed record TermScores(int[] Ids, double[] Scores, bool Ignored = false)
{
    public static readonly TermScores None = new([], []);
    public static readonly TermScores Skip = new([], [], Ignored: true);

    /// <summary>Bytes held, for the cache's size limit.</summary>
    public long Size => 64 + Ids.Length * (sizeof(int) + sizeof(double));
}

/// <summary>
/// Ranks EVERY match of a search in memory. A search's rank is the sum of its terms' ranks (exactly what FTS5's bm25
/// is: a sum over the query's phrases, each from the phrase's own counts; on PostgreSQL the sum of each term's
/// ts_rank), so each term's scored match list is read from the index once and kept; a search then intersects its
/// terms' lists and keeps the best page, all in memory. Ranking a word found in most of 100,000 articles took the
/// index ~50-150 ms per search (bm25 or ts_rank over every match), which is why the newest 1,000 used to be the
/// only ones ranked; from the lists it takes about a millisecond. The lists are dropped whenever what readers can
/// search changes (any change that evicts the search pages, on any node: <see cref="PublicDependencies.Search"/>),
/// so a list is never older than the index, and a term's next search reads it again.
/// </summary>
public sealed class SearchScores : IDisposable
{
    private readonly MemoryCache cache;
    private readonly ConcurrentDictionary<(long Generation, string Term), Lazy<Task<TermScores>>> loading = new();
    private readonly PublicContent content;
    private long generation;

    /// <summary>A term's scores as read in a generation (a list from an older one is never used).</summary>
    private sealed record Kept(long Generation, TermScores Scores);

    public SearchScores(PublicContent content, IOptions<SearchOptions> options)
    {
        this.content = content;
        cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.ScoreCacheMB * 1024L * 1024 });
        content.Changed += Changed;
    }

    private void Changed(PublicChange change)
    {
        if (!change.EvictsEverything && !change.Evicts.Contains(PublicDependencies.Search)) return;
        // Raised once the change is committed: lists read from now on see it; older ones are no longer used.
        Interlocked.Increment(ref generation);
        cache.Clear();
    }

    /// <summary>
    /// The scores of <paramref name="term"/> (the provider's text for it), read with <paramref name="load"/> when not
    /// kept. Concurrent searches of one term wait for one read.
    /// </summary>
    internal async Task<TermScores> GetAsync(string term, Func<string, Task<TermScores>> load)
    {
        var current = Interlocked.Read(ref generation);
        if (cache.TryGetValue(term, out Kept? kept) && kept!.Generation == current) return kept.Scores;
        var key = (current, term);
        var reading = loading.GetOrAdd(key, k => new Lazy<Task<TermScores>>(() => load(k.Term)));
        try
        {
            var scores = await reading.Value;
            cache.Set(term, new Kept(current, scores), new MemoryCacheEntryOptions { Size = scores.Size });
            return scores;
        }
        finally
        {
            loading.TryRemove(KeyValuePair.Create(key, reading));
        }
    }

    /// <summary>
    /// The articles matching every term (<see cref="TermScores.Ignored"/> ones aside), how many, and the ids of the
    /// page <paramref name="offset"/>..+<paramref name="limit"/> best first: by the sum of the terms' scores (added in
    /// the query's order, as bm25 adds them), then the newest (highest id) first.
    /// </summary>
    internal static (int Total, int[] Page) Rank(IReadOnlyList<TermScores> terms, int offset, int limit)
    {
        var used = terms.Where(t => !t.Ignored).ToArray();
        if (used.Length == 0) return (0, []);
        var shortest = used.MinBy(t => t.Ids.Length)!;
        var cursors = new int[used.Length];
        var best = offset + limit;
        // The best `best` matches so far, the weakest on top (lowest score, then lowest id).
        var kept = new PriorityQueue<int, (double Score, int Id)>(Math.Min(best, shortest.Ids.Length) + 1);
        var total = 0;
        for (var i = 0; i < shortest.Ids.Length; i++)
        {
            var id = shortest.Ids[i];
            var score = 0.0;
            var all = true;
            for (var t = 0; t < used.Length; t++)
            {
                var at = Seek(used[t].Ids, cursors[t], id);
                cursors[t] = at;
                if (at == used[t].Ids.Length || used[t].Ids[at] != id) { all = false; break; }
                score += used[t].Scores[at];
            }
            if (!all) continue;
            total++;
            if (kept.Count < best) kept.Enqueue(id, (score, id));
            else if (kept.TryPeek(out _, out var weakest) && (score, id).CompareTo(weakest) > 0) kept.EnqueueDequeue(id, (score, id));
        }
        // Dequeued weakest first: the last one out is the best (rank 0).
        var page = new int[Math.Max(0, kept.Count - offset)];
        for (var rank = kept.Count - 1; rank >= 0; rank--)
        {
            var id = kept.Dequeue();
            if (rank >= offset) page[rank - offset] = id;
        }
        return (total, page);
    }

    /// <summary>The first index at or after <paramref name="from"/> whose id is not below <paramref name="id"/> (galloping, then binary search).</summary>
    private static int Seek(int[] ids, int from, int id)
    {
        if (from >= ids.Length || ids[from] >= id) return from;
        var step = 1;
        var low = from;
        while (low + step < ids.Length && ids[low + step] < id)
        {
            low += step;
            step *= 2;
        }
        var found = Array.BinarySearch(ids, low + 1, Math.Min(step, ids.Length - low - 1), id);
        return found >= 0 ? found : ~found;
    }

    public void Dispose()
    {
        content.Changed -= Changed;
        cache.Dispose();
    }
}
