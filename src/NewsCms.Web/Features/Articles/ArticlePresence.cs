using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Options;
using NewsCms.Web.Features.Cluster;

namespace NewsCms.Web.Features.Articles;

/// <summary>Someone with an article open in the editor.</summary>
public sealed record PresenceEntry(int ArticleId, string SessionId, string UserId, string DisplayName, DateTime Since);

/// <summary>Settings under NewsCms:Presence.</summary>
public sealed class PresenceOptions
{
    public const string Section = "NewsCms:Presence";

    /// <summary>
    /// With several nodes: how long a node may stop answering before the others release its editors' soft locks
    /// (it died without leaving). Each node renews its heartbeat three times per grace.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan NodeGrace { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Who is on one article: everyone present, holder first, and the article's last take-over.</summary>
internal sealed record PresenceState(long Version, IReadOnlyList<PresenceEntry> Present, TakeOverMark? LastTakeOver, IReadOnlyDictionary<string, string> Nodes)
{
    public static readonly PresenceState Empty = new(0, [], null, new Dictionary<string, string>());
}

/// <summary>The last take-over of an article: whose session lost it, whose took it, when.</summary>
internal sealed record TakeOverMark(string FromSession, string BySession, DateTime At);

/// <summary>
/// Who has which article open (presence is not data worth a database row). The first to open an article holds its
/// soft lock; later ones watch read-only until it is free or they take it over. Changes are pushed to subscribers
/// through <see cref="Changed"/>: nobody polls. On a single node everything is in this node's memory. With Redis
/// configured, Redis holds the one order of every article's editors (see <see cref="SharedPresence"/>) and this
/// class keeps a copy of it, updated as the bus tells of changes, so reads never leave the node.
/// </summary>
public sealed class ArticlePresence : IHostedService, IAsyncDisposable
{
    /// <summary>How long a take-over holds against the editor it was taken from: they cannot simply take it straight back.</summary>
    public static readonly TimeSpan TakeOverProtection = TimeSpan.FromMinutes(2);

    /// <summary>How long a take-over waits for the previous holder's editor to save its pending text.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private readonly TimeProvider clock;
    private readonly SharedPresence? shared;
    private readonly Lock gate = new();
    // Per session: how to save its pending text before it loses the article (registered by the editor holding it).
    private readonly Dictionary<string, Func<Task>> flushes = [];
    // Per article: everyone present, holder first (with several nodes, a copy of what Redis holds).
    private readonly Dictionary<int, PresenceState> byArticle = [];

    /// <summary>Presence on a single node.</summary>
    public ArticlePresence(TimeProvider clock) => this.clock = clock;

    /// <summary>Presence shared with the other nodes when Redis is configured; on a single node as above.</summary>
    public ArticlePresence(TimeProvider clock, MessageBus bus, RedisConnection redis, IOptions<PresenceOptions> options, ILogger<ArticlePresence> logger)
        : this(clock)
    {
        if (redis.IsConfigured) shared = new SharedPresence(this, bus, redis, options.Value.NodeGrace, clock, logger);
    }

    /// <summary>The article whose presence changed.</summary>
    public event Action<int>? Changed;

    /// <summary>A session lost the lock to a take-over: (session, who took it).</summary>
    public event Action<string, string>? TakenOver;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Joins an article; returns the holder (which is this session when nobody else was editing).</summary>
    public async Task<PresenceEntry> EnterAsync(int articleId, string sessionId, string userId, string displayName)
    {
        var entry = new PresenceEntry(articleId, sessionId, userId, displayName, Now);
        var state = shared is not null && await shared.EnterAsync(entry) is { } after
            ? Apply(articleId, after)
            : ChangeLocally(articleId, s => s.Present.Any(p => p.SessionId == sessionId) ? s : s with { Present = [.. s.Present, entry] });
        Changed?.Invoke(articleId);
        return state.Present.Count > 0 ? state.Present[0] : entry;
    }

    public async Task LeaveAsync(int articleId, string sessionId)
    {
        var removed = Everyone(articleId).Any(p => p.SessionId == sessionId);
        if (shared is not null && await shared.LeaveAsync(articleId, sessionId) is { } after) Apply(articleId, after);
        else if (removed) ChangeLocally(articleId, s => Without(s, sessionId));
        if (removed) Changed?.Invoke(articleId);
    }

