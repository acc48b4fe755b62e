using System.Text.Json;
using NewsCms.Benchmarks.Startup;

namespace NewsCms.Tests.Benchmarks;

/// <summary>
/// The harness's <c>startup</c> measurement at a tiny scale on the app's build output (nothing inside dotnet test
/// publishes), so it cannot rot: every start was timed and written, never how fast.
/// </summary>
public class StartupSmokeTests
{
    [Fact]
    public async Task Startup_starts_the_app_times_the_first_200_on_the_home_page_and_writes_json_and_markdown()
    {
        var output = Path.Combine(Path.GetTempPath(), "newscms-bench-smoke", Guid.NewGuid().ToString("N"));
        // The app as built for this test run (same configuration), e.g. src/NewsCms.Web/bin/Debug/net10.0.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var app = Path.Combine(NewsCms.Benchmarks.Harness.FindRepository(), "src", "NewsCms.Web", "bin", configuration, "net10.0", "NewsCms.Web.dll");
        Assert.True(File.Exists(app), $"{app} was not built");
        try
        {
            var exitCode = await StartupBench.RunAsync(["startup", "--articles", "30", "--runs", "1", "--app", app, "--output", output], TextWriter.Null,
                TestContext.Current.CancellationToken);

            Assert.Equal(0, exitCode);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "startup-results.json")));
            var scale = Assert.Single(json.RootElement.GetProperty("Scales").EnumerateArray());
            Assert.Equal(30, scale.GetProperty("Articles").GetInt32());
            var run = Assert.Single(scale.GetProperty("Runs").EnumerateArray());
            Assert.True(run.GetProperty("FirstOkMs").GetDouble() > 0);
            Assert.True(run.GetProperty("CpuMs").GetDouble() > 0);
            Assert.True(scale.GetProperty("Migrating").GetProperty("FirstOkMs").GetDouble() > 0);
            Assert.Contains("| 30 |", await File.ReadAllTextAsync(Path.Combine(output, "startup-results.md")));
            Assert.False(Directory.Exists(Path.Combine(output, "db")), "the seeded database is removed after the run");
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }
}
