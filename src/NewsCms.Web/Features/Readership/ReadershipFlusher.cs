using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Web.Features.Readership;

/// <summary>
/// Adds this node's counts to the database every <see cref="ReadershipOptions.FlushSeconds"/> seconds and on a
/// graceful stop, in one transaction. Each node adds its own increments (an upsert that adds, never a read then a
/// write), so the counts of several nodes add up. A failed write puts the counts back for the next round; a crash
/// loses at most one round.
/// </summary>
public sealed class ReadershipFlusher(
    ViewCounter counter,
    ReadershipUpdates updates,
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    SiteSettingsStore settings,
    IOptions<ReadershipOptions> options,
    TimeProvider clock,
    ILogger<ReadershipFlusher> logger) : BackgroundService
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private DateOnly prunedOn;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.FlushSeconds), clock);
        do
        {
            try
            {
                await FlushAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Could not write {Views} article views; they are kept for the next try.", counter.Pending);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!options.Value.Enabled) return;
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not write the last {Views} article views on stopping; they are lost.", counter.Pending);
        }
    }

    /// <summary>Writes the counts so far in one transaction (and takes the site's time zone for the counts to come).</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        await gate.WaitAsync(ct);
        try
        {
            counter.TimeZone = (await settings.GetAsync(ct)).TimeZone;
            await PruneAsync(ct);
            var counts = counter.Take();
            if (counts.Count == 0) return;
            try
            {
                await WriteAsync(counts, ct);
            }
            catch
            {
                counter.Restore(counts);
                throw;
            }
            await updates.NotifyAsync();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Once a day, deletes the days older than <see cref="ReadershipOptions.RetentionDays"/> (when set).</summary>
    private async Task PruneAsync(CancellationToken ct)
    {
        var today = counter.Today;
        if (options.Value.RetentionDays == 0 || prunedOn == today) return;
        var oldest = today.AddDays(-options.Value.RetentionDays + 1);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var deleted = await db.ArticleViewDays.Where(v => v.Day < oldest).ExecuteDeleteAsync(ct);
        prunedOn = today;
        if (deleted > 0) logger.LogInformation("Deleted {Rows} daily view counts from before {Oldest}.", deleted, oldest);
    }

    private async Task WriteAsync(IReadOnlyList<ViewCount> counts, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var (articleId, day, views) in counts)
        {
            // The same SQL on SQLite and PostgreSQL. An article deleted since its views were counted is skipped (its
            // counts went with it), so one such view never blocks the others.
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "ArticleViewDays" ("ArticleId", "Day", "Views")
                SELECT {articleId}, {day}, {views} WHERE EXISTS (SELECT 1 FROM "Articles" WHERE "Id" = {articleId})
                ON CONFLICT ("ArticleId", "Day") DO UPDATE SET "Views" = "ArticleViewDays"."Views" + excluded."Views"
                """, ct);
        }
        await transaction.CommitAsync(ct);
    }
}
