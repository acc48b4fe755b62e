using System.Text.Json;
using Microsoft.Playwright;

namespace NewsCms.BrowserTests;

/// <summary>
/// axe-core (npm, restored by the project's TestToolsNpmCi target and copied next to the tests) run inside the page.
/// </summary>
public static class Axe
{
    private static readonly Lazy<string> Source = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "axe-core", "axe.min.js");
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new InvalidOperationException($"{path} is missing: build the test project (its TestToolsNpmCi target runs npm ci for axe-core).");
    });

    /// <summary>
    /// Rules about a page's structure that axe rates only moderate, but that the public site promises: landmarks,
    /// one h1 and headings in order.
    /// </summary>
    private static readonly HashSet<string> StructureRules =
    [
        "region", "landmark-one-main", "landmark-unique", "landmark-no-duplicate-banner", "landmark-no-duplicate-contentinfo",
        "landmark-no-duplicate-main", "page-has-heading-one", "heading-order", "empty-heading",
    ];

    /// <summary>Every serious or critical violation (and every structure-rule violation) on the page, one line per element.</summary>
    public static async Task<IReadOnlyList<string>> ViolationsAsync(IPage page)
    {
        // Evaluated by the browser's automation channel, which the page's Content-Security-Policy rightly does not
        // cover; a script tag would be blocked as inline script, as it should be.
        await page.EvaluateAsync(Source.Value);
        // target-size (WCAG 2.2 AA: targets of at least 24px, or spaced apart) is off by default in axe-core 4.
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ['violations'], rules: { 'target-size': { enabled: true } } })).violations.map(v => ({
                id: v.id, impact: v.impact || '', help: v.help,
                nodes: v.nodes.map(n => `${n.target.join(' ')}: ${n.html}`),
            }))
            """);
        var lines = new List<string>();
        foreach (var violation in violations.EnumerateArray())
        {
            var id = violation.GetProperty("id").GetString()!;
            var impact = violation.GetProperty("impact").GetString()!;
            if (impact is not ("serious" or "critical") && !StructureRules.Contains(id)) continue;
            var help = violation.GetProperty("help").GetString();
            foreach (var node in violation.GetProperty("nodes").EnumerateArray())
            {
                lines.Add($"{id} ({impact}): {help} — {node.GetString()}");
            }
        }
        return lines;
    }
}