    /// <summary>Releases everything a session holds (its circuit closed or its connection stayed down).</summary>
    public async Task LeaveSessionAsync(string sessionId)
    {
        List<int> articles;
        lock (gate)
        {
            articles = byArticle.Where(kv => kv.Value.Present.Any(p => p.SessionId == sessionId)).Select(kv => kv.Key).ToList();
        }
        foreach (var articleId in articles) await LeaveAsync(articleId, sessionId);
    }

    /// <summary>An editor's way to save its pending text when the article is taken from it (see <see cref="TakeOverAsync"/>).</summary>
    public void RegisterFlush(string sessionId, Func<Task> flush)
    {
        lock (gate) flushes[sessionId] = flush;
    }

    public void UnregisterFlush(string sessionId)
    {
        lock (gate) flushes.Remove(sessionId);
    }

    /// <summary>
    /// A take-over that hands over the latest text: the holder's editor first saves what it has not saved yet (waiting
    /// at most <see cref="FlushTimeout"/>: an editor whose connection is gone keeps its text in its browser, and its
    /// restore goes through the conflict dialog), then <paramref name="sessionId"/> becomes the holder; the previous
    /// holder is told (<see cref="TakenOver"/>) and stays as a watcher. The holder's editor may be on another node:
    /// then the bus carries the request to save and the answer.
    /// </summary>
    public async Task TakeOverAsync(int articleId, string sessionId, string userId, string displayName)
    {
        if (Holder(articleId) is { } holder && holder.SessionId != sessionId)
        {
            var flush = FlushFor(holder.SessionId);
            try
            {
                if (flush is not null) await flush().WaitAsync(FlushTimeout, clock);
                else if (shared is not null) await shared.FlushElsewhereAsync(holder.SessionId);
            }
            catch (Exception)
            {
                // The holder's editor could not save in time (connection gone, circuit closed, node gone, a failure of
                // its own): whatever it was, the take-over goes ahead; the holder's text stays in their editor and browser.
            }
        }

        var entry = new PresenceEntry(articleId, sessionId, userId, displayName, Now);
        string? previous;
        if (shared is not null && await shared.TakeOverAsync(entry) is { } result)
        {
            Apply(articleId, result.State);
            previous = result.Previous;
        }
        else
        {
            previous = null;
            ChangeLocally(articleId, s =>
            {
                previous = s.Present.Count > 0 && s.Present[0].SessionId != sessionId ? s.Present[0].SessionId : null;
                return s with
                {
                    Present = [entry, .. s.Present.Where(p => p.SessionId != sessionId)],
                    LastTakeOver = previous is null ? s.LastTakeOver : new TakeOverMark(previous, sessionId, entry.Since),
                };
            });
        }
        if (previous is not null) TakenOver?.Invoke(previous, displayName);
        Changed?.Invoke(articleId);
    }

    /// <summary>
    /// Whether <paramref name="sessionId"/> may take the article over now: not within <see cref="TakeOverProtection"/>
    /// of losing it to the one who holds it now.
    /// </summary>
    public bool MayTakeOver(int articleId, string sessionId) => MayTakeOverFrom(articleId, sessionId) is null;

    /// <summary>When <paramref name="sessionId"/> may take the article back, or null when it may now.</summary>
    public DateTime? MayTakeOverFrom(int articleId, string sessionId)
    {
        var state = State(articleId);
        if (state.LastTakeOver is not { } last || last.FromSession != sessionId) return null;
        var holder = state.Present.Count > 0 ? state.Present[0].SessionId : null;
        var until = last.At + TakeOverProtection;
        return holder == last.BySession && Now < until ? until : null;
    }

    public PresenceEntry? Holder(int articleId) => State(articleId).Present is { Count: > 0 } present ? present[0] : null;

    public IReadOnlyList<PresenceEntry> Everyone(int articleId) => State(articleId).Present;

    /// <summary>Who is editing which article now, for the articles list.</summary>
    public IReadOnlyDictionary<int, string> Editors()
    {
        lock (gate)
        {
            return byArticle.Where(kv => kv.Value.Present.Count > 0).ToDictionary(kv => kv.Key, kv => kv.Value.Present[0].DisplayName);
        }
    }

