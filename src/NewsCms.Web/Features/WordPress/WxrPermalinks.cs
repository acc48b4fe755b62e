using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NewsCms.Web.Features.WordPress;

/// <summary>
/// The old site's addresses: its permalink structure (read from the links of its published posts) and every path a
/// reader, a search engine or another site may still ask for — each post's and page's permalink and its ?p= / ?page_id=
/// form, category, tag and author archives, and the feeds.
/// </summary>
/// <remarks>
/// Paths are in the form <see cref="Redirects.Redirect.FromPath"/> keeps: from the host's root (a site under /blog
/// keeps its folder), percent-decoded, lower case, without a trailing slash; query addresses as "/?p=123".
/// Feed every entry to <see cref="Observe"/> while reading the export (categories give the parent chains, published
/// posts the structure), then ask.
/// </remarks>
public sealed partial class WxrPermalinks
{
    private readonly string host;
    private readonly Dictionary<string, string> categoryParents = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> structureVotes = new(StringComparer.Ordinal);
    private readonly List<string> structureOrder = [];

    public WxrPermalinks(WxrSite site)
    {
        ArgumentNullException.ThrowIfNull(site);
        var baseUrl = site.BaseBlogUrl.Length > 0 ? site.BaseBlogUrl : site.Link;
        if (Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri))
        {
            host = WithoutWww(uri.Host);
            BasePath = Normalize(uri.AbsolutePath) is var path && path != "/" ? path : "";
        }
        else
        {
            host = "";
            BasePath = "";
        }
    }

    /// <summary>The folder the old site lived in ("/blog"), or "" at the root.</summary>
    public string BasePath { get; }

    /// <summary>
    /// The structure most published posts' links follow, in WordPress's own notation ("/%year%/%monthnum%/%day%/%postname%/"),
    /// or "" when the links are plain ?p= addresses (or there are no published posts).
    /// </summary>
    public string Structure
    {
        get
        {
            var best = "";
            var votes = 0;
            foreach (var structure in structureOrder)
            {
                if (structureVotes[structure] > votes) (best, votes) = (structure, structureVotes[structure]);
            }
            return best;
        }
    }

    public void Observe(WxrEntry entry)
    {
        switch (entry)
        {
            case WxrTerm { Taxonomy: "category" } category:
                categoryParents.TryAdd(category.Slug, category.ParentSlug);
                break;
            case WxrItem { PostType: "post", Status: "publish" } post:
                var structure = StructureOf(post);
                if (structure is null) break;
                if (structureVotes.TryGetValue(structure, out var count)) structureVotes[structure] = count + 1;
                else
                {
                    structureVotes[structure] = 1;
                    structureOrder.Add(structure);
                }
                break;
        }
    }

    /// <summary>
    /// A post's or page's old paths: its permalink (when it had a public one) and its id address (/?p=ID for posts
    /// and other types, /?page_id=ID for pages).
    /// </summary>
    public IReadOnlyList<string> OldPaths(WxrItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var paths = new List<string>();
        if (PathOf(item.Link) is { } link && !link.Contains('?') && link != Root) paths.Add(link);
        var idPath = Root.TrimEnd('/') + "/?" + (item.PostType == "page" ? "page_id" : "p") + "=" + item.Id.ToString(CultureInfo.InvariantCulture);
        if (item.Id > 0 && !paths.Contains(idPath)) paths.Add(idPath);
        return paths;
    }

    /// <summary>A category's archive: its full path (/category/parent/child) and, for a child, its own slug's.</summary>
    public IReadOnlyList<string> CategoryPaths(string slug)
    {
        var chain = CategoryChain(slug);
        var full = Join("category", string.Join('/', chain));
        var own = Join("category", slug);
        return full == own ? [full] : [full, own];
    }

    public IReadOnlyList<string> CategoryFeedPaths(string slug) => [.. CategoryPaths(slug).Select(p => p + "/feed")];

    public IReadOnlyList<string> TagPaths(string slug) => [Join("tag", slug)];

    public IReadOnlyList<string> TagFeedPaths(string slug) => [.. TagPaths(slug).Select(p => p + "/feed")];

    /// <summary>An author's archive, by the nicename WordPress derives from the login (/author/john-doe for "John.Doe").</summary>
    public IReadOnlyList<string> AuthorPaths(string login) => [Join("author", Nicename(login))];

    public IReadOnlyList<string> AuthorFeedPaths(string login) => [.. AuthorPaths(login).Select(p => p + "/feed")];

    /// <summary>The site's feeds, pretty and by query.</summary>
    public IReadOnlyList<string> SiteFeedPaths()
    {
        var root = Root.TrimEnd('/');
        return
        [
            root + "/feed", root + "/feed/rss2", root + "/feed/rss", root + "/feed/atom", root + "/feed/rdf",
            root + "/?feed=rss2", root + "/?feed=rss", root + "/?feed=atom",
        ];
    }

    /// <summary>
    /// The old path a link points at when it points at the old site (absolute on its host, with or without www, or
    /// relative), else null. ?p=, ?page_id= and ?attachment_id= are kept; other queries and fragments dropped.
    /// </summary>
    public string? PathOf(string href)
    {
        if (string.IsNullOrWhiteSpace(href)) return null;
        href = href.Trim();
        Uri uri;
        if (href.StartsWith("//", StringComparison.Ordinal)) href = "https:" + href;
        if (Uri.TryCreate(href, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            if (!string.Equals(WithoutWww(absolute.Host), host, StringComparison.OrdinalIgnoreCase)) return null;
            uri = absolute;
        }
        else if (href.StartsWith('/') && Uri.TryCreate(new Uri("https://" + (host.Length > 0 ? host : "old.invalid")), href, out var relative))
        {
            uri = relative;
        }
        else
        {
            return null;
        }

        var path = Normalize(uri.AbsolutePath);
        foreach (var key in IdParameters)
        {
            if (QueryValue(uri.Query, key) is { } id) return path.TrimEnd('/') + "/?" + key + "=" + id;
        }
        return path;
    }

    /// <summary>The post or page id of a ?p= / ?page_id= link to the old site, else null.</summary>
    public int? IdOf(string href)
    {
        var path = PathOf(href);
        if (path is null) return null;
        foreach (var key in IdParameters)
        {
            var prefix = Root.TrimEnd('/') + "/?" + key + "=";
            if (path.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(path[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return id;
        }
        return null;
    }

    private static readonly string[] IdParameters = ["p", "page_id", "attachment_id"];

    private string Root => BasePath.Length > 0 ? BasePath : "/";

    private string Join(string prefix, string slugPath) => Normalize(BasePath + "/" + prefix + "/" + slugPath.Trim('/'));

    private List<string> CategoryChain(string slug)
    {
        var chain = new List<string> { slug };
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { slug };
        while (categoryParents.TryGetValue(chain[0], out var parent) && parent.Length > 0 && seen.Add(parent)) chain.Insert(0, parent);
        return chain;
    }

    /// <summary>The structure one post's link follows, or null when the link is not a pretty one.</summary>
    private string? StructureOf(WxrItem post)
    {
        if (!Uri.TryCreate(post.Link, UriKind.Absolute, out var uri) || QueryValue(uri.Query, "p") is not null) return null;
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        if (BasePath.Length > 0 && path.StartsWith(BasePath + "/", StringComparison.OrdinalIgnoreCase)) path = path[BasePath.Length..];
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0) return null;

        var categories = new HashSet<string>(categoryParents.Keys, StringComparer.OrdinalIgnoreCase);
        foreach (var term in post.Terms.Where(t => t.Taxonomy == "category")) categories.Add(term.Slug);
        var tokens = new List<string>();
        foreach (var segment in segments)
        {
            var previous = tokens.Count > 0 ? tokens[^1] : "";
            string token;
            if (post.Slug.Length > 0 && string.Equals(segment, post.Slug, StringComparison.OrdinalIgnoreCase)) token = "%postname%";
            else if (segment == post.Id.ToString(CultureInfo.InvariantCulture)) token = "%post_id%";
            else if (FourDigits().IsMatch(segment) && !tokens.Contains("%year%")) token = "%year%";
            else if (TwoDigits().IsMatch(segment) && previous == "%year%") token = "%monthnum%";
            else if (TwoDigits().IsMatch(segment) && previous == "%monthnum%") token = "%day%";
            else if (categories.Contains(segment)) token = "%category%";
            else if (string.Equals(segment, Nicename(post.Creator), StringComparison.OrdinalIgnoreCase)) token = "%author%";
            else token = segment.ToLowerInvariant();
            // A category path (parent/child) is one %category%.
            if (token == "%category%" && previous == "%category%") continue;
            tokens.Add(token);
        }
        if (!tokens.Contains("%postname%") && !tokens.Contains("%post_id%")) return null;
        return "/" + string.Join('/', tokens) + (uri.AbsolutePath.EndsWith('/') ? "/" : "");
    }

    /// <summary>WordPress's user_nicename for a login: lower case, anything but letters, digits, - and _ made a dash.</summary>
    private static string Nicename(string login)
    {
        var builder = new StringBuilder(login.Length);
        foreach (var c in login.Trim().ToLowerInvariant()) builder.Append(char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-');
        return DashRun().Replace(builder.ToString(), "-").Trim('-');
    }

    private static string Normalize(string path)
    {
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(path);
        }
        catch (UriFormatException)
        {
            decoded = path;
        }
        decoded = "/" + decoded.Trim().Trim('/');
        return decoded.ToLowerInvariant();
    }

    private static string? QueryValue(string query, string key)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            if (equals > 0 && pair[..equals] == key && int.TryParse(pair[(equals + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
                return id.ToString(CultureInfo.InvariantCulture);
        }
        return null;
    }

    private static string WithoutWww(string host) => host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? host[4..] : host;

    [GeneratedRegex(@"^\d{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex FourDigits();

    [GeneratedRegex(@"^\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex TwoDigits();

    [GeneratedRegex(@"-{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex DashRun();
}
