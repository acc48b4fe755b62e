using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using NewsCms.Web.Features.Cluster;

namespace NewsCms.Web.Features.LiveBlogs;

public sealed class LiveOptions
{
    public const string Section = "NewsCms:Live";

    /// <summary>Comment lines sent to every open page this often, so proxies keep the connection and dead ones are noticed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Events waiting for one slow reader. A reader that falls this far behind is disconnected: its browser reconnects
    /// with Last-Event-ID and catches up from the database, so nothing is lost and nothing waits for it.
    /// </summary>
    [Range(4, 10_000)]
    public int QueueLength { get; set; } = 64;

    /// <summary>Open event streams per node; more are refused with 503 (the pages still work, without pushes).</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 20_000;
}

/// <summary>One frame for the open pages: its bytes (shared by every reader) and its Seq (0 for frames that are not entries).</summary>
public sealed record LiveFrame(long Seq, byte[] Bytes)
{
    public static LiveFrame Of(string text, long seq = 0) => new(seq, Encoding.UTF8.GetBytes(text));
}

/// <summary>One open public page's event stream on this node: a bounded queue its connection drains.</summary>
public sealed class LiveReader
{
    internal LiveReader(int articleId, int capacity)
    {
        ArticleId = articleId;
        Queue = Channel.CreateBounded<LiveFrame>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>The live blog the page shows, or 0 (a page that only hears the site-wide banner).</summary>
    public int ArticleId { get; }
    internal Channel<LiveFrame> Queue { get; }

    internal void Offer(LiveFrame frame)
    {
        // Full: the reader is too slow. Ending its stream makes its browser reconnect and catch up.
        if (!Queue.Writer.TryWrite(frame)) Queue.Writer.TryComplete();
    }
}

/// <summary>
/// The push to readers' open pages. Every node keeps the pages connected to it, grouped by the live blog they show
/// (one group per article: an entry is serialised once and the same bytes go to every reader of it). Entry changes and
/// the banner travel between nodes on the message bus (Redis when configured), so a reader connected to any node gets
/// them; no reader has a circuit or a hub. Each reader costs a small bounded queue and its connection.
/// </summary>
public sealed class LiveStream : IDisposable
{
    public const string Channel = "live";

    private readonly MessageBus bus;
    private readonly LiveOptions options;
    private readonly ConcurrentDictionary<int, ConcurrentDictionary<LiveReader, byte>> groups = new();
    private readonly ITimer heartbeat;
    private static readonly LiveFrame Ping = LiveFrame.Of(": ping\n\n");
    private int count;

    public LiveStream(MessageBus bus, IOptions<LiveOptions> options, TimeProvider clock)
    {
        this.bus = bus;
        this.options = options.Value;
        bus.Subscribe(Channel, message =>
        {
            var sent = JsonSerializer.Deserialize<Message>(message.Payload);
            if (sent is null) return;
            var frame = LiveFrame.Of(sent.Frame, sent.Seq);
            if (sent.ArticleId == Everyone) SendToAll(frame);
            else
            {
                SendTo(sent.ArticleId, frame);
                ArticleChanged?.Invoke(sent.ArticleId);
            }
        });
        heartbeat = clock.CreateTimer(_ => SendToAll(Ping), null, this.options.Heartbeat, this.options.Heartbeat);
    }

    /// <summary>The address for frames every open page gets (the banner).</summary>
    public const int Everyone = -1;

    /// <summary>Readers connected to this node now.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>Readers of one live blog connected to this node now.</summary>
    public int CountOf(int articleId) => groups.TryGetValue(articleId, out var readers) ? readers.Count : 0;

    /// <summary>
    /// A live blog's entries or coverage changed, on any node (raised on every node when the change arrives): the
    /// newsroom's open composers on that article read their list again.
    /// </summary>
    public event Action<int>? ArticleChanged;

    /// <summary>Raised when a reader connects or leaves (tests wait for it).</summary>
    public event Action? ReadersChanged;

    /// <summary>A new reader of <paramref name="articleId"/> (0: the banner only); null when this node has as many as it takes.</summary>
    public LiveReader? Connect(int articleId)
    {
        if (Interlocked.Increment(ref count) > options.MaxConnections)
        {
            Interlocked.Decrement(ref count);
            return null;
        }
        var reader = new LiveReader(articleId, options.QueueLength);
        groups.GetOrAdd(articleId, _ => new()).TryAdd(reader, 0);
        ReadersChanged?.Invoke();
        return reader;
    }

    public void Disconnect(LiveReader reader)
    {
        reader.Queue.Writer.TryComplete();
        if (groups.TryGetValue(reader.ArticleId, out var readers) && readers.TryRemove(reader, out _))
        {
            Interlocked.Decrement(ref count);
            // An empty group goes; a reader joining at that instant makes a new one (GetOrAdd), never joins a removed one.
            if (readers.IsEmpty) groups.TryRemove(KeyValuePair.Create(reader.ArticleId, readers));
        }
        ReadersChanged?.Invoke();
    }

    /// <summary>Tells every node's readers of the article about an entry change.</summary>
    public Task PublishEntryAsync(int articleId, LiveEntryEvent change) =>
        bus.PublishAsync(Channel, JsonSerializer.Serialize(new Message(articleId, change.Seq, LiveEntryMarkup.EntryFrame(change))));

    /// <summary>Tells every node's readers of the article that coverage started or ended.</summary>
    public Task PublishCoverageAsync(int articleId, bool live) =>
        bus.PublishAsync(Channel, JsonSerializer.Serialize(new Message(articleId, 0, LiveEntryMarkup.Frame("coverage", live ? "{\"live\":true}" : "{\"live\":false}"))));

    /// <summary>Sends a frame to every reader on this node (the banner, which each node works out for itself).</summary>
    public void SendToAll(LiveFrame frame)
    {
        foreach (var readers in groups.Values)
        {
            foreach (var reader in readers.Keys) reader.Offer(frame);
        }
    }

    private void SendTo(int articleId, LiveFrame frame)
    {
        if (!groups.TryGetValue(articleId, out var readers)) return;
        foreach (var reader in readers.Keys) reader.Offer(frame);
    }

    /// <summary>At shutdown: every stream ends now, so the app stops without waiting for readers.</summary>
    public void Dispose()
    {
        heartbeat.Dispose();
        foreach (var readers in groups.Values)
        {
            foreach (var reader in readers.Keys) reader.Queue.Writer.TryComplete();
        }
    }

    private sealed record Message(int ArticleId, long Seq, string Frame);
}
