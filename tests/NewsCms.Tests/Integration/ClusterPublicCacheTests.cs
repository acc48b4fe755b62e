using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Settings;
using StackExchange.Redis;
using static NewsCms.Tests.Integration.PublicCacheDependencyTests;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Two nodes of one site (two apps on one SQLite file) joined through a real Redis server: a change on one evicts
/// the same pages from the other's own memory cache, and the other reloads what it keeps in memory.
/// </summary>
public sealed class ClusterPublicCacheTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private readonly string nodeBName = "newscms-test-b-" + Guid.NewGuid().ToString("N")[..8];
    private NewsCmsAppFactory? a, b;

    private async Task<(NewsCmsAppFactory A, NewsCmsAppFactory B)> TwoNodesAsync()
    {
        var redis = await TestRedis.NewConfigurationAsync();
        a = await NewsCmsAppFactory.CreateAsync(new() { [ClusterSetup.RedisSetting] = redis });
        _ = a.Services; // started first: it makes and migrates the database
        b = NewsCmsAppFactory.SecondNodeOf(a, new() { [ClusterSetup.RedisSetting] = $"{redis},name={nodeBName}" });
        _ = b.Services;
        return (a, b);
    }

    public async ValueTask DisposeAsync()
    {
        if (b is not null) await b.DisposeAsync();
        if (a is not null) await a.DisposeAsync();
    }

    /// <summary>Asks until the page shows <paramref name="text"/>; returns how long that took.</summary>
    private static async Task<TimeSpan> UntilShownAsync(HttpClient reader, string url, string text)
    {
        var clock = Stopwatch.StartNew();
        while (!(await reader.GetStringAsync(url)).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < Deadline, $"{url} did not show \"{text}\" within {Deadline.TotalSeconds} s");
            await Task.Delay(25);
        }
        return clock.Elapsed;
    }

    [Fact]
    public async Task A_publish_on_one_node_evicts_the_dependent_pages_on_the_other_and_keeps_its_unrelated_pages()
    {
        var (nodeA, nodeB) = await TwoNodesAsync();
        var site = await Site.CreateAsync(nodeA);
        using var readerA = nodeA.CreateClient(new() { HandleCookies = false });
        using var readerB = nodeB.CreateClient(new() { HandleCookies = false });
        await WarmAsync(readerA, "/section/harbour", Site.U);
        await WarmAsync(readerB, "/section/harbour", "/", Site.U);

        await site.PublishXAsync();

        await UntilShownAsync(readerB, "/section/harbour", Site.XSlug);
        await UntilShownAsync(readerB, "/", Site.XSlug);
        Assert.True(await IsHitAsync(readerB, Site.U), "node B evicted an unrelated article page");
        Assert.True(await IsHitAsync(readerA, Site.U), "node A evicted an unrelated article page");
        Assert.Contains(Site.XSlug, await readerA.GetStringAsync("/section/harbour"));
    }

    [Fact]
    public async Task Settings_saved_on_one_node_show_on_the_other()
    {
        var (nodeA, nodeB) = await TwoNodesAsync();
        var site = await Site.CreateAsync(nodeA);
        using var readerB = nodeB.CreateClient(new() { HandleCookies = false });
        await WarmAsync(readerB, Site.U, "/feed.xml");

        await using (var scope = nodeA.Services.CreateAsyncScope())
        {
            var admin = await nodeA.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var saved = await scope.ServiceProvider.GetRequiredService<SiteSettingsService>().SaveAsync(admin, new SiteSettingsInput { Title = "Kestrel Bay Courier" });
            Assert.True(saved.Succeeded, saved.Error);
        }

        await UntilShownAsync(readerB, Site.U, "Kestrel Bay Courier");
        await UntilShownAsync(readerB, "/feed.xml", "Kestrel Bay Courier");
        Assert.Equal("Kestrel Bay Courier", (await nodeB.Services.GetRequiredService<SiteSettingsStore>().GetAsync(TestContext.Current.CancellationToken)).Title);
    }

    [Fact]
    public async Task A_node_whose_connection_to_Redis_comes_back_evicts_everything_and_reloads_its_settings_and_so_do_the_others()
    {
        var (nodeA, nodeB) = await TwoNodesAsync();
        await Site.CreateAsync(nodeA);
        using var readerA = nodeA.CreateClient(new() { HandleCookies = false });
        using var readerB = nodeB.CreateClient(new() { HandleCookies = false });
        await WarmAsync(readerA, Site.U);
        await WarmAsync(readerB, Site.U);

        // A change whose message node B never hears (as if sent while it was cut off).
        await using (var db = await nodeA.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            db.SiteSettings.Add(new SiteSetting { Key = SiteSettingsStore.TitleKey, Value = "Missed Message Gazette", UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        Assert.True(await IsHitAsync(readerB, Site.U));
        Assert.DoesNotContain("Missed Message Gazette", await readerB.GetStringAsync(Site.U));

        // Cut node B's subscription off; the client reconnects by itself.
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(TestRedis.Server + ",allowAdmin=true"))
        {
            var server = admin.GetServer(admin.GetEndPoints()[0]);
            var subscriptions = (await server.ClientListAsync()).Where(c => c.Name == nodeBName && c.SubscriptionCount > 0).ToList();
            Assert.NotEmpty(subscriptions);
            foreach (var client in subscriptions) await server.ClientKillAsync(id: client.Id);
        }

        var clock = Stopwatch.StartNew();
        while (!(await readerB.GetStringAsync(Site.U)).Contains("Missed Message Gazette", StringComparison.Ordinal))
        {
            // Reconnecting is the Redis client's work (about a second); the deadline only keeps a failure from hanging.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "node B kept its pages after its connection to Redis came back");
            await Task.Delay(50);
        }
        // Node A may have missed node B's changes meanwhile: it refreshes too.
        await UntilShownAsync(readerA, Site.U, "Missed Message Gazette");
    }
}
