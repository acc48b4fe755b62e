using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// The one HTML policy: exactly what the newsroom editor produces (paragraphs, two heading levels, emphasis, links,
/// lists, quotes, rules, See-also blocks and the blocks of <see cref="ArticleBlocks"/>), nothing else. Configured once; HtmlSanitizer is thread-safe after that.
/// </summary>
public static partial class ArticleHtml
{
    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer(notes: false);

    // The newsroom's copy: the same policy plus editorial-note marks (see SanitizeAnnotated).
    private static readonly HtmlSanitizer AnnotatedSanitizer = CreateSanitizer(notes: true);

    /// <summary>The attribute of an editorial-note mark: the note thread's anchor id.</summary>
    public const string NoteAttribute = "data-note";

    /// <summary>The class the note mark carries in the newsroom's copy of the body.</summary>
    public const string NoteClass = "editorial-note";

    private static readonly System.Text.RegularExpressions.Regex AnchorIdPattern = new("^[A-Za-z0-9_-]{1,64}$");

    /// <summary>Whether <paramref name="anchorId"/> can be a note mark's id (letters, digits, '-' and '_', at most 64).</summary>
    public static bool IsAnchorId(string? anchorId) => anchorId is not null && AnchorIdPattern.IsMatch(anchorId);
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
    /// Editorial-note marks are taken out first (their text stays): this is the body readers get, whoever wrote it.
    public static string Sanitize(string? html) =>
        string.IsNullOrWhiteSpace(html) ? "" : Hosting.XmlSafeText.Clean(Sanitizer.Sanitize(StripNotes(Hosting.XmlSafeText.Clean(html)))).Trim();

    /// <summary>
    /// The editor's body, stored twice: <see cref="AnnotatedBody.Html"/> is <see cref="Sanitize"/>'s (no note marks,
    /// for readers, feeds, APIs, search, revisions); <see cref="AnnotatedBody.Annotated"/> is the same policy with the
    /// note marks kept (<c>&lt;span data-note="{anchor id}" class="editorial-note"&gt;</c>, nothing else on them), or
    /// null when the body has none. The public copy is made from the annotated one, so the two never disagree.
    /// </summary>
    public static AnnotatedBody SanitizeAnnotated(string? html)
    {
        var annotated = string.IsNullOrWhiteSpace(html) ? "" : Hosting.XmlSafeText.Clean(AnnotatedSanitizer.Sanitize(Hosting.XmlSafeText.Clean(html))).Trim();
        // Without a mark the two policies agree (a test holds them to it over the XSS corpus): one pass per autosave.
        if (!annotated.Contains(NoteAttribute, StringComparison.Ordinal)) return new AnnotatedBody(annotated, null);
        var body = Sanitize(annotated);
        return new AnnotatedBody(body, annotated == body ? null : annotated);
    }

    /// <summary>The body with its editorial-note marks unwrapped (their text kept). Not a sanitizer by itself.</summary>
    public static string StripNotes(string html)
    {
        if (!html.Contains(NoteAttribute, StringComparison.OrdinalIgnoreCase)) return html;
        var document = Parser.ParseDocument("<body>" + html + "</body>");
        foreach (var mark in document.Body!.QuerySelectorAll("[" + NoteAttribute + "]").ToList())
        {
            if (mark.LocalName != "span")
            {
                mark.RemoveAttribute(NoteAttribute);
                continue;
            }
            mark.Replace([.. mark.ChildNodes]);
        }
        return document.Body.InnerHtml;
    }

