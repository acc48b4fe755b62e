using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NewsCms.Benchmarks.Day;
using NewsCms.Benchmarks.Memory;
using NewsCms.Benchmarks.Render;
using NewsCms.Benchmarks.Reporting;
using NewsCms.Benchmarks.Seeding;
using NewsCms.Benchmarks.Startup;
using NewsCms.Benchmarks.Survival;

namespace NewsCms.Benchmarks.Full;

/// <summary>One step of the full run: where its own files are, when it started, the load average then, and how it ended.</summary>
public sealed record FullStep(string Name, string What, string Folder, DateTime StartedUtc, string LoadAverageAtStart, double Seconds, string Status,
    string? Error, IReadOnlyList<string> Files);

/// <summary>A headline figure gathered from a step.</summary>
public sealed record FullFigure(string Step, string Figure, string Value);

/// <summary>One issue-16 target: <paramref name="Met"/> is null when the step did not measure it (skipped, failed) or it is a figure without a bound.</summary>
public sealed record FullTarget(string Step, string Target, string Measured, bool? Met);

public sealed record FullResult(DateTime StartedUtc, string Command, MachineInfo Machine, IReadOnlyList<int> Articles, IReadOnlyList<string> Providers,
    IReadOnlyList<FullStep> Steps, IReadOnlyList<FullFigure> Figures, IReadOnlyList<FullTarget> Targets, double TotalSeconds);

/// <summary>
/// <c>full</c>: everything the harness measures, in one results folder with a subfolder per step, each step's own JSON and
/// Markdown kept: the main run (every scale on every provider), the render breakdown at the largest scale, start-up at each
/// scale, cache survival at the largest (SQLite: it runs the app in-process on a copy of the seeded file), memory once (at
/// 1,000 articles, or the smallest scale), the newsroom's day at the largest scale on each provider (on a fresh copy of the
/// SQLite file, and on a PostgreSQL database of its own: the day adds articles), and the cluster at the largest scale. Then
/// full-results.md and full-results.json: the machine, each step's load average at its start, the headline figures and
/// every issue-16 target with its measured value. A step that fails is reported with its error and the run goes on.
/// Every step reuses its subcommand (the same code, the same files).
/// </summary>
public static class FullBench
{
    public const string Verb = "full";

    public const string Usage = """
        Usage: dotnet run -c Release --project tests/NewsCms.Benchmarks -- full [options]

          --articles N[,N...]   scales (default 1000,100000)
          --provider P[,P]      Sqlite, PostgreSQL or both (default Sqlite,PostgreSQL)
          --databases DIR       keep the seeded SQLite files here and reuse them (default: in the results folder, deleted at the end)
          --postgres CONN       PostgreSQL as a role that may create databases (default: the local server as the current user)
          --duration S          measured seconds per page in the main, render and cluster runs (default 15)
          --warmup S            warm-up seconds per page (default 5)
          --connections N       connections (default 64)
          --soak S              the main run's soak at the largest scale (default 60 with wrk, 0 = none)
          --day-minutes M       the newsroom's day (default 5); or --day-seconds S
          --output DIR          results folder (default benchmark-results/full-<timestamp>)
          --skip S[,S...]       steps left out: main, render, startup, survival, memory, day, cluster
          --driver wrk|builtin  builtin: no wrk, no publish (needs --app), tiny settings for the smoke test; render without load
          --app DLL             the app for start-up and memory (default: startup publishes its own, memory reuses the main run's)
        """;

    public static readonly IReadOnlyList<string> Steps = ["main", "render", "startup", "survival", "memory", "day", "cluster"];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private sealed class Options
    {
        public List<int> Articles = [1_000, 100_000];
        public List<string> Providers = [BenchDatabase.Sqlite, BenchDatabase.PostgreSql];
        public string? Databases, Output, App;
        public string PostgresAdmin = $"Host=/var/run/postgresql;Username={Environment.UserName}";
        public double Duration = 15, Warmup = 5, DaySeconds = 300;
        public double? Soak;
        public int Connections = 64;
        public string Driver = "wrk";
        public HashSet<string> Skip = [];
        public bool Builtin => Driver == "builtin";
    }

