using System.Text.Json;
using NewsCms.Benchmarks.Day;

namespace NewsCms.Tests.Benchmarks;

/// <summary>
/// The newsroom's day end to end at a tiny scale for a few seconds with the builtin driver, the app in its own process
/// as in a real run, so the scenario cannot rot. Asserts that every figure was measured and written, never how fast.
/// </summary>
public class DayBenchSmokeTests
{
    [Fact]
    public async Task Day_runs_readers_editors_publishes_and_a_live_blog_against_the_app_process_and_writes_every_figure()
    {
        var output = Path.Combine(Path.GetTempPath(), "newscms-bench-smoke", Guid.NewGuid().ToString("N"));
        var console = new StringWriter();
        try
        {
            var exitCode = await DayBench.RunAsync([DayBench.Verb, "--articles", "30", "--seconds", "3", "--warmup", "0.5", "--connections", "2",
                "--editors", "2", "--autosave", "0.5", "--publish", "1", "--live", "0.5", "--live-readers", "5", "--driver", "builtin", "--output", output],
                console, TestContext.Current.CancellationToken);

            Assert.True(exitCode == 0, console.ToString());
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "day-results.json")));
            var day = json.RootElement;
            Assert.Equal(30, day.GetProperty("Articles").GetInt32());

            var readers = day.GetProperty("Readers");
            Assert.True(readers.GetProperty("Requests").GetInt64() > 0, "no reader requests");
            Assert.Equal(0, readers.GetProperty("Errors").GetInt64());
            Assert.True(readers.GetProperty("P99Ms").GetDouble() > 0);
            // Hits are told by the output cache's Age header: a Zipf walk comes back to the pages it has seen.
            Assert.True(readers.GetProperty("Hits").GetInt64() > 0, "no cache hits counted");
            Assert.InRange(readers.GetProperty("HitRatio").GetDouble(), 0.0, 1.0);
            // The day starts warm: every reader page was requested once before it (no cold-start bound then).
            Assert.True(readers.GetProperty("WarmedPages").GetInt32() > 30, "the reader pages were not warmed");
            Assert.Equal(JsonValueKind.Null, readers.GetProperty("ColdStartHitRatio").ValueKind);

            // Every editor autosaved and the desk published, through the newsroom's services, without a failure.
            var saves = day.GetProperty("Saves");
            Assert.True(saves.GetProperty("Count").GetInt32() >= 2, "too few autosaves");
            Assert.Equal(0, saves.GetProperty("Errors").GetInt32());
            Assert.True(saves.GetProperty("P99Ms").GetDouble() > 0);
            var publishes = day.GetProperty("Publishes");
            Assert.True(publishes.GetProperty("Count").GetInt32() > 0, "nothing published");
            Assert.Equal(0, publishes.GetProperty("Errors").GetInt32());

            // Each live entry reached each of the SSE readers.
            var live = day.GetProperty("Live");
            Assert.Equal(5, live.GetProperty("Readers").GetInt32());
            var entries = live.GetProperty("Entries").GetInt32();
            Assert.True(entries > 0, "no live entries");
            Assert.Equal(entries * 5, live.GetProperty("Deliveries").GetInt32());
            Assert.Equal(0, live.GetProperty("Missed").GetInt32());
            Assert.True(live.GetProperty("P99Ms").GetDouble() > 0);

            Assert.Equal(0, day.GetProperty("Errors").GetInt64());
            // The app's own process was sampled (the readers run in this one).
            Assert.True(day.GetProperty("PeakWorkingSetBytes").GetInt64() > 0);
            Assert.True(day.GetProperty("ProcessPeakWorkingSetBytes").GetInt64() > 0);
            Assert.Equal(5, day.GetProperty("Targets").GetArrayLength());

            var markdown = await File.ReadAllTextAsync(Path.Combine(output, "day-results.md"));
            Assert.Contains("### A newsroom's day: 30 articles on Sqlite", markdown);
            Assert.All(["| cache hit ratio (Age header) |", "| reader p50 / p99 |", "| editor autosave p50 / p99 / max |", "| live entry delivery p50 / p99 / max |",
                "| app working set:", "| cache hit ratio ≥ 95 % |"], row => Assert.Contains(row, markdown));
            Assert.False(Directory.Exists(Path.Combine(output, "db")), "the seeded database is removed after the run");
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void Readers_draw_articles_by_Zipf_newest_first_and_the_other_pages_in_their_share()
    {
        var pages = new DayPages([.. Enumerable.Range(1, 1000).Select(i => $"story-{i}")], ["news", "sport"], ["t1", "t2"], s: 1.1, articleShare: 0.85);
        var random = new Random(3);
        var drawn = Enumerable.Range(0, 100_000).Select(_ => pages.Draw(random.NextDouble())).ToList();
        var counts = drawn.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(1000 + 1 + 2 + 2, pages.Count);
        Assert.InRange(drawn.Count(p => p.StartsWith("/news/", StringComparison.Ordinal)) / 100_000.0, 0.84, 0.86);
        Assert.InRange(counts["/"] / 100_000.0, 0.045, 0.055);
        // Rank 1 is read 2^1.1 ≈ 2.14 times as often as rank 2.
        Assert.InRange(counts["/news/story-1"] / (double)counts["/news/story-2"], 1.9, 2.4);
        Assert.True(counts["/tag/t1"] > counts["/tag/t2"]);
        Assert.Contains("\t/section/sport", pages.Lines().Last(l => l.Contains("/section/", StringComparison.Ordinal)));

        // The pages a cold cache must miss once: as many as the draws really reached.
        Assert.Equal(0, pages.ExpectedDistinct(0), 6);
        Assert.InRange(pages.ExpectedDistinct(100_000), counts.Count * 0.97, counts.Count * 1.03);
        Assert.InRange(pages.ExpectedDistinct(100_000_000), pages.Count - 1, pages.Count);
    }
}
