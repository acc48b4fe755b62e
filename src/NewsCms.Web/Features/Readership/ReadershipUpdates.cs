using NewsCms.Web.Features.Cluster;

namespace NewsCms.Web.Features.Readership;

/// <summary>
/// Says, on every node, that some node has just written new counts: a newsroom page showing figures (the dashboard's
/// "most read today") subscribes to <see cref="Written"/> and reads them again, instead of polling. Raised at most
/// once per node per flush, and only when there were views to write.
/// </summary>
public sealed class ReadershipUpdates
{
    public const string Channel = "readership";

    private readonly MessageBus bus;

    public ReadershipUpdates(MessageBus bus)
    {
        this.bus = bus;
        bus.Subscribe(Channel, _ => Written?.Invoke());
    }

    /// <summary>Raised on every node after any node wrote counts (handlers must not block: they run on the bus's thread).</summary>
    public event Action? Written;

    internal Task NotifyAsync() => bus.PublishAsync(Channel, "");
}
