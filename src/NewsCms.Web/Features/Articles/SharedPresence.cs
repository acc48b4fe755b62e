using System.Collections.Concurrent;
using System.Globalization;
using NewsCms.Web.Features.Cluster;
using StackExchange.Redis;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// Presence across nodes. Redis is the one source of truth: per article a hash of everyone present, each with an
/// order number from one counter (entering takes the next number, taking over the next number negated, so the
/// smallest is the holder, the same on every node), changed only by Lua scripts (atomic). Every change is announced
/// on the bus; the other nodes read the article again and tell their editors at once. Each node renews a heartbeat
/// key that expires after the grace: entries of a node whose key is gone (it died without leaving) are released by
/// the others. A take-over asks the holder's node, over the bus, to save the holder's pending text first, and waits
/// for its answer.
/// </summary>
internal sealed class SharedPresence(ArticlePresence presence, MessageBus bus, RedisConnection redis, TimeSpan grace, TimeProvider clock, ILogger logger) : IAsyncDisposable
{
    private const string Channel = "presence";

    // KEYS: the article's hash, the set of articles someone is on, the counter. Hash fields:
    // "s:<session>" = "<order>|<node>|<user id>|<since ticks>|<display name>", "v" = version, "t" = last take-over.
    // The counter starts from Redis's clock (in milliseconds), so that versions and orders keep growing after Redis lost
    // its data; for the same reason it may expire (a day after it started) rather than stay for good.
    private const string Counter = """
        if redis.call('EXISTS', KEYS[3]) == 0 then
          local time = redis.call('TIME')
          redis.call('SET', KEYS[3], tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000), 'EX', 86400)
        end
        """;

    private const string ReadState = """
        local all = redis.call('HGETALL', KEYS[1])
        if #all == 0 then return {'v', redis.call('GET', KEYS[3])} end
        return all
        """;

    private const string ReadScript = Counter + "\n" + ReadState;

    private const string EnterScript = Counter + "\n" + """
        if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then
          local v = redis.call('INCR', KEYS[3])
          redis.call('HSET', KEYS[1], ARGV[2], v .. '|' .. ARGV[3], 'v', v)
          redis.call('SADD', KEYS[2], ARGV[1])
        end
        """ + "\n" + ReadState;

    private const string LeaveScript = Counter + "\n" + """
        if redis.call('HDEL', KEYS[1], ARGV[2]) == 1 then
          local v = redis.call('INCR', KEYS[3])
          local someone = false
          for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
            if string.sub(field, 1, 2) == 's:' then someone = true end
          end
          if someone then
            redis.call('HSET', KEYS[1], 'v', v)
          else
            redis.call('DEL', KEYS[1])
            redis.call('SREM', KEYS[2], ARGV[1])
          end
        end
        """ + "\n" + ReadState;

    // Returns the previous holder's session ('' when none or the taker itself) followed by the state.
    private const string TakeOverScript = Counter + "\n" + """
        local holder, best = '', nil
        local all = redis.call('HGETALL', KEYS[1])
        for i = 1, #all, 2 do
          if string.sub(all[i], 1, 2) == 's:' then
            local order = tonumber(string.match(all[i + 1], '^(-?%d+)|'))
            if best == nil or order < best then best = order; holder = string.sub(all[i], 3) end
          end
        end
        local v = redis.call('INCR', KEYS[3])
        redis.call('HSET', KEYS[1], ARGV[2], (-v) .. '|' .. ARGV[3], 'v', v)
        redis.call('SADD', KEYS[2], ARGV[1])
        if holder == ARGV[4] then holder = '' end
        if holder ~= '' then redis.call('HSET', KEYS[1], 't', holder .. '|' .. ARGV[4] .. '|' .. ARGV[5]) end
        local result = redis.call('HGETALL', KEYS[1])
        table.insert(result, 1, holder)
        return result
        """;

    // Renews this node's heartbeat; says whether it was still there (it is not when the others took this node for dead).
    private const string HeartbeatScript = """
        local alive = redis.call('EXISTS', KEYS[1])
        redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
        return alive
        """;

    private readonly CancellationTokenSource stopping = new();
    // What this node's editors entered, so that they can be put back when Redis lost them (restart, or taken for dead).
    private readonly ConcurrentDictionary<(int ArticleId, string SessionId), PresenceEntry> own = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> pendingFlushes = new();
    private Task? beating;
    private bool beaten;
    private int disposed;
    private int failing;

