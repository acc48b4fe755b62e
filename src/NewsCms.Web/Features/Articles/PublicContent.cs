using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// Says when anything readers can see has changed, on every node: a change made here is published on the message
/// bus, and <see cref="Changed"/> is raised on each node (this one at once, before <see cref="NotifyChangedAsync"/>
/// returns) with what changed, so each evicts its own cache of public pages and reloads what it keeps in memory.
/// When the connection to the other nodes comes back, messages may have been missed: everything has changed, here and
/// on the other nodes.
/// </summary>
public sealed class PublicContent
{
    public const string Channel = "public-content";

    private readonly MessageBus bus;

    public PublicContent(MessageBus bus, RedisConnection redis, ILogger<PublicContent> logger)
    {
        this.bus = bus;
        bus.Subscribe(Channel, message =>
        {
            var change = PublicChange.FromJson(message.Payload);
            if (!message.FromThisNode) logger.LogDebug("Node {Node} changed {What}.", message.Node, change.What);
            Changed?.Invoke(change);
        });
        // Messages may have been lost both ways while the node was cut off: it refreshes everything, and so do the
        // others, which may have missed its own changes. Rare, so evicting everything once is the simple answer.
        redis.Restored += () => _ = NotifyChangedAsync(PublicChange.EverythingBecause($"node {bus.NodeId} reconnected to Redis"));
    }

    /// <summary>Raised on every node for every change, with what it evicts (see <see cref="PublicDependencies"/>).</summary>
    public event Action<PublicChange>? Changed;

    /// <summary>Tells every node, after the change is committed.</summary>
    public Task NotifyChangedAsync(PublicChange change) => bus.PublishAsync(Channel, change.ToJson());
}
