using System.Diagnostics;

namespace NewsCms.Benchmarks.Load;

/// <summary>
/// A small HttpClient load loop, so the harness runs where wrk is not installed (the smoke test). Its numbers are
/// not comparable with wrk's: the client shares the process and the cores with the app.
/// </summary>
public sealed class BuiltinDriver : ILoadDriver
{
    // Numbering continues across runs, so a measured run walks on from its warm-up instead of repeating its pages.
    private static long requests;

    public string Name => "builtin";

    public async Task<LoadResult> RunAsync(Uri baseUrl, Scenario scenario, int connections, TimeSpan duration, CancellationToken ct)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, AllowAutoRedirect = false })
        {
            BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10),
        };
        long errors = 0, rendered = 0, answered = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>();
            while (clock.Elapsed < duration && !ct.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref requests);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, scenario.PathAt(i));
                    if (scenario.BypassCache) request.Headers.TryAddWithoutValidation(Scenario.BypassHeader.Name, Scenario.BypassHeader.Value);
                    using var response = await client.SendAsync(request, ct);
                    await response.Content.ReadAsByteArrayAsync(ct);
                    if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                    Interlocked.Increment(ref answered);
                    if (response.Headers.Age is null) Interlocked.Increment(ref rendered);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return latencies;
        }, ct)).ToList();
        var all = (await Task.WhenAll(workers)).SelectMany(l => l).Order().ToList();
        var seconds = clock.Elapsed.TotalSeconds;
        return new LoadResult(all.Count, seconds, Percentile(all, 50), Percentile(all, 99), errors,
            scenario.CountsRendered ? rendered : null, scenario.CountsRendered ? answered : null);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
