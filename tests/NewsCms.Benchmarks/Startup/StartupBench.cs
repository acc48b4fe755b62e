using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NewsCms.Benchmarks.Hosting;
using NewsCms.Benchmarks.Seeding;

namespace NewsCms.Benchmarks.Startup;

/// <summary>One start of the app: from the process start to Kestrel listening, and to the home page's first 200.</summary>
/// <summary><paramref name="CpuMs"/>: the app's processor time (user and system, all threads) until then, far less sensitive to a busy machine than the wall clock.</summary>
public sealed record StartupRun(double ListeningMs, double FirstOkMs, double FirstRequestMs, int Attempts, double CpuMs);

/// <summary>The starts at one scale. The first start brought the database up to date (not counted in the median).</summary>
public sealed record StartupScale(int Articles, long DatabaseBytes, StartupRun Migrating, IReadOnlyList<StartupRun> Runs, double MedianMs, double MinMs, double MaxMs);

public sealed record StartupResult(IReadOnlyList<StartupScale> Scales, string App, int Cores, string LoadAverageAtStart, string LoadAverageAtEnd);

/// <summary>
/// <c>startup [--articles 1000[,100000]] [--databases DIR] [--output DIR] [--runs 3] [--app DLL]</c>: the published app
/// (Release, Production; published for this machine's runtime, so ReadyToRun, into the results folder unless
/// <c>--app</c> names an app's dll) started as its own
/// process on a seeded SQLite database, timed from the process start to the first 200 on the home page (target under
/// 2 s). The first start of each scale brings the database up to date (the seeds are made before the last migration)
/// and is reported apart; the others start on an up-to-date database, as a restart or a deploy does. Writes
/// startup-results.json and startup-results.md.
/// </summary>
public static class StartupBench
{
    public const string Usage = "Usage: dotnet run -c Release --project tests/NewsCms.Benchmarks -- startup [--articles 1000[,100000]] [--databases DIR] [--output DIR] [--runs 3] [--app DLL]";

    public static async Task<int> RunAsync(string[] args, TextWriter console, CancellationToken ct)
    {
        List<int> scales = [1_000];
        var runs = 3;
        string? output = null, databases = null, app = null;
        var exit = await SubcommandOptions.ReadAsync(args, Usage, console, (name, option) =>
        {
            switch (name)
            {
                case "--articles": scales = option.Counts(); break;
                case "--runs": runs = option.Count(); break;
                case "--output": output = option.Text(); break;
                case "--databases": databases = option.Text(); break;
                case "--app": app = option.FullPath(); break;
                default: throw option.Unknown();
            }
        });
        if (exit is { } code) return code;
        var repository = Harness.FindRepository();
        var folder = SubcommandOptions.ResultsFolder(repository, output, "startup");
        var loadAtStart = Harness.LoadAverage();
        // Published for this machine's runtime, so ReadyToRun, as README's deployment advice says.
        app ??= await AppProcess.PublishAsync(repository, Path.Combine(folder, "app"), console, ct,
            System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier);
        var measured = new List<StartupScale>();
        foreach (var articles in scales.Distinct().Order())
        {
            measured.Add(await MeasureAsync(app, folder, databases, articles, runs, console, ct));
        }
        var result = new StartupResult(measured, app, Environment.ProcessorCount, loadAtStart, Harness.LoadAverage());
        await File.WriteAllTextAsync(Path.Combine(folder, "startup-results.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }), ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "startup-results.md"), Markdown(result), ct);
        await console.WriteLineAsync($"Wrote startup-results.json and startup-results.md to {folder}");
        return 0;
    }

    public static async Task<StartupScale> MeasureAsync(string appDll, string folder, string? databases, int articles, int runs, TextWriter console, CancellationToken ct)
    {
        var dbFolder = Path.GetFullPath(databases ?? Path.Combine(folder, "db"));
        await using var database = BenchDatabase.SqliteFile(Path.Combine(dbFolder, $"newscms-{articles}.db"));
        try
        {
            await new Seeder(new ContentGenerator(), console).SeedAsync(database, articles, reuse: databases is not null, ct);
            SqliteConnection.ClearAllPools();
            var log = Path.Combine(folder, $"app-startup-{articles}.log");
            var migrating = await StartOnceAsync(appDll, database, log, ct);
            await console.WriteLineAsync($"{articles:N0} articles: first start (brings the database up to date) {migrating.FirstOkMs:N0} ms");
            var measured = new List<StartupRun>();
            for (var i = 0; i < runs; i++)
            {
                var run = await StartOnceAsync(appDll, database, log, ct);
                measured.Add(run);
                await console.WriteLineAsync($"  start {i + 1}: listening after {run.ListeningMs:N0} ms, first 200 on / after {run.FirstOkMs:N0} ms (that request {run.FirstRequestMs:N0} ms), processor time {run.CpuMs:N0} ms");
            }
            var sorted = measured.Select(r => r.FirstOkMs).Order().ToList();
            return new StartupScale(articles, await database.SizeBytesAsync(ct), migrating, measured, sorted[sorted.Count / 2], sorted[0], sorted[^1]);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (databases is null && Directory.Exists(dbFolder)) Directory.Delete(dbFolder, recursive: true);
        }
    }

    /// <summary>Starts the app, asks for the home page until it answers 200, and stops the app.</summary>
    private static async Task<StartupRun> StartOnceAsync(string appDll, BenchDatabase database, string log, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await using var app = AppProcess.Launch(appDll, database, log);
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(2) })
        { BaseAddress = app.BaseUrl, Timeout = TimeSpan.FromMinutes(2) };
        var attempts = 0;
        while (true)
        {
            if (app.HasExited) throw new InvalidOperationException($"The app exited while starting; see {log}.");
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(3)) throw new TimeoutException($"No 200 on / within 3 minutes; see {log}.");
            attempts++;
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.GetAsync("/", ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var done = Stopwatch.GetTimestamp();
                    return new StartupRun(app.ListeningAt is { } at ? Stopwatch.GetElapsedTime(started, at).TotalMilliseconds : 0,
                        Stopwatch.GetElapsedTime(started, done).TotalMilliseconds, Stopwatch.GetElapsedTime(sent, done).TotalMilliseconds, attempts, CpuMilliseconds(app.ProcessId));
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(5, ct);
        }
    }

