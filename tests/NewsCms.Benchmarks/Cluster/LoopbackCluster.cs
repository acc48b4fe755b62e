using System.Diagnostics;

namespace NewsCms.Benchmarks.Cluster;

/// <summary>
/// <c>deploy/loopback-cluster.sh</c> with a state folder and a database of the harness's own: <c>up --nodes N</c>
/// (PostgreSQL and Redis as they run on this machine, the nodes on 127.0.0.1:5101.., nginx on 127.0.0.1:8080), and
/// <c>down</c> when disposed, which stops only what <c>up</c> started.
/// </summary>
public sealed class LoopbackCluster : IAsyncDisposable
{
    public static readonly Uri Proxy = new("http://127.0.0.1:8080");

    private readonly string script;
    private readonly Dictionary<string, string> environment;
    private readonly string log;

    private LoopbackCluster(string script, Dictionary<string, string> environment, string log)
    {
        this.script = script;
        this.environment = environment;
        this.log = log;
    }

    /// <summary>Node <paramref name="n"/>'s own address (1-based), bypassing nginx.</summary>
    public static Uri Node(int n) => new($"http://127.0.0.1:{5100 + n}");

    public static async Task<LoopbackCluster> UpAsync(string repository, int nodes, Dictionary<string, string> environment, string log, TextWriter console, CancellationToken ct)
    {
        var cluster = new LoopbackCluster(Path.Combine(repository, "deploy", "loopback-cluster.sh"), environment, log);
        console.WriteLine($"Starting the loopback cluster with {nodes} node(s) (log: {log}) ...");
        var clock = Stopwatch.StartNew();
        try
        {
            await cluster.RunAsync(["up", "--nodes", nodes.ToString()], ct);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        console.WriteLine($"Cluster up in {clock.Elapsed.TotalSeconds:N0} s.");
        return cluster;
    }

    public async ValueTask DisposeAsync() => await RunAsync(["down"], CancellationToken.None);

    private async Task RunAsync(string[] arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo("bash", [script, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start bash.");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        // Not killed on Ctrl+C: a half-done up is followed by down, which needs up's pid files.
        await process.WaitForExitAsync(CancellationToken.None);
        await File.AppendAllTextAsync(log, $"$ loopback-cluster.sh {string.Join(' ', arguments)}\n{await output}{await errors}\n", CancellationToken.None);
        if (process.ExitCode != 0) throw new InvalidOperationException($"loopback-cluster.sh {arguments[0]} failed (exit code {process.ExitCode}); see {log}.");
        ct.ThrowIfCancellationRequested();
    }
}