    private IDatabase Db => redis.Connection!.GetDatabase();
    private RedisKey ArticleKey(int articleId) => redis.Key("presence", "article", articleId.ToString(CultureInfo.InvariantCulture));
    private RedisKey ArticlesKey => redis.Key("presence", "articles");
    private RedisKey CounterKey => redis.Key("presence", "seq");
    private RedisKey NodeKey(string node) => redis.Key("presence", "node", node);
    private RedisKey[] Keys(int articleId) => [ArticleKey(articleId), ArticlesKey, CounterKey];

    public async Task StartAsync()
    {
        bus.Subscribe(Channel, OnMessageAsync);
        redis.Restored += () => _ = RejoinAsync();
        await HeartbeatAsync();
        await LoadAllAsync();
        beating = BeatAsync(stopping.Token);
    }

    // ----- changes made here -----

    public Task<PresenceState?> EnterAsync(PresenceEntry entry)
    {
        own[(entry.ArticleId, entry.SessionId)] = entry;
        return ChangeAsync(entry.ArticleId, EnterScript, [Field(entry.SessionId), EntryText(entry)]);
    }

    public Task<PresenceState?> LeaveAsync(int articleId, string sessionId)
    {
        own.TryRemove((articleId, sessionId), out _);
        return ChangeAsync(articleId, LeaveScript, [Field(sessionId)]);
    }

    public async Task<(PresenceState State, string? Previous)?> TakeOverAsync(PresenceEntry entry)
    {
        own[(entry.ArticleId, entry.SessionId)] = entry;
        if (await RunAsync(TakeOverScript, entry.ArticleId, [Field(entry.SessionId), EntryText(entry), entry.SessionId, entry.Since.Ticks]) is not { } result)
        {
            return null;
        }
        var previous = (string?)result[0] is { Length: > 0 } lost ? lost : null;
        var state = Parse(entry.ArticleId, result.Skip(1));
        await AnnounceAsync(entry.ArticleId, previous, entry.DisplayName);
        return (state, previous);
    }

    /// <summary>
    /// Asks the node whose editor holds <paramref name="sessionId"/> to save its pending text; completes when it has,
    /// throws <see cref="TimeoutException"/> when no answer comes within <see cref="ArticlePresence.FlushTimeout"/>.
    /// </summary>
    public async Task FlushElsewhereAsync(string sessionId)
    {
        var request = Guid.NewGuid().ToString("N");
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pendingFlushes[request] = answered;
        try
        {
            // Cut off from the other nodes, there is nobody to ask: the take-over goes ahead at once.
            if (redis.Connection is not { IsConnected: true }) return;
            await Task.WhenAll(bus.PublishAsync(Channel, $"flush|{request}|{sessionId}"), answered.Task).WaitAsync(ArticlePresence.FlushTimeout, clock);
        }
        finally
        {
            pendingFlushes.TryRemove(request, out _);
        }
    }

    private async Task<PresenceState?> ChangeAsync(int articleId, string script, RedisValue[] values)
    {
        if (await RunAsync(script, articleId, values) is not { } result) return null;
        var state = Parse(articleId, result);
        await AnnounceAsync(articleId, null, null);
        return state;
    }

    /// <summary>
    /// Runs a change on an article's keys. Null when Redis cannot be reached: the caller then keeps the change on this
    /// node only (said once per outage), and this node's editors are put back in Redis when it is back (see RejoinAsync).
    /// </summary>
    private async Task<RedisResult[]?> RunAsync(string script, int articleId, RedisValue[] values)
    {
        try
        {
            // While the connection is known to be down, each command would wait for its timeout: go on alone at once.
            if (redis.Connection is { IsConnected: true } connection)
            {
                var result = (RedisResult[])(await connection.GetDatabase().ScriptEvaluateAsync(script, Keys(articleId), [articleId, .. values]))!;
                Interlocked.Exchange(ref failing, 0);
                return result;
            }
            Failing(null);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            Failing(ex);
        }
        return null;
    }

    private void Failing(Exception? ex)
    {
        if (Interlocked.Exchange(ref failing, 1) == 0)
        {
            logger.LogError(ex, "Presence cannot reach Redis; this node's editors see only each other until it is back.");
        }
    }

    private Task AnnounceAsync(int articleId, string? lostSession, string? takenBy) =>
        bus.PublishAsync(Channel, lostSession is null ? $"changed|{articleId}" : $"changed|{articleId}|{lostSession}|{takenBy}");

