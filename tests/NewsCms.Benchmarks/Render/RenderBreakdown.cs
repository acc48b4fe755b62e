using System.Diagnostics;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Benchmarks.Hosting;
using NewsCms.Benchmarks.Load;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;

namespace NewsCms.Benchmarks.Render;

/// <summary>One part of a fresh render's time (ms per render, the mean over the measured renders).</summary>
public sealed record RenderPart(string Name, double Ms, string Means);

/// <summary>Where one fresh article render's time goes, in-process, one request at a time.</summary>
public sealed record RenderBreakdownResult(string Label, int Articles, int Renders, double MeanMs, double P50Ms, double P99Ms, double CpuMsPerRender,
    double AllocatedKbPerRender, double CommandsPerRender, double CacheHitMs, List<RenderPart> Parts, string LoadAverage);

/// <summary>
/// Renders many different articles fresh (the cache-bypass header, one request at a time, through the app's own
/// pipeline on the in-memory test server) and splits each render's wall time into what can be measured apart:
/// <list type="bullet">
/// <item>database connections: opening them (the app's pragmas included), timed by an EF interceptor;</item>
/// <item>queries: every command from its execution to its reader's disposal (rows read and materialised);</item>
/// <item>body HTML: the transforms the article page applies to the stored body, timed by calling them on the same
/// article's body and images outside the request (<see cref="BodyWork"/> mirrors what the page calls);</item>
/// <item>request pipeline and writing: the mean time of a cache hit of the same page (middleware, headers, the body's
/// bytes through the test server), measured on its own;</item>
/// <item>component rendering and the rest: what remains (Blazor's render tree and HTML writer, services, settings).</item>
/// </list>
/// Also the process CPU time and bytes allocated per render (the harness and the test client included): these
/// two hardly move with the machine's load, unlike throughput.
/// </summary>
public static class RenderBreakdown
{
    public static async Task<RenderBreakdownResult> MeasureAsync(InProcessApp app, IReadOnlyList<string> slugs, int articles, string label, int renders,
        TextWriter console, CancellationToken ct)
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var services = app.Services;
        var lookup = services.GetRequiredService<PublicArticles>();
        var media = services.GetRequiredService<MediaLibrary>();
        var warmup = Math.Min(100, renders);

        // Warm-up: the JIT's tiers see every path (not measured), over other articles than the measured ones.
        for (var i = 0; i < warmup; i++) await RenderAsync(client, slugs[(renders + i) % slugs.Count], ct);

        // Body HTML work per article, outside the requests (its inputs are read first, so their queries are not counted).
        var body = new List<double>(renders);
        for (var i = 0; i < renders; i++)
        {
            var slug = slugs[i % slugs.Count];
            if (await lookup.FindAsync(slug, ct) is not ArticleLookup.Found found) throw new InvalidOperationException($"/news/{slug} is not a published article.");
            var images = await media.GetByIdsAsync(found.Article.ImageIds, BodyImages.StorageKeys(found.Article.BodyHtml), ct);
            BodyWork(found.Article, images);
            var started = Stopwatch.GetTimestamp();
            for (var r = 0; r < 5; r++) BodyWork(found.Article, images);
            body.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds / 5);
        }

        // The fresh renders themselves.
        var measured = new List<(double Total, double Opening, double Querying, double Body)>(renders);
        double commands = 0;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < renders; i++)
        {
            app.Timer.Reset();
            var total = await RenderAsync(client, slugs[i % slugs.Count], ct);
            measured.Add((total, app.Timer.Opening.TotalMilliseconds, app.Timer.Querying.TotalMilliseconds, body[i]));
            commands += app.Timer.Commands;
        }
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / renders;
        var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1024.0 / renders;
        var totals = measured.Select(m => m.Total).Order().ToList();
        // On a busy machine a request is often descheduled part-way: the faster half of the renders (at or below the
        // median) is what the parts are averaged over, so that waiting for a core is not counted as work.
        var fast = measured.Where(m => m.Total <= totals[totals.Count / 2]).ToList();

        // A cache hit of one article: the pipeline and writing the same size of page, without rendering.
        var hitPath = "/news/" + slugs[0];
        (await client.GetAsync(hitPath, ct)).Dispose();
        var hits = new List<double>();
        for (var i = 0; i < 150; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(hitPath, ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.Headers.Age is not null) hits.Add(elapsed);
        }

        var mean = fast.Average(m => m.Total);
        var hit = hits.Count > 0 ? hits.Order().Take(Math.Max(1, hits.Count / 2)).Average() : 0;
        var parts = new List<RenderPart>
        {
            new("database connections", fast.Average(m => m.Opening), "opening pooled SQLite connections (with the app's pragmas), per render"),
            new("queries", fast.Average(m => m.Querying), "every SQL command from execution to its reader's disposal (rows read and materialised)"),
            new("body HTML", fast.Average(m => m.Body), "the page's transforms of the stored body (embeds, blocks, image captions), timed on their own"),
            new("request pipeline and writing", hit, "a cache hit of the same page (the faster half of 150): middleware, headers and the bytes written"),
        };
        parts.Add(new("component rendering and the rest", Math.Max(0, mean - parts.Sum(p => p.Ms)), "what remains: Blazor's rendering, EF's work around each query (contexts, query plans, commands), the page's services"));
        var result = new RenderBreakdownResult(label, articles, renders, mean, totals[totals.Count / 2], totals[(int)(totals.Count * 0.99)], cpu, allocated,
            commands / renders, hit, parts, Harness.LoadAverage());
        console.WriteLine($"Fresh render breakdown ({label}, {renders} renders): mean of the faster half {mean:0.00} ms, p50 {result.P50Ms:0.00} ms, CPU {cpu:0.00} ms, " +
            $"{allocated:N0} KB allocated, {commands / renders:0.0} SQL commands per render; load average {result.LoadAverage}");
        foreach (var part in parts) console.WriteLine($"  {part.Name,-34} {part.Ms,7:0.000} ms");
        return result;
    }

    /// <summary>
    /// What the article page does to the stored body on every render (ArticlePage and ArticleView): the embeds check
    /// and the storage keys of its images (for the media query), then placeholders, reader blocks and captions.
    /// </summary>
    private static string BodyWork(PublicArticle article, IReadOnlyDictionary<int, MediaImage> images)
    {
        _ = Web.Features.Embeds.EmbedPlaceholders.HasEmbeds(article.BodyHtml);
        _ = BodyImages.StorageKeys(article.BodyHtml);
        return BodyImages.WithCaptions(ArticleBlocks.ForReaders(Web.Features.Embeds.EmbedPlaceholders.Render(article.BodyHtml), images.Values), images.Values);
    }

    private static async Task<double> RenderAsync(HttpClient client, string slug, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/news/" + slug);
        request.Headers.TryAddWithoutValidation(Scenario.BypassHeader.Name, Scenario.BypassHeader.Value);
        var started = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request, ct);
        await response.Content.ReadAsByteArrayAsync(ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode || response.Headers.Age is not null)
            throw new InvalidOperationException($"/news/{slug} answered {(int)response.StatusCode}{(response.Headers.Age is null ? "" : " from the cache")}.");
        return elapsed;
    }
}
