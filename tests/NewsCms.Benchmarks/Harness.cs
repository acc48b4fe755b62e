using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Benchmarks.Cluster;
using NewsCms.Benchmarks.Hosting;
using NewsCms.Benchmarks.Load;
using NewsCms.Benchmarks.Reporting;
using NewsCms.Benchmarks.Seeding;

namespace NewsCms.Benchmarks;

/// <summary>
/// One benchmark run: for each scale, seed a database, count each page's SQL statements in-process, then drive load at
/// every page of the app and at the ceiling server; at the largest scale, a soak. Writes the results folder.
/// </summary>
public sealed class Harness(BenchmarkOptions options, TextWriter console)
{
    private readonly ContentGenerator content = new();
    private string repository = "";
    private BareSsrCeiling? bareSsr;

    /// <summary>Runs and returns the exit code (2 when wrk is needed and missing).</summary>
    public async Task<(int ExitCode, BenchmarkRun? Run, string? Folder)> RunAsync(CancellationToken ct)
    {
        if ((options.UsesWrk || options.Cluster) && !WrkDriver.IsInstalled())
        {
            console.WriteLine(WrkDriver.InstallHint);
            return (2, null, null);
        }
        var started = DateTime.UtcNow;
        var machine = Machine();
        var clock = Stopwatch.StartNew();
        repository = FindRepository();
        var folder = Path.GetFullPath(options.Output ?? Path.Combine(repository, "benchmark-results", started.ToString("yyyyMMdd-HHmmss")));
        var databases = Path.GetFullPath(options.Databases ?? Path.Combine(folder, "db"));
        Directory.CreateDirectory(folder);
        console.WriteLine($"NewsCms benchmark: {string.Join(", ", options.Articles.Select(a => a.ToString("N0")))} articles, " +
            $"{(options.Cluster ? "cluster" : string.Join(" and ", options.Providers))}, driver {options.Driver}; results in {folder}");

        ILoadDriver driver = options.UsesWrk || options.Cluster ? new WrkDriver(Path.Combine(folder, "wrk")) : new BuiltinDriver();
        if (options.Cluster)
        {
            var cluster = await new ClusterBench(options, repository, folder, driver, content, console).RunAsync(ct);
            var clusterRun = new BenchmarkRun(started, Command(), driver.Name, options.Connections, options.WarmupSeconds, options.DurationSeconds, machine,
                [], [], [], clock.Elapsed.TotalSeconds, Cluster: cluster);
            return Finish(clusterRun, folder, clock);
        }
        var appDll = options.UsesWrk ? await AppProcess.PublishAsync(repository, Path.Combine(folder, "app"), console, ct) : null;
        await using var ceiling = await CeilingServer.StartAsync();
        await using var bare = bareSsr = await BareSsrCeiling.StartAsync();

        var scales = new List<ScaleResult>();
        try
        {
            foreach (var provider in options.Providers)
            {
                foreach (var articles in options.Articles)
                {
                    var isLargest = articles == options.Articles[^1];
                    await using var database = provider == BenchDatabase.PostgreSql
                        ? await BenchDatabase.CreatePostgreSqlAsync(options.PostgresAdmin, $"newscms_bench_{articles}_{Environment.ProcessId}", owner: null, ct)
                        : BenchDatabase.SqliteFile(Path.Combine(databases, $"newscms-{articles}.db"));
                    scales.Add(await RunScaleAsync(articles, database, driver, appDll, ceiling, folder, isLargest, ct));
                }
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (options.Databases is null && Directory.Exists(databases)) Directory.Delete(databases, recursive: true);
        }

        // Growth and targets are the first provider's; the providers meet in their own table.
        var primary = scales.Where(s => s.Provider == options.Providers[0]).ToList();
        var growth = Report.Growth(primary);
        var run = new BenchmarkRun(started, Command(), driver.Name, options.Connections, options.WarmupSeconds, options.DurationSeconds, machine,
            scales, growth, Report.Targets(primary, growth), clock.Elapsed.TotalSeconds, Providers: Report.Providers(scales));
        return Finish(run, folder, clock);
    }

    private string Command() => "dotnet run -c Release --project tests/NewsCms.Benchmarks -- " + string.Join(' ', options.Arguments);

    private (int ExitCode, BenchmarkRun? Run, string? Folder) Finish(BenchmarkRun run, string folder, Stopwatch clock)
    {
        Report.Write(run, folder);
        console.WriteLine();
        console.WriteLine(Report.Markdown(run));
        console.WriteLine($"Done in {clock.Elapsed.TotalMinutes:N1} min. Wrote results.json, results.md and results.svg to {folder}");
        return (0, run, folder);
    }

    private async Task<ScaleResult> RunScaleAsync(int articles, BenchDatabase database, ILoadDriver driver, string? appDll, CeilingServer ceiling, string folder,
        bool isLargest, CancellationToken ct)
    {
        console.WriteLine();
        console.WriteLine($"== {articles:N0} articles on {database.Provider} ==");
        var seed = await new Seeder(content, console).SeedAsync(database, articles, reuse: options.Databases is not null, ct);
        var site = await SiteSample.ReadAsync(database, content, ct);

        Dictionary<string, PageCost> costs;
        var pages = new List<PageResult>();
        SoakResult? soak = null;
        long? peak = null;
        IReadOnlyList<Scenario> scenarios;
        if (appDll is not null)
        {
            // The Content API's key, from the published app's own command, before anything else opens the database.
            var key = await ContentApiKey.CreateWithPublishedAppAsync(appDll, database, ct);
            console.WriteLine($"Content API key made by the published app's {Web.Features.Integrations.IntegrationCommandLine.Command}.");
            scenarios = Scenario.For(site, key);
            // SQL statements and single fresh renders in-process; the load goes to the published app, alone on the database.
            await using (var inProcess = new InProcessApp(repository, database))
            {
                using var client = inProcess.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
                costs = await PageProbe.MeasureAsync(inProcess, client, scenarios, options.Probes, ct);
            }
            SqliteConnection.ClearAllPools();
            await using var app = await AppProcess.StartAsync(appDll, database, Path.Combine(folder, $"app-{database.Provider.ToLowerInvariant()}-{articles}.log"), ct);
            console.WriteLine($"App started at {app.BaseUrl} (pid {app.ProcessId}){(app.PrintedSetupCode ? "; it printed a setup code (no accounts), public pages are served regardless" : "")}.");
            pages = await LoadAsync(driver, app.BaseUrl, ceiling, scenarios, costs, key, ct);
            if (isLargest && options.Soak > 0) soak = await SoakAsync(driver, app, site, ct);
            peak = app.Memory()?.Peak;
        }
        else
        {
            await using var inProcess = new InProcessApp(repository, database);
            inProcess.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            inProcess.StartServer();
            var baseUrl = new Uri(inProcess.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
            using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = baseUrl };
            var key = await ContentApiKey.CreateInProcessAsync(inProcess.Services, ct);
            scenarios = Scenario.For(site, key);
            costs = await PageProbe.MeasureAsync(inProcess, client, scenarios, options.Probes, ct);
            pages = await LoadAsync(driver, baseUrl, ceiling, scenarios, costs, key, ct);
        }
        return new ScaleResult(articles, seed.Reused, seed.Seconds, seed.ArticlesPerSecond, seed.FileBytes, pages, soak, peak, database.Provider);
    }

    /// <summary>
    /// Warm-up then measured run of every page; each ceiling serves the exact bytes the app answers for its path (the
    /// cache-hit article, a Content API list, a Content API post).
    /// </summary>
    private async Task<List<PageResult>> LoadAsync(ILoadDriver driver, Uri app, CeilingServer ceiling, IReadOnlyList<Scenario> scenarios,
        Dictionary<string, PageCost> costs, string contentKey, CancellationToken ct)
    {

        // A first pass over every page before any is measured: a freshly started app runs unoptimised code until the
        // JIT's tiering has seen each path, which would otherwise land in whichever page is measured first.
        if (options.WarmupSeconds > 0)
        {
            foreach (var scenario in scenarios.Where(s => !s.Ceiling))
            {
                await driver.RunAsync(app, scenario, scenario.Connections ?? options.Connections, TimeSpan.FromSeconds(options.WarmupSeconds), ct);
                await SettleAsync(app, ct);
            }
        }

        var results = new List<(Scenario Scenario, LoadResult Load)>();
        foreach (var scenario in scenarios)
        {
            // The bare static-SSR page renders the article's markup as the app answers it; the other ceilings send its bytes.
            var bare = scenario.Name == Scenario.BareSsrCeilingName;
            if (bare) await Render.RenderBench.ServeAsync(app, bareSsr!, scenario.Path, ct);
            else if (scenario.Ceiling) await ServeOnCeilingAsync(app, ceiling, scenario.Path, ct);
            var target = bare ? bareSsr!.BaseUrl : scenario.Ceiling ? ceiling.BaseUrl : app;
            var connections = scenario.Connections ?? options.Connections;
            if (options.WarmupSeconds > 0) await driver.RunAsync(target, scenario, connections, TimeSpan.FromSeconds(options.WarmupSeconds), ct);
            var load = await driver.RunAsync(target, scenario, connections, TimeSpan.FromSeconds(options.DurationSeconds), ct);
            console.WriteLine($"  {scenario.Name,-38} {load.RequestsPerSecond,9:N0} req/s  p50 {load.P50Ms,7:0.00} ms  p99 {load.P99Ms,7:0.00} ms  errors {load.Errors}" +
                (load.RenderedShare is { } share ? $"  rendered {share:P0}" : ""));
            results.Add((scenario, load));
            // Requests still in flight when the driver stopped finish before the next page is measured.
            await SettleAsync(app, ct);
        }
        var ceilingRates = results.Where(r => r.Scenario.Ceiling).ToDictionary(r => r.Scenario.Name, r => r.Load.RequestsPerSecond);
        // The key is the run's own; the report shows where it goes, not its value.
        string Shown(string path) => path.Replace(contentKey, "{key}", StringComparison.Ordinal);
        return [.. results.Select(r => new PageResult(r.Scenario.Name,
            Shown(r.Scenario.Paths is null ? r.Scenario.Path : $"{r.Scenario.Paths.Count:N0} paths, e.g. {r.Scenario.PathAt(0)}"),
            r.Load.RequestsPerSecond, r.Load.P50Ms, r.Load.P99Ms, r.Load.Requests, r.Load.Errors,
            ceilingRates.GetValueOrDefault(r.Scenario.Ceiling ? r.Scenario.Name : r.Scenario.CeilingOf) is > 0 and var ceilingRate
                ? r.Load.RequestsPerSecond / ceilingRate : null,
            costs.TryGetValue(r.Scenario.Name, out var cost) ? cost.SqlStatements : null, cost?.FreshRenderMs, r.Load.RenderedShare))];
    }

    /// <summary>The ceiling answers from now on with what the app answers for <paramref name="path"/>.</summary>
    private static async Task ServeOnCeilingAsync(Uri app, CeilingServer ceiling, string path, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = app };
        using var response = await client.GetAsync(path, ct);
        response.EnsureSuccessStatusCode();
        ceiling.Serve(await response.Content.ReadAsByteArrayAsync(ct), response.Content.Headers.ContentType?.ToString() ?? "text/html");
    }

