using System.Diagnostics;
using System.Text.RegularExpressions;
using NewsCms.Benchmarks.Hosting;

namespace NewsCms.Benchmarks.Cluster;

/// <summary>
/// The ceiling through nginx: as many <see cref="CeilingServer"/> processes as the cluster has nodes (this binary
/// started again with <see cref="Verb"/>, with the nodes' thread-pool setting), each answering with the article
/// page's bytes from memory, behind a second nginx run from a copy of the cluster's own configuration (same worker,
/// keepalive, headers and access log; only its upstream servers and its port differ). A cache hit through the
/// cluster's nginx is compared with this, so nginx's cost and the number of processes are the same on both sides.
/// </summary>
public sealed partial class CeilingBehindNginx : IAsyncDisposable
{
    public static readonly Uri Proxy = new("http://127.0.0.1:8081");

    /// <summary>The verb of one ceiling process: <c>ceiling-server --body FILE --content-type TYPE</c>.</summary>
    public const string Verb = "ceiling-server";
    internal const string Marker = "NEWSCMS_CEILING ";

    private readonly List<CeilingProcess> servers;
    private readonly string prefix;

    private CeilingBehindNginx(List<CeilingProcess> servers, string prefix)
    {
        this.servers = servers;
        this.prefix = prefix;
    }

    /// <summary>
    /// One ceiling process: serves the file's bytes on a free loopback port, prints <c>NEWSCMS_CEILING {url}</c>, and
    /// stops when its standard input closes.
    /// </summary>
    public static async Task<int> ServeAsync(string[] args, TextWriter console)
    {
        string? body = null, contentType = null;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--body") body = args[i + 1];
            else if (args[i] == "--content-type") contentType = args[i + 1];
        }
        if (body is null || contentType is null)
        {
            await console.WriteLineAsync($"Usage: {Verb} --body FILE --content-type TYPE");
            return 1;
        }
        await using var server = await CeilingServer.StartAsync();
        server.Serve(await File.ReadAllBytesAsync(body), contentType);
        await console.WriteLineAsync(Marker + server.BaseUrl);
        await Console.In.ReadToEndAsync();
        return 0;
    }

    /// <param name="clusterState">The loopback cluster's state folder (its nginx/nginx.conf is copied).</param>
    /// <param name="count">How many ceiling servers (the cluster's node count).</param>
    /// <param name="path">The page whose bytes, as the cluster's nginx answers them, the ceilings send.</param>
    public static async Task<CeilingBehindNginx> StartAsync(string clusterState, int count, string path, CancellationToken ct)
    {
        var servers = new List<CeilingProcess>();
        var prefix = Path.Combine(clusterState, "nginx-ceiling");
        var ceiling = new CeilingBehindNginx(servers, prefix);
        try
        {
            // The bytes the cluster answers for the page, in a file each ceiling process reads.
            Directory.CreateDirectory(prefix);
            var body = Path.Combine(prefix, "page.body");
            using (var client = new HttpClient { BaseAddress = LoopbackCluster.Proxy })
            using (var response = await client.GetAsync(path, ct))
            {
                response.EnsureSuccessStatusCode();
                await File.WriteAllBytesAsync(body, await response.Content.ReadAsByteArrayAsync(ct), ct);
                var contentType = response.Content.Headers.ContentType?.ToString() ?? "text/html";
                var ports = new List<int>();
                for (var i = 0; i < count; i++)
                {
                    var server = await CeilingProcess.StartAsync(body, contentType, ct);
                    servers.Add(server);
                    ports.Add(server.Url.Port);
                }
                var config = Configuration(await File.ReadAllTextAsync(Path.Combine(clusterState, "nginx", "nginx.conf"), ct), ports);
                await File.WriteAllTextAsync(Path.Combine(prefix, "nginx.conf"), config, ct);
            }
            Directory.CreateDirectory(Path.Combine(prefix, "logs"));
            Directory.CreateDirectory(Path.Combine(prefix, "temp"));
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
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await master.WaitForExitAsync(patience.Token);
            }
            catch (ArgumentException)
            {
                // already gone
            }
        }
        foreach (var server in servers) server.Dispose();
    }

    [GeneratedRegex(@"(        server 127\.0\.0\.1:\d+ [^\n]*\n)+")]
    private static partial Regex UpstreamServers();

    [GeneratedRegex(@"listen 127\.0\.0\.1:\d+;")]
    private static partial Regex ListenLine();
}

/// <summary>One <see cref="CeilingBehindNginx.Verb"/> process, as the harness starts it; stopped when disposed.</summary>
public sealed class CeilingProcess : IDisposable
{
    private readonly Process process;

    private CeilingProcess(Process process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<CeilingProcess> StartAsync(string body, string contentType, CancellationToken ct)
    {
        var harness = typeof(CeilingBehindNginx).Assembly.Location;
        var start = new ProcessStartInfo(AppProcess.DotnetHost(), [harness, CeilingBehindNginx.Verb, "--body", body, "--content-type", contentType])
        {
            WorkingDirectory = Path.GetDirectoryName(harness)!,
            RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        // As deploy/loopback-cluster.sh starts the nodes.
        start.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start a ceiling process.");
        try
        {
            while (await process.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct) is { } line)
            {
                if (line.StartsWith(CeilingBehindNginx.Marker, StringComparison.Ordinal)) return new CeilingProcess(process, new Uri(line[CeilingBehindNginx.Marker.Length..]));
            }
            throw new InvalidOperationException("The ceiling process exited before it served.");
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Whether the process had ended when it was disposed.</summary>
    public bool Stopped { get; private set; }

    public void Dispose()
    {
        Stopped = Stop(process);
        process.Dispose();
    }

    /// <summary>Closes the process's standard input (it stops), or kills it after 5 s; whether it has ended.</summary>
    private static bool Stop(Process process)
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(5000)) process.Kill(entireProcessTree: true);
            return process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            return true; // already gone
        }
    }
}