    public static async Task<int> RunAsync(string[] args, TextWriter console, CancellationToken ct)
    {
        var o = new Options();
        var exit = await SubcommandOptions.ReadAsync(args, Usage, console, (name, option) =>
        {
            switch (name)
            {
                case "--articles": o.Articles = [.. option.Counts().Distinct().Order()]; break;
                case "--provider": o.Providers = BenchmarkOptions.Parse(["--provider", option.Text()]).Providers; break;
                case "--databases": o.Databases = option.FullPath(); break;
                case "--postgres": o.PostgresAdmin = option.Text(); break;
                case "--duration": o.Duration = option.Number(); break;
                case "--warmup": o.Warmup = option.Number(); break;
                case "--connections": o.Connections = option.Count(); break;
                case "--soak": o.Soak = option.Number(); break;
                case "--day-minutes": o.DaySeconds = option.Number() * 60; break;
                case "--day-seconds": o.DaySeconds = option.Number(); break;
                case "--output": o.Output = option.Text(); break;
                case "--app": o.App = option.FullPath(); break;
                case "--driver": o.Driver = option.Text() is ("wrk" or "builtin") and var driver ? driver : throw new ArgumentException("--driver is wrk or builtin."); break;
                case "--skip":
                    o.Skip = [.. option.Text().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant())];
                    if (o.Skip.FirstOrDefault(s => !Steps.Contains(s)) is { } unknown) throw new ArgumentException($"--skip: '{unknown}' is not one of {string.Join(", ", Steps)}.");
                    break;
                default: throw option.Unknown();
            }
        });
        if (exit is { } code) return code;
        if (o.Articles.Count == 0 || o.Articles[0] <= 0 || o.Connections <= 0 || o.DaySeconds <= 0)
        {
            await console.WriteLineAsync("--articles, --connections and the day's length must be positive.");
            await console.WriteLineAsync(Usage);
            return 1;
        }

        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var repository = Harness.FindRepository();
        var folder = Path.GetFullPath(o.Output ?? Path.Combine(repository, "benchmark-results", "full-" + started.ToString("yyyyMMdd-HHmmss", Invariant)));
        Directory.CreateDirectory(folder);
        // Every step after the main run reuses its seeded SQLite files (seeded once per scale).
        var databases = o.Databases ?? Path.Combine(folder, "db");
        Directory.CreateDirectory(databases);
        var largest = o.Articles[^1];
        var memoryScale = o.Articles.Contains(1_000) ? 1_000 : o.Articles[0];
        var machine = Harness.Machine();
        await console.WriteLineAsync($"NewsCms full benchmark: {string.Join(", ", o.Articles.Select(a => a.ToString("N0", Invariant)))} articles on " +
            $"{string.Join(" and ", o.Providers)}; results in {folder}; load average {machine.LoadAverage}");

        var steps = new List<FullStep>();
        BenchmarkRun? main = null, cluster = null;
        RenderRun? render = null;
        StartupResult? startup = null;
        SurvivalResult? survival = null;
        MemoryResult? memory = null;
        var days = new List<DayResult>();
        string[] common = ["--duration", Num(o.Duration), "--warmup", Num(o.Warmup), "--connections", o.Connections.ToString(Invariant)];

