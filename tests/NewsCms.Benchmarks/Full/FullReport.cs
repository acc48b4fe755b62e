using System.Globalization;
using System.Text;
using NewsCms.Benchmarks.Day;
using NewsCms.Benchmarks.Load;
using NewsCms.Benchmarks.Memory;
using NewsCms.Benchmarks.Render;
using NewsCms.Benchmarks.Reporting;
using NewsCms.Benchmarks.Seeding;
using NewsCms.Benchmarks.Startup;
using NewsCms.Benchmarks.Survival;

namespace NewsCms.Benchmarks.Full;

/// <summary>The full run's headline figures and issue-16 targets, gathered from each step's result (null: not measured).</summary>
internal sealed class Summary(int largest, IReadOnlyList<string> providers, IReadOnlySet<string> skipped)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public List<FullFigure> Figures(BenchmarkRun? main, RenderRun? render, StartupResult? startup, SurvivalResult? survival, MemoryResult? memory,
        List<DayResult> days, BenchmarkRun? cluster)
    {
        var figures = new List<FullFigure>();
        void Add(string step, string figure, FormattableString value) => figures.Add(new FullFigure(step, figure, value.ToString(Invariant)));
        foreach (var scale in main?.Scales ?? [])
        {
            var at = $"{scale.Articles:N0} articles, {scale.Provider}";
            PageResult? Page(string name) => scale.Pages.FirstOrDefault(p => p.Page == name);
            if (Page(Scenario.ArticleHit) is { } hit) Add("main", $"article cache hit ({at})", $"{hit.RequestsPerSecond:N0} req/s, p99 {hit.P99Ms:0.0} ms, {hit.RatioToCeiling:0.00}× the ceiling");
            if (Page(Scenario.ArticleFresh) is { } fresh) Add("main", $"article fresh render ({at})", $"{fresh.RequestsPerSecond:N0} req/s, p99 {fresh.P99Ms:0.0} ms, {fresh.RatioToCeiling:0.00}× bare SSR");
            if (Page(Scenario.Search) is { } search) Add("main", $"search ({at})", $"{search.RequestsPerSecond:N0} req/s, p50 {search.P50Ms:0.0} ms, p99 {search.P99Ms:0.0} ms");
            if (Page(Scenario.Home) is { } home) Add("main", $"home ({at})", $"{home.RequestsPerSecond:N0} req/s, p99 {home.P99Ms:0.0} ms");
            Add("main", $"seeding ({at})", $"{scale.SeedSeconds:N0} s{(scale.ReusedDatabase ? " (reused)" : "")}, database {scale.DatabaseBytes / 1048576.0:N0} MB");
            if (scale.AppPeakWorkingSetBytes is { } peak) Add("main", $"app peak working set ({at})", $"{peak / 1048576.0:N0} MB");
        }
        if (render is not null)
        {
            var b = render.Breakdown;
            Add("render", $"one fresh render at {b.Articles:N0} articles", $"mean {b.MeanMs:0.00} ms, p99 {b.P99Ms:0.00} ms, {b.CpuMsPerRender:0.00} ms CPU, {b.AllocatedKbPerRender:N0} KB allocated, {b.CommandsPerRender:0.#} SQL commands");
            foreach (var part in b.Parts) Add("render", $"  {part.Name}", $"{part.Ms:0.00} ms");
            if (render.RatioToBareSsr is { } ratio) Add("render", "fresh render (wrk) vs bare static SSR", $"{ratio:0.00}×");
        }
        foreach (var scale in startup?.Scales ?? []) Add("startup", $"start-up at {scale.Articles:N0} articles", $"median {scale.MedianMs:N0} ms (min {scale.MinMs:N0}, max {scale.MaxMs:N0})");
        foreach (var change in survival?.Changes ?? []) Add("survival", $"{change.Change} at {survival!.Articles:N0} articles", $"kept {change.KeptAfter:N0} of {change.CachedBefore:N0} ({change.KeptShare:P2})");
        foreach (var day in days)
        {
            Add("day", $"day on {day.Provider} at {day.Articles:N0} articles", $"hit ratio {day.Readers.HitRatio:P1}, readers {day.Readers.RequestsPerSecond:N0} req/s p99 {day.Readers.P99Ms:0.0} ms, save p99 {day.Saves.P99Ms:0.0} ms, live p99 {day.Live.P99Ms:0.0} ms, {day.Errors} errors, peak working set {Mb(day.PeakWorkingSetBytes)}");
        }
        if (memory is not null)
        {
            Add("memory", $"{memory.Circuits} editor circuits at {memory.Articles:N0} articles", $"{memory.CircuitsWorkingSetBytes / 1048576.0:N1} MB working set, {memory.BytesPerCircuit / 1024:N0} KB per circuit, {memory.BytesPerReader / 1024:N1} KB per SSE reader ({memory.Readers}), peak {memory.PeakWorkingSetBytes / 1048576.0:N0} MB");
        }
        if (cluster?.Cluster is { } c)
        {
            foreach (var load in c.Loads) Add("cluster", $"{load.Page}, {load.Nodes} node(s) through nginx", $"{load.RequestsPerSecond:N0} req/s, p99 {load.P99Ms:0.0} ms, {load.Errors} errors");
            Add("cluster", "publish to visible on node 2", $"p50 {c.VisibleP50Ms:N0} ms, p99 {c.VisibleP99Ms:N0} ms ({c.Publishes} publishes)");
        }
        return figures;
    }

    public List<FullTarget> Targets(IReadOnlyList<FullStep> steps, BenchmarkRun? main, RenderRun? render, StartupResult? startup, SurvivalResult? survival,
        MemoryResult? memory, List<DayResult> days, BenchmarkRun? cluster)
    {
        var targets = new List<FullTarget>();
        string Missing(string step) => steps.LastOrDefault(s => s.Name == step) is { Status: "failed" } failed ? $"not measured: the step failed ({failed.Error})"
            : skipped.Contains(step) ? "not measured: skipped" : "not measured";
        void Row(string step, string target, bool measured, Func<(FormattableString Measured, bool? Met)> value)
        {
            if (!measured)
            {
                targets.Add(new FullTarget(step, target, Missing(step), null));
                return;
            }
            var (text, met) = value();
            targets.Add(new FullTarget(step, target, text.ToString(Invariant), met));
        }

        var at = $"{largest:N0} articles";
        foreach (var provider in providers)
        {
            var scale = main?.Scales.FirstOrDefault(s => s.Provider == provider && s.Articles == largest);
            PageResult? Page(string name) => scale?.Pages.FirstOrDefault(p => p.Page == name);
            var connections = main?.Connections ?? 64;
            Row("main", $"cache-hit article ≥ 0.8× the ceiling, one node ({provider}, {at})", Page(Scenario.ArticleHit)?.RatioToCeiling is not null,
                () => ($"{Page(Scenario.ArticleHit)!.RatioToCeiling:0.00}×", Page(Scenario.ArticleHit)!.RatioToCeiling >= 0.8));
            Row("main", $"fresh render ≥ 0.5× the bare static-SSR page ({provider}, {at})", Page(Scenario.ArticleFresh)?.RatioToCeiling is not null,
                () => ($"{Page(Scenario.ArticleFresh)!.RatioToCeiling:0.00}×", Page(Scenario.ArticleFresh)!.RatioToCeiling >= 0.5));
            Row("main", $"fresh render p99 < 50 ms at {connections} connections ({provider}, {at})", Page(Scenario.ArticleFresh) is not null,
                () => ($"{Page(Scenario.ArticleFresh)!.P99Ms:0.0} ms", Page(Scenario.ArticleFresh)!.P99Ms < 50));
            foreach (var kind in SearchKinds.All)
            {
                var page = Page(Scenario.SearchOfKind(kind));
                Row("main", $"search p50 < 10 ms at 1 connection, {kind} ({provider}, {at})", page is not null, () => ($"{page!.P50Ms:0.00} ms", page!.P50Ms < 10));
            }
            Row("main", $"search ≥ 0.3× the fresh render's req/s at {connections} connections ({provider}, {at})", Page(Scenario.Search) is not null && Page(Scenario.ArticleFresh) is { RequestsPerSecond: > 0 },
                () =>
                {
                    var ratio = Page(Scenario.Search)!.RequestsPerSecond / Page(Scenario.ArticleFresh)!.RequestsPerSecond;
                    return ($"{ratio:0.00}× ({Page(Scenario.Search)!.RequestsPerSecond:N0} against {Page(Scenario.ArticleFresh)!.RequestsPerSecond:N0} req/s)", ratio >= 0.3);
                });
        }

        // Through nginx there is no ceiling of its own: the one-node ceiling of the main run at the same scale is the bound.
        var ceiling = main?.Scales.Where(s => s.Articles == largest).SelectMany(s => s.Pages).FirstOrDefault(p => p.Page == Scenario.CeilingName);
        var twoNodes = cluster?.Cluster?.Loads.FirstOrDefault(l => l.Page == Scenario.ArticleHit && l.Nodes == 2);
        Row("cluster", $"cache-hit article through nginx with 2 nodes ≥ 0.8× the ceiling ({at}; the main run's ceiling)", twoNodes is not null && ceiling is { RequestsPerSecond: > 0 },
            () => ($"{twoNodes!.RequestsPerSecond / ceiling!.RequestsPerSecond:0.00}× ({twoNodes.RequestsPerSecond:N0} against {ceiling.RequestsPerSecond:N0} req/s)",
                twoNodes.RequestsPerSecond / ceiling.RequestsPerSecond >= 0.8));

        var publish = survival?.Changes.FirstOrDefault(c => c.Change == "publish one article");
        var tag = survival?.Changes.FirstOrDefault(c => c.Change == "edit one tag");
        Row("survival", $"cache survival ≥ 99 % on a publish (SQLite, {survival?.Articles ?? largest:N0} articles)", publish is not null,
            () => ($"{publish!.KeptShare:P2} ({publish.KeptAfter:N0} of {publish.CachedBefore:N0})", publish.KeptShare >= 0.99));
        Row("survival", "a tag edit keeps every page not showing the tag (SQLite)", tag is not null,
            () => ($"{tag!.NotShowingKept:N0} of {tag.NotShowing:N0}", tag.NotShowingKept == tag.NotShowing));

        foreach (var provider in providers)
        {
            var day = days.FirstOrDefault(d => d.Provider == provider);
            var where = $" ({provider}, {at})";
            foreach (var name in new[] { "cache hit ratio ≥ 95 %", "reader p99 < 20 ms", "errors = 0", "editor save p99 < 200 ms", "live entry delivery p99 < 1 s" })
            {
                var check = day is null ? null : DayBench.Targets(day).FirstOrDefault(t => t.Target == name);
                Row("day", "day: " + name + where, check is not null, () => ($"{check!.Measured}", check.Met));
            }
            Row("day", "day: the app's peak working set" + where, day is not null, () => ($"{Mb(day!.PeakWorkingSetBytes)}", null));
        }

        Row("memory", $"{memory?.Circuits ?? 50} editor circuits < 300 MB working set", memory is not null,
            () => ($"{memory!.CircuitsWorkingSetBytes / 1048576.0:N1} MB; {memory.BytesPerCircuit / 1024:N0} KB per circuit, {memory.BytesPerReader / 1024:N1} KB per SSE reader",
                memory.CircuitsWorkingSetBytes < 300L * 1024 * 1024));

        foreach (var articles in startup?.Scales.Select(s => s.Articles) ?? [])
        {
            var scale = startup!.Scales.First(s => s.Articles == articles);
            Row("startup", $"start-up < 2 s to the first 200 at {articles:N0} articles", true,
                () => ($"median {scale.MedianMs:N0} ms (first start, migrating: {scale.Migrating.FirstOkMs:N0} ms)", scale.MedianMs < 2000));
        }
        if (startup is null) Row("startup", "start-up < 2 s to the first 200", false, () => default);
        _ = render; // the render step's own targets are the main run's fresh-render rows; its breakdown is a figure
        return targets;
    }

    internal static string Mb(long? bytes) => bytes is { } b ? (b / 1048576.0).ToString("N0", Invariant) + " MB" : "n/a";
}

