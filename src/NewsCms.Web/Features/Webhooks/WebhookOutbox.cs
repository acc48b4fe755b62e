using System.Collections.Frozen;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Cluster;

namespace NewsCms.Web.Features.Webhooks;

/// <summary>
/// Where a change tells webhooks about itself: <see cref="QueueAsync"/>, called inside the change's own transaction,
/// adds one outbox row (<see cref="WebhookDelivery"/>) per active webhook subscribed to the event, so the event is
/// stored exactly when the change is. After the commit the delivery worker is woken (on every node, over the message
/// bus; the one holding the delivery lease sends), so delivery starts at once rather than at the next poll.
/// It keeps the set of events some active webhook listens to in memory, so a change nobody subscribed to costs no
/// query; the set is reloaded on every node when webhooks change (<see cref="NotifyChangedAsync"/>).
/// It is one per app (not static): tests run several apps in one process.
/// </summary>
public sealed class WebhookOutbox
{
    public const string Channel = "webhooks";
    private const string ChangedMessage = "changed";
    private const string DueMessage = "due";

    private readonly IDbContextFactory<NewsCmsDbContext> dbFactory;
    private readonly MessageBus bus;
    private readonly ILogger<WebhookOutbox> logger;
    private readonly Channel<bool> wakeups = System.Threading.Channels.Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    // Contexts with deliveries queued and not yet committed: the interceptors wake the worker when they commit.
    private readonly ConditionalWeakTable<DbContext, object> queuedIn = new();
    private readonly object gate = new();
    private FrozenSet<string>? subscribed;
    private Task? loaded;
    private Task? reloading;
    private long requested, done;

    public WebhookOutbox(IDbContextFactory<NewsCmsDbContext> dbFactory, MessageBus bus, RedisConnection redis, ILogger<WebhookOutbox> logger)
    {
        this.dbFactory = dbFactory;
        this.bus = bus;
        this.logger = logger;
        // The reload is awaited, so on this node the new set is in place when NotifyChangedAsync returns.
        bus.Subscribe(Channel, message => message.Payload == DueMessage ? Signal() : ReloadAsync());
        // Messages sent while this node was cut off from Redis never arrived.
        redis.Restored += () =>
        {
            _ = ReloadAsync();
            Signal();
        };
    }

