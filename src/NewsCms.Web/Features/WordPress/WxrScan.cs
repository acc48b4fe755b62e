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
    public Dictionary<int, PostInfo> Posts { get; } = [];
    public int Comments { get; private set; }

    /// <summary>Items of other types (menu items, revisions, custom types): counted as not imported.</summary>
    public SortedDictionary<string, int> OtherTypes { get; } = new(StringComparer.Ordinal);

    /// <summary>The path the old site lives under ("" at the root, "/blog" in a folder).</summary>
    public string BasePath { get; private set; } = "";

    private readonly HashSet<string> hosts = new(StringComparer.OrdinalIgnoreCase);

    public sealed record AttachmentInfo(int Id, string Url, int ParentId, string Alt, string Caption, string Title);

    public sealed record PostInfo(int Id, string Type, string Status, string Slug, string Title, string Link);

    public static async Task<WxrScan> ReadAsync(string path, Func<ImportProgress, Task>? progress, CancellationToken ct)
    {
        var scan = new WxrScan();
        await using var file = File.OpenRead(path);
        await foreach (var entry in WxrReader.ReadAsync(file, ct))
        {
            switch (entry)
            {
                case WxrSite site:
                    scan.SetSite(site);
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

    private void SetSite(WxrSite site)
    {
        Site = site;
        foreach (var url in new[] { site.BaseSiteUrl, site.BaseBlogUrl, site.Link })
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) continue;
            hosts.Add(uri.Host);
            hosts.Add(uri.Host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? uri.Host[4..] : "www." + uri.Host);
        }
        if (Uri.TryCreate(site.BaseBlogUrl.Length > 0 ? site.BaseBlogUrl : site.Link, UriKind.Absolute, out var blog))
        {
            BasePath = blog.AbsolutePath.TrimEnd('/');
        }
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
                Attachments[item.Id] = new AttachmentInfo(item.Id, item.AttachmentUrl.Length > 0 ? item.AttachmentUrl : item.Guid, item.ParentId,
                    item.Meta.GetValueOrDefault("_wp_attachment_image_alt") ?? "", item.Excerpt, item.Title);
                break;
            case "post" or "page":
                Posts[item.Id] = new PostInfo(item.Id, item.PostType, item.Status, item.Slug, item.Title, item.Link);
                // A creator missing from the export's author list still gets a byline.
                if (item.Creator.Length > 0) Authors.TryAdd(item.Creator, new WxrAuthor(0, item.Creator, "", item.Creator, "", ""));
                break;
            default:
                OtherTypes[item.PostType] = OtherTypes.GetValueOrDefault(item.PostType) + 1;
                break;
        }
    }

    public bool IsSiteHost(string host) => hosts.Contains(host);

    /// <summary>A path on the old site's host without the folder the site lives in ("/blog/2024/x" → "/2024/x").</summary>
    public string RelativeToSite(string path)
    {
        if (BasePath.Length > 0 && path.StartsWith(BasePath, StringComparison.OrdinalIgnoreCase)
            && (path.Length == BasePath.Length || path[BasePath.Length] == '/'))
        {
            path = path[BasePath.Length..];
        }
        return path.Length == 0 ? "/" : path;
    }

    /// <summary>A category's or tag's old address, relative to the site: "/category/world/europe", "/tag/elections".</summary>
    public string TermPath(string kind, string slug) =>
        (kind != "category" ? Redirects.RedirectPaths.Normalize("/tag/" + slug) : Redirects.RedirectPaths.Normalize("/category/" + string.Join('/', [.. Ancestors(slug), slug]))) ?? "";

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

    /// <summary>A term's old URL, for the report.</summary>
    public string TermUrl(string kind, string slug) => Site.BaseBlogUrl.TrimEnd('/') + TermPath(kind, slug) + "/";
}

