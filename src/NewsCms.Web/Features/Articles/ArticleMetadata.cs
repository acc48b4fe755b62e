using System.Text.Json;
using NewsCms.Web.Features.Media;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// What search engines and social networks read from an article's head: the canonical address, OpenGraph and Twitter
/// card values, and JSON-LD (NewsArticle and BreadcrumbList). All addresses are absolute on the configured public origin.
/// </summary>
public sealed record ArticleMetadata(string CanonicalUrl, string Title, string Description, string? ImageUrl, string? ImageAlt, string JsonLd)
{
    /// <summary>The script element as is (the markup writer would entity-encode the "+" of its type).</summary>
    public string JsonLdScript => $"<script type=\"application/ld+json\">{JsonLd}</script>";

    // The default encoder escapes <, > and &, so stored text can never close the script element it is written into.
    private static readonly JsonSerializerOptions Json = new();

    private static Dictionary<string, object?> WithoutNulls(Dictionary<string, object?> values) =>
        values.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <param name="image">The featured image, or else the site's default social image, or none.</param>
    /// <param name="logo">The site's logo, the publisher's logo in JSON-LD, or none.</param>
    /// <param name="live">A live blog's entries as its page shows them: then the JSON-LD is a LiveBlogPosting.</param>
    /// <param name="corrections">The corrections and updates shown at its end: the JSON-LD's <c>correction</c>.</param>
    public static ArticleMetadata For(PublicArticle article, MediaImage? image, Uri baseUri, string siteTitle, MediaImage? logo = null, LiveBlogs.LiveBlogPage? live = null,
        IReadOnlyList<Corrections.PublicCorrection>? corrections = null)
    {
        string Absolute(string path) => new Uri(baseUri, path.TrimStart('/')).AbsoluteUri;
        var url = Absolute(ArticleUrls.ForSlug(article.Slug));
        var canonical = article.CanonicalUrl ?? url;
        var description = article.MetaDescription ?? (string.IsNullOrWhiteSpace(article.Standfirst) ? article.Headline : article.Standfirst);
        var imageUrl = image is null ? null : Absolute(image.FallbackUrl(image.LargestWidth));
        // Search engines want a logo of at most 600 pixels wide, in a format every crawler reads.
        var logoWidth = logo?.WidthNear(600);
        var publisherLogo = logo is null ? null : new Dictionary<string, object?>
        {
            ["@type"] = "ImageObject", ["url"] = Absolute(logo.FallbackUrl(logoWidth!.Value)), ["width"] = logoWidth, ["height"] = logo.HeightFor(logoWidth.Value),
        };

        var newsArticle = new Dictionary<string, object?>
        {
            ["@context"] = "https://schema.org",
            ["@type"] = "NewsArticle",
            ["headline"] = article.Headline.Length <= 110 ? article.Headline : article.Headline[..110],
            ["description"] = description,
            ["image"] = imageUrl is null ? null : new[] { imageUrl },
            ["datePublished"] = article.PublishedAt?.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["dateModified"] = article.UpdatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["author"] = article.Authors.Select(a => new Dictionary<string, object?> { ["@type"] = "Person", ["name"] = a.Name, ["url"] = Absolute(a.Url) }).ToList(),
            ["publisher"] = WithoutNulls(new Dictionary<string, object?>
            {
                ["@type"] = "Organization", ["name"] = siteTitle, ["url"] = baseUri.AbsoluteUri, ["logo"] = publisherLogo,
            }),
            ["mainEntityOfPage"] = new Dictionary<string, object?> { ["@type"] = "WebPage", ["@id"] = canonical },
            ["articleSection"] = article.Section?.Name,
            ["keywords"] = article.Tags.Count == 0 ? null : string.Join(", ", article.Tags.Select(t => t.Name)),
            ["correction"] = Corrections.CorrectionsInJsonLd.For(corrections, url),
        };
        if (live is not null)
        {
            // Google's live-blog structured data: the coverage window and each update, linked to its anchor.
            newsArticle["@type"] = "LiveBlogPosting";
            newsArticle["coverageStartTime"] = live.StartedAt.ToString("yyyy-MM-ddTHH:mm:ssZ");
            newsArticle["coverageEndTime"] = live.EndedAt?.ToString("yyyy-MM-ddTHH:mm:ssZ");
            newsArticle["liveBlogUpdate"] = live.Pinned.Concat(live.Entries).OrderByDescending(e => e.PostedAt).ThenByDescending(e => e.Id)
                .Select(e => WithoutNulls(new Dictionary<string, object?>
                {
                    ["@type"] = "BlogPosting",
                    ["headline"] = LiveBlogs.LiveBlogRules.KeyEventTitle(e.BodyText, 110),
                    ["datePublished"] = e.PostedAt.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                    ["dateModified"] = e.UpdatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                    ["articleBody"] = e.BodyText,
                    ["url"] = url + "#entry-" + e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["author"] = new Dictionary<string, object?> { ["@type"] = "Person", ["name"] = e.AuthorName },
                }))
                .ToList();
        }

        var crumbs = new List<(string Name, string Url)> { (siteTitle, baseUri.AbsoluteUri) };
        if (article.Section is { } section) crumbs.Add((section.Name, Absolute("/section/" + section.Slug)));
        crumbs.Add((article.Headline, url));
        var breadcrumbs = new Dictionary<string, object?>
        {
            ["@context"] = "https://schema.org",
            ["@type"] = "BreadcrumbList",
            ["itemListElement"] = crumbs.Select((c, i) => new Dictionary<string, object?>
            {
                ["@type"] = "ListItem", ["position"] = i + 1, ["name"] = c.Name, ["item"] = c.Url,
            }).ToList(),
        };

        var jsonLd = JsonSerializer.Serialize(new object[] { WithoutNulls(newsArticle), breadcrumbs }, Json);
        return new ArticleMetadata(canonical, article.SeoTitle ?? article.Headline, description, imageUrl, image?.AltText, jsonLd);
    }

    /// <summary>The same for a static page: its address at the site's root, and a schema.org WebPage of the site.</summary>
    /// <param name="image">The page's featured image, or else the site's default social image, or none.</param>
    public static ArticleMetadata ForPage(Pages.PublicPage page, MediaImage? image, Uri baseUri, string siteTitle)
    {
        string Absolute(string path) => new Uri(baseUri, path.TrimStart('/')).AbsoluteUri;
        var url = Absolute(page.Url);
        var canonical = page.CanonicalUrl ?? url;
        var description = page.MetaDescription ?? (string.IsNullOrWhiteSpace(page.Standfirst) ? page.Title : page.Standfirst);
        var imageUrl = image is null ? null : Absolute(image.FallbackUrl(image.LargestWidth));
        var webPage = new Dictionary<string, object?>
        {
            ["@context"] = "https://schema.org",
            ["@type"] = "WebPage",
            ["@id"] = canonical,
            ["url"] = canonical,
            ["name"] = page.Title,
            ["description"] = description,
            ["image"] = imageUrl,
            ["datePublished"] = page.PublishedAt?.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["dateModified"] = page.UpdatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["isPartOf"] = new Dictionary<string, object?> { ["@type"] = "WebSite", ["name"] = siteTitle, ["url"] = baseUri.AbsoluteUri },
        };
        var jsonLd = JsonSerializer.Serialize(new object[] { WithoutNulls(webPage) }, Json);
        return new ArticleMetadata(canonical, page.SeoTitle ?? page.Title, description, imageUrl, image?.AltText, jsonLd);
    }
}
