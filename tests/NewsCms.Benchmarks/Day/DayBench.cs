using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using NewsCms.Benchmarks.Live;
using NewsCms.Benchmarks.Load;
using NewsCms.Benchmarks.Reporting;
using NewsCms.Benchmarks.Seeding;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Benchmarks.Day;

/// <summary>
/// <c>day</c>: a newsroom's day at one scale (see <see cref="DaySettings"/>). The app runs as its own process
/// (<see cref="DayNode"/>) with the newsroom's work inside it; the readers (wrk, or the builtin driver) and the live
/// blog's SSE readers run outside it, so the working set sampled from /proc is the app's own. Writes day-results.json
/// and day-results.md. <see cref="MeasureAsync"/> runs it on a database the caller has seeded (the main run).
/// </summary>
public static class DayBench
{
    public const string Verb = "day";

    public const string Usage = """
        Usage: dotnet run -c Release --project tests/NewsCms.Benchmarks -- day [options]

          --articles N          scale (default 100000); seeded, or reused from --databases
          --databases DIR       keep the seeded database here and reuse it (the day adds its own articles, drafts and entries to it)
          --minutes M           measured minutes (default 5); or --seconds S
          --warmup S            reader warm-up before the day, not measured (default 30)
          --cold                start from an empty cache (default: every reader page requested once first, as on a
                                site that has been up all along)
          --cache-mb N          the app's NewsCms:PublicCache:SizeLimitMB (default 8192: room for every page)
          --connections N       reader connections (default 64)
          --zipf S              Zipf exponent over articles, newest first (default 1.1)
          --editors N           editors autosaving (default 5), every --autosave S seconds (default 3)
          --publish S           a new article published every S seconds (default 10)
          --live S              a live blog entry every S seconds (default 5), to --live-readers N SSE readers (default 500)
          --driver wrk|builtin  reader load (default wrk)
          --output DIR          results folder (default benchmark-results/day-<timestamp>)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter console, CancellationToken ct)
    {
        var settings = DaySettings.Default;
        int articles = 100_000;
        string? output = null, databases = null;
        var exit = await SubcommandOptions.ReadAsync(args, Usage, console, (name, option) =>
        {
            switch (name)
            {
                case "--articles": articles = option.Count(); break;
                case "--databases": databases = option.Text(); break;
                case "--minutes": settings = settings with { Seconds = option.Number() * 60 }; break;
                case "--seconds": settings = settings with { Seconds = option.Number() }; break;
                case "--warmup": settings = settings with { WarmupSeconds = option.Number() }; break;
                case "--cold": settings = settings with { WarmEveryPage = false }; break;
                case "--cache-mb": settings = settings with { CacheSizeMB = option.Count() }; break;
                case "--connections": settings = settings with { Connections = option.Count() }; break;
                case "--zipf": settings = settings with { ZipfS = option.Number() }; break;
                case "--editors": settings = settings with { Editors = option.Count() }; break;
                case "--autosave": settings = settings with { AutosaveSeconds = option.Number() }; break;
                case "--publish": settings = settings with { PublishSeconds = option.Number() }; break;
                case "--live": settings = settings with { LiveEntrySeconds = option.Number() }; break;
                case "--live-readers": settings = settings with { LiveReaders = option.Count() }; break;
                case "--driver":
                    settings = settings with { Driver = option.Text() is ("wrk" or "builtin") and var driver ? driver : throw new ArgumentException("--driver is wrk or builtin.") };
                    break;
                case "--output": output = option.Text(); break;
                default: throw option.Unknown();
            }
        });
        if (exit is { } code) return code;
        if (articles <= 0 || settings.Seconds <= 0 || settings.Connections <= 0)
        {
            await console.WriteLineAsync("--articles, --minutes and --connections must be positive.");
            await console.WriteLineAsync(Usage);
            return 1;
        }
        if (settings.Driver == "wrk" && !WrkDriver.IsInstalled())
        {
            await console.WriteLineAsync(WrkDriver.InstallHint);
            return 2;
        }
        var repository = Harness.FindRepository();
        var folder = SubcommandOptions.ResultsFolder(repository, output, "day");
        var databaseFolder = Path.GetFullPath(databases ?? Path.Combine(folder, "db"));
        Directory.CreateDirectory(databaseFolder);
        try
        {
            await using var database = BenchDatabase.SqliteFile(Path.Combine(databaseFolder, $"newscms-{articles}.db"));
            await new Seeder(new ContentGenerator(), console).SeedAsync(database, articles, reuse: databases is not null, ct);
            var result = await MeasureAsync(database, articles, settings, folder, console, ct);
            await WriteAsync(result, folder, ct);
            await console.WriteLineAsync();
            await console.WriteLineAsync(Markdown(result));
            await console.WriteLineAsync($"Wrote day-results.json and day-results.md to {folder}");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (databases is null && Directory.Exists(databaseFolder)) Directory.Delete(databaseFolder, recursive: true);
        }
    }

    /// <summary>
    /// The day on a seeded <paramref name="database"/> (nothing else may serve it meanwhile): starts the app's process,
    /// connects the live readers, warms the readers' pages, then runs readers and newsroom together for
    /// <see cref="DaySettings.Seconds"/>. Logs (the node's, wrk's) go to <paramref name="folder"/>; the caller writes the
    /// result (<see cref="WriteAsync"/>).
    /// </summary>
    public static async Task<DayResult> MeasureAsync(BenchDatabase database, int articles, DaySettings settings, string folder, TextWriter console,
        CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var started = DateTime.UtcNow;
        var pages = await PagesAsync(database, settings, ct);
        console.WriteLine($"The newsroom's day: {articles:N0} articles on {database.Provider}, {settings.Seconds:0} s, readers at {settings.Connections} connections " +
            $"({settings.Driver}) over {pages.Count:N0} pages, {settings.Editors} editors, {settings.LiveReaders} live readers ...");
        await using var node = await DayNodeProcess.StartAsync(database, settings, Path.Combine(folder, "day-node.log"), ct);
        console.WriteLine($"  app process {node.ProcessId} at {node.Ready.Url}; live blog #{node.Ready.LiveArticleId}");
        if (node.Ready.StopwatchFrequency != Stopwatch.Frequency) throw new InvalidOperationException("The node's clock is not the harness's: live delivery cannot be timed.");
        var url = new Uri(node.Ready.Url);
        var readers = new DayReaderLoad(pages, settings.Driver, Path.Combine(folder, "wrk"));

        var sse = new List<SseSocketReader>(settings.LiveReaders);
        try
        {
            var endpoint = new IPEndPoint(IPAddress.Loopback, url.Port);
            for (var i = 0; i < settings.LiveReaders; i++)
            {
                var reader = new SseSocketReader();
                sse.Add(reader);
                await reader.OpenAsync(endpoint, $"/live/{node.Ready.LiveArticleId}/events?after=0", ct);
            }
            await Task.WhenAll(sse.Select(r => r.Connected)).WaitAsync(TimeSpan.FromMinutes(2), ct);
            var (warmedPages, warmSeconds) = settings.WarmEveryPage ? await WarmEveryPageAsync(url, pages, settings.Connections, console, ct) : (0, 0.0);
            long warmupRequests = 0;
            if (settings.WarmupSeconds > 0)
            {
                var warm = await readers.RunAsync(url, settings.Connections, TimeSpan.FromSeconds(settings.WarmupSeconds), ct);
                warmupRequests = warm.Answered ?? warm.Requests;
                console.WriteLine($"  warm-up: {warm.RequestsPerSecond:N0} req/s, {1 - warm.RenderedShare:P1} cache hits");
                await Task.Delay(500, ct);
            }

            var loadStart = Harness.LoadAverage();
            var startSet = node.Memory()?.Current;
            long peak = 0;
            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    if (node.Memory() is { } memory) peak = Math.Max(peak, memory.Current);
                    try { await Task.Delay(250, sampling.Token); } catch (OperationCanceledException) { }
                }
            }, CancellationToken.None);

            var duration = TimeSpan.FromSeconds(settings.Seconds);
            var newsroom = node.RunNewsroomAsync(duration, ct);
            var load = await readers.RunAsync(url, settings.Connections, duration, ct);
            var work = await newsroom;
            var loadEnd = Harness.LoadAverage();

            // Entries posted at the end of the day reach the readers within moments; waited for, up to 10 s.
            var wait = Stopwatch.StartNew();
            while (wait.Elapsed < TimeSpan.FromSeconds(10) && work.Posts.Any(p => sse.Any(r => r.Arrived(p.Seq) is null))) await Task.Delay(20, ct);
            await sampling.CancelAsync();
            await sampler;
            var live = Live(work, sse);
            var processPeak = node.Memory()?.Peak;

            var answered = load.Answered ?? 0;
            var hits = answered - (load.Rendered ?? 0);
            var firstSeen = pages.ExpectedDistinct(warmupRequests + answered) - pages.ExpectedDistinct(warmupRequests);
            var result = new DayResult(started, articles, database.Provider, settings,
                new DayReaders(load.Requests, load.RequestsPerSecond, load.P50Ms, load.P99Ms, load.Errors, answered, hits, answered > 0 ? (double)hits / answered : 0,
                    warmupRequests, settings.WarmEveryPage ? null : answered > 0 ? Math.Max(0, 1 - firstSeen / answered) : null, warmedPages, warmSeconds),
                Timings(work.Saves, work.SaveErrors), Timings(work.Publishes, work.PublishErrors), live,
                load.Errors + work.SaveErrors + work.PublishErrors + work.PostErrors + live.Missed,
                peak > 0 ? peak : null, processPeak, startSet, loadStart, loadEnd, Environment.ProcessorCount, [], work.FirstErrors);
            result = result with { Targets = Targets(result) };
            console.WriteLine($"  readers {result.Readers.RequestsPerSecond:N0} req/s, hits {result.Readers.HitRatio:P1}{(result.Readers.ColdStartHitRatio is { } bound ? $" (cold-start bound {bound:P1})" : "")}, p50 {result.Readers.P50Ms:0.00} ms, " +
                $"p99 {result.Readers.P99Ms:0.00} ms, errors {result.Readers.Errors}; autosave p99 {result.Saves.P99Ms:0.0} ms ({result.Saves.Count}); " +
                $"publish p99 {result.Publishes.P99Ms:0.0} ms ({result.Publishes.Count}); live p99 {result.Live.P99Ms:0.0} ms ({result.Live.Entries} entries, " +
                $"{result.Live.Missed} missed); app peak {Mb(result.PeakWorkingSetBytes)}");
            foreach (var error in work.FirstErrors) console.WriteLine("  newsroom error: " + error);
            return result;
        }
        finally
        {
            foreach (var reader in sse) await reader.DisposeAsync();
        }
    }

    /// <summary>Every reader page once, <paramref name="connections"/> at a time: the cache a site that has been up all along has.</summary>
    private static async Task<(int Pages, double Seconds)> WarmEveryPageAsync(Uri url, DayPages pages, int connections, TextWriter console, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, AllowAutoRedirect = false })
        {
            BaseAddress = url, Timeout = TimeSpan.FromMinutes(2),
        };
        var failed = 0;
        await Parallel.ForEachAsync(pages.Paths, new ParallelOptions { MaxDegreeOfParallelism = connections, CancellationToken = ct }, async (path, token) =>
        {
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, token);
            await response.Content.CopyToAsync(Stream.Null, token);
            if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failed);
        });
        if (failed > 0) throw new InvalidOperationException($"{failed} of {pages.Count:N0} reader pages did not answer 200 while warming the cache.");
        console.WriteLine($"  every reader page requested once: {pages.Count:N0} in {clock.Elapsed.TotalSeconds:N0} s");
        return (pages.Count, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The day's pages from the database: published articles newest first, every section, tags by use.</summary>
    private static async Task<DayPages> PagesAsync(BenchDatabase database, DaySettings settings, CancellationToken ct)
    {
        await using var db = database.NewContext();
        var articles = await db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Published && a.TrashedAt == null && a.Kind == ArticleKind.Article)
            .OrderByDescending(a => a.PublishedAt).Select(a => a.Slug).ToListAsync(ct);
        var sections = await db.Sections.AsNoTracking().OrderBy(s => s.Id).Select(s => s.Slug).ToListAsync(ct);
        var tags = await db.ArticleTags.GroupBy(at => at.TagId).OrderByDescending(g => g.Count()).Select(g => g.Key)
            .Join(db.Tags, id => id, t => t.Id, (id, t) => t.Slug).Take(1000).ToListAsync(ct);
        return new DayPages(articles, sections, tags, settings.ZipfS, settings.ArticleShare);
    }

    private static DayLive Live(DayNodeResult work, List<SseSocketReader> readers)
    {
        var deliveries = new List<double>();
        var lastReader = new List<double>();
        var missed = 0;
        foreach (var post in work.Posts)
        {
            var last = 0.0;
            foreach (var reader in readers)
            {
                if (reader.Arrived(post.Seq) is { } at)
                {
                    var ms = Stopwatch.GetElapsedTime(post.PostedAt, at).TotalMilliseconds;
                    deliveries.Add(ms);
                    last = Math.Max(last, ms);
                }
                else missed++;
            }
            lastReader.Add(last);
        }
        deliveries.Sort();
        lastReader.Sort();
        return new DayLive(readers.Count, work.Posts.Count, deliveries.Count, missed, Percentile(deliveries, 0.5), Percentile(deliveries, 0.99),
            deliveries.Count > 0 ? deliveries[^1] : 0, Percentile(lastReader, 0.99), Timings([.. work.Posts.Select(p => p.CallMs)], work.PostErrors));
    }

    private static DayTimings Timings(List<double> values, int errors)
    {
        var sorted = values.Order().ToList();
        return new DayTimings(sorted.Count, errors, Percentile(sorted, 0.5), Percentile(sorted, 0.99), sorted.Count > 0 ? sorted[^1] : 0);
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>The issue's targets for the day (reported, never asserted).</summary>
    public static List<TargetCheck> Targets(DayResult r) =>
    [
        new("cache hit ratio ≥ 95 %", r.Readers.HitRatio.ToString("P1", CultureInfo.InvariantCulture), r.Readers.HitRatio >= 0.95),
        new("reader p99 < 20 ms", $"{r.Readers.P99Ms:0.0} ms (p50 {r.Readers.P50Ms:0.00} ms)", r.Readers.P99Ms < 20),
        new("errors = 0", r.Errors.ToString(CultureInfo.InvariantCulture), r.Errors == 0),
        new("editor save p99 < 200 ms", $"{r.Saves.P99Ms:0.0} ms", r.Saves.Count > 0 && r.Saves.P99Ms < 200),
        new("live entry delivery p99 < 1 s", $"{r.Live.P99Ms:0.0} ms", r.Live.Deliveries > 0 && r.Live.P99Ms < 1000),
    ];

    public static async Task WriteAsync(DayResult result, string folder, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "day-results.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }), ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "day-results.md"), Markdown(result), ct);
    }

    public static string Markdown(DayResult r)
    {
        var s = r.Settings;
        var md = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        md.AppendLine(invariant, $"### A newsroom's day: {r.Articles:N0} articles on {r.Provider}, {s.Seconds / 60:0.#} minutes");
        md.AppendLine();
        var start = s.WarmEveryPage
            ? string.Create(invariant, $"every one of the {r.Readers.WarmedPages:N0} reader pages was requested once ({r.Readers.WarmSeconds:N0} s; NewsCms:PublicCache:SizeLimitMB {s.CacheSizeMB}) and ")
            : "a cold start and ";
        md.AppendLine(invariant, $"Readers at {s.Connections} connections ({s.Driver}, after {start}{s.WarmupSeconds:0} s of warm-up): {s.ArticleShare:P0} of requests to articles " +
            $"by Zipf (s = {s.ZipfS}) over their rank, newest first, the rest to the home page, section pages and tag pages (Zipf by use) in equal parts. " +
            $"Meanwhile a new article published every {s.PublishSeconds:0.#} s, {s.Editors} editors autosaving a draft each every {s.AutosaveSeconds:0.#} s, " +
            $"and a live blog entry every {s.LiveEntrySeconds:0.#} s to {r.Live.Readers} connected SSE readers. The app ran as its own process, the newsroom's " +
            $"calls inside it through the services the editor uses (autosave: ArticleEditing.SaveAsync with SaveKind.Autosave; publish: a save then " +
            $"ArticleWorkflowService.PublishAsync; live: LiveBlogService.PostAsync); readers and SSE readers outside it. {r.Cores} cores; load average " +
            $"{r.LoadAverageStart} at the start of the day, {r.LoadAverageEnd} at its end.");
        md.AppendLine();
        md.AppendLine("| measure | value |");
        md.AppendLine("| --- | ---: |");
        md.AppendLine(invariant, $"| reader requests | {r.Readers.Requests:N0} ({r.Readers.RequestsPerSecond:N0}/s) |");
        md.AppendLine(invariant, $"| cache hit ratio (Age header) | {r.Readers.HitRatio:P1} ({r.Readers.Hits:N0} of {r.Readers.Answered:N0}) |");
        if (r.Readers.ColdStartHitRatio is { } cold)
        {
            md.AppendLine(invariant, $"| hit ratio a cache holding every page, never evicting, would reach from this cold start ({r.Readers.WarmupRequests:N0} warm-up requests) | {cold:P1} |");
        }
        md.AppendLine(invariant, $"| reader p50 / p99 | {r.Readers.P50Ms:0.00} ms / {r.Readers.P99Ms:0.00} ms |");
        md.AppendLine(invariant, $"| reader errors | {r.Readers.Errors:N0} |");
        md.AppendLine(invariant, $"| editor autosave p50 / p99 / max | {r.Saves.P50Ms:0.0} / {r.Saves.P99Ms:0.0} / {r.Saves.MaxMs:0.0} ms ({r.Saves.Count:N0} saves, {r.Saves.Errors} failed) |");
        md.AppendLine(invariant, $"| publish (save + publish) p50 / p99 / max | {r.Publishes.P50Ms:0.0} / {r.Publishes.P99Ms:0.0} / {r.Publishes.MaxMs:0.0} ms ({r.Publishes.Count:N0} publishes, {r.Publishes.Errors} failed) |");
        md.AppendLine(invariant, $"| live entry delivery p50 / p99 / max | {r.Live.P50Ms:0.0} / {r.Live.P99Ms:0.0} / {r.Live.MaxMs:0.0} ms ({r.Live.Entries} entries × {r.Live.Readers} readers, {r.Live.Missed} missed) |");
        md.AppendLine(invariant, $"| live entry received by every reader, p99 | {r.Live.LastReaderP99Ms:0.0} ms |");
        md.AppendLine(invariant, $"| live post call p50 / p99 | {r.Live.PostCalls.P50Ms:0.0} / {r.Live.PostCalls.P99Ms:0.0} ms ({r.Live.PostCalls.Errors} failed) |");
        md.AppendLine(invariant, $"| errors (readers, saves, publishes, posts, missed deliveries) | {r.Errors:N0} |");
        md.AppendLine(invariant, $"| app working set: at the start of the day / peak during it / process peak (VmHWM) | {Mb(r.StartWorkingSetBytes)} / {Mb(r.PeakWorkingSetBytes)} / {Mb(r.ProcessPeakWorkingSetBytes)} |");
        md.AppendLine();
        md.AppendLine("| target | measured | met |");
        md.AppendLine("| --- | --- | --- |");
        foreach (var t in r.Targets) md.AppendLine(invariant, $"| {t.Target} | {t.Measured} | {(t.Met ? "yes" : "**no**")} |");
        if (r.NewsroomErrors.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Newsroom errors (first 20):");
            foreach (var e in r.NewsroomErrors) md.AppendLine("- " + e);
        }
        return md.ToString();
    }

    private static string Mb(long? bytes) => bytes is { } b ? $"{b / 1048576.0:N0} MB" : "n/a";
}
