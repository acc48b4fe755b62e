namespace NewsCms.Web.Features.Articles;

/// <summary>
/// Publishes scheduled articles when their time comes. The schedule lives in the database, so a restart loses
/// nothing: the first round after start-up publishes whatever fell due while the app was down.
/// </summary>
public sealed class ScheduledPublisher(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ScheduledPublisher> logger) : BackgroundService
{
    /// <summary>How often to look: well inside the promise of "within 30 seconds".</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
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
