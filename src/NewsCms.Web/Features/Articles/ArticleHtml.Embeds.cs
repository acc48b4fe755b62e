using AngleSharp.Dom;
using NewsCms.Web.Features.Embeds;

namespace NewsCms.Web.Features.Articles;

// The embed block in the one policy. Stored, an embed is only its link:
//   <figure class="embed" data-provider="{id}"><a href="{url}">{url}</a></figure>
// The provider is whatever the URL's pattern says (EmbedProviders), never what the markup claims; nothing else on or
// in the figure survives. The public page turns it into a click-to-load placeholder (EmbedPlaceholders).
public static partial class ArticleHtml
{
    public const string EmbedTag = "figure";
    public const string EmbedClass = "embed";
    public const string EmbedProviderAttribute = "data-provider";

    /// <summary>The stored HTML of an embed of <paramref name="match"/> (what the editor writes).</summary>
    public static string EmbedHtml(EmbedMatch match)
    {
        var url = System.Net.WebUtility.HtmlEncode(match.Url);
        return $"<figure class=\"{EmbedClass}\" {EmbedProviderAttribute}=\"{match.Provider.Id}\"><a href=\"{url}\">{url}</a></figure>";
    }

    /// <summary>
    /// Rebuilds an embed figure from its link alone. A figure that is not an embed is unwrapped (its content stays, as
    /// before figures were allowed); an embed whose link no provider matches (an unknown site, javascript:, a look-alike
    /// host) becomes a paragraph holding its text, linked when the address is an ordinary web address.
    /// </summary>
    private static void NormalizeEmbed(IElement figure)
    {
        var document = figure.Owner!;
        if (!figure.ClassList.Contains(EmbedClass))
        {
            figure.Replace([.. figure.ChildNodes]);
            return;
        }
        var href = figure.QuerySelector("a[href]")?.GetAttribute("href")?.Trim();
        var match = EmbedProviders.Recognize(href);
        if (match is null)
        {
            var host = HostOf(href);
            removals?.Add(host is null ? "an embed without a supported address was removed" : $"an embed from {host} was removed (not a supported provider)");
            var paragraph = document.CreateElement("p");
            if (href is not null && host is not null && (href.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || href.StartsWith("http://", StringComparison.OrdinalIgnoreCase)))
            {
                var link = document.CreateElement("a");
                link.SetAttribute("rel", "noopener noreferrer");
                link.SetAttribute("href", href);
                link.TextContent = href;
                paragraph.AppendChild(link);
            }
            else
            {
                paragraph.TextContent = figure.TextContent.Trim();
            }
            if (paragraph.TextContent.Length > 0) figure.Replace(paragraph);
            else figure.Remove();
            return;
        }
        foreach (var attribute in figure.Attributes.Select(a => a.Name).ToList()) figure.RemoveAttribute(attribute);
        figure.SetAttribute("class", EmbedClass);
        figure.SetAttribute(EmbedProviderAttribute, match.Provider.Id);
        figure.InnerHtml = "";
        var anchor = document.CreateElement("a");
        anchor.SetAttribute("href", match.Url);
        anchor.TextContent = match.Url;
        figure.AppendChild(anchor);
    }

    /// <summary>Only an embed figure carries the embed class or a provider; anything else claiming them loses the claim.</summary>
    private static void ClearEmbedClaims(IElement element)
    {
        if (element.LocalName == EmbedTag) return;
        element.RemoveAttribute(EmbedProviderAttribute);
        if (element.ClassList.Contains(EmbedClass))
        {
            element.ClassList.Remove(EmbedClass);
            if (element.ClassList.Length == 0) element.RemoveAttribute("class");
        }
    }
}
