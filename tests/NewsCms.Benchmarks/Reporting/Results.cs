namespace NewsCms.Benchmarks.Reporting;

/// <summary>One page at one scale.</summary>
public sealed record PageResult(
    string Page, string Path, double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Errors,
    double? RatioToCeiling, int? SqlStatements, double? FreshRenderMs, double? RenderedShare);

public sealed record SoakResult(
    double Seconds, int Connections, long Requests, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors,
    long? PeakWorkingSetBytes, long? PeakDuringSoakBytes);

public sealed record ScaleResult(int Articles, bool ReusedDatabase, double SeedSeconds, double SeedArticlesPerSecond, long DatabaseBytes,
    List<PageResult> Pages, SoakResult? Soak, long? AppPeakWorkingSetBytes, string Provider = "Sqlite");

/// <summary>The two providers at one scale: seeding, fresh render and search (the pages whose cost is the database's).</summary>
public sealed record ProviderRow(int Articles, string Measure, double Sqlite, double PostgreSql, string Unit, bool LowerIsBetter)
{
    public double Ratio => Sqlite > 0 ? PostgreSql / Sqlite : 0;
}

/// <summary>One page through nginx with a given number of nodes.</summary>
public sealed record ClusterLoad(string Page, int Nodes, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors, double? RenderedShare);

/// <summary>The --cluster run: load through nginx with 1 and with 2 nodes, and publish-to-visible times on node 2.</summary>
public sealed record ClusterResult(int Articles, double SeedSeconds, List<ClusterLoad> Loads, int Publishes, double VisibleP50Ms, double VisibleP99Ms,
    double VisibleMaxMs, double HomeP50Ms, double HomeP99Ms, double PublishCallP50Ms, double PublishCallP99Ms,
    double VisibleAfterCallP50Ms, double VisibleAfterCallP99Ms, double HomeAfterCallP50Ms, double HomeAfterCallP99Ms);

/// <summary>How a page's time at the largest scale compares with the smallest.</summary>
public sealed record GrowthRow(string Page, double SmallP50Ms, double LargeP50Ms, double P50Ratio, double? SmallFreshMs, double? LargeFreshMs, double? FreshRatio);

public sealed record TargetCheck(string Target, string Measured, bool Met);

/// <param name="LoadAverage">/proc/loadavg when the run started: other work on the machine skews every number.</param>
public sealed record MachineInfo(int Cores, long MemoryBytes, string Cpu, string Os, string Runtime, string LoadAverage);

public sealed record BenchmarkRun(
    DateTime StartedUtc, string Command, string Driver, int Connections, double WarmupSeconds, double DurationSeconds,
    MachineInfo Machine, List<ScaleResult> Scales, List<GrowthRow> Growth, List<TargetCheck> Targets, double TotalSeconds,
    List<ProviderRow>? Providers = null, ClusterResult? Cluster = null);
