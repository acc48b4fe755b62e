using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// Ranks "Related articles" for public articles that have none yet: the long tail of a large import, which the import
/// leaves to the site so that it finishes in minutes, not hours. Runs when told (<see cref="Request"/>), at start-up
/// and every few minutes (an import from the command line is another process), newest articles first; in a cluster
/// one node at a time (a lease). Readers see the lists appear as they are ranked.
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

    /// <summary>Asks for a round soon (after an import on this node).</summary>
    public void Request() => requests.Writer.TryWrite(true);

    /// <summary>The public articles without related articles, newest first (the order readers are likely to reach them).</summary>
    public static IQueryable<Article> Unranked(NewsCmsDbContext db) =>
        db.Articles.AsNoTracking().WherePublic()
            .Where(a => !db.ArticleRelations.Any(r => r.ArticleId == a.Id))
            .OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id);

    /// <summary>The ids of <see cref="Unranked"/>, at most <paramref name="limit"/>.</summary>
    public static Task<List<int>> UnrankedAsync(NewsCmsDbContext db, int limit, CancellationToken ct) =>
        Unranked(db).Select(a => a.Id).Take(limit).ToListAsync(ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
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
