using NewsCms.Benchmarks.Seeding;

namespace NewsCms.Benchmarks.Load;

/// <summary>
/// One measured page. A scenario requests one <see cref="Path"/> over and over (what the output cache serves), or
/// walks through <see cref="Paths"/> (many articles, many searches). With <see cref="BypassCache"/> every request also
/// carries <see cref="BypassHeader"/>: the output cache neither looks up nor stores a request with an Authorization
/// header (ASP.NET Core's default rule), and the app has no bearer sign-in, so the page renders as for any reader.
/// The Content API's cache policy keeps that rule (it adds to the default policy), and the Admin API's token scheme
/// reads only <c>Authorization: Ghost …</c>, so a Content API request with the header is answered, uncached, as without it.
/// Each request is a fresh render, even after the list wraps around. (Query strings cannot do this: the cache key
/// holds only the query keys a page reads, and a page number past the end answers 404.)
/// </summary>
/// <remarks>
/// A <see cref="Ceiling"/> scenario is load on the ceiling server, which answers with the bytes the app gives for
/// <see cref="Path"/>; the app's scenarios are compared with the ceiling named by <see cref="CeilingOf"/> (the one
/// serving the same kind of answer, so a JSON list is not compared with a smaller HTML page).
/// <see cref="Connections"/> overrides the run's connection count: the two latency targets are also measured at one
/// connection, where a request's time is its own service time rather than its wait in a saturated queue.
/// </remarks>
public sealed record Scenario(string Name, string Path, IReadOnlyList<string>? Paths = null, bool BypassCache = false, bool Ceiling = false, int? Connections = null,
    string? Compared = null)
{
    public const string Home = "home";
    public const string ArticleHit = "article (cache hit)";
    public const string ArticleFresh = "article (fresh render)";
    public const string Tag = "tag page";
    public const string Author = "author page";
    public const string Search = "search";
    public const string Rss = "RSS feed";
    public const string CeilingName = "ceiling";
    /// <summary>The bare Blazor static-SSR page (Hosting/BareSsrCeiling.cs): fresh renders are compared with it.</summary>
    public const string BareSsrCeilingName = "ceiling (bare static SSR)";
    public const string ArticleFreshSingle = "article (fresh render, 1 connection)";
    public const string SearchSingle = "search (1 connection)";
    public const string ApiBrowseHit = "Content API browse (cache hit)";
    public const string ApiBrowseFresh = "Content API browse (fresh)";
    public const string ApiReadHit = "Content API read by slug (cache hit)";
    public const string ApiReadFresh = "Content API read by slug (fresh)";
    public const string ApiBrowseFreshSingle = "Content API browse (fresh, 1 connection)";
    public const string ApiReadFreshSingle = "Content API read by slug (fresh, 1 connection)";
    public const string ApiBrowseCeiling = "ceiling (Content API browse)";
    public const string ApiReadCeiling = "ceiling (Content API read)";

    /// <summary>Posts per Content API page, with their tags and authors, as a site generator or app asks.</summary>
    public const int ApiPageSize = 15;

    /// <summary>The ceiling this scenario's req/s is divided by.</summary>
    public string CeilingOf => Compared ?? CeilingName;

    /// <summary>Whether a page name (in the results) is a ceiling's.</summary>
    public static bool IsCeiling(string page) => page.StartsWith(CeilingName, StringComparison.Ordinal);

    /// <summary>Whether responses are checked for the output cache's Age header (to report how many were rendered).</summary>
    public bool CountsRendered => Paths is not null;

    /// <summary>The pages measured at every scale, in the order they run and are reported.</summary>
    public static IReadOnlyList<Scenario> For(SiteSample site, string contentKey)
    {
        // The Content API: the newest 15 posts with tags and authors, and one post by its slug (also with both, as
        // clients ask); fresh, every page of the list in turn and every article.
        var browse = $"/ghost/api/content/posts/?key={contentKey}&limit={ApiPageSize}&include=tags,authors";
        string Read(string slug) => $"/ghost/api/content/posts/slug/{slug}/?key={contentKey}&include=tags,authors";
        var apiPages = Math.Max(1, (site.ArticleSlugs.Count + ApiPageSize - 1) / ApiPageSize);
        var apiBrowseFresh = new Scenario(ApiBrowseFresh, browse, [.. Enumerable.Range(1, apiPages).Select(page => $"{browse}&page={page}")], BypassCache: true,
            Compared: ApiBrowseCeiling);
        var apiReadFresh = new Scenario(ApiReadFresh, Read(site.ArticleSlug), [.. site.ArticleSlugs.Select(Read)], BypassCache: true, Compared: ApiReadCeiling);
        // Fresh renders are compared with the bare static-SSR page rendering the same markup (Hosting/BareSsrCeiling.cs).
        var fresh = new Scenario(ArticleFresh, "/news/" + site.ArticleSlug, [.. site.ArticleSlugs.Select(s => "/news/" + s)], BypassCache: true,
            Compared: BareSsrCeilingName);
        var search = new Scenario(Search, "/search?q=" + Uri.EscapeDataString(site.SearchQueries[0]), [.. site.SearchQueries.Select(q => "/search?q=" + Uri.EscapeDataString(q))]);
        return
        [
            new(Home, "/"),
            new(ArticleHit, "/news/" + site.ArticleSlug),
            fresh,
            new(Tag, "/tag/" + site.TagSlug),
            new(Author, "/author/" + site.AuthorSlug),
            search,
            new(Rss, "/feed.xml"),
            new(CeilingName, "/news/" + site.ArticleSlug, Ceiling: true),
            new(BareSsrCeilingName, "/news/" + site.ArticleSlug, Ceiling: true),
            fresh with { Name = ArticleFreshSingle, Connections = 1 },
            search with { Name = SearchSingle, Connections = 1 },
            new(ApiBrowseHit, browse, Compared: ApiBrowseCeiling),
            apiBrowseFresh,
            new(ApiReadHit, Read(site.ArticleSlug), Compared: ApiReadCeiling),
            apiReadFresh,
            new(ApiBrowseCeiling, browse, Ceiling: true),
            new(ApiReadCeiling, Read(site.ArticleSlug), Ceiling: true),
            apiBrowseFresh with { Name = ApiBrowseFreshSingle, Connections = 1 },
            apiReadFresh with { Name = ApiReadFreshSingle, Connections = 1 },
            .. SearchByKind(site),
        ];
    }

    /// <summary>The name of the search scenario of one kind of query (<see cref="SearchKinds"/>), at one connection.</summary>
    public static string SearchOfKind(string kind) => $"search: {kind} (1 connection)";

    /// <summary>
    /// Search per kind of query at one connection, each request rendered (a query repeats within a run): a word in
    /// most articles must be as quick as a word in a handful.
    /// </summary>
    private static IEnumerable<Scenario> SearchByKind(SiteSample site) =>
        site.SearchQueriesByKind.Select(kind => new Scenario(SearchOfKind(kind.Key), "/search?q=" + Uri.EscapeDataString(kind.Value[0]),
            [.. kind.Value.Select(q => "/search?q=" + Uri.EscapeDataString(q))], BypassCache: true, Connections: 1));

    /// <summary>The header (name, value) a cache-bypassing request carries.</summary>
    public static readonly (string Name, string Value) BypassHeader = ("Authorization", "Bearer newscms-benchmark-fresh-render");

    /// <summary>The i-th path a walker requests.</summary>
    public string PathAt(long i) => Paths is null ? Path : Paths[(int)(i % Paths.Count)];
}

/// <summary>What one load run measured.</summary>
public sealed record LoadResult(long Requests, double Seconds, double P50Ms, double P99Ms, long Errors, long? Rendered, long? Answered)
{
    public double RequestsPerSecond => Seconds > 0 ? Requests / Seconds : 0;

    /// <summary>Share of responses that were rendered (no Age header from the output cache), when counted.</summary>
    public double? RenderedShare => Answered is > 0 ? (double)Rendered!.Value / Answered.Value : null;
}

/// <summary>Drives load at one scenario: wrk, or the builtin HttpClient driver of the smoke test.</summary>
public interface ILoadDriver
{
    string Name { get; }
    Task<LoadResult> RunAsync(Uri baseUrl, Scenario scenario, int connections, TimeSpan duration, CancellationToken ct);
}
