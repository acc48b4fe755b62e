using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Cluster;

namespace NewsCms.Tests.Integration;

/// <summary>The bus on one node and between two nodes over a real Redis server.</summary>
public sealed class MessageBusTests
{
    [Fact]
    public async Task A_message_reaches_this_nodes_subscribers_once_and_the_other_nodes_once()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        await using var redisA = await ConnectAsync(configuration);
        await using var redisB = await ConnectAsync(configuration);
        var a = new MessageBus(redisA, NullLogger<MessageBus>.Instance);
        var b = new MessageBus(redisB, NullLogger<MessageBus>.Instance);
        var heardOnA = new List<BusMessage>();
        var heardOnB = new TaskCompletionSource<BusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Subscribe("test", message => { lock (heardOnA) heardOnA.Add(message); });
        b.Subscribe("test", message => heardOnB.TrySetResult(message));

        await a.PublishAsync("test", "hello\nwith a second line");

        var received = await heardOnB.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(("hello\nwith a second line", a.NodeId, false), (received.Payload, received.Node, received.FromThisNode));
        await Task.Delay(200);
        var own = Assert.Single(heardOnA);
        Assert.True(own.FromThisNode);
    }

    [Fact]
    public async Task When_Redis_stops_answering_a_message_still_reaches_this_node_and_the_sender_goes_on()
    {
        var configuration = StackExchange.Redis.ConfigurationOptions.Parse(await TestRedis.NewConfigurationAsync());
        await using var relay = new TcpRelay(configuration.EndPoints[0]);
        configuration.EndPoints.Clear();
        configuration.EndPoints.Add(System.Net.IPAddress.Loopback, relay.Port);
        configuration.AsyncTimeout = 500;
        await using var redis = await ConnectAsync(configuration.ToString());
        var bus = new MessageBus(redis, NullLogger<MessageBus>.Instance);
        string? heard = null;
        bus.Subscribe("test", message => heard = message.Payload);

        relay.Freeze();
        await bus.PublishAsync("test", "saved anyway");

        Assert.Equal("saved anyway", heard);
    }

    [Fact]
    public async Task Without_Redis_the_bus_delivers_in_process()
    {
        await using var alone = await ConnectAsync(null);
        var bus = new MessageBus(alone, NullLogger<MessageBus>.Instance);
        string? heard = null;
        bus.Subscribe("test", message => heard = message.Payload);
        await bus.PublishAsync("test", "one");
        Assert.False(bus.IsShared);
        Assert.Equal("one", heard);
    }

    [Fact]
    public async Task An_unreachable_Redis_stops_start_up_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ConnectAsync("127.0.0.1:1,connectTimeout=500"));
        Assert.Contains(ClusterSetup.RedisSetting, error.Message);
    }

    private static async Task<RedisConnection> ConnectAsync(string? configuration)
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ClusterSetup.RedisSetting] = configuration }).Build();
        var redis = new RedisConnection(settings, NullLogger<RedisConnection>.Instance);
        await redis.ConnectAsync();
        return redis;
    }
}
