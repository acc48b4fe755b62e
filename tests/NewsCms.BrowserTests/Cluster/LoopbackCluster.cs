using System.Diagnostics;
using System.Text.RegularExpressions;
using NewsCms.Tests.Infrastructure;

namespace NewsCms.BrowserTests.Cluster;

/// <summary>
/// A real cluster started by <c>deploy/loopback-cluster.sh</c> (published app, nodes on PostgreSQL and Redis, nginx on
/// 127.0.0.1:8080), in a state folder and database of its own; <c>down</c> and the database are cleaned up after.
/// </summary>
public sealed partial class LoopbackCluster : IAsyncDisposable
{
    public const string AdminEmail = "cluster-admin@newsroom.test";
    public const string AdminPassword = "cluster-password-1";
    public static readonly Uri Proxy = new("http://127.0.0.1:8080");

    private readonly string repository;
    private readonly string state;
    private readonly string database;
    private readonly Dictionary<string, string> environment;

    private LoopbackCluster(string repository, string state, string database, Dictionary<string, string> environment)
    {
        (this.repository, this.state, this.database, this.environment) = (repository, state, database, environment);
    }

    /// <summary>Runs <c>up --nodes <paramref name="nodes"/></c>; <paramref name="settings"/> go to every node as NewsCms__… variables.</summary>
    public static async Task<LoopbackCluster> UpAsync(int nodes, IDictionary<string, string>? settings = null)
    {
        var repository = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repository, "NewsCms.sln"))) repository = Path.GetDirectoryName(repository.TrimEnd('/'))!;
        var state = Path.Combine(Path.GetTempPath(), "newscms-cluster-tests", Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string>
        {
            ["NEWSCMS_CLUSTER_DIR"] = state,
            ["NEWSCMS_CLUSTER_DATABASE"] = "newscms_cluster_" + Guid.NewGuid().ToString("N")[..12],
            ["NewsCms__Bootstrap__AdminEmail"] = AdminEmail,
            ["NewsCms__Bootstrap__AdminPassword"] = AdminPassword,
            ["NewsCms__Bootstrap__AdminName"] = "Cluster Admin",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment["NewsCms__" + key.Replace(":", "__")] = value;
        var cluster = new LoopbackCluster(repository, state, environment["NEWSCMS_CLUSTER_DATABASE"], environment);
        var (code, output) = await cluster.ScriptAsync("up", "--nodes", nodes.ToString());
        if (code != 0 || !output.Contains($"NewsCms cluster: {Proxy.ToString().TrimEnd('/')}", StringComparison.Ordinal))
        {
            await cluster.DisposeAsync();
            Assert.Fail($"loopback-cluster.sh up failed (exit {code}):\n{output}");
        }
        return cluster;
    }

    /// <summary>The port of the node that served the newsroom's last circuit connection, from nginx's access log.</summary>
    public int NodeOfLastCircuit()
    {
        var lines = File.ReadAllLines(Path.Combine(state, "nginx", "logs", "access.log"));
        var last = lines.Last(line => line.Contains("/_blazor", StringComparison.Ordinal) && NodeAddress().IsMatch(line));
        return int.Parse(NodeAddress().Match(last).Groups[1].Value);
    }

    /// <summary>SIGKILL: the node dies as a crashed process or machine would, without a word to anyone.</summary>
    public void Kill(int port)
    {
        var pid = int.Parse(File.ReadAllText(Path.Combine(state, "pids", $"node{port - 5100}")).Trim());
        Process.GetProcessById(pid).Kill();
    }

    public async ValueTask DisposeAsync()
    {
        await ScriptAsync("down");
        await TestDatabase.ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        try { Directory.Delete(state, recursive: true); } catch (IOException) { }
    }

    private async Task<(int Code, string Output)> ScriptAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = repository, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(repository, "deploy", "loopback-cluster.sh"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }

    /// <summary>The port of the last upstream nginx tried for a request (it lists each one it tried).</summary>
    [GeneratedRegex(@"node=.*:(\d+)$")]
    private static partial Regex NodeAddress();
}
