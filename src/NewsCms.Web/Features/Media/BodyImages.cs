using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;

namespace NewsCms.Web.Features.Media;

/// <summary>
/// Images in an article's text, as readers see them: each library image that has a caption or a credit is shown as a
/// figure with them below it, the same way as the featured image ("Caption. Photo: Credit"). The body stays stored as
/// the editor wrote it; captions are the library's, so changing one changes every article that shows the image.
/// </summary>
public static partial class BodyImages
{
    private static readonly HtmlParser Parser = new();

    /// <summary>The storage keys of the library images in sanitized body HTML (their src is /media/{key}/...).</summary>
    public static IReadOnlyList<string> StorageKeys(string? sanitizedHtml) =>
        string.IsNullOrEmpty(sanitizedHtml) ? [] : [.. MediaSource().Matches(sanitizedHtml).Select(m => m.Groups["key"].Value).Distinct()];

    /// <summary>
    /// The body with each described image wrapped in a figure and figcaption. Works on HTML that ArticleHtml sanitized;
    /// caption and credit are set as text (encoded), never as markup.
    /// </summary>
    public static string WithCaptions(string sanitizedHtml, IEnumerable<MediaImage> images)
    {
        if (string.IsNullOrEmpty(sanitizedHtml) || !sanitizedHtml.Contains("<img", StringComparison.OrdinalIgnoreCase)) return sanitizedHtml;
        var byKey = images.GroupBy(i => i.StorageKey).ToDictionary(g => g.Key, g => g.First());
        var document = Parser.ParseDocument("<body>" + sanitizedHtml + "</body>");
        var changed = false;
        foreach (var img in document.Body!.QuerySelectorAll("img").ToList())
        {
            // A gallery's pictures have their own captions (ArticleBlocks.ForReaders).
            if (img.Closest("div.gallery") is not null) continue;
            var match = MediaSource().Match(img.GetAttribute("src") ?? "");
            if (!match.Success || !byKey.TryGetValue(match.Groups["key"].Value, out var image)) continue;
            if (Caption(document, image) is not { } caption) continue;

            var figure = document.CreateElement("figure");
            figure.ClassName = "article__figure article__figure--body";
            img.Replace(figure);
            figure.AppendChild(img);
            figure.AppendChild(caption);
            changed = true;
        }
        return changed ? document.Body.InnerHtml : sanitizedHtml;
    }

    /// <summary>
    /// "Caption. Photo: Credit" as a figcaption (text set as text, never markup), or null for an image with neither.
    /// </summary>
    internal static AngleSharp.Dom.IElement? Caption(AngleSharp.Dom.IDocument document, MediaImage image)
    {
        var credit = MediaCredit.Display(image.Credit);
        if (image.Caption.Length == 0 && credit.Length == 0) return null;
        var caption = document.CreateElement("figcaption");
        caption.TextContent = image.Caption;
        if (credit.Length > 0)
        {
            // The space sits before the credit, not inside it: an inline-block drops a leading space.
            if (image.Caption.Length > 0) caption.Append(document.CreateTextNode(" "));
            var span = document.CreateElement("span");
            span.ClassName = "article__credit";
            span.TextContent = credit;
            caption.AppendChild(span);
        }
        return caption;
    }

    [GeneratedRegex("/media/(?<key>[0-9a-f]{24})/", RegexOptions.CultureInvariant)]
    private static partial Regex MediaSource();
}
