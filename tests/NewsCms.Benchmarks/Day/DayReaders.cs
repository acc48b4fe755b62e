using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
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
    private const string Marker = "NEWSCMS_DAY_WRK ";
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
        var threads = Math.Min(Environment.ProcessorCount, connections);
        var start = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            ArgumentList = { "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                "-d", Math.Max(1, (int)Math.Round(duration.TotalSeconds)) + "s", "--timeout", "5s", "--latency", "-s", script, app.ToString() },
        };
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk.");
        using var kill = ct.Register(() => { try { wrk.Kill(); } catch (InvalidOperationException) { } });
        var output = wrk.StandardOutput.ReadToEndAsync(ct);
        var errors = wrk.StandardError.ReadToEndAsync(ct);
        await wrk.WaitForExitAsync(ct);
        var text = await output;
        await File.WriteAllTextAsync(Path.Combine(workFolder, $"day-{runs}.out"), text + await errors, ct);
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no result for the day's readers (exit code {wrk.ExitCode}): {text}{await errors}");
        var json = JsonDocument.Parse(line[Marker.Length..]).RootElement;
        double Number(string property) => json.GetProperty(property).GetDouble();
        var errorCount = (long)(Number("connect") + Number("read") + Number("write") + Number("status") + Number("timeout"));
        return new LoadResult((long)Number("requests"), Number("duration_us") / 1e6, Number("p50_us") / 1000, Number("p99_us") / 1000, errorCount,
            (long)Number("rendered"), (long)Number("answered"));
    }

    /// <summary>wrk's script: each thread loads the weights once and draws every request's page (binary search on a uniform draw).</summary>
    public static string Script(string pageFile, int seed)
    {
        var quoted = "\"" + pageFile.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        return new StringBuilder().Append($$"""
            -- Written by the NewsCms benchmark harness (the newsroom's day).
            local pageFile = {{quoted}}
            local seed = {{seed}}
            local threads = {}

            function setup(thread)
              thread:set("tid", #threads)
              table.insert(threads, thread)
            end

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

            function response(status, headers, body)
              answered = answered + 1
              -- The output cache adds Age to the responses it serves; a rendered page has none.
              if headers["Age"] == nil and headers["age"] == nil then rendered = rendered + 1 end
            end

            function done(summary, latency, requests)
              local r, a = 0, 0
              for _, t in ipairs(threads) do
                r = r + (t:get("rendered") or 0)
                a = a + (t:get("answered") or 0)
              end
              local e = summary.errors
              io.write(string.format('{{Marker}}{"requests":%.0f,"duration_us":%.0f,"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f,"p50_us":%.0f,"p99_us":%.0f,"max_us":%.0f,"rendered":%.0f,"answered":%.0f}\n',
                summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
                latency:percentile(50), latency:percentile(99), latency.max, r, a))
            end

            """).ToString();
    }
}
