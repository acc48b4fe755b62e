using System.Diagnostics;
using System.Net;
using NewsCms.Benchmarks.Load;
using NewsCms.Benchmarks.Reporting;
using NewsCms.Benchmarks.Seeding;

namespace NewsCms.Benchmarks.Cluster;

/// <summary>
/// The --cluster run: a PostgreSQL database of its own, seeded; the loopback cluster on it with one node and then two,
/// the cache-hit and fresh-render article pages driven through nginx each time, and the ceiling (as many in-memory
/// server processes as nodes) behind a copy of the same nginx (<see cref="CeilingBehindNginx"/>); with two nodes, new articles published
/// (<see cref="ClusterPublisher"/>) and node 2 polled directly until the article answers 200 and its home page lists it.
/// </summary>
public sealed class ClusterBench(BenchmarkOptions options, string repository, string folder, ILoadDriver driver, ContentGenerator content, TextWriter console)
{
    private const string Owner = "newscms";
    private static readonly TimeSpan VisibleDeadline = TimeSpan.FromSeconds(10);

    public async Task<ClusterResult> RunAsync(CancellationToken ct)
    {
        var articles = options.Articles[^1];
        var state = Path.Combine(folder, "cluster");
        var log = Path.Combine(folder, "cluster.log");
        const string adminEmail = "cluster-benchmark@newscms.invalid";
        var adminPassword = "Bench-" + Guid.NewGuid().ToString("N")[..16] + "-Aa1!";

        console.WriteLine();
        console.WriteLine($"== cluster: {articles:N0} articles on PostgreSQL, Redis, nodes behind nginx ==");
        // Owned by the role the script's nodes sign in as (the script gives it its password).
        await using var database = await BenchDatabase.CreatePostgreSqlAsync(options.PostgresAdmin, $"newscms_bench_cluster_{Environment.ProcessId}", Owner, ct);
        var seed = await new Seeder(content, console).SeedAsync(database, articles, reuse: false, ct);
        var site = await SiteSample.ReadAsync(database, content, ct);
        // The cluster measures the article pages and their ceiling only; the Content API scenarios (which need a key) are left out.
        var scenarios = Scenario.For(site, contentKey: "").Where(s => s.Name is Scenario.ArticleHit or Scenario.ArticleFresh or Scenario.CeilingName && s.Connections is null).ToList();
        var environment = new Dictionary<string, string>
        {
            ["NEWSCMS_CLUSTER_DIR"] = state,
            ["NEWSCMS_CLUSTER_DATABASE"] = database.Name!,
            ["NewsCms__Bootstrap__AdminEmail"] = adminEmail,
            ["NewsCms__Bootstrap__AdminPassword"] = adminPassword,
        };

        var loads = new List<ClusterLoad>();
        Publishes publishes = new([], [], [], [], []);
        foreach (var nodes in new[] { 1, 2 })
        {
            await using var cluster = await LoopbackCluster.UpAsync(repository, nodes, environment, log, console, ct);
            foreach (var scenario in scenarios)
            {
                await using var ceiling = scenario.Ceiling ? await CeilingBehindNginx.StartAsync(state, nodes, scenario.Path, ct) : null;
                var target = scenario.Ceiling ? CeilingBehindNginx.Proxy : LoopbackCluster.Proxy;
                if (options.WarmupSeconds > 0) await driver.RunAsync(target, scenario, options.Connections, TimeSpan.FromSeconds(options.WarmupSeconds), ct);
                var load = await driver.RunAsync(target, scenario, options.Connections, TimeSpan.FromSeconds(options.DurationSeconds), ct);
                console.WriteLine($"  {nodes} node(s) {scenario.Name,-26} {load.RequestsPerSecond,9:N0} req/s  p50 {load.P50Ms,7:0.00} ms  p99 {load.P99Ms,7:0.00} ms  errors {load.Errors}" +
                    (load.RenderedShare is { } share ? $"  rendered {share:P0}" : ""));
                loads.Add(new ClusterLoad(scenario.Name, nodes, load.RequestsPerSecond, load.P50Ms, load.P99Ms, load.Errors, load.RenderedShare));
                await Task.Delay(1000, ct);
            }
            if (nodes == 2) publishes = await PublishesAsync(database, Path.Combine(state, "media"), adminEmail, adminPassword, ct);
        }

        var (visible, home, calls, visibleAfter, homeAfter) = publishes;
        return new ClusterResult(articles, seed.Seconds, loads, visible.Count, Percentile(visible, 0.5), Percentile(visible, 0.99), visible.Count > 0 ? visible[^1] : 0,
            Percentile(home, 0.5), Percentile(home, 0.99), Percentile(calls, 0.5), Percentile(calls, 0.99),
            Percentile(visibleAfter, 0.5), Percentile(visibleAfter, 0.99), Percentile(homeAfter, 0.5), Percentile(homeAfter, 0.99));
    }

