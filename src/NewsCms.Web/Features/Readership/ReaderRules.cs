using System.Text.RegularExpressions;

namespace NewsCms.Web.Features.Readership;

/// <summary>
/// Which requests are a person reading: the rules that leave out robots and speculative loads. They look at the
/// request's headers while it is answered and keep nothing of them.
/// </summary>
public static partial class ReaderRules
{
    /// <summary>
    /// Whether the request is a reader's view: a GET (a HEAD, even one answered as a GET, fetches no page to read), not
    /// a prefetch or prerender (a browser guessing the next click; if the reader does go there the page is shown from
    /// that copy, so such a view is not counted: we under-count rather than count guesses), and not from a known robot.
    /// </summary>
    public static bool IsReaderView(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && !Hosting.HeadRequests.Asked(request.HttpContext)
        && !IsPrefetch(request.Headers) && !IsRobot(request.Headers.UserAgent.ToString());

    /// <summary>Chromium's and Firefox's prefetch and prerender markers (Sec-Purpose, the older Purpose, X-Moz).</summary>
    public static bool IsPrefetch(IHeaderDictionary headers) =>
        Contains(headers["Sec-Purpose"], "prefetch") || Contains(headers["Sec-Purpose"], "prerender")
        || Contains(headers["Purpose"], "prefetch") || Contains(headers["Purpose"], "preview")
        || Contains(headers["X-Moz"], "prefetch") || Contains(headers["X-Purpose"], "preview");

    private static bool Contains(Microsoft.Extensions.Primitives.StringValues values, string word) =>
        values.Any(v => v is not null && v.Contains(word, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Whether the user agent is a robot: none at all (browsers always send one), or one of the patterns below. No
    /// NuGet package keeps such a list well, so this one follows the generic patterns of the npm package isbot (which
    /// catch nearly every crawler by its own words: "bot", "crawler", "spider"), plus the named tools, link
    /// previewers and monitors that do not say so. Add a pattern when a robot shows up in the counts.
    /// </summary>
    public static bool IsRobot(string? userAgent) => string.IsNullOrWhiteSpace(userAgent) || Robot().IsMatch(userAgent);

    [GeneratedRegex(
        // Self-declared: Googlebot, bingbot, Applebot, GPTBot, ClaudeBot, AhrefsBot... ("cubot" is a phone maker).
        @"(?<!cu)bot(?:\b|_)|crawl|spider|scrap|slurp|archiver|indexer|headless|phantomjs|lighthouse|pagespeed|"
        // Search, AI and SEO fetchers that do not say "bot".
        + @"mediapartners-google|adsbot|google-inspectiontool|googleother|google-extended|feedfetcher|yahoo! ?slurp|"
        + @"baiduspider|exabot|ia_archiver|bingpreview|perplexity|ccbot|bytespider|petalbot|"
        // Link previews in chat and social apps.
        + @"facebookexternalhit|facebookcatalog|meta-externalagent|twitterbot|linkedinbot|slackbot|discordbot|"
        + @"telegrambot|whatsapp|skypeuripreview|embedly|quora link preview|vkshare|w3c_validator|"
        // Feed readers and monitors fetching on a schedule.
        + @"feedly|inoreader|newsblur|feedbin|uptime|pingdom|statuscake|site24x7|"
        // Command-line tools and HTTP libraries.
        + @"curl/|wget/|httpie|python-requests|python-urllib|aiohttp|go-http-client|java/|okhttp|apache-httpclient|"
        + @"libwww-perl|node-fetch|axios/|undici|ruby|php/|guzzle|postmanruntime|insomnia|dotnet|httpclient|"
        + @"\bhttp_request|scrapy|nutch|heritrix|wordpress/",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Robot();
}