internal static class FullReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Markdown(FullResult r)
    {
        var md = new StringBuilder();
        md.AppendLine(Invariant, $"# NewsCms full benchmark, {r.StartedUtc:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(Invariant, $"`{r.Command}`");
        md.AppendLine();
        md.AppendLine(Invariant, $"{string.Join(", ", r.Articles.Select(a => a.ToString("N0", Invariant)))} articles on {string.Join(" and ", r.Providers)}; " +
            $"{r.Machine.Cores} cores ({r.Machine.Cpu}), {r.Machine.MemoryBytes / 1073741824.0:N1} GB, {r.Machine.Os}, .NET {r.Machine.Runtime}; " +
            $"load average at the start {r.Machine.LoadAverage}; {r.TotalSeconds / 60:N1} min in all.");
        md.AppendLine();
        md.AppendLine("## Targets (issue 16)");
        md.AppendLine();
        md.AppendLine("| step | target | measured | met |");
        md.AppendLine("|---|---|---|---|");
        foreach (var t in r.Targets)
        {
            md.AppendLine(Invariant, $"| {t.Step} | {t.Target} | {Cell(t.Measured)} | {(t.Met switch { true => "met", false => "**not met**", null => "—" })} |");
        }
        md.AppendLine();
        md.AppendLine("## Steps");
        md.AppendLine();
        md.AppendLine("| step | what | folder | started (UTC) | load average then | minutes | status | files |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var s in r.Steps)
        {
            md.AppendLine(Invariant, $"| {s.Name} | {s.What} | {s.Folder}/ | {s.StartedUtc:HH:mm:ss} | {s.LoadAverageAtStart} | {s.Seconds / 60:0.0} | " +
                $"{(s.Status == "failed" ? "**failed**: " + Cell(s.Error ?? "") : s.Status)} | {string.Join(", ", s.Files)} |");
        }
        md.AppendLine();
        md.AppendLine("## Headline figures");
        md.AppendLine();
        md.AppendLine("| step | figure | value |");
        md.AppendLine("|---|---|---|");
        foreach (var f in r.Figures) md.AppendLine(Invariant, $"| {f.Step} | {f.Figure} | {Cell(f.Value)} |");
        md.AppendLine();
        md.AppendLine("Each step's own results (JSON and Markdown) are in its folder; a failed step's error in full in its error.txt. " +
            "Render, start-up, survival and memory run on SQLite (the seeded files; survival on a copy of its own); the day runs on a " +
            "fresh copy (SQLite) or a database of its own (PostgreSQL), as it adds articles. Through nginx there is no ceiling of its own: " +
            "the two-node cache hits are set against the main run's ceiling at the same scale.");
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
