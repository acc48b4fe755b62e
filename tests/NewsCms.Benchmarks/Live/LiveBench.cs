using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.LiveBlogs;

namespace NewsCms.Benchmarks.Live;

/// <summary>The live run's results: delivery latency of each entry to each reader, and memory per connected reader.</summary>
public sealed record LiveResult(int Readers, int Entries, int Deliveries, int Missed, double P50Ms, double P99Ms, double MaxMs,
    double HeapBytesPerReader, double WorkingSetBytesPerReader, double ConnectSeconds, int Cores);

/// <summary>
/// <c>live [--readers 1000] [--entries 20] [--output DIR]</c>: one node (the app in this process on Kestrel, loopback,
/// SQLite) with that many readers holding a live blog's event stream open; entries are posted one by one through the
/// newsroom's service and the time from the post call to each reader's receipt is measured (p50/p99). Memory per
/// reader is the growth of the process's managed heap and working set from before the readers connected to after,
/// divided by the readers: it counts the client side's socket and 2 KB buffer too, so the server's own cost is lower.
/// Writes live-results.json and live-results.md.
/// </summary>
public static class LiveBench
{
    public const string Usage = "Usage: dotnet run -c Release --project tests/NewsCms.Benchmarks -- live [--readers 1000] [--entries 20] [--output DIR]";

    public static async Task<int> RunAsync(string[] args, TextWriter console, CancellationToken ct)
    {
        int readers = 1000, entries = 20;
        string? output = null;
        var exit = await SubcommandOptions.ReadAsync(args, Usage, console, (name, option) =>
        {
            switch (name)
            {
                case "--readers": readers = option.Count(); break;
                case "--entries": entries = option.Count(); break;
                case "--output": output = option.Text(); break;
                default: throw option.Unknown();
            }
        });
        if (exit is { } code) return code;
        var repository = Harness.FindRepository();
        var folder = SubcommandOptions.ResultsFolder(repository, output, "live");
        var result = await MeasureAsync(repository, folder, readers, entries, console, ct);
        await WriteAsync(folder, result, ct);
        return result.Missed == 0 ? 0 : 2;
    }

