using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace NewsCms.BrowserTests.Validation;

/// <summary>A Lighthouse report, boiled down: each category's score (0–100) and every scored audit that is not perfect.</summary>
public sealed record LighthouseReport(string Url, IReadOnlyDictionary<string, int> Scores, IReadOnlyList<string> Shortfalls, string Metrics);

/// <summary>
/// Lighthouse (npm lighthouse, pinned in this project's package-lock.json) run by node against a page, with its mobile
/// defaults (a phone-sized screen, simulated slow 4G and a 4× slower CPU), in Debian's Chromium. Nothing it loads
/// leaves the machine: the pages are on loopback and NewsCms pages make no third-party request.
/// </summary>
public static class Lighthouse
{
    public static readonly string[] Categories = ["performance", "accessibility", "best-practices", "seo"];

    private static string Cli
    {
        get
        {
            var modules = typeof(Lighthouse).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "NpmToolsDirectory").Value!;
            var cli = Path.Combine(modules, "lighthouse", "cli", "index.js");
            return File.Exists(cli)
                ? cli
                : throw new InvalidOperationException($"{cli} is missing: build the test project (its TestToolsNpmCi target runs npm ci for lighthouse).");
        }
    }

    /// <summary>Runs Lighthouse on <paramref name="url"/>, keeps its JSON report at <paramref name="reportPath"/>, and reads it.</summary>
    public static async Task<LighthouseReport> RunAsync(Uri url, string chromium, string reportPath, CancellationToken ct)
    {
        try
        {
            return await RunOnceAsync(url, chromium, reportPath, ct);
        }
        catch (LighthouseTraceLostException lost)
        {
            // Lighthouse sometimes loses Chromium's trace of the load on a busy machine (NO_NAVSTART): its own fault,
            // before it judged anything. One more run; a second loss fails the test.
            TestContext.Current.TestOutputHelper?.WriteLine($"{url}: {lost.Message} Running Lighthouse once more.");
            return await RunOnceAsync(url, chromium, reportPath, ct);
        }
    }

    private sealed class LighthouseTraceLostException(string message) : Exception(message);

    private static async Task<LighthouseReport> RunOnceAsync(Uri url, string chromium, string reportPath, CancellationToken ct)
    {
        File.Delete(reportPath);
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Cli, url.AbsoluteUri,
            "--output=json", $"--output-path={reportPath}",
            $"--only-categories={string.Join(',', Categories)}",
            "--form-factor=mobile", "--throttling-method=simulate",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync",
            "--quiet",
        })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["CHROME_PATH"] = chromium;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start: Node.js must be on PATH.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Lighthouse did not finish on {url} within 3 minutes.");
        }
        if (process.ExitCode != 0 && (await stdout + await stderr).Contains("NO_NAVSTART", StringComparison.Ordinal))
        {
            throw new LighthouseTraceLostException("Lighthouse lost the trace of the page load (NO_NAVSTART).");
        }
        if (process.ExitCode != 0 || !File.Exists(reportPath))
        {
            throw new InvalidOperationException($"Lighthouse failed on {url} (exit code {process.ExitCode}):\n{await stderr}\n{await stdout}");
        }
        return Read(url.AbsoluteUri, await File.ReadAllTextAsync(reportPath, ct));
    }

    /// <summary>Scores and the audits that cost points (weight above zero, score below one), with their worst items.</summary>
    public static LighthouseReport Read(string url, string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.TryGetProperty("runtimeError", out var runtimeError) && runtimeError.ValueKind == JsonValueKind.Object)
        {
            throw new InvalidOperationException($"Lighthouse could not audit {url}: {runtimeError}");
        }
        var audits = root.GetProperty("audits");
        var scores = new Dictionary<string, int>();
        var shortfalls = new List<string>();
        foreach (var category in root.GetProperty("categories").EnumerateObject())
        {
            var score = category.Value.GetProperty("score");
            scores[category.Name] = score.ValueKind == JsonValueKind.Number ? (int)Math.Round(score.GetDouble() * 100) : 0;
            foreach (var reference in category.Value.GetProperty("auditRefs").EnumerateArray())
            {
                if (reference.GetProperty("weight").GetDouble() <= 0) continue;
                var audit = audits.GetProperty(reference.GetProperty("id").GetString()!);
                if (audit.GetProperty("score") is not { ValueKind: JsonValueKind.Number } auditScore || auditScore.GetDouble() >= 1) continue;
                var line = $"{category.Name}: {audit.GetProperty("id").GetString()} ({auditScore.GetDouble():0.00}) {audit.GetProperty("title").GetString()}";
                if (audit.TryGetProperty("displayValue", out var display)) line += $" — {display.GetString()}";
                if (audit.TryGetProperty("details", out var details) && details.TryGetProperty("items", out var items))
                {
                    foreach (var item in items.EnumerateArray().Take(5)) line += "\n      " + Describe(item);
                }
                shortfalls.Add(line);
            }
        }
        var metrics = string.Join(", ", new[] { "first-contentful-paint", "largest-contentful-paint", "speed-index", "total-blocking-time", "cumulative-layout-shift" }
            .Select(id => $"{id} {(audits.TryGetProperty(id, out var m) && m.TryGetProperty("displayValue", out var v) ? v.GetString() : "?")}"));
        return new LighthouseReport(url, scores, shortfalls, metrics);
    }

    private static string Describe(JsonElement item)
    {
        if (item.TryGetProperty("node", out var node) && node.TryGetProperty("snippet", out var snippet))
        {
            var explanation = node.TryGetProperty("explanation", out var e) ? " " + e.GetString()!.ReplaceLineEndings(" ") : "";
            return snippet.GetString() + explanation;
        }
        var text = item.ToString();
        return text.Length > 300 ? text[..300] + "…" : text;
    }
}
