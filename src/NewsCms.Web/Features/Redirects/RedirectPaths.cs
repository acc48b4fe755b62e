using System.Text;

namespace NewsCms.Web.Features.Redirects;

/// <summary>
/// How old addresses are compared: percent-decoded (WordPress slugs are often percent-encoded Unicode), Unicode NFC,
/// lower case, no trailing slash (except "/"). The old site's query addresses on "/" (<c>?p=123</c>, <c>?page_id=</c>,
/// <c>?cat=</c>, <c>?tag=</c>, <c>?author=</c>, <c>?feed=</c>) are kept as part of the key ("/?p=123"); any other
/// query is not part of an address.
/// </summary>
public static class RedirectPaths
{
    public const int MaxLength = 1000;

    /// <summary>The WordPress query parameters that name a thing on "/", in the order they are tried.</summary>
    public static readonly IReadOnlyList<string> QueryForms = ["p", "page_id", "cat", "tag", "author", "feed"];

    // The newsroom, sign-in, the app's endpoints and framework files: a redirect there could lock the newsroom out.
    private static readonly string[] Reserved = ["admin", "account", "api", "setup", "healthz", "not-found", "error", "_framework", "_blazor", "_content"];

    /// <summary>Whether a key is NewsCms's own address (see <see cref="Reserved"/>), which no redirect may take.</summary>
    public static bool IsReserved(string key)
    {
        var first = key.AsSpan(1);
        var end = first.IndexOfAny('/', '?');
        if (end >= 0) first = first[..end];
        foreach (var reserved in Reserved)
        {
            if (first.Equals(reserved, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>
    /// The key of a site path (with an optional query): null when it is not a site path (empty, not starting with
    /// "/", protocol-relative "//host", or with control characters).
    /// </summary>
    public static string? Normalize(string? pathAndQuery)
    {
        if (string.IsNullOrWhiteSpace(pathAndQuery)) return null;
        var text = pathAndQuery.Trim();
        var hash = text.IndexOf('#');
        if (hash >= 0) text = text[..hash];
        if (!text.StartsWith('/') || text.StartsWith("//", StringComparison.Ordinal) || text.StartsWith("/\\", StringComparison.Ordinal)) return null;
        var split = text.IndexOf('?');
        var path = Key(split < 0 ? text : text[..split]);
        if (path is null) return null;
        if (split < 0) return path;
        var query = text[(split + 1)..];
        // Only "/" keeps a query, and only one of WordPress's forms: "/page?utm_source=x" is the address "/page".
        return path == "/" && QueryForm(query) is { } form ? "/?" + form : path;
    }

    /// <summary>The keys a request may match, best first: its query form on "/" (if any), then its path.</summary>
    public static (string? QueryForm, string? Path) ForRequest(string path, string? query)
    {
        var key = Key(path);
        if (key is null) return (null, null);
        var form = key == "/" && !string.IsNullOrEmpty(query) && QueryForm(query.TrimStart('?')) is { } f ? "/?" + f : null;
        return (form, key);
    }

    /// <summary>The first WordPress query form in a query string, as "name=value" (decoded, lower case), or null.</summary>
    private static string? QueryForm(string query)
    {
        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(parts => (Name: Decode(parts[0]).ToLowerInvariant(), Value: parts.Length > 1 ? Decode(parts[1]) : ""))
            .ToList();
        foreach (var name in QueryForms)
        {
            var match = pairs.FirstOrDefault(p => p.Name == name);
            if (match.Name is null) continue;
            var value = Clean(match.Value);
            if (value is null || value.Length == 0) continue;
            return name + "=" + value;
        }
        return null;
    }

    private static string? Key(string path)
    {
        var decoded = Clean(Decode(path));
        if (decoded is null || !decoded.StartsWith('/')) return null;
        var trimmed = decoded.TrimEnd('/');
        return trimmed.Length == 0 ? "/" : trimmed;
    }

    // Invalid escapes ("%zz", "100%") are left as they are.
    private static string Decode(string text) => Uri.UnescapeDataString(text);

    /// <summary>NFC, lower case; null when it holds control characters (they are never part of an address).</summary>
    private static string? Clean(string text)
    {
        if (text.Any(char.IsControl)) return null;
        var normalized = text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
        return normalized.ToLowerInvariant();
    }

    /// <summary>
    /// A path (with query) safe for a Location header: characters outside printable ASCII are percent-encoded as
    /// UTF-8; what is already encoded stays as it is.
    /// </summary>
    public static string ForLocation(string pathAndQuery)
    {
        if (pathAndQuery.All(c => c is > ' ' and < (char)127)) return pathAndQuery;
        var builder = new StringBuilder(pathAndQuery.Length + 16);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in pathAndQuery.EnumerateRunes())
        {
            if (rune.Value is > ' ' and < 127)
            {
                builder.Append((char)rune.Value);
                continue;
            }
            var length = rune.EncodeToUtf8(bytes);
            for (var i = 0; i < length; i++) builder.Append('%').Append(bytes[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}
