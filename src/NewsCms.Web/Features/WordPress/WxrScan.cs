namespace NewsCms.Web.Features.WordPress;

/// <summary>
/// The importer's first pass over an export: everything but the posts' text, so that the second pass can rewrite a
/// link to a post further down the file, and find an attachment listed after the post that uses it.
/// </summary>
internal sealed class WxrScan
{
    public WxrSite Site { get; private set; } = new("", "", "", "", "", "");
    public Dictionary<string, WxrAuthor> Authors { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Categories and tags by slug. WordPress 6.x lists some terms twice: the first one stays.</summary>
    public Dictionary<string, WxrTerm> Categories { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, WxrTerm> Tags { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<int, AttachmentInfo> Attachments { get; } = [];

    /// <summary>The old site's addresses (made when the export names the site, fed every entry).</summary>
    public WxrPermalinks Permalinks { get; private set; } = new(new WxrSite("", "", "", "", "", ""));
    public Dictionary<int, PostInfo> Posts { get; } = [];
    public int Comments { get; private set; }

    /// <summary>Items of other types (menu items, revisions, custom types): counted as not imported.</summary>
    public SortedDictionary<string, int> OtherTypes { get; } = new(StringComparer.Ordinal);

    /// <param name="File">The attachment's path inside the uploads folder, when it has one.</param>
    public sealed record AttachmentInfo(int Id, string Url, string? File, int ParentId, string Alt, string Caption, string Title);

    /// <param name="OldPaths">Its addresses on the old site (permalink, ?p= or ?page_id=), as redirect sources.</param>
    public sealed record PostInfo(int Id, string Type, string Status, string Slug, string Title, string Link, IReadOnlyList<string> OldPaths);

    public static async Task<WxrScan> ReadAsync(string path, Func<ImportProgress, Task>? progress, CancellationToken ct)
    {
        var scan = new WxrScan();
        await using var file = File.OpenRead(path);
        await foreach (var entry in WxrReader.ReadAsync(file, ct))
        {
            scan.Permalinks.Observe(entry);
            switch (entry)
            {
                case WxrSite site:
                    scan.Site = site;
                    scan.Permalinks = new WxrPermalinks(site);
                    break;
                case WxrAuthor author:
                    scan.Authors.TryAdd(author.Login, author);
                    break;
                case WxrTerm { Taxonomy: "category" } category:
                    scan.Categories.TryAdd(category.Slug, category);
                    break;
                case WxrTerm { Taxonomy: "post_tag" } tag:
                    scan.Tags.TryAdd(tag.Slug, tag);
                    break;
                case WxrItem item:
                    scan.Add(item);
                    // Nothing is done yet, but a long first pass still shows the run is alive.
                    if (progress is not null && scan.Posts.Count % 500 == 0) await progress(new ImportProgress(0, 0));
                    break;
            }
        }
        return scan;
    }

    private void Add(WxrItem item)
    {
        Comments += item.CommentCount;
        // Terms used by posts but missing from the channel's list are still imported.
        foreach (var term in item.Terms)
        {
            if (term.Taxonomy == "category") Categories.TryAdd(term.Slug, new WxrTerm(0, "category", term.Slug, term.Name, "", ""));
            else if (term.Taxonomy == "post_tag") Tags.TryAdd(term.Slug, new WxrTerm(0, "post_tag", term.Slug, term.Name, "", ""));
        }
        switch (item.PostType)
        {
            case "attachment":
                Attachments[item.Id] = new AttachmentInfo(item.Id, item.AttachmentUrl.Length > 0 ? item.AttachmentUrl : item.Guid, WxrUploads.RelativePath(item),
                    item.ParentId, item.Meta.GetValueOrDefault("_wp_attachment_image_alt") ?? "", WordPressContent.PlainText(item.Excerpt), item.Title);
                break;
            case "post" or "page":
                Posts[item.Id] = new PostInfo(item.Id, item.PostType, item.Status, item.Slug, item.Title, item.Link,
                    [.. Permalinks.OldPaths(item).Select(Redirects.RedirectPaths.Normalize).OfType<string>()]);
                // A creator missing from the export's author list still gets a byline.
                if (item.Creator.Length > 0) Authors.TryAdd(item.Creator, new WxrAuthor(0, item.Creator, "", item.Creator, "", ""));
                break;
            default:
                OtherTypes[item.PostType] = OtherTypes.GetValueOrDefault(item.PostType) + 1;
                break;
        }
    }

    /// <summary>A category's parents, the top one first (a loop in the export ends the walk).</summary>
    public List<string> Ancestors(string slug)
    {
        var chain = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { slug };
        for (var parent = Categories.GetValueOrDefault(slug)?.ParentSlug; !string.IsNullOrEmpty(parent) && seen.Add(parent);
             parent = Categories.GetValueOrDefault(parent)?.ParentSlug)
        {
            chain.Insert(0, parent);
        }
        return chain;
    }

    /// <summary>A category's or tag's old URL, for the report.</summary>
    public string TermUrl(string kind, string slug) =>
        OldUrl((kind == "category" ? Permalinks.CategoryPaths(slug) : Permalinks.TagPaths(slug))[0] + "/");

    /// <summary>An old path as a URL of the old site.</summary>
    public string OldUrl(string path) =>
        Uri.TryCreate(Site.BaseSiteUrl.Length > 0 ? Site.BaseSiteUrl : Site.Link, UriKind.Absolute, out var site) ? site.GetLeftPart(UriPartial.Authority) + path : path;
}

