using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Cluster;

namespace NewsCms.Tests.Integration;

/// <summary>Two sites on one Redis server stay apart without any setting; the nodes of one site find each other.</summary>
public sealed class SiteIdTests
{
    [Fact]
    public async Task Without_a_channel_prefix_each_site_gets_its_own_and_its_nodes_share_it()
    {
        await TestRedis.NewConfigurationAsync(); // fails clearly when there is no Redis
        var plain = new Dictionary<string, string?> { [ClusterSetup.RedisSetting] = TestRedis.Server };
        await using var siteA = await NewsCmsAppFactory.CreateAsync(plain);
        await using var siteB = await NewsCmsAppFactory.CreateAsync(plain);
        siteA.CreateClient().Dispose();
        siteB.CreateClient().Dispose();
        await using var secondNodeOfA = NewsCmsAppFactory.SecondNodeOf(siteA, plain);
        secondNodeOfA.CreateClient().Dispose();

        string PrefixOf(NewsCmsAppFactory app) => app.Services.GetRequiredService<RedisConnection>().Prefix;
        Assert.StartsWith("newscms-", PrefixOf(siteA));
        Assert.NotEqual(PrefixOf(siteA), PrefixOf(siteB));
        Assert.Equal(PrefixOf(siteA), PrefixOf(secondNodeOfA));
    }
}