    // ----- what the other nodes say -----

    private async Task OnMessageAsync(BusMessage message)
    {
        var parts = message.Payload.Split('|', 4);
        switch (parts[0])
        {
            case "changed" when !message.FromThisNode && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var articleId):
                var state = await ReadAsync(articleId);
                presence.Changes(articleId, state, parts.Length > 2 ? parts[2] : null, parts.Length > 3 ? parts[3] : null);
                break;
            case "flush" when parts.Length == 3 && presence.FlushFor(parts[2]) is { } flush:
                // Not awaited here: saving can take a moment, and the bus keeps this channel's messages in order.
                _ = FlushAndAnswerAsync(parts[1], flush);
                break;
            case "flushed" when pendingFlushes.TryGetValue(parts[1], out var answered):
                answered.TrySetResult();
                break;
        }
    }

    private async Task FlushAndAnswerAsync(string request, Func<Task> flush)
    {
        try
        {
            await flush().WaitAsync(ArticlePresence.FlushTimeout, clock);
        }
        catch (Exception ex)
        {
            logger.LogInformation(ex, "An editor taken over from another node could not save its pending text first.");
        }
        await bus.PublishAsync(Channel, $"flushed|{request}");
    }

    // ----- keeping the copy right: start-up, heartbeats, dead nodes, lost connections -----

    private async Task BeatAsync(CancellationToken ct)
    {
        // The real clock, not the site's: a test's fake clock must not stop a node's heartbeat.
        using var timer = new PeriodicTimer(grace / 3, TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await HeartbeatAsync();
                    await ReleaseDeadNodesAsync();
                }
                catch (Exception ex) when (IsOutage(ex))
                {
                    logger.LogWarning(ex, "Presence could not renew this node's heartbeat in Redis.");
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Anything else must not end the heartbeat: without it the other nodes release this node's editors.
                    logger.LogError(ex, "A presence heartbeat round failed; trying again at the next one.");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task HeartbeatAsync()
    {
        var alive = (long)await Db.ScriptEvaluateAsync(HeartbeatScript, [NodeKey(bus.NodeId)], [(long)grace.TotalMilliseconds]);
        if (alive == 0 && beaten)
        {
            logger.LogWarning("This node's presence heartbeat had lapsed (the other nodes may have released its editors); putting them back.");
            await RejoinAsync();
        }
        beaten = true;
    }

    /// <summary>Releases the entries of nodes whose heartbeat has expired: they died without leaving.</summary>
    private async Task ReleaseDeadNodesAsync()
    {
        var byNode = presence.All()
            .SelectMany(s => s.Present.Select(p => (p.ArticleId, p.SessionId, Node: s.Nodes.GetValueOrDefault(p.SessionId) ?? "")))
            // Entries without a node were kept here only while Redis was out of reach: this node's own.
            .Where(e => e.Node != bus.NodeId && e.Node != "")
            .GroupBy(e => e.Node);
        foreach (var node in byNode)
        {
            if (await Db.KeyExistsAsync(NodeKey(node.Key))) continue;
            logger.LogWarning("Node {Node} stopped answering; releasing its {Count} editor session(s).", node.Key, node.Count());
            foreach (var (articleId, sessionId, _) in node)
            {
                var state = Parse(articleId, (RedisResult[])(await Db.ScriptEvaluateAsync(LeaveScript, Keys(articleId), [articleId, Field(sessionId)]))!);
                presence.Changes(articleId, state, null, null);
                await AnnounceAsync(articleId, null, null);
            }
        }
    }

    /// <summary>
    /// Reads every article someone is on, and those this node thinks someone is on (they may have left meanwhile);
    /// <paramref name="fresh"/>: what is read replaces what this node knew, whatever its version.
    /// </summary>
    private async Task LoadAllAsync(bool fresh = false)
    {
        var articles = presence.All().Select(s => s.Present[0].ArticleId).ToHashSet();
        foreach (var member in await Db.SetMembersAsync(ArticlesKey))
        {
            if (int.TryParse(member.ToString(), CultureInfo.InvariantCulture, out var articleId)) articles.Add(articleId);
        }
        foreach (var articleId in articles) presence.Changes(articleId, await ReadAsync(articleId), null, null, fresh);
    }

    /// <summary>
    /// After Redis was out of reach (changes announced meanwhile were not heard) or this node was taken for dead:
    /// reads everything again, takes out what this node's editors left meanwhile, and puts back those Redis no longer has.
    /// </summary>
    private async Task RejoinAsync()
    {
        try
        {
            await LoadAllAsync(fresh: true);
            var left = presence.All().SelectMany(s => s.Present.Where(p => s.Nodes.GetValueOrDefault(p.SessionId) == bus.NodeId))
                .Where(p => !own.ContainsKey((p.ArticleId, p.SessionId))).ToList();
            foreach (var entry in left)
            {
                var state = Parse(entry.ArticleId, (RedisResult[])(await Db.ScriptEvaluateAsync(LeaveScript, Keys(entry.ArticleId),
                    [entry.ArticleId, Field(entry.SessionId)]))!);
                presence.Changes(entry.ArticleId, state, null, null);
                await AnnounceAsync(entry.ArticleId, null, null);
            }
            foreach (var ((articleId, sessionId), entry) in own)
            {
                presence.Changes(articleId, await ReadAsync(articleId), null, null, fresh: true);
                if (presence.State(articleId).Present.Any(p => p.SessionId == sessionId)) continue;
                var state = Parse(articleId, (RedisResult[])(await Db.ScriptEvaluateAsync(EnterScript, Keys(articleId),
                    [articleId, Field(sessionId), EntryText(entry)]))!);
                presence.Changes(articleId, state, null, null);
                await AnnounceAsync(articleId, null, null);
            }
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            logger.LogWarning(ex, "Presence could not read the other nodes' editors from Redis.");
        }
    }

    private async Task<PresenceState> ReadAsync(int articleId) =>
        Parse(articleId, (RedisResult[])(await Db.ScriptEvaluateAsync(ReadScript, Keys(articleId)))!);

    /// <summary>Leaving gracefully: this node's editors are released at once rather than after the grace.</summary>
    public async Task StopAsync()
    {
        // A host that is disposed without being stopped first (some test hosts) has already let go of everything.
        if (Volatile.Read(ref disposed) == 1) return;
        try
        {
            await stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        if (beating is not null) await beating;
        try
        {
            foreach (var (articleId, sessionId) in own.Keys)
            {
                await presence.LeaveAsync(articleId, sessionId);
            }
            await Db.KeyDeleteAsync(NodeKey(bus.NodeId));
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            logger.LogWarning(ex, "Presence could not tell Redis this node is leaving; the others release its editors after the grace.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes this twice: as the registry and as the hosted service.
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        await stopping.CancelAsync();
        if (beating is not null) await beating;
        stopping.Dispose();
    }

    // ----- the format in Redis -----

    private static string Field(string sessionId) => "s:" + sessionId;

    private string EntryText(PresenceEntry entry) =>
        string.Join('|', bus.NodeId, entry.UserId, entry.Since.Ticks.ToString(CultureInfo.InvariantCulture), entry.DisplayName);

    /// <summary>An article's hash (field, value, field, value…) as its presence, holder first.</summary>
    private static PresenceState Parse(int articleId, IEnumerable<RedisResult> flat)
    {
        var items = flat.Select(r => (string?)r ?? "").ToList();
        long version = 0;
        TakeOverMark? takeOver = null;
        var present = new List<(long Order, PresenceEntry Entry)>();
        var nodes = new Dictionary<string, string>();
        for (var i = 0; i + 1 < items.Count; i += 2)
        {
            var (field, value) = (items[i], items[i + 1]);
            if (field == "v")
            {
                version = long.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (field == "t" && value.Split('|') is [var from, var by, var at])
            {
                takeOver = new TakeOverMark(from, by, new DateTime(long.Parse(at, CultureInfo.InvariantCulture), DateTimeKind.Utc));
            }
            else if (field.StartsWith("s:", StringComparison.Ordinal) && value.Split('|', 5) is [var order, var node, var user, var since, var name])
            {
                var sessionId = field[2..];
                nodes[sessionId] = node;
                present.Add((long.Parse(order, CultureInfo.InvariantCulture),
                    new PresenceEntry(articleId, sessionId, user, name, new DateTime(long.Parse(since, CultureInfo.InvariantCulture), DateTimeKind.Utc))));
            }
        }
        return new PresenceState(version, present.OrderBy(p => p.Order).Select(p => p.Entry).ToList(), present.Count == 0 ? null : takeOver, nodes);
    }

    private static bool IsOutage(Exception ex) => ex is RedisException or RedisTimeoutException or ObjectDisposedException;
}
