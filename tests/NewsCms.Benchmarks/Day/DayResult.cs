using NewsCms.Benchmarks.Reporting;

namespace NewsCms.Benchmarks.Day;

/// <summary>
/// The newsroom's day as asked for: readers at <see cref="Connections"/> over Zipf(<see cref="ZipfS"/>) articles plus
/// home, section and tag pages; a publish every <see cref="PublishSeconds"/>; <see cref="Editors"/> editors autosaving
/// every <see cref="AutosaveSeconds"/>; a live blog entry every <see cref="LiveEntrySeconds"/> to <see cref="LiveReaders"/>
/// connected readers. <see cref="ArticleShare"/> of reader requests go to articles, the rest in equal parts to the home
/// page, section pages and tag pages. <see cref="WarmEveryPage"/>: the day starts as a newsroom's day does, with every
/// reader page already in the cache (each requested once before the warm-up), not from an empty cache after a restart;
/// <see cref="CacheSizeMB"/> is then the app's NewsCms:PublicCache:SizeLimitMB, big enough to hold them all.
/// </summary>
public sealed record DaySettings(double Seconds, double WarmupSeconds, int Connections, double ZipfS, int Editors, double AutosaveSeconds,
    double PublishSeconds, double LiveEntrySeconds, int LiveReaders, string Driver, double ArticleShare = 0.85, bool WarmEveryPage = true,
    int? CacheSizeMB = 8192)
{
    public static readonly DaySettings Default = new(300, 30, 64, 1.1, 5, 3, 10, 5, 500, "wrk");
}

/// <summary>
/// Reader traffic: one load run over the day's pages; a hit is a response with the output cache's Age header.
/// <see cref="ColdStartHitRatio"/>: what a cache that holds every page and never evicts would reach on as many
/// requests from the same cold start (the app's cache starts empty; the warm-up's requests count as seen): the first
/// request of each page is a miss, and a Zipf tail keeps bringing new pages. The gap between the two is what
/// evictions (publishes, edits) and the cache's size cost.
/// </summary>
public sealed record DayReaders(long Requests, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors, long Answered, long Hits,
    double HitRatio, long WarmupRequests = 0, double? ColdStartHitRatio = null, int WarmedPages = 0, double WarmSeconds = 0);

/// <summary>Latencies of one kind of newsroom call (ms).</summary>
public sealed record DayTimings(int Count, int Errors, double P50Ms, double P99Ms, double MaxMs);

/// <summary>
/// Live entries from the post call to each reader's receipt (ms; the node's and the harness's Stopwatch timestamps are
/// the same monotonic clock). <see cref="LastReaderP99Ms"/>: per entry, when the last reader had it.
/// </summary>
public sealed record DayLive(int Readers, int Entries, int Deliveries, int Missed, double P50Ms, double P99Ms, double MaxMs, double LastReaderP99Ms,
    DayTimings PostCalls);

public sealed record DayResult(DateTime StartedUtc, int Articles, string Provider, DaySettings Settings, DayReaders Readers, DayTimings Saves,
    DayTimings Publishes, DayLive Live, long Errors, long? PeakWorkingSetBytes, long? ProcessPeakWorkingSetBytes, long? StartWorkingSetBytes,
    string LoadAverageStart, string LoadAverageEnd, int Cores, List<TargetCheck> Targets, List<string> NewsroomErrors);
