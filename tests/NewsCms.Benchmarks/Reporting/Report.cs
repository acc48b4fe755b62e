using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using NewsCms.Benchmarks.Load;

namespace NewsCms.Benchmarks.Reporting;

/// <summary>Growth and target checks, and the run written as results.json, results.md and results.svg.</summary>
public static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static List<GrowthRow> Growth(List<ScaleResult> scales)
    {
        if (scales.Count < 2) return [];
        var small = scales.MinBy(s => s.Articles)!;
        var large = scales.MaxBy(s => s.Articles)!;
        return [.. large.Pages.Where(p => !Scenario.IsCeiling(p.Page)).Select(l =>
        {
            var s = small.Pages.Single(p => p.Page == l.Page);
            return new GrowthRow(l.Page, s.P50Ms, l.P50Ms, Ratio(l.P50Ms, s.P50Ms), s.FreshRenderMs, l.FreshRenderMs,
                s.FreshRenderMs is { } sf && l.FreshRenderMs is { } lf ? Ratio(lf, sf) : null);
        })];
    }

    public static List<TargetCheck> Targets(List<ScaleResult> scales, List<GrowthRow> growth)
    {
        var large = scales.MaxBy(s => s.Articles)!;
        var at = $"{large.Articles:N0} articles";
        PageResult Page(string name) => large.Pages.Single(p => p.Page == name);
        var targets = new List<TargetCheck>();
        var hit = Page(Scenario.ArticleHit);
        targets.Add(new TargetCheck("cache-hit article ≥ 0.8× the ceiling's req/s", $"{hit.RatioToCeiling:0.00}×", hit.RatioToCeiling >= 0.8));
        if (Page(Scenario.ArticleFresh).RatioToCeiling is { } bareRatio)
        {
            targets.Add(new TargetCheck("fresh render ≥ 0.5× the bare static-SSR page's req/s", $"{bareRatio:0.00}×", bareRatio >= 0.5));
        }
        foreach (var (name, connections) in new[] { (Scenario.ArticleFresh, "under load"), (Scenario.ArticleFreshSingle, "at 1 connection") })
        {
            var fresh = Page(name);
            targets.Add(new TargetCheck($"fresh render p99 < 50 ms at {at} ({connections})", $"{fresh.P99Ms:0.0} ms", fresh.P99Ms < 50));
        }
        foreach (var (name, connections) in new[] { (Scenario.Search, "under load"), (Scenario.SearchSingle, "at 1 connection") })
        {
            var search = Page(name);
            targets.Add(new TargetCheck($"search p50 < 20 ms at {at} ({connections})", $"{search.P50Ms:0.0} ms", search.P50Ms < 20));
        }
        if (growth.Count > 0)
        {
            var small = scales.Min(s => s.Articles);
            var worst = growth.MaxBy(g => g.P50Ratio)!;
            targets.Add(new TargetCheck($"every page at {at} within 2× of its time at {small:N0}",
                $"worst p50 ratio {worst.P50Ratio:0.00}× ({worst.Page})", growth.All(g => g.P50Ratio <= 2)));
        }
        if (large.Soak is { } soak)
        {
            targets.Add(new TargetCheck($"soak: {soak.Seconds:0} s at {soak.Connections} connections, 0 errors", $"{soak.Errors} errors", soak.Errors == 0));
        }
        return targets;
    }

    /// <summary>SQLite against PostgreSQL at each scale both ran: seeding, fresh render and search; empty with one provider.</summary>
    public static List<ProviderRow> Providers(List<ScaleResult> scales)
    {
        var rows = new List<ProviderRow>();
        foreach (var articles in scales.Select(s => s.Articles).Distinct())
        {
            var sqlite = scales.FirstOrDefault(s => s.Articles == articles && s.Provider == "Sqlite");
            var postgres = scales.FirstOrDefault(s => s.Articles == articles && s.Provider == "PostgreSQL");
            if (sqlite is null || postgres is null) continue;
            if (!sqlite.ReusedDatabase) rows.Add(new ProviderRow(articles, "seeding", sqlite.SeedSeconds, postgres.SeedSeconds, "s", true));
            foreach (var page in new[] { Scenario.ArticleFresh, Scenario.Search })
            {
                var s = sqlite.Pages.SingleOrDefault(p => p.Page == page);
                var p = postgres.Pages.SingleOrDefault(p => p.Page == page);
                if (s is null || p is null) continue;
                if (s.FreshRenderMs is { } sf && p.FreshRenderMs is { } pf) rows.Add(new ProviderRow(articles, $"{page}: one request in-process", sf, pf, "ms", true));
                rows.Add(new ProviderRow(articles, $"{page}: under load", s.RequestsPerSecond, p.RequestsPerSecond, "req/s", false));
                rows.Add(new ProviderRow(articles, $"{page}: p50 under load", s.P50Ms, p.P50Ms, "ms", true));
            }
            foreach (var page in new[] { Scenario.ArticleFreshSingle, Scenario.SearchSingle })
            {
                var s = sqlite.Pages.SingleOrDefault(p => p.Page == page);
                var p = postgres.Pages.SingleOrDefault(p => p.Page == page);
                if (s is not null && p is not null) rows.Add(new ProviderRow(articles, $"{page}: p50", s.P50Ms, p.P50Ms, "ms", true));
            }
        }
        return rows;
    }

    public static void Write(BenchmarkRun run, string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(run, new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(folder, "results.md"), Markdown(run));
        File.WriteAllText(Path.Combine(folder, "results.svg"), Svg(run));
    }

    public static string Markdown(BenchmarkRun run)
    {
        var md = new StringBuilder();
        var m = run.Machine;
        md.AppendLine($"Machine: {m.Cores} cores ({m.Cpu}), {m.MemoryBytes / 1073741824.0:0} GiB RAM, {m.Os}, .NET {m.Runtime}; load average {m.LoadAverage} at the start. " +
            $"Driver: {run.Driver}, {run.Connections} connections, {run.WarmupSeconds:0.#} s warm-up + {run.DurationSeconds:0.#} s per page.");
        md.AppendLine();
        if (run.Cluster is { } cluster) AppendCluster(md, cluster);
        var providers = run.Scales.Select(s => s.Provider).Distinct().Count();
        foreach (var scale in run.Scales)
        {
            md.AppendLine(providers > 1 || scale.Provider != "Sqlite" ? $"### {scale.Articles:N0} articles on {scale.Provider}" : $"### {scale.Articles:N0} articles");
            md.AppendLine();
            md.AppendLine(scale.ReusedDatabase
                ? $"Database reused ({scale.DatabaseBytes / 1048576.0:N0} MB)."
                : $"Seeded in {scale.SeedSeconds:N0} s ({scale.SeedArticlesPerSecond:N0} articles/s); database {scale.DatabaseBytes / 1048576.0:N0} MB.");
            md.AppendLine();
            md.AppendLine("| page | req/s | p50 ms | p99 ms | errors | × ceiling | SQL statements | fresh render ms |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var p in scale.Pages)
            {
                var name = p.RenderedShare is { } share ? $"{p.Page} ({share:P0} rendered)" : p.Page;
                md.AppendLine($"| {name} | {p.RequestsPerSecond:N0} | {p.P50Ms:0.00} | {p.P99Ms:0.00} | {p.Errors:N0} | " +
                    $"{(p.RatioToCeiling is { } r ? r.ToString("0.00", Invariant) + "×" : "")} | {p.SqlStatements?.ToString(Invariant) ?? ""} | " +
                    $"{p.FreshRenderMs?.ToString("0.0", Invariant) ?? ""} |");
            }
            md.AppendLine();
            md.AppendLine($"× ceiling: each page against the ceiling serving its kind of answer; fresh article renders against \"{Scenario.BareSsrCeilingName}\" " +
                "(a bare Blazor static-SSR app rendering the same markup from memory), cache hits against the bytes-from-memory ceiling.");
            md.AppendLine();
            if (scale.Soak is { } soak)
            {
                md.AppendLine($"Soak ({soak.Seconds:0} s, {soak.Connections} connections, home and article pages): {soak.Requests:N0} requests " +
                    $"({soak.RequestsPerSecond:N0}/s), p50 {soak.P50Ms:0.0} ms, p99 {soak.P99Ms:0.0} ms, **{soak.Errors} errors**; app peak working set " +
                    $"{Mb(soak.PeakDuringSoakBytes)} during the soak ({Mb(soak.PeakWorkingSetBytes)} over the whole run, VmHWM).");
                md.AppendLine();
            }
            else if (scale.AppPeakWorkingSetBytes is { } peak)
            {
                md.AppendLine($"App peak working set over the run: {Mb(peak)}.");
                md.AppendLine();
            }
        }
        if (run.Growth.Count > 0)
        {
            var small = run.Scales.Min(s => s.Articles);
            var large = run.Scales.Max(s => s.Articles);
            md.AppendLine($"### Growth from {small:N0} to {large:N0} articles");
            md.AppendLine();
            md.AppendLine($"| page | p50 ms at {small:N0} | p50 ms at {large:N0} | ratio | fresh render ms at {small:N0} | at {large:N0} | ratio |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var g in run.Growth)
            {
                md.AppendLine($"| {g.Page} | {g.SmallP50Ms:0.00} | {g.LargeP50Ms:0.00} | {g.P50Ratio:0.00}× | {g.SmallFreshMs:0.0} | {g.LargeFreshMs:0.0} | " +
                    $"{(g.FreshRatio is { } f ? f.ToString("0.00", Invariant) + "×" : "")} |");
            }
            md.AppendLine();
        }
        if (run.Providers is { Count: > 0 } rows)
        {
            md.AppendLine("### SQLite and PostgreSQL");
            md.AppendLine();
            md.AppendLine("| articles | measure | SQLite | PostgreSQL | PostgreSQL ÷ SQLite |");
            md.AppendLine("| ---: | --- | ---: | ---: | ---: |");
            foreach (var r in rows)
            {
                var format = r.Unit == "req/s" ? "N0" : "0.0";
                md.AppendLine($"| {r.Articles:N0} | {r.Measure} | {r.Sqlite.ToString(format, Invariant)} {r.Unit} | {r.PostgreSql.ToString(format, Invariant)} {r.Unit} | {r.Ratio:0.00}× |");
            }
            md.AppendLine();
        }
        if (run.Targets.Count > 0)
        {
            md.AppendLine("### Targets");
            md.AppendLine();
            md.AppendLine("| target | measured | met |");
            md.AppendLine("| --- | --- | --- |");
            foreach (var t in run.Targets) md.AppendLine($"| {t.Target} | {t.Measured} | {(t.Met ? "yes" : "**no**")} |");
        }
        return md.ToString();
    }

    private static void AppendCluster(StringBuilder md, ClusterResult cluster)
    {
        md.AppendLine($"### Cluster: {cluster.Articles:N0} articles on PostgreSQL and Redis, through nginx");
        md.AppendLine();
        md.AppendLine($"Seeded in {cluster.SeedSeconds:N0} s.");
        md.AppendLine();
        md.AppendLine("| page | 1 node req/s | 2 nodes req/s | 2 ÷ 1 | 1 node p50 / p99 ms | 2 nodes p50 / p99 ms | errors |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var page in cluster.Loads.Select(l => l.Page).Distinct())
        {
            var one = cluster.Loads.Single(l => l.Page == page && l.Nodes == 1);
            var two = cluster.Loads.Single(l => l.Page == page && l.Nodes == 2);
            md.AppendLine($"| {page} | {one.RequestsPerSecond:N0} | {two.RequestsPerSecond:N0} | {Ratio(two.RequestsPerSecond, one.RequestsPerSecond):0.00}× | " +
                $"{one.P50Ms:0.00} / {one.P99Ms:0.00} | {two.P50Ms:0.00} / {two.P99Ms:0.00} | {one.Errors + two.Errors:N0} |");
        }
        md.AppendLine();
        if (CacheHitAgainstCeiling(cluster) is { Count: > 0 } ratios)
        {
            md.AppendLine("A cache hit through nginx against the ceiling behind a copy of the same nginx (in-memory server processes, one per node; " +
                $"target ≥ 0.8×): {string.Join(", ", ratios.Select(r => $"{r.Ratio:0.00}× with {r.Nodes} node{(r.Nodes == 1 ? "" : "s")}"))}.");
            md.AppendLine();
        }
        md.AppendLine($"Publish to visible on node 2 ({cluster.Publishes} publishes, from the start of the publish call): the article answers 200 " +
            $"after p50 {cluster.VisibleP50Ms:0.0} ms, p99 {cluster.VisibleP99Ms:0.0} ms (max {cluster.VisibleMaxMs:0.0} ms); node 2's cached home page lists it " +
            $"after p50 {cluster.HomeP50Ms:0.0} ms, p99 {cluster.HomeP99Ms:0.0} ms. The publish call itself (the database work, before anything " +
            $"can show) took p50 {cluster.PublishCallP50Ms:0.0} ms, p99 {cluster.PublishCallP99Ms:0.0} ms; counted from its return, node 2 answered the article " +
            $"after p50 {cluster.VisibleAfterCallP50Ms:0.0} ms, p99 {cluster.VisibleAfterCallP99Ms:0.0} ms and listed it on its home page after " +
            $"p50 {cluster.HomeAfterCallP50Ms:0.0} ms, p99 {cluster.HomeAfterCallP99Ms:0.0} ms.");
        md.AppendLine();
    }

    /// <summary>Per node count, the article's cache hit through nginx as a share of the ceiling behind the same nginx.</summary>
    public static List<(int Nodes, double Ratio)> CacheHitAgainstCeiling(ClusterResult cluster) =>
        [.. cluster.Loads.Where(l => l.Page == Scenario.ArticleHit)
            .Select(hit => (hit, ceiling: cluster.Loads.FirstOrDefault(l => l.Page == Scenario.CeilingName && l.Nodes == hit.Nodes)))
            .Where(x => x.ceiling is { RequestsPerSecond: > 0 })
            .Select(x => (x.hit.Nodes, x.hit.RequestsPerSecond / x.ceiling!.RequestsPerSecond))];

    /// <summary>A horizontal bar chart of req/s per page, one bar per scale.</summary>
    public static string Svg(BenchmarkRun run)
    {
        string[] colours = ["#2b6cb0", "#dd6b20", "#2f855a", "#805ad5"];
        if (run.Scales.Count == 0) return SvgOfCluster(run);
        var providers = run.Scales.Select(s => s.Provider).Distinct().Count();
        var pages = run.Scales[0].Pages.Select(p => p.Page).ToList();
        const int labelWidth = 250, barArea = 560, barHeight = 16, gap = 12, top = 50;
        var perPage = run.Scales.Count * barHeight + gap;
        var height = top + pages.Count * perPage + 30;
        var max = Math.Max(1, run.Scales.SelectMany(s => s.Pages).Max(p => p.RequestsPerSecond));
        var svg = new StringBuilder();
        svg.AppendLine(Invariant, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{labelWidth + barArea + 120}" height="{height}" font-family="sans-serif" font-size="12">""");
        svg.AppendLine("""<rect width="100%" height="100%" fill="#fff"/>""");
        svg.AppendLine(Invariant, $"""<text x="10" y="20" font-size="15" font-weight="bold">NewsCms: requests per second ({Encode(run.Driver)}, {run.Connections} connections)</text>""");
        for (var s = 0; s < run.Scales.Count; s++)
        {
            svg.AppendLine(Invariant, $"""<rect x="{labelWidth + s * 150}" y="30" width="12" height="12" fill="{colours[s % colours.Length]}"/>""");
            svg.AppendLine(Invariant, $"""<text x="{labelWidth + s * 150 + 16}" y="40">{run.Scales[s].Articles:N0} articles{(providers > 1 ? ", " + run.Scales[s].Provider : "")}</text>""");
        }
        for (var i = 0; i < pages.Count; i++)
        {
            var y = top + i * perPage;
            svg.AppendLine(Invariant, $"""<text x="{labelWidth - 8}" y="{y + run.Scales.Count * barHeight / 2 + 4}" text-anchor="end">{Encode(pages[i])}</text>""");
            for (var s = 0; s < run.Scales.Count; s++)
            {
                var page = run.Scales[s].Pages.Single(p => p.Page == pages[i]);
                var width = Math.Max(1, page.RequestsPerSecond / max * barArea);
                var by = y + s * barHeight;
                svg.AppendLine(Invariant, $"""<rect x="{labelWidth}" y="{by}" width="{width:0.0}" height="{barHeight - 2}" fill="{colours[s % colours.Length]}"/>""");
                svg.AppendLine(Invariant, $"""<text x="{labelWidth + width + 4:0.0}" y="{by + barHeight - 5}">{page.RequestsPerSecond:N0}</text>""");
            }
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    /// <summary>The cluster run's throughput, 1 node against 2, per page.</summary>
    private static string SvgOfCluster(BenchmarkRun run)
    {
        var loads = run.Cluster?.Loads ?? [];
        var max = Math.Max(1, loads.Count == 0 ? 1 : loads.Max(l => l.RequestsPerSecond));
        var svg = new StringBuilder();
        svg.AppendLine(Invariant, $"""<svg xmlns="http://www.w3.org/2000/svg" width="900" height="{60 + loads.Count * 22}" font-family="sans-serif" font-size="12">""");
        svg.AppendLine("""<rect width="100%" height="100%" fill="#fff"/>""");
        svg.AppendLine(Invariant, $"""<text x="10" y="20" font-size="15" font-weight="bold">NewsCms cluster through nginx: requests per second ({Encode(run.Driver)}, {run.Connections} connections)</text>""");
        for (var i = 0; i < loads.Count; i++)
        {
            var l = loads[i];
            var y = 40 + i * 22;
            var width = Math.Max(1, l.RequestsPerSecond / max * 500);
            svg.AppendLine(Invariant, $"""<text x="272" y="{y + 12}" text-anchor="end">{Encode(l.Page)}, {l.Nodes} node{(l.Nodes > 1 ? "s" : "")}</text>""");
            svg.AppendLine(Invariant, $"""<rect x="280" y="{y}" width="{width:0.0}" height="16" fill="{(l.Nodes == 1 ? "#2b6cb0" : "#dd6b20")}"/>""");
            svg.AppendLine(Invariant, $"""<text x="{284 + width:0.0}" y="{y + 12}">{l.RequestsPerSecond:N0}</text>""");
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static double Ratio(double value, double baseline) => baseline > 0 ? value / baseline : 0;

    private static string Mb(long? bytes) => bytes is { } b ? $"{b / 1048576.0:N0} MB" : "n/a";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
