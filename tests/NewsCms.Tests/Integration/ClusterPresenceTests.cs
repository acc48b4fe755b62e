using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Articles.Editing;
using NewsCms.Web.Features.Cluster;
using StackExchange.Redis;

namespace NewsCms.Tests.Integration;

/// <summary>Presence and soft locks between two nodes over a real Redis server.</summary>
public sealed class ClusterPresenceTests : IAsyncDisposable
{
    private const int ArticleId = 7;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly List<Node> nodes = [];
    private readonly LogCapture logs = new();
    private readonly ILoggerFactory loggers;

    public ClusterPresenceTests() => loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));

    /// <summary>One node's presence registry: its own Redis connection and bus, as a NewsCms process has.</summary>
    private sealed class Node(RedisConnection redis, ArticlePresence presence, LogCapture logs)
    {
        public RedisConnection Redis { get; } = redis;
        public ArticlePresence Presence { get; } = presence;
        public bool Dead { get; set; }

        /// <summary>Completes when <paramref name="condition"/> holds, checked now and after every change this node hears.</summary>
        public async Task WaitUntilAsync(Func<ArticlePresence, bool> condition)
        {
            var met = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void Check(int _) { if (condition(Presence)) met.TrySetResult(); }
            Presence.Changed += Check;
            try
            {
                Check(0);
                await met.Task.WaitAsync(Deadline);
            }
            catch (TimeoutException)
            {
                Assert.Fail("Not seen within " + Deadline + ". Presence logged:\n" + string.Join('\n', logs.Lines));
            }
            finally
            {
                Presence.Changed -= Check;
            }
        }
    }

    private async Task<Node> StartNodeAsync(string configuration, TimeSpan? grace = null)
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ClusterSetup.RedisSetting] = configuration }).Build();
        var redis = new RedisConnection(settings, NullLogger<RedisConnection>.Instance);
        await redis.ConnectAsync();
        var bus = new MessageBus(redis, NullLogger<MessageBus>.Instance);
        var presence = new ArticlePresence(TimeProvider.System, bus, redis,
            Options.Create(new PresenceOptions { NodeGrace = grace ?? TimeSpan.FromSeconds(15) }), loggers.CreateLogger<ArticlePresence>());
        await presence.StartAsync(CancellationToken.None);
        var node = new Node(redis, presence, logs);
        nodes.Add(node);
        return node;
    }

    [Fact]
    public async Task Two_editors_on_different_nodes_see_each_other_at_once_in_the_same_order()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        var a = await StartNodeAsync(configuration);
        var b = await StartNodeAsync(configuration);

        Assert.Equal("ann-tab", (await a.Presence.EnterAsync(ArticleId, "ann-tab", "ann", "Ann Writer")).SessionId);
        await b.WaitUntilAsync(p => p.Holder(ArticleId)?.DisplayName == "Ann Writer");
        Assert.Equal("Ann Writer", b.Presence.Editors()[ArticleId]);

        // Ben opens the article on B: Ann, who came first, holds it there too.
        Assert.Equal("ann-tab", (await b.Presence.EnterAsync(ArticleId, "ben-tab", "ben", "Ben Editor")).SessionId);
        await a.WaitUntilAsync(p => p.Everyone(ArticleId).Count == 2);
        Assert.Equal(["Ann Writer", "Ben Editor"], a.Presence.Everyone(ArticleId).Select(p => p.DisplayName));
        Assert.Equal(["Ann Writer", "Ben Editor"], b.Presence.Everyone(ArticleId).Select(p => p.DisplayName));

        // A third node started later finds both, in the same order.
        var c = await StartNodeAsync(configuration);
        Assert.Equal(["ann-tab", "ben-tab"], c.Presence.Everyone(ArticleId).Select(p => p.SessionId));

        // Ann leaves on A: Ben holds it on every node.
        await a.Presence.LeaveAsync(ArticleId, "ann-tab");
        await b.WaitUntilAsync(p => p.Holder(ArticleId)?.SessionId == "ben-tab" && p.Everyone(ArticleId).Count == 1);
        await c.WaitUntilAsync(p => p.Holder(ArticleId)?.SessionId == "ben-tab" && p.Everyone(ArticleId).Count == 1);
        await b.Presence.LeaveAsync(ArticleId, "ben-tab");
        await a.WaitUntilAsync(p => p.Holder(ArticleId) is null && p.Editors().Count == 0);
    }

    [Fact]
    public async Task Editors_entering_at_the_same_time_on_two_nodes_get_one_order_everywhere()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        var a = await StartNodeAsync(configuration);
        var b = await StartNodeAsync(configuration);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            (i % 2 == 0 ? a : b).Presence.EnterAsync(ArticleId, $"tab-{i}", $"user-{i}", $"Editor {i}")));

        await a.WaitUntilAsync(p => p.Everyone(ArticleId).Count == 10);
        await b.WaitUntilAsync(p => p.Everyone(ArticleId).Count == 10);
        Assert.Equal(a.Presence.Everyone(ArticleId).Select(p => p.SessionId), b.Presence.Everyone(ArticleId).Select(p => p.SessionId));
    }

    [Fact]
    public async Task A_take_over_from_node_B_saves_the_holders_text_on_node_A_first_and_turns_As_editor_read_only()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        var a = await StartNodeAsync(configuration);
        var b = await StartNodeAsync(configuration);

        // Ann's editor on A, wired as the editor page wires it.
        using var ann = new ArticleEditingSession((_, _, _, _, _) => throw new InvalidOperationException("no saves here"), TimeProvider.System,
            TimeSpan.FromSeconds(3), () => Task.FromResult(""), work => work());
        var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Presence.TakenOver += (session, by) =>
        {
            if (session != "ann-tab") return;
            ann.LoseTo(by);
            lost.TrySetResult(by);
        };
        string? holderWhileSaving = null;
        a.Presence.RegisterFlush("ann-tab", async () =>
        {
            await Task.Yield();
            holderWhileSaving = b.Presence.Holder(ArticleId)?.SessionId;
        });
        await a.Presence.EnterAsync(ArticleId, "ann-tab", "ann", "Ann Writer");
        await b.Presence.EnterAsync(ArticleId, "ben-tab", "ben", "Ben Editor");
        await a.WaitUntilAsync(p => p.Everyone(ArticleId).Count == 2);

        await b.Presence.TakeOverAsync(ArticleId, "ben-tab", "ben", "Ben Editor");

        // Ann's pending text was saved on A while she still held the article (B waited for A's answer).
        Assert.Equal("ann-tab", holderWhileSaving);
        Assert.Equal("ben-tab", b.Presence.Holder(ArticleId)!.SessionId);
        Assert.Equal("Ben Editor", await lost.Task.WaitAsync(Deadline));
        await a.WaitUntilAsync(p => p.Holder(ArticleId)?.SessionId == "ben-tab");
        ann.ApplyPresence(a.Presence.Holder(ArticleId), a.Presence.Everyone(ArticleId), "ann-tab", canTakeOver: true,
            a.Presence.MayTakeOverFrom(ArticleId, "ann-tab"), t => t, out var view);
        Assert.True(ann.ReadOnly);
        Assert.Contains("Ben Editor took over this article", view.Message);
        // The protection against taking it straight back holds on A too.
        Assert.False(a.Presence.MayTakeOver(ArticleId, "ann-tab"));
        Assert.False(view.ShowTakeOver);
    }

    [Fact]
    public async Task A_take_over_goes_ahead_after_the_flush_timeout_when_the_holders_node_never_answers()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        var a = await StartNodeAsync(configuration);
        var b = await StartNodeAsync(configuration);
        a.Presence.RegisterFlush("ann-tab", () => new TaskCompletionSource().Task);
        await a.Presence.EnterAsync(ArticleId, "ann-tab", "ann", "Ann Writer");
        await b.WaitUntilAsync(p => p.Holder(ArticleId) is not null);

        await b.Presence.TakeOverAsync(ArticleId, "ben-tab", "ben", "Ben Editor").WaitAsync(ArticlePresence.FlushTimeout + Deadline);
        Assert.Equal("ben-tab", b.Presence.Holder(ArticleId)!.SessionId);
    }

    [Fact]
    public async Task A_dead_nodes_hold_is_released_by_the_others_within_the_grace()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        var grace = TimeSpan.FromSeconds(1);
        var a = await StartNodeAsync(configuration, grace);
        var b = await StartNodeAsync(configuration, grace);
        await a.Presence.EnterAsync(ArticleId, "ann-tab", "ann", "Ann Writer");
        await b.Presence.EnterAsync(ArticleId, "ben-tab", "ben", "Ben Editor");
        Assert.Equal("ann-tab", b.Presence.Holder(ArticleId)!.SessionId);

        // Node A dies: no leave, no more heartbeats.
        a.Dead = true;
        await a.Presence.DisposeAsync();
        await a.Redis.DisposeAsync();

        var started = DateTime.UtcNow;
        await b.WaitUntilAsync(p => p.Holder(ArticleId)?.SessionId == "ben-tab" && p.Everyone(ArticleId).Count == 1);
        // Within the grace and one heartbeat period, with room for a busy machine.
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, grace * 5);
    }

    [Fact]
    public async Task A_node_puts_its_editors_back_when_Redis_lost_them()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        var a = await StartNodeAsync(configuration, TimeSpan.FromSeconds(1));
        await a.Presence.EnterAsync(ArticleId, "ann-tab", "ann", "Ann Writer");
        var key = a.Redis.Key("presence", "article", ArticleId.ToString());
        var db = a.Redis.Connection!.GetDatabase();
        Assert.True(await db.HashExistsAsync(key, "s:ann-tab"));

        // Redis restarted empty (or took the node for dead): every presence key is gone, this node's heartbeat too.
        var server = a.Redis.Connection.GetServers()[0];
        var stored = new List<RedisKey>();
        await foreach (var found in server.KeysAsync(pattern: a.Redis.Key("presence", "*").ToString())) stored.Add(found);
        await db.KeyDeleteAsync([.. stored]); // all at once, as a restart loses them

        // At its next heartbeat the node finds it lapsed and enters its editor again.
        var deadline = DateTime.UtcNow + Deadline;
        while (!await db.HashExistsAsync(key, "s:ann-tab"))
        {
            Assert.True(DateTime.UtcNow < deadline, "The editor was not put back in Redis");
            await Task.Delay(50);
        }
        Assert.Equal("ann-tab", a.Presence.Holder(ArticleId)!.SessionId);
    }

    [Fact]
    public async Task A_node_stopping_gracefully_releases_its_editors_at_once()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        var a = await StartNodeAsync(configuration);
        var b = await StartNodeAsync(configuration);
        await a.Presence.EnterAsync(ArticleId, "ann-tab", "ann", "Ann Writer");
        await b.WaitUntilAsync(p => p.Holder(ArticleId) is not null);

        await a.Presence.StopAsync(CancellationToken.None);

        // Well before the 15 s grace.
        await b.WaitUntilAsync(p => p.Holder(ArticleId) is null);
    }

    [Fact]
    public async Task When_Redis_cannot_be_reached_a_nodes_editors_still_see_each_other()
    {
        var configuration = ConfigurationOptions.Parse(await TestRedis.NewConfigurationAsync());
        await using var relay = new TcpRelay(configuration.EndPoints[0]);
        configuration.EndPoints.Clear();
        configuration.EndPoints.Add(IPAddress.Loopback, relay.Port);
        configuration.AsyncTimeout = 1000;
        var a = await StartNodeAsync(configuration.ToString());
        await a.Presence.EnterAsync(ArticleId, "ann-tab", "ann", "Ann Writer");

        await relay.CutAsync();

        Assert.Equal("ann-tab", (await a.Presence.EnterAsync(ArticleId, "ben-tab", "ben", "Ben Editor").WaitAsync(Deadline)).SessionId);
        Assert.Equal(["ann-tab", "ben-tab"], a.Presence.Everyone(ArticleId).Select(p => p.SessionId));
        await a.Presence.TakeOverAsync(ArticleId, "ben-tab", "ben", "Ben Editor").WaitAsync(Deadline);
        Assert.Equal("ben-tab", a.Presence.Holder(ArticleId)!.SessionId);
        await a.Presence.LeaveAsync(ArticleId, "ben-tab").WaitAsync(Deadline);
        Assert.Equal("ann-tab", a.Presence.Holder(ArticleId)!.SessionId);
        Assert.Single(logs.Lines, line => line.Contains("Presence cannot reach Redis"));
    }

    [Fact]
    public async Task Two_apps_sharing_a_Redis_configuration_share_presence()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        var settings = new Dictionary<string, string?> { [ClusterSetup.RedisSetting] = configuration, ["NewsCms:Presence:NodeGrace"] = "00:00:02" };
        await using var appA = await NewsCmsAppFactory.CreateAsync(settings);
        await using var appB = await NewsCmsAppFactory.CreateAsync(settings);
        var a = appA.Services.GetRequiredService<ArticlePresence>();
        var b = appB.Services.GetRequiredService<ArticlePresence>();

        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Changed += id => { if (b.Holder(id)?.SessionId == "ann-tab") seen.TrySetResult(); };
        await a.EnterAsync(ArticleId, "ann-tab", "ann", "Ann Writer");
        await seen.Task.WaitAsync(Deadline);
        Assert.Equal("Ann Writer", b.Editors()[ArticleId]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes.Where(n => !n.Dead))
        {
            await node.Presence.StopAsync(CancellationToken.None); // leaves nothing behind in the shared Redis
            await node.Presence.DisposeAsync();
            await node.Redis.DisposeAsync();
        }
        loggers.Dispose();
    }
}