    /// <summary>The anchor ids of the note marks in an annotated body, in document order, each once.</summary>
    public static IReadOnlyList<string> NoteAnchors(string? annotatedHtml)
    {
        if (string.IsNullOrEmpty(annotatedHtml) || !annotatedHtml.Contains(NoteAttribute, StringComparison.Ordinal)) return [];
        var document = Parser.ParseDocument("<body>" + annotatedHtml + "</body>");
        return [.. document.Body!.QuerySelectorAll("span[" + NoteAttribute + "]").Select(e => e.GetAttribute(NoteAttribute)!).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// <see cref="Sanitize"/>, and what the policy removed that a person would miss, in words ("a script was
    /// removed", "an &lt;iframe&gt; from example.com was removed", "an onclick attribute was removed"), each once with
    /// its count. Wrappers, classes and styles the policy drops while keeping their text are not reported.
    /// </summary>
    public static SanitizeReport SanitizeWithReport(string? html)
    {
        // The sanitizer runs synchronously on this thread, so a thread-static list keeps concurrent calls apart.
        var previous = removals;
        removals = [];
        try
        {
            var clean = Sanitize(html);
            var removed = removals.GroupBy(r => r, StringComparer.Ordinal)
                .Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ({g.Count()} times)")
                .ToList();
            return new SanitizeReport(clean, removed);
        }
        finally
        {
            removals = previous;
        }
    }

    [ThreadStatic]
    private static List<string>? removals;

    // Removed while their text is kept, or carrying nothing a reader would miss: not worth a warning.
    private static readonly HashSet<string> QuietlyUnwrapped = new(StringComparer.OrdinalIgnoreCase)
    {
        "div", "span", "figure", "figcaption", "section", "article", "header", "footer", "main", "nav", "font", "center",
        "small", "big", "sup", "sub", "mark", "cite", "abbr", "acronym", "time", "pre", "kbd", "samp", "var", "dfn", "ins",
        "del", "q", "address", "dl", "dt", "dd", "label", "caption", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
        "colgroup", "col", "h1", "h4", "h5", "h6", "tt", "strike", "nobr", "wbr", "details", "summary", "hgroup", "bdi",
        "bdo", "ruby", "rt", "rp", "data", "html", "body", "picture", "fieldset", "legend",
    };

    private static readonly HashSet<string> UrlAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        "href", "src", "action", "formaction", "xlink:href", "background", "poster", "cite", "data",
    };

    private static void ReportTag(IElement tag)
    {
        if (removals is null || QuietlyUnwrapped.Contains(tag.LocalName)) return;
        var name = tag.LocalName.ToLowerInvariant();
        if (name == "script")
        {
            removals.Add("a script was removed");
            return;
        }
        var article = name.Length > 0 && "aeiou".Contains(name[0]) && name != "ul" ? "an" : "a";
        var host = HostOf(tag.GetAttribute("src") ?? tag.GetAttribute("data"));
        removals.Add(host is null ? $"{article} <{name}> was removed" : $"{article} <{name}> from {host} was removed");
    }

    private static void ReportAttribute(IAttr attribute)
    {
        if (removals is null) return;
        var name = attribute.Name.ToLowerInvariant();
        if (name.StartsWith("on", StringComparison.Ordinal) || name == "srcdoc")
        {
            removals.Add($"an {name} attribute was removed");
        }
        else if (UrlAttributes.Contains(name))
        {
            var value = new string(attribute.Value.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray());
            var colon = value.IndexOf(':');
            if (colon > 0 && value[..colon].All(char.IsAsciiLetter)) removals.Add($"a {value[..colon].ToLowerInvariant()}: link was removed");
        }
    }

    private static string? HostOf(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? uri.Host : null;

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
                    var block = e.LocalName is "p" or "h2" or "h3" or "li" or "blockquote" or "aside" or "ul" or "ol" or "hr" or "br" or EmbedTag
                        or "table" or "tr" or "th" or "td" or "div";
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

    private static HtmlSanitizer CreateSanitizer(bool notes)
    {
        var options = new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "p", "h2", "h3", "strong", "b", "em", "i", "u", "s", "a", "ul", "ol", "li", "blockquote", "hr", "br", "aside", "span", "code", "img",
                EmbedTag,
            },
            AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "href", "target", "rel", "class", "data-article-id", "start", "src", "alt", "width", "height", "loading",
                EmbedProviderAttribute,
            },
            AllowedClasses = new HashSet<string>(StringComparer.Ordinal) { "see-also", "see-also__label", EmbedClass },
            AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https", "mailto" },
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "src" },
            AllowedCssProperties = new HashSet<string>(),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        };
        // The editor's structured blocks (table, gallery, pull quote, fact box, key points): see ArticleBlocks.
        options.AllowedTags.UnionWith(ArticleBlocks.Tags);
        options.AllowedAttributes.UnionWith(ArticleBlocks.Attributes);
        options.AllowedClasses.UnionWith(ArticleBlocks.Classes);
        if (notes)
        {
            options.AllowedAttributes.Add(NoteAttribute);
            options.AllowedClasses.Add(NoteClass);
        }
        // Unknown wrappers (Word's spans, fonts) keep their text; code and embeds go with everything inside them.
        var sanitizer = new HtmlSanitizer(options) { KeepChildNodes = true };
        sanitizer.RemovingTag += (sender, e) =>
        {
            ReportTag(e.Tag);
            if (DroppedWithContent.Contains(e.Tag.LocalName)) e.Tag.InnerHtml = "";
        };
        sanitizer.RemovingAttribute += (sender, e) => ReportAttribute(e.Attribute);
        sanitizer.PostProcessDom += (sender, e) => ArticleBlocks.Enforce(e.Document.Body);
        sanitizer.PostProcessNode += (sender, e) =>
        {
            if (e.Node is not IElement element) return;
            switch (element.LocalName)
            {
                case "a":
                    NormalizeLink(element);
                    break;
                case "aside" when !element.ClassList.Contains("see-also"):
                    // See-also and the editor's boxes use aside; anything else keeps its text as a paragraph's worth of content.
                    if (!ArticleBlocks.IsBlockAside(element)) element.RemoveAttribute("class");
                    element.RemoveAttribute("data-article-id");
                    break;
                case "aside":
                    var id = element.GetAttribute("data-article-id");
                    if (id is not null && !int.TryParse(id, out _)) element.RemoveAttribute("data-article-id");
                    break;
                case "img":
                    NormalizeImage(element);
                    break;
                case EmbedTag:
                    NormalizeEmbed(element);
                    return;
                case "ol":
                    if (element.GetAttribute("start") is { } start && !int.TryParse(start, out _)) element.RemoveAttribute("start");
                    break;
            }
            if (notes) NormalizeNoteMark(element);
            ClearEmbedClaims(element);
            if (element.LocalName != "aside" && element.LocalName != "span") element.RemoveAttribute("data-article-id");
            if (element.LocalName != "ol") element.RemoveAttribute("start");
            if (element.LocalName != "img")
            {
                foreach (var name in ImageOnlyAttributes) element.RemoveAttribute(name);
            }
        };
        return sanitizer;
    }

    /// <summary>
    /// A note mark is a span with a well-formed anchor id and exactly the note class; anything else that claims to be
    /// one loses the claim (its text stays).
    /// </summary>
    private static void NormalizeNoteMark(IElement element)
    {
        var anchor = element.GetAttribute(NoteAttribute);
        if (element.LocalName == "span" && IsAnchorId(anchor))
        {
            element.SetAttribute("class", NoteClass);
            return;
        }
        element.RemoveAttribute(NoteAttribute);
        if (element.ClassList.Contains(NoteClass))
        {
            element.ClassList.Remove(NoteClass);
            if (element.ClassList.Length == 0) element.RemoveAttribute("class");
        }
    }

    private static readonly string[] ImageOnlyAttributes = ["src", "alt", "width", "height", "loading"];

    /// <summary>Images come from the media library only; sizes are whole numbers; they load lazily.</summary>
    private static void NormalizeImage(IElement image)
    {
        var src = image.GetAttribute("src") ?? "";
        if (!src.StartsWith("/media/", StringComparison.Ordinal) || src.Contains("..", StringComparison.Ordinal))
        {
            var host = HostOf(src);
            removals?.Add(host is null ? "an image not in the media library was removed" : $"an image from {host} was removed");
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
    internal static void NormalizeLink(IElement link)
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

/// <summary>An editor body as stored: <paramref name="Html"/> without note marks (public), <paramref name="Annotated"/> with them (newsroom only), or null.</summary>
public sealed record AnnotatedBody(string Html, string? Annotated);

/// <summary>Sanitized HTML and what the policy removed from it, in words.</summary>
public sealed record SanitizeReport(string Html, IReadOnlyList<string> Removed);
