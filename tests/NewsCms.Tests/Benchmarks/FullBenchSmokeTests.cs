using System.Text.Json;
using NewsCms.Benchmarks.Full;
using NewsCms.Benchmarks.Seeding;

namespace NewsCms.Tests.Benchmarks;

/// <summary>
/// The harness's <c>full</c> run at a tiny scale with the builtin driver, the cluster and the memory steps left out (they
/// need wrk, nginx and Chromium), so the whole sequence cannot rot: every step ran into its own folder and wrote its own
/// files, and the summary has a row for every issue-16 target. Never how fast.
/// </summary>
public class FullBenchSmokeTests
{
    [Fact]
    public async Task Full_runs_every_step_into_its_folder_and_writes_a_summary_with_every_target()
    {
        var output = Path.Combine(Path.GetTempPath(), "newscms-bench-smoke", Guid.NewGuid().ToString("N"));
        var console = new StringWriter();
        try
        {
            var exitCode = await FullBench.RunAsync([FullBench.Verb, "--articles", "30", "--provider", "Sqlite", "--driver", "builtin", "--duration", "0.25",
                "--warmup", "0.05", "--connections", "2", "--day-seconds", "3", "--app", BuiltApp(), "--skip", "cluster,memory", "--output", output],
                console, TestContext.Current.CancellationToken);

            Assert.True(exitCode == 0, console.ToString());
            foreach (var file in new[]
            {
                "main/results.json", "main/results.md", "main/results.svg", "render/render.json", "render/render.md", "render/render.svg",
                "startup/startup-results.json", "startup/startup-results.md", "survival/survival-results.json", "survival/survival-results.md",
                "day-sqlite/day-results.json", "day-sqlite/day-results.md", "full-results.json", "full-results.md",
            })
            {
                Assert.True(File.Exists(Path.Combine(output, file)), $"{file} was not written");
            }
            Assert.False(Directory.Exists(Path.Combine(output, "db")), "the seeded databases are removed after the run");
            Assert.False(Directory.Exists(Path.Combine(output, "day-sqlite", "db")), "the day's copy of the database is removed after it");

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "full-results.json")));
            var steps = json.RootElement.GetProperty("Steps").EnumerateArray().ToDictionary(s => s.GetProperty("Name").GetString()!, s => s);
            Assert.Equal(FullBench.Steps.Order(), steps.Keys.Order());
            foreach (var (name, step) in steps)
            {
                Assert.Equal(name is "cluster" or "memory" ? "skipped" : "done", step.GetProperty("Status").GetString());
                Assert.False(string.IsNullOrEmpty(step.GetProperty("LoadAverageAtStart").GetString()), $"{name}: no load average");
            }

            var targets = json.RootElement.GetProperty("Targets").EnumerateArray().ToList();
            string[] expected =
            [
                "cache-hit article ≥ 0.8× the ceiling, one node", "fresh render ≥ 0.5× the bare static-SSR page", "fresh render p99 < 50 ms at 2 connections",
                .. SearchKinds.All.Select(kind => $"search p50 < 10 ms at 1 connection, {kind}"), "search ≥ 0.3× the fresh render's req/s",
                "cache-hit article through nginx with 2 nodes", "cache survival ≥ 99 % on a publish", "a tag edit keeps every page not showing the tag",
                "day: cache hit ratio ≥ 95 %", "day: reader p99 < 20 ms", "day: errors = 0", "day: editor save p99 < 200 ms", "day: live entry delivery p99 < 1 s",
                "day: the app's peak working set", "editor circuits < 300 MB", "start-up < 2 s to the first 200 at 30 articles",
            ];
            foreach (var target in expected)
            {
                var row = Assert.Single(targets, t => t.GetProperty("Target").GetString()!.Contains(target, StringComparison.Ordinal));
                var step = row.GetProperty("Step").GetString();
                var measured = row.GetProperty("Measured").GetString()!;
                if (step is "cluster" or "memory")
                {
                    Assert.Equal("not measured: skipped", measured);
                }
                else
                {
                    Assert.DoesNotContain("not measured", measured, StringComparison.Ordinal);
                    // A bound was checked, met or not (the peak working set is a figure without one).
                    Assert.True(target.Contains("peak working set", StringComparison.Ordinal) || row.GetProperty("Met").ValueKind is JsonValueKind.True or JsonValueKind.False, target);
                }
            }
            var markdown = await File.ReadAllTextAsync(Path.Combine(output, "full-results.md"));
            Assert.All(expected, target => Assert.Contains(target, markdown, StringComparison.Ordinal));
            Assert.Contains("## Headline figures", markdown, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task A_step_that_fails_is_reported_with_its_error_and_the_run_goes_on()
    {
        var output = Path.Combine(Path.GetTempPath(), "newscms-bench-smoke", Guid.NewGuid().ToString("N"));
        try
        {
            // No main run, so no seeded database for the render breakdown to use: that step fails, the next one still runs.
            var exitCode = await FullBench.RunAsync([FullBench.Verb, "--articles", "30", "--provider", "Sqlite", "--driver", "builtin",
                "--skip", "main,survival,memory,day,cluster,startup", "--output", output], TextWriter.Null, TestContext.Current.CancellationToken);

            Assert.Equal(3, exitCode);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "full-results.json")));
            var render = Assert.Single(json.RootElement.GetProperty("Steps").EnumerateArray(), s => s.GetProperty("Name").GetString() == "render");
            Assert.Equal("failed", render.GetProperty("Status").GetString());
            Assert.Contains("No seeded database", render.GetProperty("Error").GetString(), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(output, "render", "error.txt")));
            Assert.Equal(7, json.RootElement.GetProperty("Steps").GetArrayLength());
            Assert.Contains("**failed**", await File.ReadAllTextAsync(Path.Combine(output, "full-results.md")), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>The app as built for this test run (nothing inside dotnet test publishes), as the start-up smoke test uses it.</summary>
    private static string BuiltApp()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NewsCms.sln")))
            {
                var app = Path.Combine(dir.FullName, "src", "NewsCms.Web", "bin", configuration, "net10.0", "NewsCms.Web.dll");
                Assert.True(File.Exists(app), $"{app} was not built");
                return app;
            }
        }
        throw new InvalidOperationException("No NewsCms.sln above the test assembly.");
    }
}