    /// <summary>
    /// Queues <paramref name="eventName"/> for every active webhook subscribed to it: adds the rows to
    /// <paramref name="db"/> and does NOT save them. The caller saves (SaveChanges, and commits its transaction),
    /// so the rows are written with the change or not at all; the worker is woken after that commit by itself.
    /// <paramref name="payload"/> (the JSON body, the same for every webhook) is made only when someone listens.
    /// Returns how many deliveries were queued. <paramref name="db"/> must be a context of this app's factory.
    /// </summary>
    public async Task<int> QueueAsync(NewsCmsDbContext db, string eventName, Func<CancellationToken, Task<string>> payload, DateTime now, CancellationToken ct = default)
    {
        if (!await IsSubscribedAsync(eventName)) return 0;
        var webhookIds = await db.Webhooks.AsNoTracking().Where(w => w.Event == eventName && w.IsActive).Select(w => w.Id).ToListAsync(ct);
        if (webhookIds.Count == 0) return 0;
        var body = await payload(ct);
        var eventId = Guid.NewGuid();
        foreach (var webhookId in webhookIds)
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                EventId = eventId, WebhookId = webhookId, Event = eventName, Payload = body,
                Status = WebhookDeliveryStatus.Pending, CreatedAt = now, NextAttemptAt = now,
            });
        }
        queuedIn.AddOrUpdate(db, this);
        return webhookIds.Count;
    }

    /// <inheritdoc cref="QueueAsync(NewsCmsDbContext, string, Func{CancellationToken, Task{string}}, DateTime, CancellationToken)"/>
    public Task<int> QueueAsync(NewsCmsDbContext db, string eventName, Func<string> payload, DateTime now, CancellationToken ct = default) =>
        QueueAsync(db, eventName, _ => Task.FromResult(payload()), now, ct);

    /// <inheritdoc cref="QueueAsync(NewsCmsDbContext, string, Func{CancellationToken, Task{string}}, DateTime, CancellationToken)"/>
    public Task<int> QueueAsync(NewsCmsDbContext db, string eventName, string payload, DateTime now, CancellationToken ct = default) =>
        QueueAsync(db, eventName, _ => Task.FromResult(payload), now, ct);

    /// <summary>
    /// Whether some active webhook listens to <paramref name="eventName"/>, from memory (no query after the first
    /// load): a change can skip building its payload, or its "previous" state, when nobody listens.
    /// </summary>
    public async ValueTask<bool> IsSubscribedAsync(string eventName)
    {
        if (!WebhookEvents.IsKnown(eventName)) throw new ArgumentException($"\"{eventName}\" is not a webhook event.", nameof(eventName));
        var events = Volatile.Read(ref subscribed);
        if (events is null)
        {
            await EnsureLoadedAsync();
            events = Volatile.Read(ref subscribed) ?? FrozenSet<string>.Empty;
        }
        return events.Contains(eventName);
    }

    /// <summary>Wakes the delivery worker on every node (after rows were committed some other way than through <see cref="QueueAsync"/>).</summary>
    public void Wake() => _ = bus.PublishAsync(Channel, DueMessage);

    /// <summary>Tells every node (this one first, before returning) that webhooks were added, changed, turned off or deleted.</summary>
    public Task NotifyChangedAsync() => bus.PublishAsync(Channel, ChangedMessage);

    /// <summary>Waits until woken or until <paramref name="timeout"/> has passed on <paramref name="clock"/>.</summary>
    internal async Task WaitForWakeAsync(TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        if (wakeups.Reader.TryRead(out _)) return;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var woken = wakeups.Reader.WaitToReadAsync(either.Token).AsTask();
        var delay = Task.Delay(timeout, clock, either.Token);
        await Task.WhenAny(woken, delay);
        await either.CancelAsync();
        wakeups.Reader.TryRead(out _);
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>The events some active webhook listens to, as this node knows them (loaded on first use).</summary>
    internal async Task<IReadOnlySet<string>> SubscribedEventsAsync()
    {
        await EnsureLoadedAsync();
        return Volatile.Read(ref subscribed) ?? FrozenSet<string>.Empty;
    }

    /// <summary>Called by the interceptors when <paramref name="context"/> has committed: wakes the worker if it queued deliveries.</summary>
    internal void Committed(DbContext? context)
    {
        if (context is not null && queuedIn.Remove(context)) Wake();
    }

    private Task Signal()
    {
        wakeups.Writer.TryWrite(true);
        return Task.CompletedTask;
    }

    private Task EnsureLoadedAsync()
    {
        lock (gate)
        {
            return loaded ??= ReloadAsync();
        }
    }

    /// <summary>Reads the set again; the returned task completes after a load that started after this call.</summary>
    private Task ReloadAsync()
    {
        lock (gate)
        {
            requested++;
            return reloading ??= Task.Run(LoadLoopAsync);
        }
    }

    private async Task LoadLoopAsync()
    {
        while (true)
        {
            long target;
            lock (gate)
            {
                if (done >= requested)
                {
                    reloading = null;
                    return;
                }
                target = requested;
            }
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync();
                var events = await db.Webhooks.AsNoTracking().Where(w => w.IsActive).Select(w => w.Event).Distinct().ToListAsync();
                Volatile.Write(ref subscribed, events.ToFrozenSet(StringComparer.Ordinal));
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException)
            {
                // The set stays as it was; the next change loads again. Before any load nothing is known: every event
                // is looked up in the database (the safe side) until a load succeeds.
                logger.LogError(ex, "Could not load the events webhooks listen to.");
                if (Volatile.Read(ref subscribed) is null) Volatile.Write(ref subscribed, WebhookEvents.All.ToFrozenSet(StringComparer.Ordinal));
                lock (gate) loaded = null;
            }
            lock (gate) done = target;
        }
    }
}

/// <summary>Wakes the delivery worker once a context that queued deliveries has committed them (see <see cref="WebhookOutbox.QueueAsync(NewsCmsDbContext, string, Func{string}, DateTime, CancellationToken)"/>).</summary>
internal sealed class WebhookCommitWakeup(IServiceProvider services) : DbTransactionInterceptor
{
    // Resolved on first use: the interceptor is made while the context options are built.
    private WebhookOutbox Outbox => field ??= services.GetRequiredService<WebhookOutbox>();

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Outbox.Committed(eventData.Context);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Outbox.Committed(eventData.Context);
        return Task.CompletedTask;
    }
}

/// <summary>The same for a SaveChanges outside an explicit transaction (EF commits a one-statement save without one).</summary>
internal sealed class WebhookSaveWakeup(IServiceProvider services) : SaveChangesInterceptor
{
    private WebhookOutbox Outbox => field ??= services.GetRequiredService<WebhookOutbox>();

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context?.Database.CurrentTransaction is null) Outbox.Committed(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context?.Database.CurrentTransaction is null) Outbox.Committed(eventData.Context);
        return ValueTask.FromResult(result);
    }
}
