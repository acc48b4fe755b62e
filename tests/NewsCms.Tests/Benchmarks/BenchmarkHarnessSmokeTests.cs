using System.Text.Json;
using NewsCms.Benchmarks;
using NewsCms.Benchmarks.Load;
using NewsCms.Benchmarks.Seeding;

namespace NewsCms.Tests.Benchmarks;

/// <summary>
/// The benchmark harness end to end at a tiny scale with its builtin driver (no wrk, no publish), so it cannot rot.
/// Asserts that every page was measured and written, never how fast.
/// </summary>
public class BenchmarkHarnessSmokeTests
{
    [Fact]
    public async Task Harness_seeds_measures_every_page_and_writes_json_markdown_and_svg()
    {
        var output = Path.Combine(Path.GetTempPath(), "newscms-bench-smoke", Guid.NewGuid().ToString("N"));
        try
        {
            var options = BenchmarkOptions.Parse(["--articles", "30", "--driver", "builtin", "--duration", "0.25", "--warmup", "0.05",
                "--connections", "2", "--probes", "1", "--output", output]);
            var (exitCode, run, folder) = await new Harness(options, TextWriter.Null).RunAsync(TestContext.Current.CancellationToken);

            Assert.Equal(0, exitCode);
            Assert.Equal(output, folder);
            var pages = Assert.Single(run!.Scales).Pages;
            string[] expected = [Scenario.Home, Scenario.ArticleHit, Scenario.ArticleFresh, Scenario.Tag, Scenario.Author, Scenario.Search, Scenario.Rss, Scenario.CeilingName,
                Scenario.BareSsrCeilingName, Scenario.ArticleFreshSingle, Scenario.SearchSingle, Scenario.ApiBrowseHit, Scenario.ApiBrowseFresh, Scenario.ApiReadHit, Scenario.ApiReadFresh,
                Scenario.ApiBrowseCeiling, Scenario.ApiReadCeiling, Scenario.ApiBrowseFreshSingle, Scenario.ApiReadFreshSingle,
                .. SearchKinds.All.Select(Scenario.SearchOfKind)];
            Assert.Equal(expected, pages.Select(p => p.Page));
            Assert.All(pages, p =>
            {
                Assert.True(p.Requests > 0, $"{p.Page}: no requests");
                Assert.Equal(0, p.Errors);
            });
            // A search that matches nothing rightly makes none: its ranking comes from memory, and so do the sections its page shows.
            Assert.All(pages.Where(p => !Scenario.IsCeiling(p.Page) && p.Page is not (Scenario.Search or Scenario.ArticleFreshSingle or Scenario.SearchSingle
                    or Scenario.ApiBrowseFreshSingle or Scenario.ApiReadFreshSingle) && !SearchKinds.All.Select(Scenario.SearchOfKind).Contains(p.Page)),
                p => Assert.True(p.SqlStatements > 0, $"{p.Page}: no SQL counted"));
            // The bypass header really skips the output cache, on the pages and on the Content API alike.
            Assert.All([Scenario.ArticleFresh, Scenario.ApiBrowseFresh, Scenario.ApiReadFresh, Scenario.ApiBrowseFreshSingle, Scenario.ApiReadFreshSingle,
                    .. SearchKinds.All.Select(Scenario.SearchOfKind)],
                name => Assert.Equal(1.0, pages.Single(p => p.Page == name).RenderedShare));
            // Each Content API scenario is compared with the ceiling serving its own kind of answer; the key is not shown.
            Assert.All(pages, p => Assert.True(p.RatioToCeiling > 0, $"{p.Page}: no ratio to its ceiling"));
            Assert.Equal(1.0, pages.Single(p => p.Page == Scenario.ApiBrowseCeiling).RatioToCeiling);
            Assert.All(pages.Where(p => p.Page.StartsWith("Content API", StringComparison.Ordinal)), p => Assert.Contains("?key={key}&", p.Path));

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "results.json")));
            Assert.Equal(expected.Length, json.RootElement.GetProperty("Scales")[0].GetProperty("Pages").GetArrayLength());
            var markdown = await File.ReadAllTextAsync(Path.Combine(output, "results.md"));
            Assert.All(expected, page => Assert.Contains($"| {page}", markdown));
            var svg = await File.ReadAllTextAsync(Path.Combine(output, "results.svg"));
            Assert.StartsWith("<svg", svg);
            Assert.All(expected, page => Assert.Contains(page, svg));
            Assert.False(Directory.Exists(Path.Combine(output, "db")), "the seeded database is removed after the run");
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task Live_scenario_connects_its_readers_measures_delivery_and_memory_and_writes_json_and_markdown()
    {
        var output = Path.Combine(Path.GetTempPath(), "newscms-bench-smoke", Guid.NewGuid().ToString("N"));
        try
        {
            var exitCode = await NewsCms.Benchmarks.Live.LiveBench.RunAsync(["live", "--readers", "20", "--entries", "2", "--output", output], TextWriter.Null,
                TestContext.Current.CancellationToken);

            Assert.Equal(0, exitCode);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "live-results.json")));
            var result = json.RootElement;
            Assert.Equal(20, result.GetProperty("Readers").GetInt32());
            Assert.Equal(40, result.GetProperty("Deliveries").GetInt32());
            Assert.Equal(0, result.GetProperty("Missed").GetInt32());
            Assert.True(result.GetProperty("P99Ms").GetDouble() > 0);
            Assert.True(result.TryGetProperty("WorkingSetBytesPerReader", out _));
            var markdown = await File.ReadAllTextAsync(Path.Combine(output, "live-results.md"));
            Assert.Contains("| 20 | 2 | 40 | 0 |", markdown);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task Harness_runs_both_providers_side_by_side_and_drops_its_PostgreSQL_database()
    {
        var output = Path.Combine(Path.GetTempPath(), "newscms-bench-smoke", Guid.NewGuid().ToString("N"));
        // The local server over its socket, or the one the PostgreSQL tests are pointed at.
        var server = Environment.GetEnvironmentVariable("NEWSCMS_TEST_POSTGRES") is { Length: > 0 } configured
            ? configured : $"Host=/var/run/postgresql;Username={Environment.UserName}";
        try
        {
            var options = BenchmarkOptions.Parse(["--articles", "30", "--provider", "Sqlite,PostgreSQL", "--postgres", server, "--driver", "builtin",
                "--duration", "0.25", "--warmup", "0.05", "--connections", "2", "--probes", "1", "--output", output]);
            var (exitCode, run, _) = await new Harness(options, TextWriter.Null).RunAsync(TestContext.Current.CancellationToken);

            Assert.Equal(0, exitCode);
            Assert.Equal(["Sqlite", "PostgreSQL"], run!.Scales.Select(s => s.Provider));
            var postgres = run.Scales[1];
            Assert.True(postgres.DatabaseBytes > 0);
            Assert.All(postgres.Pages, p =>
            {
                Assert.True(p.Requests > 0, $"{p.Page}: no requests");
                Assert.Equal(0, p.Errors);
            });
            Assert.Equal(1.0, postgres.Pages.Single(p => p.Page == Scenario.ArticleFresh).RenderedShare);
            Assert.Contains(run.Providers!, r => r.Measure == "seeding" && r.Sqlite > 0 && r.PostgreSql > 0);
            Assert.Contains(run.Providers!, r => r.Measure.StartsWith(Scenario.Search, StringComparison.Ordinal) && r.PostgreSql > 0);
            Assert.Contains("### SQLite and PostgreSQL", await File.ReadAllTextAsync(Path.Combine(output, "results.md")));

            await using var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var left = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM pg_database WHERE datname = 'newscms_bench_30_{Environment.ProcessId}'", connection);
            Assert.Equal(0L, await left.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void Wrk_script_walks_paths_bypasses_the_cache_and_reports_json_from_done()
    {
        var lua = WrkDriver.Script("/tmp/paths.txt", bypassCache: true, countRendered: true, start: 10, threadCount: 2);
        Assert.Contains("local pathFile = \"/tmp/paths.txt\"", lua);
        Assert.Contains($"[\"{Scenario.BypassHeader.Name}\"] = \"{Scenario.BypassHeader.Value}\"", lua);
        Assert.Contains("wrk.format(nil, path, bypassHeaders)", lua);
        Assert.Contains("function response(", lua);
        Assert.Contains("NEWSCMS_WRK {", lua);

        var single = WrkDriver.Script(null, bypassCache: false, countRendered: false, start: 0, threadCount: 2);
        Assert.Contains("local pathFile = nil", single);
        Assert.DoesNotContain("function response(", single);
    }

    [Fact]
    public void The_days_wrk_script_draws_pages_by_weight_inside_the_harness_frame()
    {
        var lua = NewsCms.Benchmarks.Day.DayReaderLoad.Script("/tmp/my \"day\".pages", seed: 3000);
        Assert.Contains("local pageFile = \"/tmp/my \\\"day\\\".pages\"", lua);
        Assert.Contains("local seed = 3000", lua);
        Assert.Contains("math.randomseed(seed + tid * 7919)", lua);
        // The frame every harness script shares: numbered threads, the Age counter, the JSON line from done.
        Assert.Contains("function setup(thread)", lua);
        Assert.Contains("function response(", lua);
        Assert.Contains("NEWSCMS_WRK {", lua);
        Assert.True(lua.IndexOf("local threads = {}", StringComparison.Ordinal) < lua.IndexOf("function done(", StringComparison.Ordinal));
    }
}
