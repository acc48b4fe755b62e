using System.Globalization;
using NewsCms.Benchmarks.Load;

namespace NewsCms.Benchmarks.Day;

/// <summary>
/// The day's reader pages with their weights: articles by Zipf(s) over their rank (newest first: the newest story is
/// read most), the home page, every section page alike, tag pages by Zipf(s) over how much each tag is used.
/// </summary>
public sealed class DayPages
{
    private readonly List<string> paths = [];
    private readonly List<double> cumulative = [];

    public DayPages(IReadOnlyList<string> articlesNewestFirst, IReadOnlyList<string> sections, IReadOnlyList<string> tagsByUse, double s, double articleShare)
    {
        var rest = (1 - articleShare) / 3;
        Add(articlesNewestFirst.Select(slug => "/news/" + slug).ToList(), Zipf(articlesNewestFirst.Count, s), articleShare);
        Add(["/"], [1], rest);
        Add(sections.Select(slug => "/section/" + slug).ToList(), [.. Enumerable.Repeat(1.0, sections.Count)], rest);
        Add(tagsByUse.Select(slug => "/tag/" + slug).ToList(), Zipf(tagsByUse.Count, s), rest);
    }

    public int Count => paths.Count;

    public IReadOnlyList<string> Paths => paths;

    private void Add(List<string> pages, double[] weights, double share)
    {
        if (pages.Count == 0) return;
        var total = weights.Sum();
        var sum = cumulative.Count > 0 ? cumulative[^1] : 0;
        for (var i = 0; i < pages.Count; i++)
        {
            sum += share * weights[i] / total;
            paths.Add(pages[i]);
            cumulative.Add(sum);
        }
    }

    private static double[] Zipf(int n, double s) => [.. Enumerable.Range(1, n).Select(k => 1 / Math.Pow(k, s))];

    /// <summary>
    /// How many distinct pages <paramref name="draws"/> requests are expected to reach (Σ 1 − (1 − pᵢ)ⁿ): from a cold
    /// start, each is a miss even for a cache that holds everything and never evicts.
    /// </summary>
    public double ExpectedDistinct(long draws)
    {
        var total = cumulative[^1];
        var distinct = 0.0;
        for (var i = 0; i < cumulative.Count; i++)
        {
            var p = (cumulative[i] - (i > 0 ? cumulative[i - 1] : 0)) / total;
            distinct += -double.ExpM1(draws * double.LogP1(-Math.Min(p, 1 - 1e-15)));
        }
        return distinct;
    }

    /// <summary>The page for a uniform draw <paramref name="u"/> in [0, 1).</summary>
    public string Draw(double u)
    {
        var index = cumulative.BinarySearch(u * cumulative[^1]);
        return paths[Math.Min(paths.Count - 1, index < 0 ? ~index : index)];
    }

    /// <summary>The weights as wrk's script reads them: "cumulative TAB path" per line.</summary>
    public IEnumerable<string> Lines() => paths.Select((p, i) => cumulative[i].ToString("R", CultureInfo.InvariantCulture) + "\t" + p);
}

/// <summary>
/// Drives the readers for a while: wrk with a script that draws each request's page from <see cref="DayPages"/> (fresh
/// draws for the whole run, so a long run does not come round to pages it has already cached), or the builtin driver
/// over a pre-drawn list (the smoke test; it repeats its list when it runs out).
/// </summary>
public sealed class DayReaderLoad(DayPages pages, string driver, string workFolder)
{
        private int runs;

    public async Task<LoadResult> RunAsync(Uri app, int connections, TimeSpan duration, CancellationToken ct)
    {
        runs++;
        if (driver == "wrk") return await WrkAsync(app, connections, duration, ct);
        var random = new Random(runs);
        var drawn = Enumerable.Range(0, 20_000).Select(_ => pages.Draw(random.NextDouble())).ToList();
        return await new BuiltinDriver().RunAsync(app, new Scenario("day readers", drawn[0], drawn), connections, duration, ct);
    }

    private async Task<LoadResult> WrkAsync(Uri app, int connections, TimeSpan duration, CancellationToken ct)
    {
        Directory.CreateDirectory(workFolder);
        var pageFile = Path.Combine(workFolder, "day.pages");
        if (!File.Exists(pageFile)) await File.WriteAllLinesAsync(pageFile, pages.Lines(), ct);
        var script = Path.Combine(workFolder, "day.lua");
        await File.WriteAllTextAsync(script, Script(pageFile, seed: runs * 1000), ct);
        var json = await WrkDriver.RunScriptAsync(script, app, connections, duration, Path.Combine(workFolder, $"day-{runs}.out"), "the day's readers", ct);
        return WrkDriver.Result(json, countsRendered: true);
    }

    /// <summary>wrk's script: each thread loads the weights once and draws every request's page (binary search on a uniform draw).</summary>
    public static string Script(string pageFile, int seed) => WrkDriver.Compose($$"""
        -- The newsroom's day: pages drawn by weight.
        local pageFile = {{WrkDriver.LuaString(pageFile)}}
        local seed = {{seed}}

        function init(args)
          rendered = 0
          answered = 0
          weights = {}
          paths = {}
          for line in io.lines(pageFile) do
            local tab = line:find("\t", 1, true)
            weights[#weights + 1] = tonumber(line:sub(1, tab - 1))
            paths[#paths + 1] = line:sub(tab + 1)
          end
          total = weights[#weights]
          math.randomseed(seed + tid * 7919)
        end

        function request()
          local u = math.random() * total
          local lo, hi = 1, #weights
          while lo < hi do
            local mid = math.floor((lo + hi) / 2)
            if weights[mid] < u then lo = mid + 1 else hi = mid end
          end
          return wrk.format(nil, paths[lo])
        end

        """, countRendered: true);
}