        async Task Step(string name, string what, string sub, Func<string, Task> run)
        {
            var stepFolder = Path.Combine(folder, sub);
            var at = DateTime.UtcNow;
            var load = Harness.LoadAverage();
            if (o.Skip.Contains(name))
            {
                steps.Add(new FullStep(name, what, sub, at, load, 0, "skipped", null, []));
                return;
            }
            await console.WriteLineAsync();
            await console.WriteLineAsync($"==== {what} (load average {load}) ====");
            var stepClock = Stopwatch.StartNew();
            string status = "done";
            string? error = null;
            try
            {
                Directory.CreateDirectory(stepFolder);
                await run(stepFolder);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                status = "failed";
                error = $"{ex.GetType().Name}: {ex.Message}";
                await console.WriteLineAsync($"{what} failed: {ex}");
                await File.WriteAllTextAsync(Path.Combine(stepFolder, "error.txt"), ex.ToString(), CancellationToken.None);
            }
            finally
            {
                SqliteConnection.ClearAllPools();
            }
            var files = Directory.Exists(stepFolder)
                ? Directory.EnumerateFiles(stepFolder).Select(Path.GetFileName).Where(f => f!.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".md", StringComparison.Ordinal)
                    || f.EndsWith(".svg", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(f => f!).ToList()
                : [];
            steps.Add(new FullStep(name, what, sub, at, load, stepClock.Elapsed.TotalSeconds, status, error, files));
        }

        static void Succeeded(int exitCode, string what)
        {
            if (exitCode != 0) throw new InvalidOperationException($"{what} ended with exit code {exitCode} (its usage or a missing tool; see the console).");
        }

        try
        {
            await Step("main", $"main run: {string.Join(", ", o.Articles.Select(a => a.ToString("N0", Invariant)))} articles on {string.Join(" and ", o.Providers)}", "main", async sub =>
            {
                var options = BenchmarkOptions.Parse([
                    "--articles", string.Join(',', o.Articles), "--provider", string.Join(',', o.Providers), "--databases", databases, "--postgres", o.PostgresAdmin,
                    "--driver", o.Driver, .. common, .. o.Builtin ? new[] { "--probes", "1" } : [],
                    .. o.Soak is { } soak ? new[] { "--soak", Num(soak) } : [], "--output", sub]);
                var (exitCode, run, _) = await new Harness(options, console).RunAsync(ct);
                Succeeded(exitCode, "the main run");
                main = run;
            });

            var mainApp = Path.Combine(folder, "main", "app", "NewsCms.Web.dll");
            var app = o.App ?? (File.Exists(mainApp) ? mainApp : null);

            await Step("render", $"render breakdown at {largest:N0} articles (SQLite)", "render", async sub =>
            {
                string[] extra = o.Builtin ? ["--no-load", "--renders", "4"] : [.. app is null ? [] : new[] { "--app", app }, "--duration", Num(o.Duration), "--warmup", Num(o.Warmup),
                    "--connections", o.Connections.ToString(Invariant)];
                Succeeded(await RenderBench.RunAsync(["render", "--articles", largest.ToString(Invariant), "--databases", databases, "--label", $"full run {started:yyyy-MM-dd HH:mm}",
                    .. extra, "--output", sub], console, ct), "render");
                render = Read<RenderRun>(sub, "render.json");
            });

            await Step("startup", $"start-up at {string.Join(", ", o.Articles.Select(a => a.ToString("N0", Invariant)))} articles (SQLite)", "startup", async sub =>
            {
                Succeeded(await StartupBench.RunAsync(["startup", "--articles", string.Join(',', o.Articles), "--databases", databases, "--runs", o.Builtin ? "1" : "3",
                    .. o.App is null ? [] : new[] { "--app", o.App }, "--output", sub], console, ct), "startup");
                startup = Read<StartupResult>(sub, "startup-results.json");
            });

            await Step("survival", $"cache survival at {largest:N0} articles (SQLite: the app in-process on a copy of the seeded file)", "survival", async sub =>
            {
                Succeeded(await SurvivalBench.RunAsync(["survival", "--articles", largest.ToString(Invariant), "--databases", databases,
                    "--connections", o.Builtin ? "2" : "8", "--output", sub], console, ct), "survival");
                survival = Read<SurvivalResult>(sub, "survival-results.json");
            });

            await Step("memory", $"memory at {memoryScale:N0} articles (SQLite): 50 editor circuits, 500 SSE readers", "memory", async sub =>
            {
                Succeeded(await MemoryBench.RunAsync(["memory", "--articles", memoryScale.ToString(Invariant), "--databases", databases,
                    .. app is null ? [] : new[] { "--app", app }, "--output", sub], console, ct), "memory");
                memory = Read<MemoryResult>(sub, "memory-results.json");
            });

            var day = o.Builtin
                ? new DaySettings(o.DaySeconds, 0.5, o.Connections, 1.1, 2, 0.5, 1, 0.5, 5, "builtin")
                : DaySettings.Default with { Seconds = o.DaySeconds, Connections = o.Connections };
            foreach (var provider in o.Providers)
            {
                var sub = $"day-{provider.ToLowerInvariant()}";
                await Step("day", $"the newsroom's day at {largest:N0} articles on {provider}, {o.DaySeconds / 60:0.#} min", sub, async stepFolder =>
                {
                    days.Add(await DayAsync(provider, largest, day, databases, o.PostgresAdmin, stepFolder, console, ct));
                });
            }

            await Step("cluster", $"cluster at {largest:N0} articles: PostgreSQL, Redis, 1 and 2 nodes behind nginx", "cluster", async sub =>
            {
                var options = BenchmarkOptions.Parse(["--cluster", "--articles", largest.ToString(Invariant), "--postgres", o.PostgresAdmin, .. common, "--output", sub]);
                var (exitCode, run, _) = await new Harness(options, console).RunAsync(ct);
                Succeeded(exitCode, "the cluster run");
                cluster = run;
            });
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (o.Databases is null && Directory.Exists(databases)) Directory.Delete(databases, recursive: true);
        }

        var summary = new Summary(largest, o.Providers, o.Skip);
        var result = new FullResult(started, "dotnet run -c Release --project tests/NewsCms.Benchmarks -- " + string.Join(' ', args), machine, o.Articles, o.Providers, steps,
            summary.Figures(main, render, startup, survival, memory, days, cluster), summary.Targets(steps, main, render, startup, survival, memory, days, cluster),
            clock.Elapsed.TotalSeconds);
        await File.WriteAllTextAsync(Path.Combine(folder, "full-results.json"), JsonSerializer.Serialize(result, Json), CancellationToken.None);
        var markdown = FullReport.Markdown(result);
        await File.WriteAllTextAsync(Path.Combine(folder, "full-results.md"), markdown, CancellationToken.None);
        await console.WriteLineAsync();
        await console.WriteLineAsync(markdown);
        await console.WriteLineAsync($"Done in {clock.Elapsed.TotalMinutes:N1} min. Wrote full-results.json and full-results.md to {folder}");
        return steps.Any(s => s.Status == "failed") ? 3 : 0;
    }

