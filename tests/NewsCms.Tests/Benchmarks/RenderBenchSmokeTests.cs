using System.Text.Json;
using NewsCms.Benchmarks.Hosting;
using NewsCms.Benchmarks.Render;
using NewsCms.Benchmarks.Seeding;

namespace NewsCms.Tests.Benchmarks;

/// <summary>
/// The render subcommand's breakdown at a tiny scale (no wrk, no publish) and the bare static-SSR ceiling, so neither
/// rots. Asserts that every part was measured and written, never how fast.
/// </summary>
public class RenderBenchSmokeTests
{
    [Fact]
    public async Task Render_breakdown_measures_every_part_and_writes_json_markdown_and_svg()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = Path.Combine(Path.GetTempPath(), "newscms-bench-smoke", Guid.NewGuid().ToString("N"));
        var databases = Path.Combine(output, "db");
        try
        {
            Directory.CreateDirectory(databases);
            await using (var database = BenchDatabase.SqliteFile(Path.Combine(databases, "newscms-30.db")))
            {
                await new Seeder(new ContentGenerator(), TextWriter.Null).SeedAsync(database, 30, reuse: false, ct);
            }

            var exitCode = await RenderBench.RunAsync(["render", "--articles", "30", "--databases", databases, "--renders", "4", "--no-load",
                "--label", "smoke", "--output", output], TextWriter.Null, ct);

            Assert.Equal(0, exitCode);
            var run = JsonSerializer.Deserialize<RenderRun>(await File.ReadAllTextAsync(Path.Combine(output, "render.json"), ct))!;
            string[] parts = ["database connections", "queries", "body HTML", "request pipeline and writing", "component rendering and the rest"];
            Assert.Equal(parts, run.Breakdown.Parts.Select(p => p.Name));
            Assert.All(run.Breakdown.Parts, p => Assert.True(p.Ms >= 0, p.Name));
            Assert.True(run.Breakdown.MeanMs > 0);
            Assert.True(run.Breakdown.CommandsPerRender > 0, "no SQL commands counted");
            Assert.True(run.Breakdown.AllocatedKbPerRender > 0);
            Assert.Empty(run.Loads);
            var markdown = await File.ReadAllTextAsync(Path.Combine(output, "render.md"), ct);
            Assert.All(parts, part => Assert.Contains($"| {part} |", markdown));
            var svg = await File.ReadAllTextAsync(Path.Combine(output, "render.svg"), ct);
            Assert.StartsWith("<svg", svg);
            Assert.All(parts, part => Assert.Contains(part, svg));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task Bare_static_SSR_ceiling_renders_the_markup_it_is_given_through_a_component()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bare = await BareSsrCeiling.StartAsync();
        const string page = "<!DOCTYPE html><html lang=\"en\"><head><title>A story</title></head><body><main><h1>A story</h1><p>Text &amp; more.</p></main></body></html>";
        bare.Serve(page);
        using var client = new HttpClient { BaseAddress = bare.BaseUrl };

        using var response = await client.GetAsync("/news/a-story", ct);

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(page, await response.Content.ReadAsStringAsync(ct));
    }
}