    /// <summary>With several nodes: joins them (reads their presence, starts this node's heartbeat).</summary>
    public Task StartAsync(CancellationToken cancellationToken) => shared?.StartAsync() ?? Task.CompletedTask;

    /// <summary>With several nodes: leaves them, releasing what this node's editors held.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => shared?.StopAsync() ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (shared is not null) await shared.DisposeAsync();
    }

    // ----- the copy each node keeps, and what SharedPresence tells it -----

    internal PresenceState State(int articleId)
    {
        lock (gate) return byArticle.GetValueOrDefault(articleId) ?? PresenceState.Empty;
    }

    internal Func<Task>? FlushFor(string sessionId)
    {
        lock (gate) return flushes.GetValueOrDefault(sessionId);
    }

    /// <summary>Every article with someone present, as this node knows it.</summary>
    internal IReadOnlyList<PresenceState> All()
    {
        lock (gate) return byArticle.Values.Where(s => s.Present.Count > 0).ToList();
    }

    /// <summary>
    /// Takes <paramref name="state"/> as the article's presence unless a newer one is known already (states read
    /// from Redis concurrently can arrive out of order; Redis gives each change a higher version) — or in any case
    /// when <paramref name="fresh"/> (read again after Redis may have lost its data and started its versions anew).
    /// </summary>
    internal PresenceState Apply(int articleId, PresenceState state, bool fresh = false)
    {
        lock (gate)
        {
            if (!fresh && byArticle.TryGetValue(articleId, out var known) && known.Version > state.Version) return known;
            byArticle[articleId] = state;
            return state;
        }
    }

    /// <summary>A change made on another node (or by this node's sweep of a dead one): shown here at once.</summary>
    internal void Changes(int articleId, PresenceState state, string? lostSession, string? takenBy, bool fresh = false)
    {
        Apply(articleId, state, fresh);
        if (lostSession is not null) TakenOver?.Invoke(lostSession, takenBy ?? "Someone");
        Changed?.Invoke(articleId);
    }

    private PresenceState ChangeLocally(int articleId, Func<PresenceState, PresenceState> change)
    {
        lock (gate)
        {
            var next = change(byArticle.GetValueOrDefault(articleId) ?? PresenceState.Empty);
            // Alone, an empty article is forgotten; shared, it is kept with its version (see Apply).
            if (next.Present.Count == 0 && shared is null) byArticle.Remove(articleId);
            else byArticle[articleId] = next;
            return next;
        }
    }

    private static PresenceState Without(PresenceState state, string sessionId)
    {
        var rest = state.Present.Where(p => p.SessionId != sessionId).ToList();
        return state with { Present = rest, LastTakeOver = rest.Count == 0 ? null : state.LastTakeOver };
    }
}

/// <summary>
/// Releases an editor's soft locks when its connection stays down past a short grace, and for good when the
/// circuit closes (which can be minutes later: disconnected circuits are kept for a while).
/// </summary>
public sealed class PresenceCircuitHandler(ArticlePresence presence, TimeProvider clock) : CircuitHandler
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);

    private readonly HashSet<string> sessions = [];
    private CancellationTokenSource? pendingRelease;

    /// <summary>Editor sessions opened on this circuit.</summary>
    public void Track(string sessionId)
    {
        lock (sessions) sessions.Add(sessionId);
    }

    public void Untrack(string sessionId)
    {
        lock (sessions) sessions.Remove(sessionId);
    }

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var cts = new CancellationTokenSource();
        Interlocked.Exchange(ref pendingRelease, cts)?.Cancel();
        _ = ReleaseAfterGraceAsync(cts.Token);
        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref pendingRelease, null)?.Cancel();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref pendingRelease, null)?.Cancel();
        return ReleaseAllAsync();
    }

    private async Task ReleaseAfterGraceAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Grace, clock, ct);
        }
        catch (OperationCanceledException)
        {
            return; // The connection came back in time.
        }
        await ReleaseAllAsync();
    }

    private async Task ReleaseAllAsync()
    {
        string[] all;
        lock (sessions) all = [.. sessions];
        foreach (var session in all) await presence.LeaveSessionAsync(session);
    }
}