    /// <summary>
    /// <see cref="BenchmarkOptions.Publishes"/> times: a new draft in the first section; node 2's home page is asked for
    /// first (so it is in node 2's cache); then publish, and poll node 2 until the article answers 200 and its home page
    /// lists the article (the latter needs the eviction to cross Redis). Times in ms from the start of the publish call,
    /// sorted; also how long the publish call itself took (the database work before anything can show), and the two
    /// times counted from the call's return instead (what crossing to the other node adds).
    /// </summary>
    private async Task<Publishes> PublishesAsync(BenchDatabase database, string media, string adminEmail, string adminPassword, CancellationToken ct)
    {
        console.WriteLine($"Publishing {options.Publishes} articles through a publisher node, polling node 2 ({LoopbackCluster.Node(2)}) ...");
        await using var publisher = new ClusterPublisher(repository, database, "127.0.0.1:6379", media, adminEmail, adminPassword);
        using var node2 = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = LoopbackCluster.Node(2), Timeout = TimeSpan.FromSeconds(10) };
        var stamp = DateTime.UtcNow.ToString("HHmmss");
        List<double> article = [], home = [], calls = [], articleAfter = [], homeAfter = [];
        for (var i = 1; i <= options.Publishes; i++)
        {
            var draft = await publisher.DraftAsync($"Cluster benchmark {stamp} number {i}", content.Sections[0].Id, ct);
            var path = "/news/" + draft.Slug;
            (await node2.GetAsync("/", ct)).EnsureSuccessStatusCode();
            if ((await node2.GetAsync(path, ct)).StatusCode != HttpStatusCode.NotFound) throw new InvalidOperationException($"{path} answered before it was published.");

            var started = Stopwatch.GetTimestamp();
            await publisher.PublishAsync(draft, ct);
            calls.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            double? articleMs = null, homeMs = null;
            while ((articleMs is null || homeMs is null) && Stopwatch.GetElapsedTime(started) < VisibleDeadline)
            {
                if (articleMs is null && (await node2.GetAsync(path, ct)).StatusCode == HttpStatusCode.OK) articleMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (homeMs is null && (await node2.GetStringAsync("/", ct)).Contains(path, StringComparison.Ordinal)) homeMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                await Task.Delay(1, ct);
            }
            if (articleMs is null || homeMs is null)
            {
                throw new TimeoutException($"Publish {i}: node 2 did not show {path} within {VisibleDeadline.TotalSeconds:0} s (article {(articleMs is null ? "not seen" : "seen")}, home page {(homeMs is null ? "not listing it" : "listing it")}).");
            }
            article.Add(articleMs.Value);
            home.Add(homeMs.Value);
            articleAfter.Add(Math.Max(0, articleMs.Value - calls[^1]));
            homeAfter.Add(Math.Max(0, homeMs.Value - calls[^1]));
        }
        foreach (var list in new[] { article, home, calls, articleAfter, homeAfter }) list.Sort();
        console.WriteLine($"  publish to 200 on node 2: p50 {Percentile(article, 0.5):0.0} ms, p99 {Percentile(article, 0.99):0.0} ms; " +
            $"on node 2's home page: p50 {Percentile(home, 0.5):0.0} ms, p99 {Percentile(home, 0.99):0.0} ms; the publish call: p50 {Percentile(calls, 0.5):0.0} ms; " +
            $"after the call returned: article p50 {Percentile(articleAfter, 0.5):0.0} ms, p99 {Percentile(articleAfter, 0.99):0.0} ms, home page p50 {Percentile(homeAfter, 0.5):0.0} ms, p99 {Percentile(homeAfter, 0.99):0.0} ms");
        return new Publishes(article, home, calls, articleAfter, homeAfter);
    }

    private sealed record Publishes(List<double> Article, List<double> Home, List<double> Calls, List<double> ArticleAfterCall, List<double> HomeAfterCall);

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
