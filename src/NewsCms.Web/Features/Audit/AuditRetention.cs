using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;

namespace NewsCms.Web.Features.Audit;

/// <summary>Settings under NewsCms:Audit.</summary>
public sealed class AuditOptions
{
    public const string Section = "NewsCms:Audit";

    /// <summary>Days an audit entry is kept; older ones are deleted by <see cref="AuditRetention"/>.</summary>
    public int RetentionDays { get; set; } = 365;
}

/// <summary>
/// Deletes audit entries older than NewsCms:Audit:RetentionDays: at start-up and then every hour, on the app's
/// <see cref="TimeProvider"/>. Deletes in batches, each its own short transaction, so writers are never held up long.
/// </summary>
public sealed class AuditRetention(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    IOptions<AuditOptions> options,
    TimeProvider clock,
    ILogger<AuditRetention> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private const int BatchSize = 2_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await DeleteExpiredAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A busy or briefly unavailable database: try again next round.
                logger.LogError(ex, "Could not delete expired audit entries; trying again in {Interval}.", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes every entry older than the retention period; returns how many.</summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken ct = default)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.RetentionDays);
        var total = 0;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var ids = await db.AuditEntries.Where(e => e.At < cutoff).OrderBy(e => e.At).Select(e => e.Id).Take(BatchSize).ToListAsync(ct);
            if (ids.Count == 0) break;
            total += await db.AuditEntries.Where(e => ids.Contains(e.Id)).ExecuteDeleteAsync(ct);
        }
        if (total > 0)
        {
            logger.LogInformation("Deleted {Count} audit entries older than {Days} days (NewsCms:Audit:RetentionDays).", total, options.Value.RetentionDays);
        }
        return total;
    }
}