    /// <summary>
    /// The day adds articles, drafts and entries to its database, so it never runs on one another step reuses: SQLite on a
    /// fresh copy of the seeded file, PostgreSQL on a database of its own, seeded for it and dropped after.
    /// </summary>
    private static async Task<DayResult> DayAsync(string provider, int articles, DaySettings settings, string databases, string postgresAdmin, string folder,
        TextWriter console, CancellationToken ct)
    {
        DayResult result;
        if (provider == BenchDatabase.PostgreSql)
        {
            await using var database = await BenchDatabase.CreatePostgreSqlAsync(postgresAdmin, $"newscms_bench_day_{articles}_{Environment.ProcessId}", owner: null, ct);
            await new Seeder(new ContentGenerator(), console).SeedAsync(database, articles, reuse: false, ct);
            result = await DayBench.MeasureAsync(database, articles, settings, folder, console, ct);
        }
        else
        {
            var seeded = Path.Combine(databases, $"newscms-{articles}.db");
            var copy = Path.Combine(folder, "db", $"newscms-{articles}.db");
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            try
            {
                await using (var database = BenchDatabase.SqliteFile(seeded))
                {
                    // Seeded here only when no earlier step did (e.g. --skip main).
                    await new Seeder(new ContentGenerator(), console).SeedAsync(database, articles, reuse: true, ct);
                }
                SqliteConnection.ClearAllPools();
                foreach (var suffix in new[] { "", "-wal" })
                {
                    if (File.Exists(seeded + suffix)) File.Copy(seeded + suffix, copy + suffix, overwrite: true);
                }
                await using var day = BenchDatabase.SqliteFile(copy);
                result = await DayBench.MeasureAsync(day, articles, settings, folder, console, ct);
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
            }
        }
        await DayBench.WriteAsync(result, folder, ct);
        return result;
    }

    private static T Read<T>(string folder, string file) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(Path.Combine(folder, file))) ?? throw new InvalidOperationException($"{file} is empty.");

    private static string Num(double value) => value.ToString(Invariant);
}
