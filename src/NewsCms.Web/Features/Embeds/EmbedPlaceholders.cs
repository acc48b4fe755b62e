using AngleSharp.Html.Parser;

namespace NewsCms.Web.Features.Embeds;

/// <summary>
/// Embeds as readers get them: a click-to-load placeholder that makes no request to the provider. It names the
/// provider and links to the post; /js/embeds.js shows the button "Load content from {provider}" and, on the click,
/// puts the provider's player in a sandboxed iframe whose address comes from the provider table (data-embed-src),
/// never from the stored markup. Without JavaScript the placeholder stays a plain link. The stored body is unchanged:
/// feeds and the APIs carry the link.
/// </summary>
public static class EmbedPlaceholders
{
    private static readonly HtmlParser Parser = new();

    /// <summary>The sandbox of a loaded player: its own scripts and origin, popups (to open the post), no top navigation.</summary>
    public const string Sandbox = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-presentation";

    /// <summary>Whether sanitized body HTML holds an embed (the page then loads /js/embeds.js).</summary>
    public static bool HasEmbeds(string? sanitizedHtml) =>
        sanitizedHtml is not null && sanitizedHtml.Contains("<figure class=\"embed\"", StringComparison.Ordinal);

    /// <summary>The body with each embed turned into its placeholder. Works on HTML that ArticleHtml sanitized.</summary>
    public static string Render(string sanitizedHtml)
    {
        if (!HasEmbeds(sanitizedHtml)) return sanitizedHtml;
        var document = Parser.ParseDocument("<body>" + sanitizedHtml + "</body>");
        foreach (var figure in document.Body!.QuerySelectorAll("figure.embed").ToList())
        {
            var url = figure.QuerySelector("a[href]")?.GetAttribute("href");
            if (EmbedProviders.Recognize(url) is not { } match)
            {
                // Stored before a provider left the table: a plain link.
                var paragraph = document.CreateElement("p");
                if (url is not null) paragraph.AppendChild(Link(document, url));
                figure.Replace(paragraph);
                continue;
            }
            var name = match.Provider.Name;
            var placeholder = document.CreateElement("figure");
            placeholder.ClassName = $"embed embed--{match.Provider.Shape.ToString().ToLowerInvariant()}";
            placeholder.SetAttribute("data-provider", match.Provider.Id);
            placeholder.SetAttribute("data-embed-src", match.FrameSrc);
            placeholder.SetAttribute("data-embed-title", $"Content from {name}");
            placeholder.SetAttribute("data-embed-sandbox", Sandbox);

            var box = document.CreateElement("div");
            box.ClassName = "embed__placeholder";
            var provider = document.CreateElement("p");
            provider.ClassName = "embed__provider";
            provider.TextContent = name;
            var link = document.CreateElement("p");
            link.ClassName = "embed__link";
            link.AppendChild(Link(document, match.Url));
            var notice = document.CreateElement("p");
            notice.ClassName = "embed__notice";
            notice.SetAttribute("hidden", "");
            notice.TextContent = $"Loading it connects to {name}, which may set cookies and collect data.";
            var button = document.CreateElement("button");
            button.SetAttribute("type", "button");
            button.ClassName = "embed__load";
            button.SetAttribute("hidden", "");
            button.TextContent = $"Load content from {name}";
            box.Append(provider, link, notice, button);
            placeholder.AppendChild(box);
            figure.Replace(placeholder);
        }
        return document.Body.InnerHtml;
    }

    private static AngleSharp.Dom.IElement Link(AngleSharp.Dom.IDocument document, string url)
    {
        var link = document.CreateElement("a");
        link.SetAttribute("href", url);
        link.SetAttribute("rel", "noopener noreferrer");
        link.TextContent = url;
        return link;
    }
}
