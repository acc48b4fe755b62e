using System.Globalization;
using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using AngleSharp.Html.Parser;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Feeds;

/// <summary>What a feed is about: the whole site, or one section, tag or author.</summary>
public sealed record FeedChannel(string Title, string Description, string PagePath, string RssPath, string AtomPath, PublishedFilter Filter);

/// <summary>The public addresses of the feeds (pages link to them in their head).</summary>
public static class FeedPaths
{
    public const string SiteRss = "/feed.xml";
    public const string SiteAtom = "/atom.xml";

    public static string Rss(string kind, string slug) => $"/{kind}/{Uri.EscapeDataString(slug)}/feed.xml";
    public static string Atom(string kind, string slug) => $"/{kind}/{Uri.EscapeDataString(slug)}/atom.xml";
}

/// <summary>
/// Writes feeds and sitemaps. All XML goes through an <see cref="XmlWriter"/> (UTF-8 without BOM, Async = true):
/// text from the newsroom is never concatenated into markup. Every address is absolute on the configured public origin.
/// Services drop the characters XML forbids on save; every text is passed through <see cref="XmlSafeText"/> here
/// again (<see cref="Text"/>), so a value stored some other way can never make a feed fail.
/// </summary>
public static class FeedDocuments
{
    public const string RssContentType = "application/rss+xml; charset=utf-8";
    public const string AtomContentType = "application/atom+xml; charset=utf-8";
    public const string XmlContentType = "application/xml; charset=utf-8";

    public const string SitemapNamespace = "http://www.sitemaps.org/schemas/sitemap/0.9";
    public const string NewsNamespace = "http://www.google.com/schemas/sitemap-news/0.9";
    public const string ContentNamespace = "http://purl.org/rss/1.0/modules/content/";
    public const string DublinCoreNamespace = "http://purl.org/dc/elements/1.1/";

    private static readonly HtmlParser Parser = new();

    private static readonly XmlWriterSettings Settings = new()
    {
        Async = true,
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
    };

    public static Uri Absolute(Uri baseUri, string path) => new(baseUri, path.TrimStart('/'));

    /// <summary>Text as it may go into XML: without the characters XML forbids.</summary>
    private static string Text(string? text) => XmlSafeText.Clean(text);

