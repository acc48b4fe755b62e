using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Notes;

namespace NewsCms.Tests.Integration;

/// <summary>An editor on one node hears about notes added on another, through the message bus over a real Redis server.</summary>
public sealed class ClusterNoteEventsTests : IAsyncDisposable
{
    private readonly List<RedisConnection> connections = [];

    private async Task<NoteEvents> StartNodeAsync(string configuration)
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ClusterSetup.RedisSetting] = configuration }).Build();
        var redis = new RedisConnection(settings, NullLogger<RedisConnection>.Instance);
        await redis.ConnectAsync();
        connections.Add(redis);
        return new NoteEvents(new MessageBus(redis, NullLogger<MessageBus>.Instance), redis);
    }

    [Fact]
    public async Task A_change_to_an_articles_notes_on_one_node_is_heard_once_on_every_node()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        var a = await StartNodeAsync(configuration);
        var b = await StartNodeAsync(configuration);
        var heardOnA = new List<int>();
        var heardOnB = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Changed += id => { lock (heardOnA) heardOnA.Add(id); };
        b.Changed += id => heardOnB.TrySetResult(id);

        await a.PublishAsync(42);

        Assert.Equal(42, await heardOnB.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        // The publishing node hears it at once, from its own bus, and not a second time from Redis.
        lock (heardOnA) Assert.Equal([42], heardOnA);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in connections) await connection.DisposeAsync();
    }
}
