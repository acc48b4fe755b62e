namespace NewsCms.Web.Components.Account;

/// <summary>Return addresses: only a path on this site is ever followed.</summary>
public static class LocalUrl
{
    /// <summary>
    /// <paramref name="url"/> when it is a path on this site ("/admin/articles?status=Draft"), otherwise
    /// <paramref name="fallback"/>. Absolute URIs, protocol-relative "//host" and "/\host" are refused, whatever host
    /// they name: the site's own origin is never read from the request.
    /// </summary>
    public static string OrDefault(string? url, string fallback) => IsLocal(url) ? url! : fallback;

    public static bool IsLocal(string? url) =>
        url is { Length: > 0 }
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);

    /// <summary>The path, query and fragment of <paramref name="absolute"/> when it is under <paramref name="baseUri"/>; otherwise null.</summary>
    public static string? PathOf(Uri absolute, string baseUri) =>
        absolute.IsAbsoluteUri && absolute.AbsoluteUri.StartsWith(baseUri, StringComparison.OrdinalIgnoreCase)
            ? absolute.PathAndQuery + absolute.Fragment
            : null;
}
