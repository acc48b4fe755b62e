using System.Text.Json;
using NewsCms.Benchmarks.Survival;

namespace NewsCms.Tests.Benchmarks;

/// <summary>
/// The harness's <c>survival</c> measurement at a tiny scale, so it cannot rot: every change was measured and written,
/// never how much survived (that is the run's finding, not a rule).
/// </summary>
public class SurvivalSmokeTests
{
    [Fact]
    public async Task Survival_warms_every_article_page_measures_each_change_and_writes_json_and_markdown()
    {
        var output = Path.Combine(Path.GetTempPath(), "newscms-bench-smoke", Guid.NewGuid().ToString("N"));
        try
        {
            var exitCode = await SurvivalBench.RunAsync(["survival", "--articles", "30", "--connections", "2", "--output", output], TextWriter.Null,
                TestContext.Current.CancellationToken);

            Assert.Equal(0, exitCode);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "survival-results.json")));
            var result = json.RootElement;
            Assert.True(result.GetProperty("ArticlePages").GetInt32() > 0);
            var changes = result.GetProperty("Changes").EnumerateArray().ToList();
            Assert.Equal(["publish one article", "edit one tag", "Most read list changes"], changes.Select(c => c.GetProperty("Change").GetString()));
            Assert.All(changes, c =>
            {
                Assert.True(c.GetProperty("CachedBefore").GetInt32() > 0, "no page was cached before the change");
                Assert.NotEmpty(c.GetProperty("ChangesSeen").EnumerateArray()); // the change reached the public cache
            });
            var markdown = await File.ReadAllTextAsync(Path.Combine(output, "survival-results.md"));
            Assert.All(changes, c => Assert.Contains($"| {c.GetProperty("Change").GetString()}: ", markdown));
            Assert.Empty(Directory.GetFiles(output, "*.db*")); // the run's database goes at the end
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }
}
