using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NewsCms.Benchmarks.Hosting;
using NewsCms.Benchmarks.Load;
using NewsCms.Benchmarks.Seeding;

namespace NewsCms.Benchmarks.Render;

/// <summary>The fresh article render under load next to the bare static-SSR page, at 64 connections (and one).</summary>
public sealed record RenderLoad(string Page, int Connections, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors, double? RenderedShare);

public sealed record RenderRun(DateTime StartedUtc, string Command, RenderBreakdownResult Breakdown, List<RenderLoad> Loads, double? RatioToBareSsr,
    string LoadAverageBeforeLoad, List<RenderBreakdownResult> Compared);

/// <summary>
/// <c>render --articles N --databases DIR [--label L] [--renders 300] [--duration 5] [--warmup 2] [--connections 64]
/// [--compare earlier/render.json] [--no-load] [--no-breakdown] [--app published/NewsCms.Web.dll] [--output DIR]</c>: the fresh article render on its own. In-process,
/// where one render's time goes (<see cref="RenderBreakdown"/>); then, unless --no-load, the published app under wrk
/// (fresh renders over every article at 64 connections and at one) and the bare static-SSR ceiling
/// (<see cref="BareSsrCeiling"/>) at 64. Writes render.json, render.md and render.svg (the breakdown, next to those of
/// the --compare runs, e.g. before and after a change).
/// </summary>
public static class RenderBench
{
    public const string Usage = "Usage: dotnet run -c Release --project tests/NewsCms.Benchmarks -- render --articles N --databases DIR " +
        "[--label L] [--renders 300] [--duration 5] [--warmup 2] [--connections 64] [--compare earlier/render.json ...] [--no-load] [--no-breakdown] [--app published/NewsCms.Web.dll] [--output DIR]";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args, TextWriter console, CancellationToken ct)
    {
        int articles = 0, renders = 300, connections = 64;
        double duration = 5, warmup = 2;
        string? output = null, databases = null, label = null, appDll = null;
        bool load = true, breakdownToo = true;
        var compare = new List<string>();
        var exit = await SubcommandOptions.ReadAsync(args, Usage, console, (name, option) =>
        {
            switch (name)
            {
                case "--articles": articles = option.Count(); break;
                case "--databases": databases = option.Text(); break;
                case "--label": label = option.Text(); break;
                case "--renders": renders = option.Count(); break;
                case "--duration": duration = option.Number(); break;
                case "--warmup": warmup = option.Number(); break;
                case "--connections": connections = option.Count(); break;
                case "--compare": compare.Add(option.Text()); break;
                case "--output": output = option.Text(); break;
                case "--no-load": load = false; break;
                case "--no-breakdown": breakdownToo = false; break;
                case "--app": appDll = option.FullPath(); break;
                default: throw option.Unknown();
            }
        });
        if (exit is { } code) return code;
        if (articles <= 0 || databases is null)
        {
            await console.WriteLineAsync(Usage);
            return 1;
        }
        if (load && !WrkDriver.IsInstalled())
        {
            await console.WriteLineAsync(WrkDriver.InstallHint);
            return 2;
        }
        var started = DateTime.UtcNow;
        var repository = Harness.FindRepository();
        var folder = SubcommandOptions.ResultsFolder(repository, output, "render");
        label ??= started.ToString("yyyy-MM-dd HH:mm", Invariant);

        var database = BenchDatabase.SqliteFile(Path.Combine(Path.GetFullPath(databases), $"newscms-{articles}.db"));
        if (!File.Exists(database.Path)) throw new InvalidOperationException($"No seeded database at {database.Path}: run the harness with --databases first.");
        var site = await SiteSample.ReadAsync(database, new ContentGenerator(), ct);

        // Without a breakdown (--no-breakdown, e.g. to load an app published from another commit), an empty one is written.
        var breakdown = new RenderBreakdownResult(label, articles, 0, 0, 0, 0, 0, 0, 0, 0, [], Harness.LoadAverage());
        if (breakdownToo)
        {
            await using var inProcess = new InProcessApp(repository, database);
            breakdown = await RenderBreakdown.MeasureAsync(inProcess, site.ArticleSlugs, articles, label, renders, console, ct);
        }
        SqliteConnection.ClearAllPools();

        var loads = new List<RenderLoad>();
        double? ratio = null;
        var loadAverage = Harness.LoadAverage();
        if (load)
        {
            var driver = new WrkDriver(Path.Combine(folder, "wrk"));
            appDll ??= await AppProcess.PublishAsync(repository, Path.Combine(folder, "app"), console, ct);
            await using var app = await AppProcess.StartAsync(appDll, database, Path.Combine(folder, "app.log"), ct);
            await using var bare = await BareSsrCeiling.StartAsync();
            await ServeAsync(app.BaseUrl, bare, "/news/" + site.ArticleSlug, ct);
            var fresh = new Scenario(Scenario.ArticleFresh, "/news/" + site.ArticleSlug, [.. site.ArticleSlugs.Select(s => "/news/" + s)], BypassCache: true);
            var bareScenario = new Scenario(Scenario.BareSsrCeilingName, "/news/" + site.ArticleSlug, Ceiling: true);
            loadAverage = Harness.LoadAverage();
            foreach (var (scenario, target, count) in new[] { (fresh, app.BaseUrl, connections), (bareScenario, bare.BaseUrl, connections), (fresh, app.BaseUrl, 1) })
            {
                if (warmup > 0) await driver.RunAsync(target, scenario, count, TimeSpan.FromSeconds(warmup), ct);
                var result = await driver.RunAsync(target, scenario, count, TimeSpan.FromSeconds(duration), ct);
                var name = count == 1 ? Scenario.ArticleFreshSingle : scenario.Name;
                console.WriteLine($"  {name,-38} {result.RequestsPerSecond,9:N0} req/s  p50 {result.P50Ms,7:0.00} ms  p99 {result.P99Ms,7:0.00} ms  errors {result.Errors}" +
                    $"  load average {Harness.LoadAverage()}");
                loads.Add(new RenderLoad(name, count, result.RequestsPerSecond, result.P50Ms, result.P99Ms, result.Errors, result.RenderedShare));
                await Task.Delay(500, ct);
            }
            ratio = loads[1].RequestsPerSecond > 0 ? loads[0].RequestsPerSecond / loads[1].RequestsPerSecond : null;
            console.WriteLine($"Fresh render at {connections} connections: {ratio:0.00}× the bare static-SSR page.");
        }

        var compared = compare.Select(path => JsonSerializer.Deserialize<RenderRun>(File.ReadAllText(path))!.Breakdown).ToList();
        var run = new RenderRun(started, "dotnet run -c Release --project tests/NewsCms.Benchmarks -- " + string.Join(' ', args), breakdown, loads, ratio, loadAverage, compared);
        await File.WriteAllTextAsync(Path.Combine(folder, "render.json"), JsonSerializer.Serialize(run, Json), ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "render.md"), Markdown(run), ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "render.svg"), Svg([.. compared, breakdown]), ct);
        console.WriteLine($"Wrote render.json, render.md and render.svg to {folder}");
        return 0;
    }

    /// <summary>The bare page renders what the app answers for <paramref name="path"/>.</summary>
    internal static async Task ServeAsync(Uri app, BareSsrCeiling bare, string path, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = app };
        using var response = await client.GetAsync(path, ct);
        response.EnsureSuccessStatusCode();
        bare.Serve(await response.Content.ReadAsStringAsync(ct));
    }

    public static string Markdown(RenderRun run)
    {
        var md = new StringBuilder();
        var all = run.Compared.Append(run.Breakdown).ToList();
        md.AppendLine(Invariant, $"# Fresh article render ({run.Breakdown.Articles:N0} articles)");
        md.AppendLine();
        md.AppendLine(Invariant, $"`{run.Command}`, {run.StartedUtc:yyyy-MM-dd HH:mm} UTC.");
        md.AppendLine();
        md.AppendLine("Where one fresh render's time goes (in-process, one request at a time over different articles; mean ms per render over the faster half of the renders, so that waiting for a core on a busy machine is not counted):");
        md.AppendLine();
        md.AppendLine("| part | " + string.Join(" | ", all.Select(b => b.Label)) + " |");
        md.AppendLine("| --- |" + string.Concat(all.Select(_ => " ---: |")));
        foreach (var part in run.Breakdown.Parts.Select(p => p.Name).Union(all.SelectMany(b => b.Parts.Select(p => p.Name))))
        {
            md.AppendLine("| " + part + " | " + string.Join(" | ", all.Select(b => b.Parts.FirstOrDefault(p => p.Name == part) is { } p ? p.Ms.ToString("0.000", Invariant) : "")) + " |");
        }
        md.AppendLine("| **total (mean, faster half)** | " + string.Join(" | ", all.Select(b => $"**{b.MeanMs.ToString("0.000", Invariant)}**")) + " |");
        md.AppendLine("| p50 / p99 | " + string.Join(" | ", all.Select(b => $"{b.P50Ms.ToString("0.00", Invariant)} / {b.P99Ms.ToString("0.00", Invariant)}")) + " |");
        md.AppendLine("| CPU ms per render (process) | " + string.Join(" | ", all.Select(b => b.CpuMsPerRender.ToString("0.00", Invariant))) + " |");
        md.AppendLine("| KB allocated per render | " + string.Join(" | ", all.Select(b => b.AllocatedKbPerRender.ToString("N0", Invariant))) + " |");
        md.AppendLine("| SQL commands per render | " + string.Join(" | ", all.Select(b => b.CommandsPerRender.ToString("0.0", Invariant))) + " |");
        md.AppendLine("| renders measured | " + string.Join(" | ", all.Select(b => b.Renders.ToString(Invariant))) + " |");
        md.AppendLine("| load average | " + string.Join(" | ", all.Select(b => b.LoadAverage)) + " |");
        md.AppendLine();
        foreach (var part in run.Breakdown.Parts) md.AppendLine($"- **{part.Name}**: {part.Means}.");
        if (run.Loads.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(Invariant, $"Under load (wrk, load average {run.LoadAverageBeforeLoad} before):");
            md.AppendLine();
            md.AppendLine("| page | connections | req/s | p50 ms | p99 ms | errors |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            foreach (var l in run.Loads)
                md.AppendLine(Invariant, $"| {l.Page} | {l.Connections} | {l.RequestsPerSecond:N0} | {l.P50Ms:0.00} | {l.P99Ms:0.00} | {l.Errors} |");
            md.AppendLine();
            md.AppendLine(Invariant, $"Fresh render ÷ bare static SSR at {run.Loads[0].Connections} connections: **{run.RatioToBareSsr:0.00}×** (target ≥ 0.5×); " +
                $"p99 {run.Loads[0].P99Ms:0.0} ms (target < 50 ms).");
        }
        return md.ToString();
    }

    /// <summary>One stacked bar per breakdown (e.g. before and after): ms per render, by part.</summary>
    public static string Svg(IReadOnlyList<RenderBreakdownResult> breakdowns)
    {
        string[] colours = ["#805ad5", "#2b6cb0", "#dd6b20", "#718096", "#2f855a", "#d53f8c"];
        var parts = breakdowns.SelectMany(b => b.Parts.Select(p => p.Name)).Distinct().ToList();
        const int labelWidth = 170, barArea = 600, barHeight = 28, top = 70;
        var max = Math.Max(0.001, breakdowns.Max(b => Math.Max(b.MeanMs, b.Parts.Sum(p => p.Ms))));
        var height = top + breakdowns.Count * (barHeight + 14) + 30;
        var svg = new StringBuilder();
        svg.AppendLine(Invariant, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{labelWidth + barArea + 90}" height="{height}" font-family="sans-serif" font-size="12">""");
        svg.AppendLine("""<rect width="100%" height="100%" fill="#fff"/>""");
        svg.AppendLine(Invariant, $"""<text x="10" y="20" font-size="15" font-weight="bold">Where one fresh article render's time goes (ms, {breakdowns[^1].Articles:N0} articles, in-process)</text>""");
        for (var p = 0; p < parts.Count; p++)
        {
            var x = 10 + p % 3 * 250;
            var y = 32 + p / 3 * 16;
            svg.AppendLine(Invariant, $"""<rect x="{x}" y="{y}" width="11" height="11" fill="{colours[p % colours.Length]}"/>""");
            svg.AppendLine(Invariant, $"""<text x="{x + 15}" y="{y + 10}">{WebUtility.HtmlEncode(parts[p])}</text>""");
        }
        for (var b = 0; b < breakdowns.Count; b++)
        {
            var y = top + b * (barHeight + 14);
            svg.AppendLine(Invariant, $"""<text x="{labelWidth - 8}" y="{y + barHeight / 2 + 4}" text-anchor="end">{WebUtility.HtmlEncode(breakdowns[b].Label)}</text>""");
            double x = labelWidth;
            foreach (var part in breakdowns[b].Parts)
            {
                var width = part.Ms / max * barArea;
                var colour = colours[parts.IndexOf(part.Name) % colours.Length];
                svg.AppendLine(Invariant, $"""<rect x="{x:0.0}" y="{y}" width="{width:0.0}" height="{barHeight}" fill="{colour}"><title>{WebUtility.HtmlEncode(part.Name)}: {part.Ms:0.000} ms</title></rect>""");
                x += width;
            }
            svg.AppendLine(Invariant, $"""<text x="{x + 4:0.0}" y="{y + barHeight / 2 + 4}">{breakdowns[b].MeanMs:0.00} ms</text>""");
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}
