using Microsoft.AspNetCore.Components.Server.Circuits;

namespace NewsCms.Web.Features.Articles;

/// <summary>Someone with an article open in the editor.</summary>
public sealed record PresenceEntry(int ArticleId, string SessionId, string UserId, string DisplayName, DateTime Since);

/// <summary>
/// Who has which article open, in memory (presence is not data worth a database row). The first to open an article
/// holds its soft lock; later ones watch read-only until it is free or they take it over. Changes are pushed to
/// subscribers through <see cref="Changed"/>: nobody polls.
/// </summary>
public sealed class ArticlePresence(TimeProvider clock)
{
    /// <summary>How long a take-over holds against the editor it was taken from: they cannot simply take it straight back.</summary>
    public static readonly TimeSpan TakeOverProtection = TimeSpan.FromMinutes(2);

    /// <summary>How long a take-over waits for the previous holder's editor to save its pending text.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock gate = new();
    // Per session: how to save its pending text before it loses the article (registered by the editor holding it).
    private readonly Dictionary<string, Func<Task>> flushes = [];
    // Per article: the last take-over (who lost it, when), for the protection above.
    private readonly Dictionary<int, (string FromSession, string BySession, DateTime At)> takeOvers = [];
    // Per article: everyone present, in arrival order; the first is the holder.
    private readonly Dictionary<int, List<PresenceEntry>> byArticle = [];

    /// <summary>The article whose presence changed.</summary>
    public event Action<int>? Changed;

    /// <summary>A session lost the lock to a take-over: (session, who took it).</summary>
    public event Action<string, string>? TakenOver;

    /// <summary>Joins an article; returns the holder (which is this session when nobody else was editing).</summary>
    public PresenceEntry Enter(int articleId, string sessionId, string userId, string displayName)
    {
        PresenceEntry holder;
        lock (gate)
        {
            var present = Present(articleId);
            if (present.All(p => p.SessionId != sessionId))
            {
                present.Add(new PresenceEntry(articleId, sessionId, userId, displayName, clock.GetUtcNow().UtcDateTime));
            }
            holder = present[0];
        }
        Changed?.Invoke(articleId);
        return holder;
    }

    public void Leave(int articleId, string sessionId)
    {
        bool removed;
        lock (gate)
        {
            removed = byArticle.TryGetValue(articleId, out var present) && present.RemoveAll(p => p.SessionId == sessionId) > 0;
            if (present is { Count: 0 })
            {
                byArticle.Remove(articleId);
                takeOvers.Remove(articleId);
            }
        }
        if (removed) Changed?.Invoke(articleId);
    }

    /// <summary>Releases everything a session holds (its circuit closed or its connection stayed down).</summary>
    public void LeaveSession(string sessionId)
    {
        List<int> articles;
        lock (gate)
        {
            articles = byArticle.Where(kv => kv.Value.Any(p => p.SessionId == sessionId)).Select(kv => kv.Key).ToList();
        }
        foreach (var articleId in articles) Leave(articleId, sessionId);
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
    /// restore goes through the conflict dialog), then <paramref name="sessionId"/> becomes the holder.
    /// </summary>
    public async Task TakeOverAsync(int articleId, string sessionId, string userId, string displayName)
    {
        Func<Task>? flush = null;
        lock (gate)
        {
            if (byArticle.TryGetValue(articleId, out var present) && present.Count > 0 && present[0].SessionId != sessionId)
            {
                flushes.TryGetValue(present[0].SessionId, out flush);
            }
        }
        if (flush is not null)
        {
            try
            {
                await flush().WaitAsync(FlushTimeout, clock);
            }
            catch (Exception)
            {
                // The holder's editor could not save in time (connection gone, circuit closed, a failure of its own):
                // whatever it was, the take-over goes ahead; the holder's text stays in their editor and browser.
            }
        }
        TakeOver(articleId, sessionId, userId, displayName);
    }

    /// <summary>
    /// Whether <paramref name="sessionId"/> may take the article over now: not within <see cref="TakeOverProtection"/>
    /// of losing it to the one who holds it now.
    /// </summary>
    public bool MayTakeOver(int articleId, string sessionId) => MayTakeOverFrom(articleId, sessionId) is null;

    /// <summary>When <paramref name="sessionId"/> may take the article back, or null when it may now.</summary>
    public DateTime? MayTakeOverFrom(int articleId, string sessionId)
    {
        lock (gate)
        {
            if (!takeOvers.TryGetValue(articleId, out var last) || last.FromSession != sessionId) return null;
            var holder = byArticle.TryGetValue(articleId, out var present) && present.Count > 0 ? present[0].SessionId : null;
            var until = last.At + TakeOverProtection;
            return holder == last.BySession && clock.GetUtcNow().UtcDateTime < until ? until : null;
        }
    }

    /// <summary>Makes <paramref name="sessionId"/> the holder; the previous holder is told and stays as a watcher.</summary>
    public void TakeOver(int articleId, string sessionId, string userId, string displayName)
    {
        PresenceEntry? previous;
        lock (gate)
        {
            var present = Present(articleId);
            previous = present.Count > 0 && present[0].SessionId != sessionId ? present[0] : null;
            present.RemoveAll(p => p.SessionId == sessionId);
            var now = clock.GetUtcNow().UtcDateTime;
            present.Insert(0, new PresenceEntry(articleId, sessionId, userId, displayName, now));
            if (previous is not null) takeOvers[articleId] = (previous.SessionId, sessionId, now);
        }
        if (previous is not null) TakenOver?.Invoke(previous.SessionId, displayName);
        Changed?.Invoke(articleId);
    }

    public PresenceEntry? Holder(int articleId)
    {
        lock (gate)
        {
            return byArticle.TryGetValue(articleId, out var present) && present.Count > 0 ? present[0] : null;
        }
    }

    public IReadOnlyList<PresenceEntry> Everyone(int articleId)
    {
        lock (gate)
        {
            return byArticle.TryGetValue(articleId, out var present) ? present.ToList() : [];
        }
    }

    /// <summary>Who is editing which article now, for the articles list.</summary>
    public IReadOnlyDictionary<int, string> Editors()
    {
        lock (gate)
        {
            return byArticle.Where(kv => kv.Value.Count > 0).ToDictionary(kv => kv.Key, kv => kv.Value[0].DisplayName);
        }
    }

    private List<PresenceEntry> Present(int articleId)
    {
        if (!byArticle.TryGetValue(articleId, out var present))
        {
            present = [];
            byArticle[articleId] = present;
        }
        return present;
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
        ReleaseAll();
        return Task.CompletedTask;
    }

    private async Task ReleaseAfterGraceAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Grace, clock, ct);
            ReleaseAll();
        }
        catch (OperationCanceledException)
        {
            // The connection came back in time.
        }
    }

    private void ReleaseAll()
    {
        string[] all;
        lock (sessions) all = [.. sessions];
        foreach (var session in all) presence.LeaveSession(session);
    }
}