    /// <summary>W3C Datetime (as sitemaps want it), in UTC to the second.</summary>
    public static string W3CDate(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static SyndicationFeed BuildFeed(FeedChannel channel, IReadOnlyList<FeedEntry> entries, Uri baseUri, bool atom, DateTime now, string language)
    {
        var selfPath = atom ? channel.AtomPath : channel.RssPath;
        var title = Text(channel.Title);
        var description = string.IsNullOrWhiteSpace(channel.Description) ? channel.Title : channel.Description;
        var feed = new SyndicationFeed(title, atom ? Text(description) : RssText(description),
            Absolute(baseUri, channel.PagePath))
        {
            Id = atom ? Absolute(baseUri, channel.AtomPath).ToString() : null,
            Language = Text(language),
            Generator = "NewsCms",
            LastUpdatedTime = entries.Count == 0 ? now : entries.Max(e => e.UpdatedAt > e.PublishedAt ? e.UpdatedAt : e.PublishedAt),
        };
        feed.Links.Add(new SyndicationLink(Absolute(baseUri, selfPath), "self", title, atom ? "application/atom+xml" : "application/rss+xml", 0));
        if (!atom)
        {
            feed.AttributeExtensions.Add(new XmlQualifiedName("dc", "http://www.w3.org/2000/xmlns/"), DublinCoreNamespace);
            if (entries.Any(e => e.BodyHtml is not null)) feed.AttributeExtensions.Add(new XmlQualifiedName("content", "http://www.w3.org/2000/xmlns/"), ContentNamespace);
        }
        feed.Items = entries.Select(e => BuildItem(e, baseUri, atom)).ToList();
        return feed;
    }

    private static SyndicationItem BuildItem(FeedEntry entry, Uri baseUri, bool atom)
    {
        var link = Absolute(baseUri, ArticleUrls.ForSlug(entry.Slug));
        var item = new SyndicationItem
        {
            Id = link.ToString(),
            Title = new TextSyndicationContent(Text(entry.Headline)),
            PublishDate = entry.PublishedAt,
            LastUpdatedTime = entry.UpdatedAt > entry.PublishedAt ? entry.UpdatedAt : entry.PublishedAt,
        };
        item.Links.Add(SyndicationLink.CreateAlternateLink(link));
        if (!string.IsNullOrWhiteSpace(entry.Standfirst)) item.Summary = new TextSyndicationContent(atom ? Text(entry.Standfirst) : RssText(entry.Standfirst));
        foreach (var author in entry.Authors)
        {
            // Atom's author; RSS gets it as a10:author (RSS's own author element needs an e-mail address) and dc:creator.
            var name = Text(author.Name);
            item.Authors.Add(new SyndicationPerson(null, name, Absolute(baseUri, "/author/" + author.Slug).ToString()));
            if (!atom) item.ElementExtensions.Add(Extension(DublinCoreNamespace, "dc", "creator", name));
        }
        foreach (var tag in entry.Tags) item.Categories.Add(new SyndicationCategory(Text(tag)));
        if (entry.BodyHtml is { } body)
        {
            var html = Text(AbsoluteUrls(body, baseUri));
            if (atom) item.Content = SyndicationContent.CreateHtmlContent(html);
            else item.ElementExtensions.Add(Extension(ContentNamespace, "content", "encoded", html));
        }
        return item;
    }

    /// <summary>
    /// Plain text for an RSS description: readers take a description as HTML (RSS has no type="text" as Atom has), so
    /// the text is HTML-escaped and a standfirst reading "&lt;img onerror=…&gt;" is shown as written, never run.
    /// </summary>
    private static string RssText(string text) => Text(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static XmlReader Extension(string ns, string prefix, string name, string text) =>
        new XElement(XName.Get(name, ns), new XAttribute(XNamespace.Xmlns + prefix, ns), text).CreateReader();

    /// <summary>Site-relative href and src values ("/media/...") become absolute on the public origin, for readers off the site.</summary>
    public static string AbsoluteUrls(string sanitizedHtml, Uri baseUri)
    {
        if (string.IsNullOrEmpty(sanitizedHtml)) return "";
        var document = Parser.ParseDocument("<body>" + sanitizedHtml + "</body>");
        var changed = false;
        foreach (var element in document.Body!.QuerySelectorAll("[href], [src]"))
        {
            foreach (var name in (ReadOnlySpan<string>)["href", "src"])
            {
                var value = element.GetAttribute(name);
                if (value is not null && value.StartsWith('/') && !value.StartsWith("//", StringComparison.Ordinal))
                {
                    element.SetAttribute(name, Absolute(baseUri, value).ToString());
                    changed = true;
                }
            }
        }
        return changed ? document.Body.InnerHtml : sanitizedHtml;
    }

    public static Task<byte[]> RssAsync(SyndicationFeed feed) =>
        WriteAsync(writer => { new Rss20FeedFormatter(feed).WriteTo(writer); return Task.CompletedTask; });

    public static Task<byte[]> AtomAsync(SyndicationFeed feed) =>
        WriteAsync(writer => { new Atom10FeedFormatter(feed).WriteTo(writer); return Task.CompletedTask; });

    /// <summary>The sitemap index: the pages sitemap, then one sitemap per 1,000 articles.</summary>
    public static Task<byte[]> SitemapIndexAsync(Uri baseUri, int articlePages) => WriteAsync(async writer =>
    {
        await writer.WriteStartDocumentAsync();
        await writer.WriteStartElementAsync(null, "sitemapindex", SitemapNamespace);
        await WriteSitemapAsync(writer, Absolute(baseUri, "/sitemaps/pages.xml"));
        for (var page = 1; page <= articlePages; page++)
        {
            await WriteSitemapAsync(writer, Absolute(baseUri, $"/sitemaps/articles-{page}.xml"));
        }
        await writer.WriteEndElementAsync();
        await writer.WriteEndDocumentAsync();
    });

    private static async Task WriteSitemapAsync(XmlWriter writer, Uri location)
    {
        await writer.WriteStartElementAsync(null, "sitemap", SitemapNamespace);
        await writer.WriteElementStringAsync(null, "loc", SitemapNamespace, location.ToString());
        await writer.WriteEndElementAsync();
    }

    public static Task<byte[]> UrlSetAsync(Uri baseUri, IEnumerable<SitemapEntry> entries) => WriteAsync(async writer =>
    {
        await writer.WriteStartDocumentAsync();
        await writer.WriteStartElementAsync(null, "urlset", SitemapNamespace);
        foreach (var entry in entries)
        {
            await writer.WriteStartElementAsync(null, "url", SitemapNamespace);
            await writer.WriteElementStringAsync(null, "loc", SitemapNamespace, Absolute(baseUri, entry.Path).ToString());
            if (entry.LastModified is { } lastModified)
            {
                await writer.WriteElementStringAsync(null, "lastmod", SitemapNamespace, W3CDate(lastModified));
            }
            await writer.WriteEndElementAsync();
        }
        await writer.WriteEndElementAsync();
        await writer.WriteEndDocumentAsync();
    });

    /// <summary>A Google News sitemap: one url with news:news per article.</summary>
    public static Task<byte[]> NewsSitemapAsync(Uri baseUri, string publicationName, string language, IEnumerable<NewsEntry> entries) => WriteAsync(async writer =>
    {
        await writer.WriteStartDocumentAsync();
        await writer.WriteStartElementAsync(null, "urlset", SitemapNamespace);
        await writer.WriteAttributeStringAsync("xmlns", "news", null, NewsNamespace);
        foreach (var entry in entries)
        {
            await writer.WriteStartElementAsync(null, "url", SitemapNamespace);
            await writer.WriteElementStringAsync(null, "loc", SitemapNamespace, Absolute(baseUri, ArticleUrls.ForSlug(entry.Slug)).ToString());
            await writer.WriteStartElementAsync("news", "news", NewsNamespace);
            await writer.WriteStartElementAsync("news", "publication", NewsNamespace);
            await writer.WriteElementStringAsync("news", "name", NewsNamespace, Text(publicationName));
            await writer.WriteElementStringAsync("news", "language", NewsNamespace, Text(language));
            await writer.WriteEndElementAsync();
            await writer.WriteElementStringAsync("news", "publication_date", NewsNamespace, W3CDate(entry.PublishedAt));
            await writer.WriteElementStringAsync("news", "title", NewsNamespace, Text(entry.Headline));
            await writer.WriteEndElementAsync();
            await writer.WriteEndElementAsync();
        }
        await writer.WriteEndElementAsync();
        await writer.WriteEndDocumentAsync();
    });

    /// <summary>
    /// Writes a document into memory (the syndication formatters write synchronously, which the response stream refuses)
    /// and returns its bytes.
    /// </summary>
    private static async Task<byte[]> WriteAsync(Func<XmlWriter, Task> write)
    {
        using var buffer = new MemoryStream();
        await using (var writer = XmlWriter.Create(buffer, Settings))
        {
            await write(writer);
            await writer.FlushAsync();
        }
        return buffer.ToArray();
    }
}
