using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// Ranks "Related articles" in the background. (1) Public articles that have none yet: the long tail of a large
/// import, which the import leaves to the site so that it finishes in minutes, not hours. Runs when told
/// (<see cref="Request"/>), at start-up and every few minutes (an import from the command line is another process),
/// newest articles first; in a cluster one node at a time (a lease). (2) Soon after a publish, the lists of the
/// articles the new story relates to (<see cref="RankAgain"/>), on the node that published, so that they link back
/// to it without the writer's Publish waiting for them. Readers see the lists change as they are ranked.
/// </summary>
public sealed class RelatedBackfill(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NodeLeases leases,
    MessageBus bus,
    PublicContent publicContent,
    TimeProvider clock,
    ILogger<RelatedBackfill> logger) : BackgroundService
{
    public const string LeaseName = "related-backfill";
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(2);
    private const int Batch = 100;

    private readonly Channel<bool> requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private readonly Channel<int> rankAgain = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
    private int rankAgainPending;

    /// <summary>Asks for a round soon (after an import on this node).</summary>
    public void Request() => requests.Writer.TryWrite(true);

    /// <summary>Ranks these articles' lists again soon; the pages of those that change are evicted.</summary>
    public void RankAgain(IEnumerable<int> articleIds)
    {
        foreach (var id in articleIds)
        {
            Interlocked.Increment(ref rankAgainPending);
            if (!rankAgain.Writer.TryWrite(id)) Interlocked.Decrement(ref rankAgainPending);
        }
    }

    /// <summary>Waits until every list asked for by <see cref="RankAgain"/> has been ranked (tests and benchmarks read them after).</summary>
    internal async Task RankedAgainAsync(CancellationToken ct)
    {
        while (Volatile.Read(ref rankAgainPending) > 0) await Task.Delay(10, ct);
    }

    /// <summary>The public articles without related articles, newest first (the order readers are likely to reach them).</summary>
    public static IQueryable<Article> Unranked(NewsCmsDbContext db) =>
        db.Articles.AsNoTracking().WherePublic()
            .Where(a => !db.ArticleRelations.Any(r => r.ArticleId == a.Id))
            .OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id);

    /// <summary>The ids of <see cref="Unranked"/>, at most <paramref name="limit"/>.</summary>
    public static Task<List<int>> UnrankedAsync(NewsCmsDbContext db, int limit, CancellationToken ct) =>
        Unranked(db).Select(a => a.Id).Take(limit).ToListAsync(ct);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(BackfillAsync(stoppingToken), RankAgainAsync(stoppingToken));

    private async Task RankAgainAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await rankAgain.Reader.WaitToReadAsync(stoppingToken))
            {
                // Publishes close together often share related stories: each is ranked once per batch.
                var ids = new List<int>();
                while (rankAgain.Reader.TryRead(out var id)) ids.Add(id);
                try
                {
                    await RankAgainNowAsync(ids.Distinct().ToList(), stoppingToken);
                }
                // Whatever goes wrong with one batch, the node and the next publishes' rankings go on.
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Ranking the related articles of {Count} articles again failed; their previous lists stay until they are ranked again.", ids.Count);
                }
                finally
                {
                    Interlocked.Add(ref rankAgainPending, -ids.Count);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Ranks the lists of <paramref name="ids"/> again; the public cache hears once, of the pages whose list changed.</summary>
    internal async Task RankAgainNowAsync(IReadOnlyList<int> ids, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var changed = new List<int>();
        foreach (var id in ids)
        {
            // An unchanged list leaves its page as it was: no reason to evict it (cache survival).
            if (await RelatedArticles.RefreshOnItsOwnAsync(db, id, ct, RelatedArticles.RankingAgainTag)) changed.Add(id);
        }
        if (changed.Count > 0) await publicContent.NotifyChangedAsync(PublicChange.RelatedLists(changed));
    }

    private async Task BackfillAsync(CancellationToken stoppingToken)
    {
        Request();
        using var timer = new PeriodicTimer(Every, clock);
        var ticks = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        while (!stoppingToken.IsCancellationRequested)
        {
            var asked = requests.Reader.WaitToReadAsync(stoppingToken).AsTask();
            var woke = await Task.WhenAny(ticks, asked);
            if (woke == ticks) ticks = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            else requests.Reader.TryRead(out _);
            if (stoppingToken.IsCancellationRequested) return;
            try
            {
                await RoundAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or DbUpdateException or InvalidOperationException)
            {
                logger.LogError(ex, "Ranking related articles in the background failed; the next round tries again.");
            }
        }
    }

    /// <summary>
    /// Ranks every unranked public article, a batch at a time; the public cache hears once at the end, of the own
    /// pages of the articles that got a list (a Related list shows only on its article's page and Content API item).
    /// </summary>
    internal async Task RoundAsync(CancellationToken ct)
    {
        var ranked = new List<int>();
        // Articles for which nothing relates (a site with one article) stay unranked: a round takes each once.
        var seen = new HashSet<int>();
        while (true)
        {
            if (bus.IsShared && !await leases.TryHoldAsync(LeaseName, LeaseDuration, ct)) return;
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var ids = (await UnrankedAsync(db, Batch + seen.Count, ct)).Where(seen.Add).Take(Batch).ToList();
            if (ids.Count == 0) break;
            foreach (var id in ids)
            {
                if (await RelatedArticles.RefreshOnItsOwnAsync(db, id, ct)) ranked.Add(id);
            }
        }
        if (bus.IsShared) await leases.ReleaseAsync(LeaseName, ct);
        if (ranked.Count == 0) return;
        logger.LogInformation("Ranked the related articles of {Count} articles in the background.", ranked.Count);
        await publicContent.NotifyChangedAsync(PublicChange.RelatedLists(ranked));
    }
}