    public static async Task<LiveResult> MeasureAsync(string repository, string folder, int readers, int entries, TextWriter console, CancellationToken ct)
    {
        var database = Path.Combine(folder, "live.db");
        await using var app = new LiveApp(repository, database);
        app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        var server = new IPEndPoint(IPAddress.Loopback, address.Port);

        var (articleId, admin) = await LiveBlogAsync(app);
        var live = app.Services.GetRequiredService<LiveStream>();
        await console.WriteLineAsync($"Live blog #{articleId}; connecting {readers:N0} readers to {address} ...");

        var (heapBefore, setBefore) = Memory();
        var clock = Stopwatch.StartNew();
        var connections = new List<SseSocketReader>(readers);
        try
        {
            for (var i = 0; i < readers; i++)
            {
                var reader = new SseSocketReader();
                connections.Add(reader);
                await reader.OpenAsync(server, $"/live/{articleId}/events?after=0", ct);
            }
            await Task.WhenAll(connections.Select(c => c.Connected)).WaitAsync(TimeSpan.FromMinutes(2), ct);
            var connectSeconds = clock.Elapsed.TotalSeconds;
            var (heapAfter, setAfter) = Memory();
            await console.WriteLineAsync($"  {live.CountOf(articleId):N0} readers connected in {connectSeconds:N1} s; posting {entries} entries ...");

            var latencies = new List<double>(readers * entries);
            var missed = 0;
            await using var scope = app.Services.CreateAsyncScope();
            var service = scope.ServiceProvider.GetRequiredService<LiveBlogService>();
            for (var n = 1; n <= entries; n++)
            {
                var started = Stopwatch.GetTimestamp();
                var posted = await service.PostAsync(admin, articleId, new LiveEntryInput($"<p>Update number {n} from the benchmark.</p>", null, n % 5 == 0, false), ct);
                if (posted.Value is not { } entry) throw new InvalidOperationException(posted.Error);
                // Each reader noted its own arrival time; this only waits until all have it (or 10 s have passed).
                while (connections.Any(c => c.Arrived(entry.Seq) is null) && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10)) await Task.Delay(5, ct);
                foreach (var c in connections)
                {
                    if (c.Arrived(entry.Seq) is { } at) latencies.Add(Stopwatch.GetElapsedTime(started, at).TotalMilliseconds);
                    else missed++;
                }
            }
            latencies.Sort();
            var result = new LiveResult(readers, entries, latencies.Count, missed, Percentile(latencies, 0.5), Percentile(latencies, 0.99),
                latencies.Count > 0 ? latencies[^1] : 0, Math.Max(0, (heapAfter - heapBefore) / (double)readers), Math.Max(0, (setAfter - setBefore) / (double)readers),
                connectSeconds, Environment.ProcessorCount);
            await console.WriteLineAsync($"  delivery p50 {result.P50Ms:0.0} ms, p99 {result.P99Ms:0.0} ms, max {result.MaxMs:0.0} ms; missed {missed}; " +
                $"memory per reader: heap {result.HeapBytesPerReader / 1024:0.0} KB, working set {result.WorkingSetBytesPerReader / 1024:0.0} KB");
            return result;
        }
        finally
        {
            foreach (var c in connections) await c.DisposeAsync();
        }
    }

    private static (long Heap, long WorkingSet) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static async Task<(int ArticleId, System.Security.Claims.ClaimsPrincipal Admin)> LiveBlogAsync(LiveApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var admin = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>()
            .CreateAsync((await users.FindByEmailAsync(LiveApp.AdminEmail))!);
        var editing = scope.ServiceProvider.GetRequiredService<ArticleEditing>();
        var saved = await editing.SaveAsync(admin, null, new ArticleInput { Headline = "Benchmark live blog", BodyHtml = "<p>Live.</p>" }, null, SaveKind.Manual);
        var published = await scope.ServiceProvider.GetRequiredService<ArticleWorkflowService>().PublishAsync(admin, saved.Id, saved.Version);
        if (!published.Succeeded) throw new InvalidOperationException(published.Error);
        var on = await scope.ServiceProvider.GetRequiredService<LiveBlogService>().SetCoverageAsync(admin, saved.Id, true);
        if (!on.Succeeded) throw new InvalidOperationException(on.Error);
        return (saved.Id, admin);
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task WriteAsync(string folder, LiveResult result, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(folder, "live-results.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }), ct);
        var md = new StringBuilder()
            .AppendLine("# Live blog push (Server-Sent Events), one node")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{result.Readers:N0} readers connected to one live blog over loopback, {result.Entries} entries posted one by one, {result.Cores} cores, SQLite.")
            .AppendLine()
            .AppendLine("| Readers | Entries | Deliveries | Missed | p50 (ms) | p99 (ms) | max (ms) | Heap per reader (KB) | Working set per reader (KB) | Connect (s) |")
            .AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            .AppendLine(CultureInfo.InvariantCulture, $"| {result.Readers} | {result.Entries} | {result.Deliveries} | {result.Missed} | {result.P50Ms:0.0} | {result.P99Ms:0.0} | {result.MaxMs:0.0} | {result.HeapBytesPerReader / 1024:0.0} | {result.WorkingSetBytesPerReader / 1024:0.0} | {result.ConnectSeconds:0.0} |")
            .AppendLine()
            .AppendLine("Latency: from the newsroom's post call to the reader's receipt of the entry. Memory: the process's growth while the readers connect, per reader, including the client side's socket and buffer (the readers run in the same process).");
        await File.WriteAllTextAsync(Path.Combine(folder, "live-results.md"), md.ToString(), ct);
    }
}

/// <summary>The app in this process on a fresh SQLite file, with an Administrator bootstrapped from settings.</summary>
internal sealed class LiveApp(string repository, string databasePath) : WebApplicationFactory<Program>
{
    public const string AdminEmail = "live-benchmark@newscms.invalid";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseContentRoot(Path.Combine(repository, "src", "NewsCms.Web"));
        builder.UseSetting("ConnectionStrings:NewsCms", $"Data Source={databasePath}");
        builder.UseSetting("NewsCms:Site:BaseUrl", "http://127.0.0.1");
        builder.UseSetting("NewsCms:Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("NewsCms:Bootstrap:AdminPassword", "Live-" + Guid.NewGuid().ToString("N")[..16] + "-Aa1!");
        builder.UseSetting("NewsCms:Bootstrap:AdminName", "Live Benchmark");
        builder.ConfigureLogging(logging => logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning));
    }
}
