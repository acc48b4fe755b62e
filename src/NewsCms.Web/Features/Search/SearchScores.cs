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

    /// <summary>
    /// Memory for the scored match lists of searched terms (<see cref="SearchScores"/>), in megabytes. A list costs
    /// 24 bytes per matching article on SQLite (12 on PostgreSQL): the few dozen common words readers search on a
    /// 100,000-article site took more than the 64 MB this was, so their lists were read again on nearly every search.
    /// </summary>
    [Range(1, 65_536)]
    public int ScoreCacheMB { get; set; } = 256;
}

/// <summary>
/// Every article one search term matches, with the term's share of the rank: ids ascending, scores beside them
/// (higher is better). <see cref="Ignored"/> is a term the index leaves out (an English stop word on PostgreSQL): it
/// neither narrows nor ranks a search. <see cref="Bm25"/> (SQLite): what bm25 needs of each match to score it again
/// when the corpus changes.
/// </summary>
internal sealed record TermScores(int[] Ids, double[] Scores, bool Ignored = false)
{
    public static readonly TermScores None = new([], []);
    public static readonly TermScores Skip = new([], [], Ignored: true);

    public Bm25Counts? Bm25 { get; init; }

    /// <summary>Bytes held, for the cache's size limit.</summary>
    public long Size => 64 + Ids.Length * (sizeof(int) + sizeof(double) + (Bm25 is null ? 0 : sizeof(double) + sizeof(int)));

    /// <summary>
    /// This list with the articles <paramref name="changed"/> (ascending) taken out and <paramref name="fresh"/> (the
    /// changed ones that match now, ascending) put in their place.
    /// </summary>
    public TermScores With(int[] changed, TermScores fresh)
    {
        var ids = new List<int>(Ids.Length + fresh.Ids.Length);
        var scores = new List<double>(ids.Capacity);
        var counts = Bm25 is null ? null : new Bm25Builder(ids.Capacity);
        int i = 0, f = 0;
        while (i < Ids.Length || f < fresh.Ids.Length)
        {
            if (f < fresh.Ids.Length && (i == Ids.Length || fresh.Ids[f] <= Ids[i]))
            {
                if (i < Ids.Length && Ids[i] == fresh.Ids[f]) i++;
                ids.Add(fresh.Ids[f]);
                scores.Add(fresh.Scores[f]);
                counts?.Add(fresh.Bm25!, f);
                f++;
            }
            else
            {
                if (Array.BinarySearch(changed, Ids[i]) < 0)
                {
                    ids.Add(Ids[i]);
                    scores.Add(Scores[i]);
                    counts?.Add(Bm25!, i);
                }
                i++;
            }
        }
        return new TermScores([.. ids], [.. scores]) { Bm25 = counts?.Build() };
    }

    private sealed class Bm25Builder(int capacity)
    {
        private readonly List<double> frequency = new(capacity);
        private readonly List<int> length = new(capacity);
        public void Add(Bm25Counts from, int at) { frequency.Add(from.Frequency[at]); length.Add(from.Length[at]); }
        public Bm25Counts Build() => new([.. frequency], [.. length]);
    }
}

/// <summary>
/// Per match, what FTS5's bm25 takes from the row: the term's weighted frequency (the column weights summed over its
/// instances) and the row's length in tokens (all columns). The rest of bm25 is corpus-wide (rows, average length,
/// rows matching the term) and is applied when the list is read or updated (<see cref="SqliteSearchIndex"/>).
/// </summary>
internal sealed record Bm25Counts(double[] Frequency, int[] Length);

/// <summary>
/// Ranks EVERY match of a search in memory. A search's rank is the sum of its terms' ranks (exactly what FTS5's bm25
/// is: a sum over the query's phrases, each from the phrase's own counts; on PostgreSQL the sum of each term's
/// ts_rank), so each term's scored match list is read from the index once and kept; a search then intersects its
/// terms' lists and keeps the best page, all in memory. Ranking a word found in most of 100,000 articles takes the
/// index ~150-450 ms on SQLite and ~1.5 s on PostgreSQL (bm25 or ts_rank over every match); from the lists it takes
/// about a millisecond.
/// <para>
/// A list is never older than the index, yet survives changes: each change that touches search (any node's,
/// <see cref="PublicDependencies.Search"/>) is logged with the articles it touched, and a list kept from before it is
/// brought up to date when next used, by one query restricted to those articles (their rows taken out of the list,
/// and put back scored if they still match). ts_rank depends only on the document, so that is exact on PostgreSQL;
/// bm25 also depends on the corpus (rows, average length, rows matching the term), so SQLite lists keep what bm25
/// takes from each row and score every match again from the current corpus (<see cref="SqliteSearchIndex"/>): exact
/// there too. A change that names no articles, too many, or one older than the log, reads the list again.
/// </para>
/// </summary>
public sealed class SearchScores : IDisposable
{
    /// <summary>How many changes are remembered, and at most how many articles a list is updated for rather than read again.</summary>
    private const int LoggedChanges = 512, MostUpdated = 2_000;

