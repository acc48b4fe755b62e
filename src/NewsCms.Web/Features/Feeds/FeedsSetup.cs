using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.Web.Features.Feeds;

/// <summary>Settings under NewsCms:Feeds.</summary>
public sealed class FeedOptions
{
    public const string Section = "NewsCms:Feeds";

    /// <summary>Feed items carry the whole article (true) or only the standfirst (false).</summary>
    public bool FullContent { get; set; } = true;
}

/// <summary>
/// RSS 2.0 and Atom 1.0 feeds (site, section, tag, author), the sitemap index and its sitemaps, the Google News
/// sitemap and robots.txt. All static, anonymous and cookie-free, cached with the public pages.
/// </summary>
public static class FeedsSetup
{
    /// <summary>Google News lists articles published in the last two days.</summary>
    public static readonly TimeSpan NewsWindow = TimeSpan.FromHours(48);

    public static WebApplicationBuilder AddFeeds(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<FeedOptions>().BindConfiguration(FeedOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<FeedQueries>();
        builder.Services.AddSingleton<FeedRequest>();
        return builder;
    }

    public static IEndpointRouteBuilder MapFeeds(this IEndpointRouteBuilder endpoints)
    {
        var feeds = endpoints.MapGroup("")
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithMetadata(new OutputCacheAttribute { PolicyName = PublicCache.Policy });

        feeds.MapGet(FeedPaths.SiteRss, (FeedRequest request, CancellationToken ct) => request.SiteFeedAsync(atom: false, ct));
        feeds.MapGet(FeedPaths.SiteAtom, (FeedRequest request, CancellationToken ct) => request.SiteFeedAsync(atom: true, ct));
        foreach (var kind in (string[])["section", "tag", "author"])
        {
            feeds.MapGet($"/{kind}/{{slug}}/feed.xml", (string slug, FeedRequest request, CancellationToken ct) => request.KindFeedAsync(kind, slug, atom: false, ct));
            feeds.MapGet($"/{kind}/{{slug}}/atom.xml", (string slug, FeedRequest request, CancellationToken ct) => request.KindFeedAsync(kind, slug, atom: true, ct));
        }

        feeds.MapGet("/sitemap.xml", async (FeedRequest request, CancellationToken ct) =>
        {
            var pages = ArticleSitemapPages(await request.Queries.CountPublishedAsync(ct));
            return Xml(await FeedDocuments.SitemapIndexAsync(request.BaseUri, pages));
        });
        feeds.MapGet("/sitemaps/pages.xml", async (FeedRequest request, CancellationToken ct) =>
            Xml(await FeedDocuments.UrlSetAsync(request.BaseUri, await request.Queries.PagesAsync(ct))));
        feeds.MapGet("/sitemaps/articles-{page:int}.xml", async Task<Results<FileContentHttpResult, NotFound>> (int page, FeedRequest request, CancellationToken ct) =>
        {
            if (page < 1 || page > ArticleSitemapPages(await request.Queries.CountPublishedAsync(ct))) return TypedResults.NotFound();
            return Xml(await FeedDocuments.UrlSetAsync(request.BaseUri, await request.Queries.ArticlePageAsync(page, ct)));
        });
        feeds.MapGet("/news-sitemap.xml", async (FeedRequest request, TimeProvider clock, CancellationToken ct) =>
        {
            var since = clock.GetUtcNow().UtcDateTime - NewsWindow;
            var settings = await request.Settings.GetAsync(ct);
            return Xml(await FeedDocuments.NewsSitemapAsync(request.BaseUri, settings.PublicationName, settings.Language, await request.Queries.PublishedSinceAsync(since, ct)));
        }).WithMetadata(new OutputCacheAttribute { PolicyName = PublicCache.TimeBoundPolicy });
        feeds.MapGet("/robots.txt", (IOptions<SiteOptions> site) => TypedResults.Text(RobotsTxt(site.Value.BaseUri), "text/plain", Encoding.UTF8));
        return endpoints;
    }

    /// <summary>At least one (possibly empty) articles sitemap, so the index always names the same first file.</summary>
    private static int ArticleSitemapPages(int published) => Math.Max(1, (published + FeedQueries.SitemapPageSize - 1) / FeedQueries.SitemapPageSize);

    private static FileContentHttpResult Xml(byte[] document) => TypedResults.Bytes(document, FeedDocuments.XmlContentType);

    internal static string RobotsTxt(Uri baseUri)
    {
        var origin = baseUri.ToString().TrimEnd('/');
        return string.Join('\n',
            "User-agent: *",
            "Allow: /",
            "Disallow: /admin",
            "Disallow: /Account",
            "Disallow: /api",
            "Disallow: /setup",
            "",
            $"Sitemap: {origin}/sitemap.xml",
            $"Sitemap: {origin}/news-sitemap.xml",
            "");
    }
}

/// <summary>What every feed endpoint needs (all singletons), and the feeds themselves.</summary>
internal sealed class FeedRequest(FeedQueries queries, PublicTaxonomy taxonomy, PublicAuthors authors, SiteSettingsStore settings,
    IOptions<SiteOptions> site, IOptions<FeedOptions> options, TimeProvider clock)
{
    public FeedQueries Queries => queries;
    public SiteSettingsStore Settings => settings;
    public Uri BaseUri => site.Value.BaseUri;

    /// <summary>The site's feed.</summary>
    public async Task<FileContentHttpResult> SiteFeedAsync(bool atom, CancellationToken ct)
    {
        var site = await settings.GetAsync(ct);
        return await WriteAsync(site, new FeedChannel(site.Title, site.Tagline, "/", FeedPaths.SiteRss, FeedPaths.SiteAtom, new PublishedFilter()), atom, ct);
    }

    /// <summary>
    /// A section's, tag's or author's feed, found by the feature that owns it; 404 for an unknown slug. A renamed or
    /// merged tag's or section's old address answers 301 to the new feed, as its page does, so feed readers follow the move.
    /// </summary>
    public async Task<Results<FileContentHttpResult, RedirectHttpResult, NotFound>> KindFeedAsync(string kind, string slug, bool atom, CancellationToken ct)
    {
        var site = await settings.GetAsync(ct);
        FeedChannel Channel(string name, PublishedFilter filter) =>
            new($"{site.Title} — {name}", site.Tagline, $"/{kind}/{slug}", FeedPaths.Rss(kind, slug), FeedPaths.Atom(kind, slug), filter);
        var lookup = kind switch
        {
            "section" => (await taxonomy.FindSectionAsync(slug, ct)).Map(s => Channel(s.Name, new PublishedFilter(SectionId: s.Id))),
            "tag" => (await taxonomy.FindTagAsync(slug, ct)).Map(t => Channel(t.Name, new PublishedFilter(TagId: t.Id))),
            "author" => (await authors.FindAsync(slug, ct)).Map(a => Channel(a.Name, new PublishedFilter(AuthorId: a.Id))),
            _ => new PublicLookup<FeedChannel>.Missing(),
        };
        return lookup switch
        {
            PublicLookup<FeedChannel>.Found found => await WriteAsync(site, found.Value, atom, ct),
            PublicLookup<FeedChannel>.MovedTo moved => TypedResults.Redirect(atom ? FeedPaths.Atom(kind, moved.Slug) : FeedPaths.Rss(kind, moved.Slug), permanent: true),
            _ => TypedResults.NotFound(),
        };
    }

    private async Task<FileContentHttpResult> WriteAsync(SiteSettingsSnapshot site, FeedChannel channel, bool atom, CancellationToken ct)
    {
        var entries = await queries.LatestAsync(channel.Filter, options.Value.FullContent, ct);
        var feed = FeedDocuments.BuildFeed(channel, entries, BaseUri, atom, clock.GetUtcNow().UtcDateTime, site.Language);
        return atom
            ? TypedResults.Bytes(await FeedDocuments.AtomAsync(feed), FeedDocuments.AtomContentType)
            : TypedResults.Bytes(await FeedDocuments.RssAsync(feed), FeedDocuments.RssContentType);
    }
}