    private async Task SettleAsync(Uri app, CancellationToken ct)
    {
        // wrk stops with requests in flight; the builtin driver waits for all of its own.
        if (!options.UsesWrk) return;
        using var client = new HttpClient { BaseAddress = app, Timeout = TimeSpan.FromSeconds(30) };
        await Task.Delay(500, ct);
        (await client.GetAsync("/healthz", ct)).EnsureSuccessStatusCode();
    }

    /// <summary>Many connections on the home page and 100 articles in turn; the app's memory is sampled throughout.</summary>
    private async Task<SoakResult> SoakAsync(ILoadDriver driver, AppProcess app, SiteSample site, CancellationToken ct)
    {
        var paths = site.ArticleSlugs.Take(100).SelectMany(slug => new[] { "/", "/news/" + slug }).ToList();
        var scenario = new Scenario("soak", "/", paths);
        console.WriteLine($"Soak: {options.Soak:0} s at {options.SoakConnections} connections (home and 100 articles) ...");
        long peakDuringSoak = 0;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                if (app.Memory() is { } memory) peakDuringSoak = Math.Max(peakDuringSoak, memory.Current);
                try { await Task.Delay(250, sampling.Token); } catch (OperationCanceledException) { }
            }
        }, CancellationToken.None);
        var load = await driver.RunAsync(app.BaseUrl, scenario, options.SoakConnections, TimeSpan.FromSeconds(options.Soak), ct);
        await sampling.CancelAsync();
        await sampler;
        var peak = app.Memory()?.Peak;
        console.WriteLine($"  soak {load.RequestsPerSecond:N0} req/s  p50 {load.P50Ms:0.00} ms  p99 {load.P99Ms:0.00} ms  errors {load.Errors}  " +
            $"peak working set {peakDuringSoak / 1048576.0:N0} MB (run VmHWM {(peak ?? 0) / 1048576.0:N0} MB)");
        return new SoakResult(options.Soak, options.SoakConnections, load.Requests, load.RequestsPerSecond, load.P50Ms, load.P99Ms, load.Errors,
            peak, peakDuringSoak > 0 ? peakDuringSoak : null);
    }

    /// <summary>The repository: the folder above the harness's binaries that holds NewsCms.sln.</summary>
    public static string FindRepository()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "NewsCms.sln"))) return dir.FullName;
            }
        }
        throw new InvalidOperationException("Could not find the repository (NewsCms.sln) above the harness or the current folder.");
    }

    internal static MachineInfo Machine()
    {
        static string? Line(string file, string key) => File.Exists(file)
            ? File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() : null;
        var memoryKb = Line("/proc/meminfo", "MemTotal") is { } total ? long.Parse(total.Split(' ')[0]) : 0;
        return new MachineInfo(Environment.ProcessorCount, memoryKb * 1024, Line("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
            RuntimeInformation.OSDescription, Environment.Version.ToString(), LoadAverage());
    }

    /// <summary>/proc/loadavg's three averages ("n/a" off Linux): other work on the machine skews every number, so each report says it.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
