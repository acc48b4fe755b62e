using System.Text.Json;
using NewsCms.Benchmarks.Memory;

namespace NewsCms.BrowserTests;

/// <summary>
/// The harness's <c>memory</c> measurement with 2 editor circuits and a few live-blog readers, on the app's build
/// output (nothing inside dotnet test publishes), so it cannot rot: every step was measured and written, never how much.
/// </summary>
public class MemorySmokeTests
{
    [Fact]
    public async Task Memory_opens_editor_circuits_in_Chromium_connects_readers_and_writes_json_and_markdown()
    {
        var output = Path.Combine(Path.GetTempPath(), "newscms-bench-smoke", Guid.NewGuid().ToString("N"));
        // The app as built for this test run (same configuration), e.g. src/NewsCms.Web/bin/Debug/net10.0.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var app = Path.Combine(NewsCms.Benchmarks.Harness.FindRepository(), "src", "NewsCms.Web", "bin", configuration, "net10.0", "NewsCms.Web.dll");
        Assert.True(File.Exists(app), $"{app} was not built");
        try
        {
            var exitCode = await MemoryBench.RunAsync(["memory", "--articles", "30", "--circuits", "2", "--readers", "5", "--app", app, "--output", output],
                TextWriter.Null, TestContext.Current.CancellationToken);

            Assert.Equal(0, exitCode);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "memory-results.json")));
            var result = json.RootElement;
            Assert.Equal(2, result.GetProperty("Circuits").GetInt32());
            Assert.Equal(3, result.GetProperty("Steps").GetArrayLength());
            Assert.All(result.GetProperty("Steps").EnumerateArray(), s => Assert.True(s.GetProperty("WorkingSetBytes").GetInt64() > 0));
            Assert.True(result.TryGetProperty("BytesPerCircuit", out _));
            Assert.True(result.TryGetProperty("BytesPerReader", out _));
            Assert.Contains("| per circuit |", await File.ReadAllTextAsync(Path.Combine(output, "memory-results.md")));
            Assert.False(Directory.Exists(Path.Combine(output, "db")), "the seeded database is removed after the run");
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }
}
