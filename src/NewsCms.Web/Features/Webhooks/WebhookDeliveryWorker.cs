using Microsoft.Extensions.Options;
using NewsCms.Web.Features.Cluster;

namespace NewsCms.Web.Features.Webhooks;

/// <summary>
/// Delivers the webhook outbox in the background: woken when deliveries are committed (on any node), and otherwise
/// when the next retry falls due, or after <see cref="Poll"/> (with several nodes: the lease may have to move) or
/// <see cref="IdlePoll"/> (alone: every commit wakes it, so an idle site makes no queries). The outbox lives in the
/// database, so after a restart the first round sends whatever was left. With several nodes only the holder of the
/// "webhooks" lease sends, so a row is not sent by two nodes at once. (Alone, without Redis, a node needs no lease.)
/// </summary>
public sealed class WebhookDeliveryWorker(
    WebhookSender sender,
    WebhookOutbox outbox,
    NodeLeases leases,
    MessageBus bus,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookDeliveryWorker> logger) : BackgroundService
{
    public const string LeaseName = "webhooks";

    /// <summary>The longest wait between rounds when nothing wakes the worker, with several nodes.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(15);

    /// <summary>The same on a node alone: a safety net only, since every commit and resend on it wakes the worker.</summary>
    public static readonly TimeSpan IdlePoll = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan Breather = TimeSpan.FromMilliseconds(200);

    /// <summary>Long enough for a whole batch of slow receivers, so the holder renews it before it lapses.</summary>
    private TimeSpan LeaseDuration => TimeSpan.FromMinutes(1) + options.Value.Timeout * (WebhookSender.BatchSize + 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Now rather than at the first change, so that no change pays for it.
            await outbox.SubscribedEventsAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not load the events webhooks listen to; the first change loads them.");
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var longest = bus.IsShared ? Poll : IdlePoll;
            var wait = Poll;
            try
            {
                if (await HoldAsync(stoppingToken))
                {
                    while (await sender.DeliverDueAsync(stoppingToken) == WebhookSender.BatchSize && await HoldAsync(stoppingToken))
                    {
                    }
                    wait = await sender.UntilNextDueAsync(longest, stoppingToken);
                    if (wait < Breather) wait = Breather;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // One bad round must not stop delivery for good.
                logger.LogError(ex, "Delivering webhooks failed; trying again in {Wait}.", Poll);
            }
            try
            {
                await outbox.WaitForWakeAsync(wait, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<bool> HoldAsync(CancellationToken ct) => !bus.IsShared || await leases.TryHoldAsync(LeaseName, LeaseDuration, ct);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!bus.IsShared) return;
        try
        {
            await leases.ReleaseAsync(LeaseName, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // It lapses on its own.
            logger.LogWarning(ex, "Could not release the webhooks lease on stopping.");
        }
    }
}
