using System.Collections.Concurrent;
using StackExchange.Redis;

namespace NewsCms.Web.Features.Cluster;

/// <summary>
/// The one way news travels between the parts of NewsCms that keep something in memory (cache evictions, settings,
/// presence): a message published on a channel reaches every subscriber on this node at once and, when Redis is
/// configured, every other node's subscribers through Redis pub/sub. A node never hears its own message twice.
/// Messages are strings (features serialise their own); delivery is in order per channel, at most once: a node that
/// was cut off from Redis hears <see cref="RedisConnection.Restored"/> and must assume it missed some.
/// </summary>
public sealed class MessageBus(RedisConnection redis, ILogger<MessageBus> logger)
{
    private readonly ConcurrentDictionary<string, ImmutableHandlers> handlers = new();
    private readonly ConcurrentDictionary<string, bool> remoteChannels = new();

    /// <summary>This node, in messages: different on each node and each start.</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>Whether messages go to other nodes (Redis is configured).</summary>
    public bool IsShared => redis.Connection is not null;

    /// <summary>Subscribes channels registered before start-up to Redis (later ones subscribe as they are added).</summary>
    internal async Task StartAsync()
    {
        if (!IsShared) return;
        foreach (var channel in handlers.Keys) await SubscribeRemoteAsync(channel);
    }

    /// <summary>Calls <paramref name="handler"/> with every message on <paramref name="channel"/>, from any node.</summary>
    public void Subscribe(string channel, Func<BusMessage, Task> handler)
    {
        handlers.AddOrUpdate(channel, _ => new([handler]), (_, existing) => new([.. existing.List, handler]));
        if (IsShared) SubscribeRemoteAsync(channel).GetAwaiter().GetResult();
    }

    public void Subscribe(string channel, Action<BusMessage> handler) =>
        Subscribe(channel, message => { handler(message); return Task.CompletedTask; });

    /// <summary>Delivers to this node's subscribers, then sends to the other nodes.</summary>
    public async Task PublishAsync(string channel, string payload)
    {
        await DeliverAsync(channel, new BusMessage(NodeId, payload, FromThisNode: true));
        // Not while the connection is down (each send would wait for Redis's timeout): the others refresh on Restored.
        if (redis.Connection is { IsConnected: true } connection)
        {
            try
            {
                await connection.GetSubscriber().PublishAsync(ChannelFor(channel), NodeId + "\n" + payload);
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                // The change itself is saved; other nodes catch up when the connection is back (Restored).
                logger.LogError(ex, "Could not send a {Channel} message to the other nodes.", channel);
            }
        }
    }

    private async Task SubscribeRemoteAsync(string channel)
    {
        if (!remoteChannels.TryAdd(channel, true)) return;
        var queue = await redis.Connection!.GetSubscriber().SubscribeAsync(ChannelFor(channel));
        // A queue (not a plain handler) keeps each channel's messages in order.
        queue.OnMessage(async message =>
        {
            var text = (string?)message.Message ?? "";
            var split = text.IndexOf('\n');
            if (split < 0) return;
            var sender = text[..split];
            if (sender == NodeId) return;
            await DeliverAsync(channel, new BusMessage(sender, text[(split + 1)..], FromThisNode: false));
        });
    }

    private RedisChannel ChannelFor(string channel) => RedisChannel.Literal(redis.Prefix + ":bus:" + channel);

    private async Task DeliverAsync(string channel, BusMessage message)
    {
        if (!handlers.TryGetValue(channel, out var subscribed)) return;
        foreach (var handler in subscribed.List)
        {
            try
            {
                await handler(message);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "A {Channel} message from node {Node} could not be handled.", channel, message.Node);
            }
        }
    }

    private sealed record ImmutableHandlers(Func<BusMessage, Task>[] List);
}

/// <summary>One message: the node it came from, its text, and whether that node is this one.</summary>
public sealed record BusMessage(string Node, string Payload, bool FromThisNode);
