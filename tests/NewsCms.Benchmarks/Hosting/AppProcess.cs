using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NewsCms.Benchmarks.Seeding;

namespace NewsCms.Benchmarks.Hosting;

/// <summary>
/// The published app (Release, Production) running as a child process on 127.0.0.1 against a seeded database, as it
/// runs in production. Killed when disposed, and when the harness exits or is stopped with Ctrl+C.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private static readonly List<Process> Running = [];
    private readonly Process process;
    private readonly StreamWriter log;

    static AppProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (Running) foreach (var p in Running) KillQuietly(p);
        };
    }

    private AppProcess(Process process, StreamWriter log, Uri baseUrl)
    {
        this.process = process;
        this.log = log;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }
    public int ProcessId => process.Id;

    /// <summary>Whether the app printed a first-run setup code (the seeded site has no accounts; public pages work regardless).</summary>
    public bool PrintedSetupCode { get; private set; }

    /// <summary><c>dotnet publish -c Release</c> of the app into <paramref name="folder"/>; returns the app's dll.</summary>
    /// <param name="runtimeIdentifier">e.g. linux-x64: published for that runtime (framework-dependent), so ReadyToRun (see the app's project).</param>
    public static async Task<string> PublishAsync(string repository, string folder, TextWriter console, CancellationToken ct, string? runtimeIdentifier = null)
    {
        var project = Path.Combine(repository, "src", "NewsCms.Web", "NewsCms.Web.csproj");
        var logPath = Path.Combine(Path.GetDirectoryName(folder)!, "publish.log");
        console.WriteLine($"Publishing the app (Release) to {folder} (log: {logPath}) ...");
        var clock = Stopwatch.StartNew();
        string[] runtime = runtimeIdentifier is null ? [] : ["-r", runtimeIdentifier, "--self-contained", "false"];
        var start = new ProcessStartInfo(DotnetHost(), ["publish", project, "-c", "Release", "-o", folder, "--nologo", .. runtime])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var publish = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet publish.");
        using var kill = ct.Register(() => KillQuietly(publish));
        var output = publish.StandardOutput.ReadToEndAsync(ct);
        var errors = publish.StandardError.ReadToEndAsync(ct);
        await publish.WaitForExitAsync(ct);
        await File.WriteAllTextAsync(logPath, await output + await errors, ct);
        if (publish.ExitCode != 0) throw new InvalidOperationException($"dotnet publish failed (exit code {publish.ExitCode}); see {logPath}.");
        console.WriteLine($"Published in {clock.Elapsed.TotalSeconds:N0} s.");
        return Path.Combine(folder, "NewsCms.Web.dll");
    }

    public static async Task<AppProcess> StartAsync(string appDll, BenchDatabase database, string logPath, CancellationToken ct,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var app = Launch(appDll, database, logPath, settings);
        try
        {
            await app.WaitUntilHealthyAsync(logPath, ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    /// <summary>Starts the app and returns at once (the start-up measurement waits for its own first answer).</summary>
    public static AppProcess Launch(string appDll, BenchDatabase database, string logPath, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo(DotnetHost(), [appDll])
        {
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (name, value) in AppEnvironment(database, url)) start.Environment[name] = value;
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the app.");
        lock (Running) Running.Add(process);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var app = new AppProcess(process, log, new Uri(url));
        process.OutputDataReceived += (_, e) => app.Log(e.Data);
        process.ErrorDataReceived += (_, e) => app.Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    /// <summary>Whether the process has ended (a start-up that failed).</summary>
    public bool HasExited => process.HasExited;

    /// <summary>When Kestrel said it was listening (a <see cref="Stopwatch"/> timestamp), if it has.</summary>
    public long? ListeningAt { get; private set; }

    /// <summary>
    /// The app's environment: Production, the database, the site's address (when it serves) and the benchmark's own
    /// settings (<see cref="ContentApiKey.Settings"/>).
    /// </summary>
    internal static Dictionary<string, string> AppEnvironment(BenchDatabase database, string? url = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["NewsCms__Database__Provider"] = database.Provider,
            ["ConnectionStrings__NewsCms"] = database.ConnectionString,
        };
        if (url is not null)
        {
            environment["ASPNETCORE_URLS"] = url;
            environment["NewsCms__Site__BaseUrl"] = url;
        }
        foreach (var (key, value) in ContentApiKey.Settings) environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return environment;
    }

    /// <summary>The app's peak and current resident memory (VmHWM and VmRSS from /proc), in bytes; null off Linux.</summary>
    public (long Peak, long Current)? Memory()
    {
        var status = $"/proc/{process.Id}/status";
        if (!File.Exists(status)) return null;
        long Read(string key) => File.ReadLines(status).Where(l => l.StartsWith(key + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024).FirstOrDefault();
        return (Read("VmHWM"), Read("VmRSS"));
    }

    public async ValueTask DisposeAsync()
    {
        KillQuietly(process);
        await process.WaitForExitAsync();
        lock (Running) Running.Remove(process);
        process.Dispose();
        lock (log) log.Dispose();
    }

    private void Log(string? line)
    {
        if (line is null) return;
        if (line.Contains("Setup code", StringComparison.Ordinal)) PrintedSetupCode = true;
        if (ListeningAt is null && line.Contains("Now listening on", StringComparison.Ordinal)) ListeningAt = Stopwatch.GetTimestamp();
        lock (log) if (log.BaseStream is not null) log.WriteLine(line);
    }

    private async Task WaitUntilHealthyAsync(string logPath, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (process.HasExited) throw new InvalidOperationException($"The app exited with code {process.ExitCode} while starting; see {logPath}.");
            try
            {
                if ((await client.GetAsync("/healthz", ct)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(250, ct);
        }
        throw new TimeoutException($"The app did not answer /healthz within 3 minutes; see {logPath}.");
    }

    /// <summary>The dotnet host that runs the harness (set by the SDK under <c>dotnet run</c>), else the one on PATH.</summary>
    internal static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
    }
}
