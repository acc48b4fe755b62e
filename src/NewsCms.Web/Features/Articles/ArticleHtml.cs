using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// The one HTML policy: exactly what the newsroom editor produces (paragraphs, two heading levels, emphasis, links,
/// lists, quotes, rules and See-also blocks), nothing else. Configured once; HtmlSanitizer is thread-safe after that.
/// </summary>
public static class ArticleHtml
{
    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();
    private static readonly HtmlParser Parser = new();

    public const int WordsPerMinute = 230;

    private static readonly HashSet<string> DroppedWithContent = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "template", "noscript", "xmp", "iframe", "object", "embed", "svg", "math", "textarea", "select", "title", "head",
    };

    /// <summary>
    /// The body as stored: the policy applied, and characters XML forbids dropped (also those written as character
    /// references such as &amp;#1;, which the parser turns into the character), so feeds can carry it.
    /// </summary>
    public static string Sanitize(string? html) =>
        string.IsNullOrWhiteSpace(html) ? "" : Hosting.XmlSafeText.Clean(Sanitizer.Sanitize(Hosting.XmlSafeText.Clean(html))).Trim();

    /// <summary>Plain text of sanitized HTML, with block elements separated, for search, excerpts and counts.</summary>
    public static string ToPlainText(string sanitizedHtml)
    {
        if (string.IsNullOrEmpty(sanitizedHtml)) return "";
        var document = Parser.ParseDocument("<body>" + sanitizedHtml + "</body>");
        var text = new System.Text.StringBuilder();
        Walk(document.Body!);
        return System.Text.RegularExpressions.Regex.Replace(text.ToString(), @"[ \t]*\n[ \t\n]*", "\n").Trim();

        void Walk(INode node)
        {
            foreach (var child in node.ChildNodes)
            {
                if (child is IText t) text.Append(t.Data);
                else if (child is IElement e)
                {
                    var block = e.LocalName is "p" or "h2" or "h3" or "li" or "blockquote" or "aside" or "ul" or "ol" or "hr" or "br";
                    if (block) text.Append('\n');
                    Walk(e);
                    if (block) text.Append('\n');
                }
            }
        }
    }

    public static int CountWords(string plainText) =>
        plainText.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Count(w => w.Any(char.IsLetterOrDigit));

    public static int ReadingMinutes(int words) => words == 0 ? 0 : Math.Max(1, (int)Math.Ceiling(words / (double)WordsPerMinute));

    private static HtmlSanitizer CreateSanitizer()
    {
        var options = new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "p", "h2", "h3", "strong", "b", "em", "i", "u", "s", "a", "ul", "ol", "li", "blockquote", "hr", "br", "aside", "span", "code", "img",
            },
            AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "href", "target", "rel", "class", "data-article-id", "start", "src", "alt", "width", "height", "loading",
            },
            AllowedClasses = new HashSet<string>(StringComparer.Ordinal) { "see-also", "see-also__label" },
            AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https", "mailto" },
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "src" },
            AllowedCssProperties = new HashSet<string>(),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        };
        // Unknown wrappers (Word's spans, fonts) keep their text; code and embeds go with everything inside them.
        var sanitizer = new HtmlSanitizer(options) { KeepChildNodes = true };
        sanitizer.RemovingTag += (sender, e) =>
        {
            if (DroppedWithContent.Contains(e.Tag.LocalName)) e.Tag.InnerHtml = "";
        };
        sanitizer.PostProcessNode += (sender, e) =>
        {
            if (e.Node is not IElement element) return;
            switch (element.LocalName)
            {
                case "a":
                    NormalizeLink(element);
                    break;
                case "aside" when !element.ClassList.Contains("see-also"):
                    // Only See-also blocks use aside; anything else keeps its text as a paragraph's worth of content.
                    element.RemoveAttribute("class");
                    element.RemoveAttribute("data-article-id");
                    break;
                case "aside":
                    var id = element.GetAttribute("data-article-id");
                    if (id is not null && !int.TryParse(id, out _)) element.RemoveAttribute("data-article-id");
                    break;
                case "img":
                    NormalizeImage(element);
                    break;
                case "ol":
                    if (element.GetAttribute("start") is { } start && !int.TryParse(start, out _)) element.RemoveAttribute("start");
                    break;
            }
            if (element.LocalName != "aside" && element.LocalName != "span") element.RemoveAttribute("data-article-id");
            if (element.LocalName != "ol") element.RemoveAttribute("start");
            if (element.LocalName != "img")
            {
                foreach (var name in ImageOnlyAttributes) element.RemoveAttribute(name);
            }
        };
        return sanitizer;
    }

    private static readonly string[] ImageOnlyAttributes = ["src", "alt", "width", "height", "loading"];

    /// <summary>Images come from the media library only; sizes are whole numbers; they load lazily.</summary>
    private static void NormalizeImage(IElement image)
    {
        var src = image.GetAttribute("src") ?? "";
        if (!src.StartsWith("/media/", StringComparison.Ordinal) || src.Contains("..", StringComparison.Ordinal))
        {
            image.Remove();
            return;
        }
        foreach (var size in new[] { "width", "height" })
        {
            if (image.GetAttribute(size) is { } value && !(int.TryParse(value, out var pixels) && pixels is > 0 and < 20000)) image.RemoveAttribute(size);
        }
        image.SetAttribute("alt", (image.GetAttribute("alt") ?? "").Trim());
        image.SetAttribute("loading", "lazy");
    }

    /// <summary>How many images in sanitized HTML have no alt text (publishing needs every one described).</summary>
    public static int CountImagesWithoutAlt(string sanitizedHtml)
    {
        if (!sanitizedHtml.Contains("<img", StringComparison.OrdinalIgnoreCase)) return 0;
        var document = Parser.ParseDocument("<body>" + sanitizedHtml + "</body>");
        return document.QuerySelectorAll("img").Count(img => string.IsNullOrWhiteSpace(img.GetAttribute("alt")));
    }

    /// <summary>
    /// Only "_blank" targets; links that leave the site or open a new tab never pass the opener. The attributes are
    /// written in the order the editor (TipTap's link mark) writes them, target, rel, href, so that a stored body
    /// loads into the editor and serializes back byte for byte.
    /// </summary>
    private static void NormalizeLink(IElement link)
    {
        var newTab = link.GetAttribute("target") == "_blank";
        var href = link.GetAttribute("href");
        var external = href is not null && (href.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || href.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || href.StartsWith("//", StringComparison.Ordinal));
        link.RemoveAttribute("target");
        link.RemoveAttribute("rel");
        link.RemoveAttribute("href");
        if (newTab) link.SetAttribute("target", "_blank");
        if (external || newTab) link.SetAttribute("rel", "noopener noreferrer");
        if (href is not null) link.SetAttribute("href", href);
    }
}
