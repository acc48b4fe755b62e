using System.Globalization;
using NewsCms.Web.Features.Cluster;

namespace NewsCms.Web.Features.Notes;

/// <summary>
/// "The notes on article N changed", on every node: the notes service publishes after each commit; the editors that
/// have the article open subscribe to <see cref="Changed"/>, reload its threads and unsubscribe when they close.
/// Carried by the <see cref="MessageBus"/> (Redis pub/sub with several nodes); no polling. A node cut off from Redis
/// may have missed some, so on reconnection every open panel reloads (<see cref="AllArticles"/>).
/// Made at start-up (a hosted service that does nothing else): subscribing to Redis waits for it, which must never
/// happen on a circuit's thread, where the first editor to open the notes panel would otherwise make it.
/// </summary>
public sealed class NoteEvents : IHostedService
{
    private const string Channel = "notes";

    /// <summary>The article id <see cref="Changed"/> carries when any article's notes may have changed.</summary>
    public const int AllArticles = 0;

    private readonly MessageBus bus;

    public NoteEvents(MessageBus bus, RedisConnection redis)
    {
        this.bus = bus;
        bus.Subscribe(Channel, message =>
        {
            if (int.TryParse(message.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var articleId)) Changed?.Invoke(articleId);
        });
        redis.Restored += () => Changed?.Invoke(AllArticles);
    }

    /// <summary>Raised with the article whose notes changed (or <see cref="AllArticles"/>); handlers must not block.</summary>
    public event Action<int>? Changed;

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PublishAsync(int articleId) => bus.PublishAsync(Channel, articleId.ToString(CultureInfo.InvariantCulture));
}