    private readonly MemoryCache cache;
    private readonly ConcurrentDictionary<(long Generation, string Term), Lazy<Task<TermScores>>> loading = new();
    private readonly PublicContent content;
    private readonly Lock gate = new();
    /// <summary>The articles each change touched (null: unknown, read again), oldest first; generations ascending.</summary>
    private readonly Queue<(long Generation, int[]? Ids)> changes = new();
    private long generation;
    private long reads, updates;

    /// <summary>A term's scores as of a generation.</summary>
    private sealed record Kept(long Generation, TermScores Scores);

    public SearchScores(PublicContent content, IOptions<SearchOptions> options)
    {
        this.content = content;
        cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.ScoreCacheMB * 1024L * 1024 });
        content.Changed += Changed;
    }

    /// <summary>How many lists were read whole, and how many were updated for a change (for tests and diagnostics).</summary>
    internal (long Reads, long Updates) Counts => (Interlocked.Read(ref reads), Interlocked.Read(ref updates));

    private void Changed(PublicChange change)
    {
        if (!change.EvictsEverything && !change.Evicts.Contains(PublicDependencies.Search)) return;
        // Raised once the change is committed: lists used from now on are brought up to it.
        var ids = change.EvictsEverything ? null : TouchedArticles(change);
        lock (gate)
        {
            changes.Enqueue((generation + 1, ids));
            while (changes.Count > LoggedChanges) changes.Dequeue();
            Interlocked.Increment(ref generation);
        }
    }

    /// <summary>
    /// The articles a change to search touched, from the tags it evicts: each article's own tags (an article changed,
    /// or its section or author: <see cref="PublicChange.Articles"/>, <see cref="PublicChange.Term"/>) and own pages
    /// (tags renamed: <see cref="PublicChange.Tags"/>; also the articles whose Related lists changed, which merely
    /// costs their rows being scored again). Null when it names none: the lists are read again.
    /// </summary>
    private static int[]? TouchedArticles(PublicChange change)
    {
        var ids = new SortedSet<int>();
        foreach (var tag in change.Evicts)
        {
            foreach (var prefix in (ReadOnlySpan<string>)[PublicDependencies.Article(0)[..^1], PublicDependencies.OwnPage(0)[..^1]])
            {
                if (tag.StartsWith(prefix, StringComparison.Ordinal)
                    && int.TryParse(tag.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                    ids.Add(id);
            }
        }
        return ids.Count == 0 ? null : [.. ids];
    }

    /// <summary>The articles changed after <paramref name="since"/> up to <paramref name="upTo"/>, ascending; null when a list must be read again.</summary>
    private int[]? ChangedBetween(long since, long upTo)
    {
        lock (gate)
        {
            if (changes.Count == 0 || changes.Peek().Generation > since + 1) return null;
            var ids = new SortedSet<int>();
            foreach (var (at, touched) in changes)
            {
                if (at <= since || at > upTo) continue;
                if (touched is null) return null;
                ids.UnionWith(touched);
                if (ids.Count > MostUpdated) return null;
            }
            return [.. ids];
        }
    }

    /// <summary>
    /// The scores of <paramref name="term"/> (the provider's text for it): kept, brought up to date with
    /// <paramref name="update"/> (the list and the articles changed since, ascending), or read with
    /// <paramref name="load"/>. Concurrent searches of one term wait for one read.
    /// </summary>
    internal async Task<TermScores> GetAsync(string term, Func<string, Task<TermScores>> load, Func<TermScores, int[], Task<TermScores>> update)
    {
        var current = Interlocked.Read(ref generation);
        cache.TryGetValue(term, out Kept? kept);
        if (kept is not null && kept.Generation == current) return kept.Scores;
        var key = (current, term);
        var reading = loading.GetOrAdd(key, k => new Lazy<Task<TermScores>>(() => ReadAsync(k.Term, kept, k.Generation, load, update)));
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

    private Task<TermScores> ReadAsync(string term, Kept? kept, long current, Func<string, Task<TermScores>> load, Func<TermScores, int[], Task<TermScores>> update)
    {
        if (kept is not null && !kept.Scores.Ignored && kept.Generation < current && ChangedBetween(kept.Generation, current) is { } changed)
        {
            Interlocked.Increment(ref updates);
            return update(kept.Scores, changed);
        }
        if (kept is { Scores.Ignored: true }) return Task.FromResult(kept.Scores);
        Interlocked.Increment(ref reads);
        return load(term);
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
