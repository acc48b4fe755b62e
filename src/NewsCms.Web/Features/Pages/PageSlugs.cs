using System.Collections.Frozen;
using NewsCms.Web.Features.Feeds;

namespace NewsCms.Web.Features.Pages;

/// <summary>
/// The addresses a page may not take: a page is served at /{slug}, and every first path segment the site maps itself
/// (pages, feeds, sitemaps, accounts, the newsroom, files) must keep answering as it does. The one list; a test
/// compares it with the app's endpoint table and wwwroot, so a new top-level route without an entry here fails it.
/// </summary>
public static class PageSlugs
{
    public static readonly FrozenSet<string> Reserved = new[]
    {
        // Reader pages and the status pages.
        "news", "section", "tag", "author", "search", "not-found", "error",
        // Feeds and sitemaps (Features/Feeds).
        FeedPaths.SiteRss, FeedPaths.SiteAtom, "sitemap.xml", "sitemaps", "news-sitemap.xml", "robots.txt",
        // Accounts, the newsroom, first-run setup, APIs, health and uploaded images.
        "account", "admin", "setup", "api", "health", "healthz", "media",
        // The Ghost-compatible APIs (/ghost/api/...) and their OpenAPI document.
        "ghost", "openapi",
        // Live blogs' event streams and catch-up windows (/live/...).
        "live",
        // Every correction and update (Features/Corrections).
        "corrections",
        // Blazor and static files.
        "_framework", "_content", "_blazor", "css", "js", "lib", "favicon.ico", "favicon.png",
        // Scripts kept beside their components (served from /Components/...).
        "components",
    }.Select(s => s.TrimStart('/')).ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether the site uses this first path segment itself (any case: routes match case-insensitively).</summary>
    public static bool IsReserved(string? slug) => slug is not null && Reserved.Contains(slug.Trim());

    /// <summary>What the writer is told when a page's slug is one of <see cref="Reserved"/>.</summary>
    public static string ReservedMessage(string slug) => $"“{slug.Trim().ToLowerInvariant()}” is used by the site itself; choose another address for this page.";
}
