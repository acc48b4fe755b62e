using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Users;
using StackExchange.Redis;

namespace NewsCms.Tests.Integration;

/// <summary>Sign-in limits counted in a real Redis server, shared by the nodes of a site.</summary>
public sealed class ClusterSignInLimitTests : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> disposables = [];
    private readonly LogCapture logs = new();
    private readonly ILoggerFactory loggers;

    public ClusterSignInLimitTests() => loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));

    private static readonly SignInThrottleOptions Limits = new()
    {
        AttemptsPerAddress = 3, AttemptsPerAccount = 4, ResetRequestsPerAddress = 2, ResetRequestsPerAccount = 2,
        AccountPostsPerAddress = 3, Window = TimeSpan.FromMinutes(5),
    };

    private async Task<SignInThrottle> NodeAsync(string configuration)
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ClusterSetup.RedisSetting] = configuration }).Build();
        var redis = new RedisConnection(settings, NullLogger<RedisConnection>.Instance);
        await redis.ConnectAsync();
        disposables.Add(redis);
        return new SignInThrottle(Options.Create(Limits), redis, loggers.CreateLogger<SignInThrottle>());
    }

    [Fact]
    public async Task Two_nodes_together_allow_what_one_node_allows_per_address_and_per_account()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        using var a = await NodeAsync(configuration);
        using var b = await NodeAsync(configuration);

        // Per address: three attempts in all, whichever node takes them.
        Assert.Null(await a.AttemptAsync("192.0.2.7", null));
        Assert.Null(await b.AttemptAsync("192.0.2.7", null));
        Assert.Null(await a.AttemptAsync("::ffff:192.0.2.7", null));
        var refused = await b.AttemptAsync("192.0.2.7", null);
        Assert.NotNull(refused);
        Assert.Equal("address 192.0.2.7", refused.Partition);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromMilliseconds(1), Limits.Window);
        Assert.NotNull(await a.AttemptAsync("192.0.2.7", null));
        Assert.Null(await a.AttemptAsync("192.0.2.8", null));

        // Per account, from addresses all over: four attempts in all, however the account is written.
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(await (i % 2 == 0 ? a : b).AttemptAsync($"198.51.100.{i}", i == 3 ? " Ann@Example.test " : "ann@example.test"));
        }
        Assert.Equal("account ann@example.test", (await b.AttemptAsync("198.51.100.9", "ann@example.test"))?.Partition);
        Assert.NotNull(await a.AttemptAsync("198.51.100.10", "ANN@example.test"));

        // Reset requests and /Account posts are counted across nodes the same way.
        Assert.Null(await a.ResetRequestAsync("203.0.113.1", "ben@example.test"));
        Assert.Null(await b.ResetRequestAsync("203.0.113.2", "ben@example.test"));
        Assert.NotNull(await a.ResetRequestAsync("203.0.113.3", "ben@example.test"));
        for (var i = 0; i < 3; i++) Assert.Null(await (i % 2 == 0 ? b : a).AccountPostAsync("2001:db8::1"));
        Assert.NotNull(await a.AccountPostAsync("2001:db8::2")); // the same /64
    }

    [Fact]
    public async Task Two_apps_sharing_Redis_refuse_the_attempt_past_the_limit_on_either_node()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        var settings = new Dictionary<string, string?> { [ClusterSetup.RedisSetting] = configuration, ["NewsCms:SignIn:AttemptsPerAccount"] = "2" };
        await using var appA = await NewsCmsAppFactory.CreateAsync(settings);
        await using var appB = await NewsCmsAppFactory.CreateAsync(settings);
        using var clientA = appA.CreateBrowserlikeClient();
        using var clientB = appB.CreateBrowserlikeClient();
        const string ghost = "ghost@newsroom.test";

        Assert.Equal(HttpStatusCode.OK, (await FormPost.SignInAsync(clientA, ghost, "wrong-password")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await FormPost.SignInAsync(clientB, ghost, "wrong-password")).StatusCode);
        var refused = await FormPost.SignInAsync(clientA, ghost, "wrong-password");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await FormPost.SignInAsync(clientB, ghost, "wrong-password")).StatusCode);
    }

    [Fact]
    public async Task When_Redis_stops_answering_each_node_keeps_counting_on_its_own_and_says_so()
    {
        var configuration = ConfigurationOptions.Parse(await TestRedis.NewConfigurationAsync());
        var relay = new TcpRelay(configuration.EndPoints[0]);
        disposables.Add(relay);
        configuration.EndPoints.Clear();
        configuration.EndPoints.Add(IPAddress.Loopback, relay.Port);
        configuration.AsyncTimeout = 1000;
        using var a = await NodeAsync(configuration.ToString());
        Assert.Null(await a.AttemptAsync("192.0.2.7", null)); // counted in Redis

        relay.Freeze(); // Redis stops answering: the next attempts time out in the middle of the request.

        // Neither unlimited nor impossible: the node's own count allows the limit, then refuses.
        for (var i = 0; i < Limits.AttemptsPerAddress; i++) Assert.Null(await a.AttemptAsync("192.0.2.7", null));
        Assert.NotNull(await a.AttemptAsync("192.0.2.7", null));
        Assert.Single(logs.Lines, line => line.Contains("Sign-in limits cannot reach Redis; this node counts on its own"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in disposables) await disposable.DisposeAsync();
        loggers.Dispose();
    }
}
