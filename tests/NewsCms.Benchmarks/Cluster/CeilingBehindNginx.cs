using System.Diagnostics;
using System.Text.RegularExpressions;
using NewsCms.Benchmarks.Hosting;

namespace NewsCms.Benchmarks.Cluster;

/// <summary>
/// The ceiling through nginx: as many <see cref="CeilingServer"/>s as the cluster has nodes, each answering with the
/// article page's bytes from memory, behind a second nginx run from a copy of the cluster's own configuration (same
/// worker, keepalive, headers and access log; only its upstream servers and its port differ). A cache hit through
/// the cluster's nginx is compared with this, so nginx's own cost is on both sides.
/// </summary>
public sealed partial class CeilingBehindNginx : IAsyncDisposable
{
    public static readonly Uri Proxy = new("http://127.0.0.1:8081");

    private readonly List<CeilingServer> servers;
    private readonly string prefix;

    private CeilingBehindNginx(List<CeilingServer> servers, string prefix)
    {
        this.servers = servers;
        this.prefix = prefix;
    }

    /// <param name="clusterState">The loopback cluster's state folder (its nginx/nginx.conf is copied).</param>
    /// <param name="count">How many ceiling servers (the cluster's node count).</param>
    /// <param name="path">The page whose bytes, as the cluster's nginx answers them, the ceilings send.</param>
    public static async Task<CeilingBehindNginx> StartAsync(string clusterState, int count, string path, CancellationToken ct)
    {
        var servers = new List<CeilingServer>();
        var prefix = Path.Combine(clusterState, "nginx-ceiling");
        var ceiling = new CeilingBehindNginx(servers, prefix);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var server = await CeilingServer.StartAsync();
                servers.Add(server);
                await Harness.ServeOnCeilingAsync(LoopbackCluster.Proxy, server, path, ct);
            }
            Directory.CreateDirectory(Path.Combine(prefix, "logs"));
            Directory.CreateDirectory(Path.Combine(prefix, "temp"));
            var config = Configuration(await File.ReadAllTextAsync(Path.Combine(clusterState, "nginx", "nginx.conf"), ct), servers.Select(s => s.BaseUrl.Port));
            await File.WriteAllTextAsync(Path.Combine(prefix, "nginx.conf"), config, ct);
            await ceiling.NginxAsync([], ct);
            await WaitUntilAnsweringAsync(path, ct);
            return ceiling;
        }
        catch
        {
            await ceiling.DisposeAsync();
            throw;
        }
    }

    /// <summary>The cluster's nginx configuration with the ceilings as its upstream servers, listening on <see cref="Proxy"/>'s port.</summary>
    public static string Configuration(string clusterConfig, IEnumerable<int> ports)
    {
        var servers = string.Concat(ports.Select(port => $"        server 127.0.0.1:{port};\n"));
        var upstream = UpstreamServers().Replace(clusterConfig, servers, 1);
        var listen = ListenLine().Replace(upstream, $"listen 127.0.0.1:{Proxy.Port};", 1);
        if (upstream == clusterConfig || listen == upstream) throw new InvalidOperationException("The cluster's nginx.conf has no upstream servers or listen line to replace.");
        return listen;
    }

    private static async Task WaitUntilAnsweringAsync(string path, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = Proxy, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                if ((await client.GetAsync(path, ct)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException($"The ceiling's nginx did not answer on {Proxy} within 10 s.");
    }

    private async Task NginxAsync(string[] signal, CancellationToken ct)
    {
        var start = new ProcessStartInfo("nginx", ["-p", prefix, "-c", Path.Combine(prefix, "nginx.conf"), "-e", Path.Combine(prefix, "logs", "error.log"), .. signal])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var nginx = Process.Start(start) ?? throw new InvalidOperationException("Could not start nginx.");
        var errors = nginx.StandardError.ReadToEndAsync(CancellationToken.None);
        await nginx.WaitForExitAsync(ct);
        if (nginx.ExitCode != 0) throw new InvalidOperationException($"nginx {string.Join(' ', signal)} failed (exit code {nginx.ExitCode}): {await errors}");
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(prefix, "nginx.pid")))
        {
            var pid = int.Parse(await File.ReadAllTextAsync(Path.Combine(prefix, "nginx.pid")));
            await NginxAsync(["-s", "stop"], CancellationToken.None);
            try
            {
                using var master = Process.GetProcessById(pid);
                await master.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
            catch (ArgumentException)
            {
                // already gone
            }
        }
        foreach (var server in servers) await server.DisposeAsync();
    }

    [GeneratedRegex(@"(        server 127\.0\.0\.1:\d+ [^\n]*\n)+")]
    private static partial Regex UpstreamServers();

    [GeneratedRegex(@"listen 127\.0\.0\.1:\d+;")]
    private static partial Regex ListenLine();
}
