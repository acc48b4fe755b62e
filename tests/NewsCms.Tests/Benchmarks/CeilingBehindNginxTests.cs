using NewsCms.Benchmarks;
using NewsCms.Benchmarks.Cluster;
using NewsCms.Benchmarks.Load;
using NewsCms.Benchmarks.Reporting;

namespace NewsCms.Tests.Benchmarks;

/// <summary>The cluster run's ceiling behind nginx: its configuration is the cluster's own with other upstreams and port, and the report's ratio.</summary>
public sealed class CeilingBehindNginxTests
{
    /// <summary>The nginx.conf deploy/loopback-cluster.sh writes for two nodes (its here-document, as the script fills it in).</summary>
    private static string ClusterConfig()
    {
        var script = File.ReadAllText(Path.Combine(Harness.FindRepository(), "deploy", "loopback-cluster.sh"));
        var start = script.IndexOf("<<NGINX\n", StringComparison.Ordinal) + "<<NGINX\n".Length;
        var text = script[start..script.IndexOf("\nNGINX\n", start, StringComparison.Ordinal)];
        var servers = "        server 127.0.0.1:5101 max_fails=1 fail_timeout=10s;\n        server 127.0.0.1:5102 max_fails=1 fail_timeout=10s;\n";
        return text.Replace("$servers", servers, StringComparison.Ordinal).Replace("\\$", "$", StringComparison.Ordinal);
    }

    [Fact]
    public void The_ceiling_runs_the_clusters_nginx_configuration_with_only_its_servers_and_port_changed()
    {
        var cluster = ClusterConfig();
        var ceiling = CeilingBehindNginx.Configuration(cluster, [40001, 40002]);

        Assert.Contains("listen 127.0.0.1:8081;", ceiling);
        Assert.DoesNotContain("listen 127.0.0.1:8080;", ceiling);
        Assert.Contains("        server 127.0.0.1:40001;\n        server 127.0.0.1:40002;\n        keepalive 16;", ceiling);
        Assert.DoesNotContain("127.0.0.1:510", ceiling);
        // Everything else is the same text: the same worker, access log, keepalive and proxy headers.
        Assert.Equal(
            cluster.Replace("listen 127.0.0.1:8080;", "", StringComparison.Ordinal).Replace("        server 127.0.0.1:5101 max_fails=1 fail_timeout=10s;\n        server 127.0.0.1:5102 max_fails=1 fail_timeout=10s;\n", "", StringComparison.Ordinal),
            ceiling.Replace("listen 127.0.0.1:8081;", "", StringComparison.Ordinal).Replace("        server 127.0.0.1:40001;\n        server 127.0.0.1:40002;\n", "", StringComparison.Ordinal));
    }

    [Fact]
    public void A_configuration_without_upstream_servers_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => CeilingBehindNginx.Configuration("events {}\nhttp { server { listen 127.0.0.1:8080; } }\n", [40001]));
    }

    [Fact]
    public void The_report_gives_the_cache_hit_as_a_share_of_the_ceiling_behind_the_same_nginx_per_node_count()
    {
        ClusterLoad Load(string page, int nodes, double rate) => new(page, nodes, rate, 1, 2, 0, null);
        var cluster = new ClusterResult(100, 1, [
            Load(Scenario.ArticleHit, 1, 12_000), Load(Scenario.ArticleFresh, 1, 200), Load(Scenario.CeilingName, 1, 15_000),
            Load(Scenario.ArticleHit, 2, 7_000), Load(Scenario.ArticleFresh, 2, 150), Load(Scenario.CeilingName, 2, 10_000)],
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        Assert.Equal([(1, 0.8), (2, 0.7)], Report.CacheHitAgainstCeiling(cluster).Select(r => (r.Nodes, Math.Round(r.Ratio, 2))));
    }

    [Fact]
    public async Task A_ceiling_process_serves_the_files_bytes_until_it_is_disposed()
    {
        var body = Path.Combine(Path.GetTempPath(), $"newscms-ceiling-{Guid.NewGuid():N}.html");
        await File.WriteAllTextAsync(body, "<!doctype html><title>Harbour wall</title>", TestContext.Current.CancellationToken);
        try
        {
            CeilingProcess server;
            using (server = await CeilingProcess.StartAsync(body, "text/html; charset=utf-8", TestContext.Current.CancellationToken))
            {
                using var client = new HttpClient { BaseAddress = server.Url };
                using var response = await client.GetAsync("/news/any-article", TestContext.Current.CancellationToken);
                Assert.Equal("<!doctype html><title>Harbour wall</title>", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            }
            Assert.True(server.Stopped);
        }
        finally
        {
            File.Delete(body);
        }
    }
}
