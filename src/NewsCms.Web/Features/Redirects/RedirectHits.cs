using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;

namespace NewsCms.Web.Features.Redirects;

/// <summary>
/// Hit counts, kept in memory per redirect and added to the database in batches (<see cref="FlushAsync"/>, by
/// <see cref="RedirectHitFlusher"/>): serving a redirect never writes. A count not yet flushed is lost if the process
/// dies; a graceful stop flushes.
/// </summary>
public sealed class RedirectHits(IDbContextFactory<NewsCmsDbContext> dbFactory, TimeProvider clock, ILogger<RedirectHits> logger)
{
    private sealed class Counter
    {
        public long Count;
        public long LastTicks;
    }

    private readonly ConcurrentDictionary<int, Counter> pending = new();
    private readonly SemaphoreSlim flushing = new(1, 1);

    public void Count(int redirectId)
    {
        var counter = pending.GetOrAdd(redirectId, _ => new Counter());
        Interlocked.Increment(ref counter.Count);
        Interlocked.Exchange(ref counter.LastTicks, clock.GetUtcNow().UtcTicks);
    }

    /// <summary>Hits on this node not yet in the database, with the time of the last one.</summary>
    public (long Count, DateTime? LastAt) Pending(int redirectId) =>
        pending.TryGetValue(redirectId, out var counter) && Interlocked.Read(ref counter.Count) is > 0 and var count
            ? (count, new DateTime(Interlocked.Read(ref counter.LastTicks), DateTimeKind.Utc))
            : (0, null);

    /// <summary>Adds the counted hits to the database, one statement per redirect hit, in one transaction.</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        await flushing.WaitAsync(ct);
        try
        {
            var batch = new List<(int Id, long Count, DateTime LastAt)>();
            foreach (var (id, counter) in pending)
            {
                var count = Interlocked.Exchange(ref counter.Count, 0);
                if (count > 0) batch.Add((id, count, new DateTime(Interlocked.Read(ref counter.LastTicks), DateTimeKind.Utc)));
            }
            if (batch.Count == 0) return;
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                foreach (var (id, count, lastAt) in batch)
                {
                    // A redirect deleted meanwhile updates nothing; its hits go with it.
                    await db.Redirects.Where(r => r.Id == id).ExecuteUpdateAsync(set => set
                        .SetProperty(r => r.Hits, r => r.Hits + count)
                        .SetProperty(r => r.LastHitAt, lastAt), ct);
                }
                await transaction.CommitAsync(ct);
                logger.LogDebug("Flushed the hits of {Count} redirects.", batch.Count);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Kept for the next flush.
                foreach (var (id, count, _) in batch) Interlocked.Add(ref pending.GetOrAdd(id, _ => new Counter()).Count, count);
                logger.LogError(ex, "Could not save the hit counts of {Count} redirects; trying again later.", batch.Count);
            }
        }
        finally
        {
            flushing.Release();
        }
    }
}

/// <summary>Flushes <see cref="RedirectHits"/> every <see cref="Interval"/> and when the app stops.</summary>
public sealed class RedirectHitFlusher(RedirectHits hits, TimeProvider clock) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await hits.FlushAsync(CancellationToken.None); // not cut off half-way by the stop: StopAsync flushes after it
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await hits.FlushAsync(CancellationToken.None);
    }
}
