using NewsCms.Web.Features.Cluster;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// Publishes scheduled articles when their time comes. The schedule lives in the database, so a restart loses
/// nothing: the first round after start-up publishes whatever fell due while the app was down. With several nodes
/// every node runs this, but only the holder of the "scheduler" lease does a round, so each article is published once.
/// (Several nodes share a site only through Redis, so a node without it is alone and needs no lease.)
/// </summary>
public sealed class ScheduledPublisher(IServiceScopeFactory scopes, NodeLeases leases, MessageBus bus, TimeProvider clock, ILogger<ScheduledPublisher> logger) : BackgroundService
{
    /// <summary>How often to look: well inside the promise of "within 30 seconds".</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>How long a node holds the scheduler: three rounds, so the holder renews it twice before a dead one's lapses.</summary>
    public static readonly TimeSpan LeaseDuration = Interval * 3;

    private const string LeaseName = "scheduler";

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!bus.IsShared) return; // Alone, it never took the lease.
        try
        {
            await leases.ReleaseAsync(LeaseName, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // It lapses on its own after LeaseDuration.
            logger.LogWarning(ex, "Could not release the scheduler lease on stopping.");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                // Alone (no Redis), a node needs no lease: a restart after a crash publishes at once rather than
                // waiting for the dead process's lease to lapse.
                if (bus.IsShared && !await leases.TryHoldAsync(LeaseName, LeaseDuration, stoppingToken)) continue;
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ArticleWorkflowService>().PublishDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One bad round must not stop scheduling for good.
                logger.LogError(ex, "Publishing scheduled articles failed; trying again in {Interval}.", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
