using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Cluster;

namespace NewsCms.Tests.Integration;

/// <summary>The lease that lets one node at a time do the scheduler's rounds, on the real database.</summary>
public sealed class NodeLeaseTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task One_node_holds_a_lease_until_it_lapses_or_is_released_then_another_takes_it()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.CreateClient().Dispose();
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>();
        var clock = new FakeTimeProvider(Start);
        var nodeA = new NodeLeases(dbFactory, NewBus(), clock);
        var nodeB = new NodeLeases(dbFactory, NewBus(), clock);
        var duration = TimeSpan.FromSeconds(30);

        Assert.True(await nodeA.TryHoldAsync("test", duration, default));
        Assert.False(await nodeB.TryHoldAsync("test", duration, default));
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await nodeA.TryHoldAsync("test", duration, default), "The holder renews its lease.");
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.False(await nodeB.TryHoldAsync("test", duration, default), "A renewed lease has not lapsed.");

        // The holder dies: nobody renews, and after the lease's time the other node takes it.
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.True(await nodeB.TryHoldAsync("test", duration, default));
        Assert.False(await nodeA.TryHoldAsync("test", duration, default));

        // A clean stop hands it over at once.
        await nodeB.ReleaseAsync("test", default);
        Assert.True(await nodeA.TryHoldAsync("test", duration, default));
    }

    [Fact]
    public async Task Nodes_racing_for_a_new_lease_get_exactly_one_holder()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.CreateClient().Dispose();
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>();
        var clock = new FakeTimeProvider(Start);
        var nodes = Enumerable.Range(0, 6).Select(_ => new NodeLeases(dbFactory, NewBus(), clock)).ToList();

        var held = await Task.WhenAll(nodes.Select(node => Task.Run(() => node.TryHoldAsync("race", TimeSpan.FromMinutes(1), default))));

        Assert.Single(held, h => h);
    }

    private static MessageBus NewBus() =>
        new(new RedisConnection(new ConfigurationBuilder().Build(), NullLogger<RedisConnection>.Instance), NullLogger<MessageBus>.Instance);
}