    /// <summary>utime + stime of the process from /proc (clock ticks of 10 ms on Linux); 0 elsewhere.</summary>
    private static double CpuMilliseconds(int processId)
    {
        var stat = $"/proc/{processId}/stat";
        if (!File.Exists(stat)) return 0;
        // The fields after the command's closing parenthesis: state is field 3, utime 14 and stime 15.
        var text = File.ReadAllText(stat);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    internal static string Markdown(StartupResult result)
    {
        var md = new StringBuilder()
            .AppendLine("# Start-up: process start to the first 200 on the home page")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"The published app ({result.App}), Production, SQLite, {result.Cores} cores; load average {result.LoadAverageAtStart} at the start, {result.LoadAverageAtEnd} at the end.")
            .AppendLine()
            .AppendLine("| articles | database MB | median ms | min ms | max ms | listening ms (median run) | first request ms (median run) | processor ms (median run) | first start, migrating ms |")
            .AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var s in result.Scales)
        {
            var median = s.Runs.OrderBy(r => r.FirstOkMs).ElementAt(s.Runs.Count / 2);
            md.AppendLine(CultureInfo.InvariantCulture, $"| {s.Articles:N0} | {s.DatabaseBytes / (1024.0 * 1024):N0} | {s.MedianMs:N0} | {s.MinMs:N0} | {s.MaxMs:N0} | " +
                $"{median.ListeningMs:N0} | {median.FirstRequestMs:N0} | {median.CpuMs:N0} | {s.Migrating.FirstOkMs:N0} |");
        }
        md.AppendLine()
            .AppendLine("Each start is timed from just before the process is started until the home page answers 200 (asked every 5 ms until it does);")
            .AppendLine("\"processor\" is the app's processor time until then (all threads; on a busy machine the wall clock grows, this much less);")
            .AppendLine("\"listening\" is when Kestrel logs that it listens. The first start of each scale brings the seeded database up to date and is not in the median.")
            .AppendLine("Target: under 2 s.");
        return md.ToString();
    }
}
