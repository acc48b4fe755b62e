using System.Text.RegularExpressions;

namespace NewsCms.Web.Features.WordPress;

/// <summary>
/// Where an attachment's file sits inside a WordPress uploads folder (wp-content/uploads), as a relative path with
/// forward slashes, percent-decoded; never a path that climbs out of the folder.
/// </summary>
public static partial class WxrUploads
{
    /// <summary>The attachment's file: its _wp_attached_file meta, else the path its URL gives.</summary>
    public static string? RelativePath(WxrItem attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        if (attachment.Meta.TryGetValue("_wp_attached_file", out var attached) && attached.Trim().Length > 0)
            return Safe(attached.Trim());
        return RelativePath(attachment.AttachmentUrl);
    }

    /// <summary>
    /// The path inside the uploads folder of a URL that points into it (…/wp-content/uploads/…, a multisite's
    /// …/uploads/sites/N/… or …/files/…), or null.
    /// </summary>
    public static string? RelativePath(string url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        var path = Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) ? uri.AbsolutePath : url.Trim().Split('?', '#')[0];
        var match = UploadsPath().Match(path);
        return match.Success ? Safe(Decode(match.Groups["path"].Value)) : null;
    }

    /// <summary>
    /// The file and the originals it may have been made from: WordPress names resized copies "name-300x200.jpg"
    /// and scaled-down big originals "name-scaled.jpg". Tried in order.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string relativePath)
    {
        var candidates = new List<string> { relativePath };
        var current = relativePath;
        while (Suffix().Match(current) is { Success: true } match)
        {
            current = current[..match.Index] + match.Groups["ext"].Value;
            if (!candidates.Contains(current)) candidates.Add(current);
        }
        return candidates;
    }

    private static string? Safe(string path)
    {
        path = path.Replace('\\', '/');
        if (path.StartsWith('/') || path.Contains(':')) return null;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments.Any(s => s is "." or "..")) return null;
        return string.Join('/', segments);
    }

    private static string Decode(string path)
    {
        try
        {
            return Uri.UnescapeDataString(path);
        }
        catch (UriFormatException)
        {
            return path;
        }
    }

    [GeneratedRegex(@"/(?:wp-content/uploads(?:/sites/\d+)?|files)/(?<path>.+)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex UploadsPath();

    [GeneratedRegex(@"-(?:\d+x\d+|scaled)(?<ext>\.[A-Za-z0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Suffix();
}
