using System.Diagnostics;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Benchmarks.Load;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Benchmarks.Hosting;

/// <summary>What one page costs when nothing is cached: SQL statements and time of a single request.</summary>
public sealed record PageCost(int? SqlStatements, double FreshRenderMs);

/// <summary>
/// Requests each page of the in-process app with the output cache emptied first, one request at a time, counting the
/// SQL statements it runs and timing it (the median of a few, after one warm-up request that is not counted).
/// </summary>
public static class PageProbe
{
    public static async Task<Dictionary<string, PageCost>> MeasureAsync(InProcessApp app, HttpClient client, IEnumerable<Scenario> scenarios, int repeats, CancellationToken ct)
    {
        var store = app.Services.GetRequiredService<IOutputCacheStore>();
        var costs = new Dictionary<string, PageCost>();
        // The one-connection variants request the same pages: their costs are not counted twice.
        foreach (var scenario in scenarios.Where(s => !s.Ceiling && s.Connections is null))
        {
            var times = new List<double>();
            var statements = 0;
            for (var i = -1; i < repeats; i++)
            {
                // Walkers probe different articles or searches; the warm-up (i = -1) uses the first.
                var path = scenario.Paths is null ? scenario.Path : scenario.Paths[Math.Max(0, i) % scenario.Paths.Count];
                HttpResponseMessage response;
                double elapsed;
                // The output cache stores a response after sending it, so the previous request's entry can land just
                // after an eviction: an answer with the cache's Age header is asked again.
                for (var attempt = 0; ; attempt++)
                {
                    await store.EvictByTagAsync(PublicCache.Tag, ct);
                    app.Counter.Reset();
                    var started = Stopwatch.GetTimestamp();
                    response = await client.GetAsync(path, ct);
                    await response.Content.ReadAsByteArrayAsync(ct);
                    elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (response.Headers.Age is null || attempt == 20) break;
                    response.Dispose();
                    await Task.Delay(50, ct);
                }
                using var answered = response;
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{scenario.Name}: GET {path} answered {(int)response.StatusCode}.");
                if (response.Headers.Age is not null) throw new InvalidOperationException($"{scenario.Name}: GET {path} kept coming from the output cache.");
                if (i < 0) continue;
                times.Add(elapsed);
                statements = Math.Max(statements, app.Counter.Count);
            }
            times.Sort();
            // The counter hooks SQLite's trace; on PostgreSQL it sees nothing, so no count is reported there.
            costs[scenario.Name] = new PageCost(app.Database.IsPostgreSql ? null : statements, times[times.Count / 2]);
        }
        return costs;
    }
}
