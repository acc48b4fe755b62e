using System.Text.Json;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Cluster;

namespace NewsCms.Web.Features.Notifications;

/// <summary>A stored notification as the newsroom shows it.</summary>
public sealed record NotificationItem(long Id, string UserId, NotificationKind Kind, int? ArticleId, string ArticleHeadline, string ActorName,
    string Message, DateTime CreatedAt, DateTime? ReadAt)
{
    public bool IsRead => ReadAt is not null;

    /// <summary>One line for the menu and the snackbar.</summary>
    public string Text => Kind switch
    {
        NotificationKind.Submitted => $"{ActorName} submitted “{ArticleHeadline}” for review.",
        NotificationKind.ChangesRequested => $"{ActorName} asked for changes to “{ArticleHeadline}”: {Message}",
        NotificationKind.Published => $"“{ArticleHeadline}” is published{(ActorName == "" ? "" : $" by {ActorName}")}.",
        NotificationKind.Withdrawn => $"{ActorName} withdrew “{ArticleHeadline}” from review.",
        _ => ArticleHeadline,
    };
}

/// <summary>An article was committed: its id, new version and status (the dashboard and open editors listen).</summary>
public sealed record ArticleChanged(int ArticleId, Guid Version, ArticleStatus Status);

/// <summary>
/// What the newsroom's open pages hear live, on any node: notifications for one person and changes to articles.
/// Each node keeps a registry of the listeners its circuits registered (per user, for notifications); messages travel
/// on the bus (through Redis when configured), so a listener on any node hears a change made on any other. No polling.
/// </summary>
public sealed class NewsroomEvents : IHostedService
{
    internal const string NotificationsChannel = "newsroom.notifications";
    internal const string ArticlesChannel = "newsroom.articles";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly MessageBus bus;
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<Action<NotificationItem>>> byUser = [];

    public NewsroomEvents(MessageBus bus, RedisConnection redis)
    {
        this.bus = bus;
        bus.Subscribe(NotificationsChannel, OnNotifications);
        bus.Subscribe(ArticlesChannel, OnArticle);
        // Cut off from Redis for a while, this node may have missed some: open pages read theirs again.
        redis.Restored += () => MayHaveMissed?.Invoke();
    }

    /// <summary>This node may have missed messages (its Redis connection is back): listeners read afresh.</summary>
    public event Action? MayHaveMissed;

    // Made at start-up (as a hosted service) so that it subscribes to the bus then: made first inside a component's
    // render, its blocking subscription to Redis would wait for the renderer it blocks.
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>An article was committed (anywhere): listeners reload what shows it.</summary>
    public event Action<ArticleChanged>? ArticleChanged;

    /// <summary>Calls <paramref name="handler"/> with each new notification for <paramref name="userId"/> until disposed.</summary>
    public IDisposable Listen(string userId, Action<NotificationItem> handler)
    {
        lock (gate)
        {
            if (!byUser.TryGetValue(userId, out var list)) byUser[userId] = list = [];
            list.Add(handler);
        }
        return new Registration(() =>
        {
            lock (gate)
            {
                if (!byUser.TryGetValue(userId, out var list)) return;
                list.Remove(handler);
                if (list.Count == 0) byUser.Remove(userId);
            }
        });
    }

    /// <summary>How many handlers listen on this node (for tests and diagnostics).</summary>
    internal int ListenerCount(string userId)
    {
        lock (gate) return byUser.TryGetValue(userId, out var list) ? list.Count : 0;
    }

    internal Task PublishAsync(IReadOnlyList<NotificationItem> notifications) =>
        notifications.Count == 0 ? Task.CompletedTask : bus.PublishAsync(NotificationsChannel, JsonSerializer.Serialize(notifications, Json));

    internal Task PublishAsync(ArticleChanged change) => bus.PublishAsync(ArticlesChannel, JsonSerializer.Serialize(change, Json));

    private void OnNotifications(BusMessage message)
    {
        var items = JsonSerializer.Deserialize<List<NotificationItem>>(message.Payload, Json) ?? [];
        foreach (var item in items)
        {
            Action<NotificationItem>[] handlers;
            lock (gate) handlers = byUser.TryGetValue(item.UserId, out var list) ? [.. list] : [];
            foreach (var handler in handlers) handler(item);
        }
    }

    private void OnArticle(BusMessage message)
    {
        if (JsonSerializer.Deserialize<ArticleChanged>(message.Payload, Json) is { } change) ArticleChanged?.Invoke(change);
    }

    private sealed class Registration(Action remove) : IDisposable
    {
        private Action? remove = remove;

        public void Dispose() => Interlocked.Exchange(ref remove, null)?.Invoke();
    }
}
