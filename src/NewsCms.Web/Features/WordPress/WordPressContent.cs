using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.WordPress;

/// <summary>
/// A WordPress post's content (Gutenberg blocks or classic HTML with shortcodes) as NewsCms body HTML: blocks and
/// shortcodes become what the editor makes, images go through the importer's media library, links through its
/// rewriter, and the result through <see cref="ArticleHtml"/>'s one policy. Whatever does not come across as it was
/// becomes a warning in words.
/// </summary>
public static partial class WordPressContent
{
    private static readonly HtmlParser Parser = new();

    public static async Task<ConvertedBody> ConvertAsync(string content, WordPressConversionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var warnings = new List<string>();
        content ??= "";
        if (string.IsNullOrWhiteSpace(content)) return new ConvertedBody("", []);

        var delimiters = Delimiters(content);
        var html = delimiters.Count > 0 ? RenderBlocks(content, delimiters, warnings) : Classic(content, warnings);
        if (TooDeep(html))
        {
            // HTML parsers take quadratic time on thousands of unclosed elements: keep the words, not the markup.
            warnings.Add("the body was nested too deeply to convert: its text was kept as plain paragraphs");
            html = TextOnly(html);
        }
        html = await RewriteAsync(html, context, warnings, ct);
        var report = ArticleHtml.SanitizeWithReport(html);
        warnings.AddRange(report.Removed);
        return new ConvertedBody(WrapLooseContent(report.Html), Summarize(warnings));
    }

    /// <summary>Plain text of a WordPress excerpt or title: tags dropped, entities decoded, whitespace collapsed.</summary>
    public static string PlainText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html)) return "";
        var document = Parser.ParseDocument("<body>" + html + "</body>");
        var text = document.Body!.TextContent;
        // Line breaks and runs of spaces collapse; a no-break space ("120&nbsp;km/h") stays one.
        return Hosting.XmlSafeText.Clean(AsciiWhitespace().Replace(text, " ").Trim());
    }

    private const int MaxDepth = 200;

    // Elements whose end tag may be left out: an open one does not make the tree deeper.
    private static readonly HashSet<string> SelfClosingOrOptionalEnd = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot", "colgroup", "rb", "rt", "rp",
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
    };

    private static bool TooDeep(string html)
    {
        var depth = 0;
        foreach (Match tag in AnyTag().Matches(html))
        {
            if (SelfClosingOrOptionalEnd.Contains(tag.Groups["name"].Value) || tag.Groups["self"].Success) continue;
            if (tag.Groups["close"].Success) depth = Math.Max(0, depth - 1);
            else if (++depth > MaxDepth) return true;
        }
        return false;
    }

    private static string TextOnly(string html)
    {
        var text = WebUtility.HtmlDecode(AnyTag().Replace(html, m => SelfClosingOrOptionalEnd.Contains(m.Groups["name"].Value) ? "\n\n" : " "));
        var paragraphs = Regex.Split(text, @"\n\s*\n").Select(p => Whitespace().Replace(p, " ").Trim()).Where(p => p.Length > 0);
        return string.Concat(paragraphs.Select(p => "<p>" + WebUtility.HtmlEncode(p) + "</p>"));
    }

    [GeneratedRegex(@"<(?<close>/)?(?<name>[a-zA-Z][a-zA-Z0-9-]*)\b[^<>]*?(?<self>/)?>", RegexOptions.CultureInvariant)]
    private static partial Regex AnyTag();

    // ---------------------------------------------------------------- Gutenberg blocks

    private sealed class Block(string name, JsonElement? attributes)
    {
        public string Name { get; } = name;
        public JsonElement? Attributes { get; } = attributes;
        public List<object> Inner { get; } = [];

        public string? Text(string attribute) =>
            Attributes is { ValueKind: JsonValueKind.Object } a && a.TryGetProperty(attribute, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        public int? Number(string attribute) =>
            Attributes is { ValueKind: JsonValueKind.Object } a && a.TryGetProperty(attribute, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;
    }

    /// <summary>A block comment: &lt;!-- wp:name {json} --&gt;, &lt;!-- /wp:name --&gt; or &lt;!-- wp:name /--&gt;.</summary>
    private readonly record struct Delimiter(int Index, int Length, bool Closer, string Name, string? Attributes, bool Void);

    /// <summary>
    /// The block comments of a post, as WordPress's parser finds them, in linear time: the attributes' JSON cannot
    /// hold "--&gt;" (WordPress escapes it), so each comment ends at the next "--&gt;", searched once.
    /// </summary>
    private static List<Delimiter> Delimiters(string content)
    {
        var delimiters = new List<Delimiter>();
        var at = 0;
        var end = -2; // the next "-->" found so far (-1: none left, -2: not searched yet)
        while ((at = content.IndexOf("<!--", at, StringComparison.Ordinal)) >= 0)
        {
            var head = BlockHead().Match(content, at);
            if (!head.Success)
            {
                at += 4;
                continue;
            }
            var afterHead = at + head.Length;
            if (end != -1 && end < afterHead) end = content.IndexOf("-->", afterHead, StringComparison.Ordinal);
            if (end < 0) break;

            var inner = content[afterHead..end];
            var trimmed = inner.TrimEnd();
            var isVoid = trimmed.EndsWith('/');
            if (isVoid) trimmed = trimmed[..^1];
            string? attributes = null;
            if (trimmed.Length > 0)
            {
                // JSON, then whitespace before "-->" or "/-->".
                var spaced = trimmed.Length < inner.Length && char.IsWhiteSpace(inner[trimmed.Length]);
                if (trimmed[0] != '{' || trimmed[^1] != '}' || !spaced)
                {
                    at += 4;
                    continue;
                }
                attributes = trimmed;
            }
            var name = head.Groups["name"].Value;
            delimiters.Add(new Delimiter(at, end + 3 - at, head.Groups["closer"].Success, name.Contains('/') ? name : "core/" + name, attributes, isVoid));
            at = end + 3;
        }
        return delimiters;
    }

    /// <summary>Blocks as WordPress's parser reads them: nested, self-closing, "core/" implicit.</summary>
    private static Block Parse(string content, List<Delimiter> delimiters)
    {
        var root = new Block("", null);
        var stack = new Stack<Block>();
        stack.Push(root);
        var at = 0;
        foreach (var delimiter in delimiters)
        {
            if (delimiter.Index > at) stack.Peek().Inner.Add(content[at..delimiter.Index]);
            at = delimiter.Index + delimiter.Length;
            var name = delimiter.Name;
            if (delimiter.Closer)
            {
                // A closer without its opener is ignored; one that closes an outer block closes the ones inside too.
                if (stack.Count > 1 && stack.Any(b => b.Name == name))
                {
                    while (stack.Count > 1 && stack.Pop().Name != name) { }
                }
                continue;
            }
            JsonElement? attributes = null;
            if (delimiter.Attributes is { } json)
            {
                try
                {
                    using var document = JsonDocument.Parse(json);
                    attributes = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    attributes = null;
                }
            }
            var block = new Block(name, attributes);
            stack.Peek().Inner.Add(block);
            // Beyond a sane depth, blocks are read as siblings: rendering recurses once per level.
            if (!delimiter.Void && stack.Count < MaxDepth) stack.Push(block);
        }
        if (at < content.Length) stack.Peek().Inner.Add(content[at..]);
        return root;
    }

    private static string RenderBlocks(string content, List<Delimiter> delimiters, List<string> warnings)
    {
        var root = Parse(content, delimiters);
        var html = new StringBuilder();
        foreach (var part in root.Inner)
        {
            // Text between top-level blocks is classic content (WordPress's "freeform").
            if (part is string text) html.Append(string.IsNullOrWhiteSpace(text) ? text : Classic(text, warnings));
            else html.Append(Render((Block)part, warnings)).Append('\n');
        }
        return html.ToString();
    }

    private static string Inner(Block block, List<string> warnings)
    {
        var html = new StringBuilder();
        foreach (var part in block.Inner) html.Append(part is string text ? text : Render((Block)part, warnings));
        return html.ToString();
    }

    // Blocks whose saved HTML is already what NewsCms keeps (after headings, tables and images are mapped below).
    private static readonly HashSet<string> PlainBlocks = new(StringComparer.Ordinal)
    {
        "core/paragraph", "core/heading", "core/list", "core/list-item", "core/quote", "core/pullquote", "core/table",
        "core/html", "core/gallery", "core/group", "core/columns", "core/column", "core/row", "core/stack",
        "core/preformatted", "core/code", "core/verse", "core/details", "core/media-text", "core/cover", "core/buttons",
        "core/button", "core/file", "core/text-columns", "core/footnotes",
    };

    private static readonly HashSet<string> DroppedBlocks = new(StringComparer.Ordinal)
    {
        "core/spacer", "core/more", "core/nextpage",
    };

    private static string Render(Block block, List<string> warnings)
    {
        var name = block.Name;
        if (name == "core/separator") return "<hr>";
        if (DroppedBlocks.Contains(name)) return "";
        if (name == "core/image") return MarkImage(Inner(block, warnings), block.Number("id"));
        if (name == "core/embed" || name.StartsWith("core-embed/", StringComparison.Ordinal)) return Embed(block, warnings);
        if (name is "core/freeform" or "core/shortcode") return Classic(Inner(block, warnings), warnings);
        if (name is "core/audio" or "core/video") return MediaLink(name == "core/audio", Inner(block, warnings), warnings);
        if (name == "core/block")
        {
            warnings.Add($"a reusable block ({block.Number("ref")?.ToString(CultureInfo.InvariantCulture) ?? "no id"}) was left out: the export does not contain it");
            return "";
        }
        var inner = Inner(block, warnings);
        if (PlainBlocks.Contains(name)) return inner;
        warnings.Add(string.IsNullOrWhiteSpace(inner)
            ? $"the block {name} was left out: it has no content of its own"
            : $"the block {name} was kept as plain content");
        return inner;
    }

    /// <summary>The attachment id from the block's JSON wins over the img's class.</summary>
    private static string MarkImage(string html, int? id) =>
        id is null ? html : ImageTag().Replace(html, m => m.Value.Insert(4, $" data-wp-attachment=\"{id}\""), 1);

    private static string Embed(Block block, List<string> warnings)
    {
        var url = block.Text("url");
        if (string.IsNullOrWhiteSpace(url))
        {
            var inner = PlainText(Inner(block, warnings));
            url = UrlLine().Match(inner) is { Success: true } m ? m.Value : "";
        }
        if (string.IsNullOrWhiteSpace(url))
        {
            warnings.Add("an embed without an address was left out");
            return "";
        }
        var provider = block.Text("providerNameSlug") ?? (block.Name.StartsWith("core-embed/", StringComparison.Ordinal) ? block.Name["core-embed/".Length..] : null);
        return EmbedLink(url.Trim(), provider, block.Text("type"), warnings);
    }

    private static string EmbedLink(string url, string? provider, string? type, List<string> warnings)
    {
        // A provider NewsCms embeds (Features/Embeds) keeps its embed: readers get the click-to-load placeholder.
        if (Embeds.EmbedProviders.Recognize(url) is { } embed) return Articles.ArticleHtml.EmbedHtml(embed);
        var (providerName, kind) = Provider(url, provider, type);
        warnings.Add($"an embedded {providerName} {kind} became a link: {url}");
        return $"<p><a href=\"{Attr(url)}\">{WebUtility.HtmlEncode(url)}</a></p>";
    }

    private static readonly Dictionary<string, (string Name, string Kind)> Providers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["youtube"] = ("YouTube", "video"), ["youtu.be"] = ("YouTube", "video"), ["vimeo"] = ("Vimeo", "video"),
        ["dailymotion"] = ("Dailymotion", "video"), ["tiktok"] = ("TikTok", "video"), ["twitter"] = ("X (Twitter)", "post"),
        ["x"] = ("X (Twitter)", "post"), ["instagram"] = ("Instagram", "post"), ["facebook"] = ("Facebook", "post"),
        ["soundcloud"] = ("SoundCloud", "audio"), ["spotify"] = ("Spotify", "audio"), ["flickr"] = ("Flickr", "photo"),
        ["reddit"] = ("Reddit", "post"), ["wordpress"] = ("WordPress", "page"), ["wordpress-tv"] = ("WordPress.tv", "video"),
        ["ted"] = ("TED", "video"), ["mixcloud"] = ("Mixcloud", "audio"), ["issuu"] = ("Issuu", "document"),
        ["scribd"] = ("Scribd", "document"), ["slideshare"] = ("SlideShare", "presentation"), ["imgur"] = ("Imgur", "image"),
        ["pinterest"] = ("Pinterest", "pin"), ["tumblr"] = ("Tumblr", "post"), ["bluesky"] = ("Bluesky", "post"),
    };

    private static (string Name, string Kind) Provider(string url, string? slug, string? type)
    {
        if (slug is not null && Providers.TryGetValue(slug, out var known)) return known;
        var host = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : "";
        if (host.StartsWith("www.", StringComparison.OrdinalIgnoreCase)) host = host[4..];
        foreach (var (key, value) in Providers)
        {
            if (host.Equals(key, StringComparison.OrdinalIgnoreCase) || host.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase)
                || host.Equals(key + ".com", StringComparison.OrdinalIgnoreCase)) return value;
        }
        var kind = type switch { "video" => "video", "photo" => "photo", "rich" => "post", _ => "page" };
        return (host.Length > 0 ? host : "external", kind);
    }

    /// <summary>An audio or video player (block or shortcode) as a link to its file.</summary>
    private static string MediaLink(bool audio, string html, List<string> warnings)
    {
        var url = SourceAttribute().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups["url"].Value) : "";
        return MediaLinkTo(audio, url, warnings);
    }

    private static string MediaLinkTo(bool audio, string url, List<string> warnings)
    {
        var what = audio ? "an audio player" : "a video player";
        if (string.IsNullOrWhiteSpace(url))
        {
            warnings.Add($"{what} without a file was left out");
            return "";
        }
        warnings.Add($"{what} became a link to its file: {url}");
        var name = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Path.GetFileName(Uri.UnescapeDataString(uri.AbsolutePath)) : url;
        return $"<p><a href=\"{Attr(url)}\">{WebUtility.HtmlEncode(name.Length > 0 ? name : url)}</a></p>";
    }

    // ---------------------------------------------------------------- classic content

    private static string Classic(string content, List<string> warnings)
    {
        content = MoreTag().Replace(content, "");
        content = Shortcodes(content, warnings);
        content = UrlLine().Replace(content, m => OEmbedLine(m, warnings));
        return AutoParagraphs(content);
    }

    /// <summary>A URL alone on its line is an embed in WordPress when a known provider serves it.</summary>
    private static string OEmbedLine(Match line, List<string> warnings)
    {
        var url = line.Value.Trim();
        var (name, _) = Provider(url, null, null);
        if (!Providers.Values.Any(p => p.Name == name)) return line.Value;
        return "\n" + EmbedLink(url, null, null, warnings) + "\n";
    }

    private static readonly HashSet<string> KnownShortcodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "caption", "wp_caption", "gallery", "audio", "video", "embed", "playlist",
    };

    /// <summary>Shortcodes WordPress itself registers become HTML; others stay as text with a warning.</summary>
    private static string Shortcodes(string content, List<string> warnings)
    {
        if (!content.Contains('[')) return content;
        var output = new StringBuilder(content.Length);
        var noCloserAfter = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var at = 0;
        while (at < content.Length)
        {
            var open = content.IndexOf('[', at);
            if (open < 0)
            {
                output.Append(content, at, content.Length - at);
                break;
            }
            output.Append(content, at, open - at);
            var tag = ShortcodeTag().Match(content, open);
            if (!tag.Success || tag.Index != open)
            {
                output.Append('[');
                at = open + 1;
                continue;
            }
            var name = tag.Groups["name"].Value;
            var attributeText = tag.Groups["attrs"].Value;
            // [[name]] is WordPress's way of writing a shortcode as text: it shows as [name].
            if (tag.Groups["escaped"].Success)
            {
                output.Append(tag.Value, 1, tag.Length - 1);
                at = open + tag.Length;
                if (at < content.Length && content[at] == ']') at++;
                continue;
            }
            var selfClosing = attributeText.TrimEnd().EndsWith('/');
            var closer = "[/" + name + "]";
            var closeAt = -1;
            // One search per name past the last failed one: a thousand unclosed [x] stay linear.
            if (!selfClosing && !(noCloserAfter.TryGetValue(name, out var searched) && searched <= open))
            {
                closeAt = content.IndexOf(closer, open + tag.Length, StringComparison.OrdinalIgnoreCase);
                if (closeAt < 0) noCloserAfter[name] = open;
            }
            var known = KnownShortcodes.Contains(name);
            var looksLikeShortcode = known || closeAt >= 0 || attributeText.Trim().Length > 0 || name.Contains('_') || name.Contains('-');
            if (!looksLikeShortcode)
            {
                output.Append('[');
                at = open + 1;
                continue;
            }
            if (!known)
            {
                warnings.Add($"unknown shortcode [{name}] left as text");
                output.Append(tag.Value);
                at = open + tag.Length;
                continue;
            }
            var inner = closeAt >= 0 ? content[(open + tag.Length)..closeAt] : "";
            var attributes = ShortcodeAttributes(attributeText.TrimEnd().TrimEnd('/'));
            output.Append(RenderShortcode(name.ToLowerInvariant(), attributes, inner, warnings));
            at = closeAt >= 0 ? closeAt + closer.Length : open + tag.Length;
        }
        return output.ToString();
    }

    private static string RenderShortcode(string name, Dictionary<string, string> attributes, string inner, List<string> warnings)
    {
        switch (name)
        {
            case "caption" or "wp_caption":
            {
                var image = ImageTag().Match(inner);
                if (!image.Success) return PlainText(inner);
                var caption = attributes.GetValueOrDefault("caption") ?? PlainText(LinkedImage().Replace(inner, ""));
                var id = attributes.GetValueOrDefault("id") is { } idText && AttachmentIdText().Match(idText) is { Success: true } m
                    ? m.Groups[1].Value : null;
                var img = id is null ? image.Value : image.Value.Insert(4, $" data-wp-attachment=\"{id}\"");
                return $"\n\n<figure>{img}<figcaption>{WebUtility.HtmlEncode(caption)}</figcaption></figure>\n\n";
            }
            case "gallery":
            {
                var ids = (attributes.GetValueOrDefault("ids") ?? attributes.GetValueOrDefault("include") ?? "")
                    .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0)
                    .Where(n => n > 0)
                    .ToList();
                if (ids.Count == 0)
                {
                    warnings.Add("a [gallery] of the post's attached images was left out: it names no images");
                    return "";
                }
                return "\n\n" + string.Concat(ids.Select(id => $"<figure><img data-wp-attachment=\"{id}\" src=\"\" alt=\"\"></figure>")) + "\n\n";
            }
            case "audio" or "video":
            {
                var audio = name == "audio";
                string[] sources = audio ? ["src", "mp3", "m4a", "ogg", "wav", "wma", "flac"] : ["src", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mov"];
                var url = sources.Select(attributes.GetValueOrDefault).FirstOrDefault(u => !string.IsNullOrWhiteSpace(u))
                    ?? (UrlLine().Match(inner.Trim()) is { Success: true } m ? m.Value.Trim() : "");
                return "\n\n" + MediaLinkTo(audio, url, warnings) + "\n\n";
            }
            case "embed":
            {
                var url = PlainText(inner);
                if (url.Length == 0)
                {
                    warnings.Add("an [embed] without an address was left out");
                    return "";
                }
                return "\n\n" + EmbedLink(url, null, null, warnings) + "\n\n";
            }
            default:
                warnings.Add($"a [{name}] was left out: NewsCms has nothing like it");
                return "";
        }
    }

    private static Dictionary<string, string> ShortcodeAttributes(string text)
    {
        // Quotes as an editor may have saved them (entities or curly), as WordPress's shortcode_parse_atts accepts.
        text = text.Replace("&quot;", "\"").Replace("&#8221;", "\"").Replace("&#8243;", "\"").Replace('”', '"').Replace('″', '"')
            .Replace("&#039;", "'").Replace("&#8217;", "'");
        var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in ShortcodeAttribute().Matches(text))
        {
            var name = m.Groups["name"].Value;
            if (name.Length == 0) continue;
            var value = m.Groups["dq"].Success ? m.Groups["dq"].Value : m.Groups["sq"].Success ? m.Groups["sq"].Value : m.Groups["bare"].Value;
            attributes.TryAdd(name, WebUtility.HtmlDecode(value));
        }
        return attributes;
    }

    private const string AllBlocks =
        "(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)";

    /// <summary>WordPress's wpautop: a blank line makes a paragraph, a single line break a &lt;br&gt;; block elements stand alone.</summary>
    private static string AutoParagraphs(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        text = text.Replace("\r\n", "\n").Replace('\r', '\n');

        // Preformatted text keeps its line breaks.
        var kept = new List<string>();
        text = PreBlock().Replace(text, m =>
        {
            kept.Add(m.Value);
            return $"<pre wp-pre-{kept.Count - 1}></pre>";
        });
        // Line breaks inside tags (long attribute lists) are not paragraph breaks.
        text = HtmlTag().Replace(text, m => m.Value.Replace('\n', ' '));
        text = DoubleBr().Replace(text, "\n\n");
        text = Regex.Replace(text, "(<" + AllBlocks + @"[\s/>])", "\n\n$1", RegexOptions.IgnoreCase);
        text = Regex.Replace(text, "(</" + AllBlocks + ">)", "$1\n\n", RegexOptions.IgnoreCase);
        text = Regex.Replace(text, @"\n\n+", "\n\n");

        var output = new StringBuilder();
        foreach (var chunk in Regex.Split(text, @"\n\s*\n"))
        {
            if (string.IsNullOrWhiteSpace(chunk)) continue;
            output.Append("<p>").Append(chunk.Trim('\n')).Append("</p>\n");
        }
        text = output.ToString();
        text = Regex.Replace(text, @"<p>\s*</p>", "");
        text = Regex.Replace(text, @"<p>([^<]+)</(div|address|form)>", "<p>$1</p></$2>", RegexOptions.IgnoreCase);
        text = Regex.Replace(text, @"<p>\s*(</?" + AllBlocks + @"[^>]*>)\s*</p>", "$1", RegexOptions.IgnoreCase);
        text = Regex.Replace(text, @"<p>(<li.+?)</p>", "$1", RegexOptions.IgnoreCase);
        text = Regex.Replace(text, @"<p>\s*(</?" + AllBlocks + @"[^>]*>)", "$1", RegexOptions.IgnoreCase);
        text = Regex.Replace(text, @"(</?" + AllBlocks + @"[^>]*>)\s*</p>", "$1", RegexOptions.IgnoreCase);
        text = Regex.Replace(text, @"(?<!<br\s*/?>)[ \t]*\n(?!$)", "<br>\n");
        text = Regex.Replace(text, @"(</?" + AllBlocks + @"[^>]*>)\s*<br>", "$1", RegexOptions.IgnoreCase);
        text = Regex.Replace(text, @"<br>(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", "$1", RegexOptions.IgnoreCase);
        text = Regex.Replace(text, @"<p>\s*</p>", "");
        return PreMarker().Replace(text, m => kept[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)]);
    }

    // ---------------------------------------------------------------- the HTML, element by element

    /// <summary>Headings, tables, quotes' citations, images and links mapped onto what NewsCms keeps.</summary>
    private static async Task<string> RewriteAsync(string html, WordPressConversionContext context, List<string> warnings, CancellationToken ct)
    {
        var document = Parser.ParseDocument("<body>" + html + "</body>");
        var body = document.Body!;

        foreach (var link in body.QuerySelectorAll("a[href]").ToList())
        {
            if (context.RewriteLink(link.GetAttribute("href")!) is { } rewritten) link.SetAttribute("href", rewritten);
        }

        foreach (var heading in body.QuerySelectorAll("h1, h4, h5, h6").ToList())
        {
            Rename(heading, heading.LocalName == "h1" ? "h2" : "h3");
        }

        // Inner tables first (they come later in document order): a table inside another is only its text (NewsCms
        // tables hold paragraphs), and the outer one comes over as a table in the editor's shape.
        foreach (var table in body.QuerySelectorAll("table").Reverse().ToList())
        {
            if (table.ParentElement?.Closest("table") is not null) Flatten(table, warnings);
            else KeepTable(table);
        }

        foreach (var cite in body.QuerySelectorAll("blockquote cite").ToList())
        {
            var paragraph = document.CreateElement("p");
            paragraph.TextContent = "— " + cite.TextContent.Trim();
            cite.Replace(paragraph);
        }

        foreach (var image in body.QuerySelectorAll("img").ToList())
        {
            ct.ThrowIfCancellationRequested();
            await ReplaceImageAsync(document, image, context, warnings, ct);
        }

        // A list that held only images (an old-format gallery) gives way to the images.
        foreach (var list in body.QuerySelectorAll("ul, ol").ToList())
        {
            if (list.ParentElement is null || !string.IsNullOrWhiteSpace(list.TextContent)) continue;
            var images = list.QuerySelectorAll("img").ToArray<INode>();
            if (images.Length == 0) list.Remove();
            else list.Replace(images);
        }

        // A caption left without its image (a table's, a gallery's) keeps its words as a paragraph.
        foreach (var caption in body.QuerySelectorAll("figcaption").ToList())
        {
            if (string.IsNullOrWhiteSpace(caption.TextContent)) caption.Remove();
            else Rename(caption, "p");
        }

        foreach (var paragraph in body.QuerySelectorAll("p").ToList())
        {
            if (paragraph.QuerySelector("img") is null && string.IsNullOrWhiteSpace(paragraph.TextContent.Replace('\u00A0', ' '))) paragraph.Remove();
        }
        return body.InnerHtml;
    }

    private static async Task ReplaceImageAsync(IDocument document, IElement image, WordPressConversionContext context, List<string> warnings, CancellationToken ct)
    {
        var url = image.GetAttribute("src")?.Trim() ?? "";
        var id = AttachmentId(image);
        var alt = Whitespace().Replace(image.GetAttribute("alt") ?? "", " ").Trim();

        // What the image replaces: its figure (with the caption), or the link around it.
        IElement target = image;
        var caption = "";
        if (image.Closest("figure") is { } figure && figure.QuerySelectorAll("img").Length == 1)
        {
            caption = figure.QuerySelector("figcaption") is { } figcaption ? Whitespace().Replace(figcaption.TextContent, " ").Trim() : "";
            target = figure;
        }
        else if (image.ParentElement is { LocalName: "a" } link && string.IsNullOrWhiteSpace(link.TextContent) && link.Children.Length == 1)
        {
            target = link;
        }

        var markup = await context.ImageHtml(new WxrImage(url, id, alt, caption), ct);
        if (markup is null)
        {
            var what = url.Length > 0 ? url : $"attachment {id}";
            warnings.Add($"the image {what} was left out: its file is not in the uploads");
            var emptied = target.ParentElement;
            target.Remove();
            if (emptied is { LocalName: "p" } && string.IsNullOrWhiteSpace(emptied.TextContent) && emptied.QuerySelector("img") is null) emptied.Remove();
            return;
        }

        var fragment = Parser.ParseFragment(markup, target.ParentElement ?? document.Body!);
        var nodes = fragment.ToList();
        // NewsCms images are blocks: one inside a paragraph moves out, before it.
        var paragraph = target.Closest("p");
        if (paragraph is not null)
        {
            target.Remove();
            foreach (var node in nodes) paragraph.Before(node);
            if (string.IsNullOrWhiteSpace(paragraph.TextContent.Replace('\u00A0', ' ')) && paragraph.QuerySelector("img") is null) paragraph.Remove();
            return;
        }
        target.Replace([.. nodes]);
    }

    private static int? AttachmentId(IElement image)
    {
        foreach (var attribute in new[] { "data-wp-attachment", "data-id" })
        {
            if (int.TryParse(image.GetAttribute(attribute), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && id > 0) return id;
        }
        return WpImageClass().Match(image.GetAttribute("class") ?? "") is { Success: true } m
            && int.TryParse(m.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var fromClass) ? fromClass : null;
    }

    /// <summary>
    /// A table as the editor writes one: its rows (head, body, then foot) in one tbody, each cell's content in a
    /// paragraph; its caption (or its figure's) as a paragraph before it. The HTML policy then holds it to the exact
    /// table shape (cell content, spans).
    /// </summary>
    private static void KeepTable(IElement table)
    {
        if (table.ParentElement is null) return;
        var document = table.Owner!;
        static int Rank(IElement row) => row.ParentElement?.LocalName switch { "thead" => 0, "tfoot" => 2, _ => 1 };
        var rows = table.QuerySelectorAll("tr").Where(r => r.Closest("table") == table).OrderBy(Rank).ToList();

        var replacement = new List<INode>();
        var figure = table.ParentElement is { LocalName: "figure" } f && f.QuerySelectorAll("table").Length == 1 ? f : null;
        foreach (var caption in new[] { table.QuerySelector("caption"), figure?.QuerySelector("figcaption") })
        {
            if (caption is null || string.IsNullOrWhiteSpace(caption.TextContent)) continue;
            var p = document.CreateElement("p");
            p.TextContent = caption.TextContent.Trim();
            replacement.Add(p);
        }
        var tbody = document.CreateElement("tbody");
        foreach (var row in rows)
        {
            var kept = document.CreateElement("tr");
            foreach (var cell in row.Children.Where(c => c.LocalName is "th" or "td").ToList())
            {
                var copy = document.CreateElement(cell.LocalName);
                foreach (var span in new[] { "colspan", "rowspan" })
                {
                    if (cell.GetAttribute(span) is { } value) copy.SetAttribute(span, value);
                }
                // Cells hold paragraphs in NewsCms: a list's items become paragraphs, inline content goes into one,
                // paragraphs stay as they are; the blank text between them goes.
                foreach (var item in cell.QuerySelectorAll("li").ToList()) Rename(item, "p");
                foreach (var list in cell.QuerySelectorAll("ul, ol").ToList()) list.Replace([.. list.ChildNodes]);
                if (cell.Children.Any(c => c.LocalName == "p"))
                {
                    while (cell.FirstChild is { } child)
                    {
                        if (child is IText blank && string.IsNullOrWhiteSpace(blank.Data)) blank.Remove();
                        else copy.AppendChild(child);
                    }
                }
                else
                {
                    var p = document.CreateElement("p");
                    while (cell.FirstChild is { } child) p.AppendChild(child);
                    copy.AppendChild(p);
                }
                kept.AppendChild(copy);
            }
            if (kept.Children.Length > 0) tbody.AppendChild(kept);
        }
        if (tbody.Children.Length > 0)
        {
            var rebuilt = document.CreateElement("table");
            rebuilt.AppendChild(tbody);
            replacement.Add(rebuilt);
        }
        (figure ?? table).Replace([.. replacement]);
    }

    /// <summary>A table as a list ("Heading: value; …" per row) when it has headings, else a paragraph per row.</summary>
    private static void Flatten(IElement table, List<string> warnings)
    {
        if (table.ParentElement is null) return;
        var document = table.Owner!;
        var rows = table.QuerySelectorAll("tr").Where(r => r.Closest("table") == table).ToList();
        var headerRow = rows.FirstOrDefault(r => r.Children.Length > 0 && r.Children.All(c => c.LocalName == "th"));
        var headings = headerRow?.Children.Select(c => c.TextContent.Trim()).ToList();
        var bodyRows = rows.Where(r => r != headerRow && r.Children.Any(c => c.LocalName is "td" or "th")).ToList();

        var replacement = new List<INode>();
        if (table.QuerySelector("caption") is { } tableCaption && !string.IsNullOrWhiteSpace(tableCaption.TextContent))
        {
            var p = document.CreateElement("p");
            p.TextContent = tableCaption.TextContent.Trim();
            replacement.Add(p);
        }
        IElement? list = headings is not null ? document.CreateElement("ul") : null;
        foreach (var row in bodyRows)
        {
            var cells = row.Children.Where(c => c.LocalName is "td" or "th").ToList();
            var parts = cells.Select((cell, i) =>
            {
                var value = cell.InnerHtml.Trim();
                var heading = headings is not null && i < headings.Count ? headings[i] : "";
                return heading.Length > 0 ? WebUtility.HtmlEncode(heading) + ": " + value : value;
            });
            var item = document.CreateElement(list is null ? "p" : "li");
            item.InnerHtml = string.Join("; ", parts);
            if (list is null) replacement.Add(item);
            else list.AppendChild(item);
        }
        if (list is not null) replacement.Add(list);

        var figure = table.ParentElement is { LocalName: "figure" } f && f.QuerySelectorAll("table").Length == 1 ? f : null;
        if (figure?.QuerySelector("figcaption") is { } figcaption && !string.IsNullOrWhiteSpace(figcaption.TextContent))
        {
            var p = document.CreateElement("p");
            p.TextContent = figcaption.TextContent.Trim();
            replacement.Insert(0, p);
            figcaption.Remove();
        }
        var target = figure ?? table;
        target.Replace([.. replacement]);
        var count = bodyRows.Count == 1 ? "1 row" : $"{bodyRows.Count} rows";
        warnings.Add(list is null ? $"a table inside a table ({count}) became paragraphs" : $"a table inside a table ({count}) became a list");
    }

    private static void Rename(IElement element, string name)
    {
        var renamed = element.Owner!.CreateElement(name);
        while (element.FirstChild is { } child) renamed.AppendChild(child);
        element.Replace(renamed);
    }

    // ---------------------------------------------------------------- after the policy

    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "h2", "h3", "ul", "ol", "blockquote", "hr", "aside", "img", "table", "div", ArticleHtml.EmbedTag,
    };

    /// <summary>
    /// Text the policy left outside any block (an unwrapped div's) goes into a paragraph, and the line breaks that
    /// WordPress's markup leaves between blocks go, so the body reads as the editor writes it.
    /// </summary>
    private static string WrapLooseContent(string html)
    {
        if (html.Length == 0) return html;
        var document = Parser.ParseDocument("<body>" + html + "</body>");
        var body = document.Body!;
        IElement? open = null;
        foreach (var node in body.ChildNodes.ToList())
        {
            var isBlock = node is IElement e && BlockElements.Contains(e.LocalName);
            var blank = node is IText t && string.IsNullOrWhiteSpace(t.Data);
            if (isBlock || (blank && open is null))
            {
                open = null;
                continue;
            }
            if (open is null)
            {
                if (blank) continue;
                open = document.CreateElement("p");
                body.InsertBefore(open, node);
            }
            open.AppendChild(node);
        }
        Tidy(body);
        return ArticleHtml.Sanitize(body.InnerHtml);
    }

    private static readonly HashSet<string> Containers = new(StringComparer.OrdinalIgnoreCase) { "body", "ul", "ol", "blockquote" };

    private static void Tidy(IElement parent)
    {
        foreach (var node in parent.ChildNodes.ToList())
        {
            if (node is IElement element)
            {
                Tidy(element);
                continue;
            }
            if (node is not IText text) continue;
            var afterBlock = text.PreviousSibling is null ? !Inline(parent) : IsBreak(text.PreviousSibling);
            var beforeBlock = text.NextSibling is null ? !Inline(parent) : IsBreak(text.NextSibling);
            if (string.IsNullOrWhiteSpace(text.Data) && (Containers.Contains(parent.LocalName) || afterBlock || beforeBlock))
            {
                text.Remove();
                continue;
            }
            var data = text.Data;
            if (afterBlock) data = LeadingBreak().Replace(data, "");
            if (beforeBlock) data = TrailingBreak().Replace(data, "");
            if (data.Length == 0) text.Remove();
            else if (data != text.Data) text.Data = data;
        }

        static bool Inline(IElement element) => !BlockElements.Contains(element.LocalName) && element.LocalName is not ("body" or "li");
        static bool IsBreak(INode node) => node is IElement e && (BlockElements.Contains(e.LocalName) || e.LocalName is "br" or "li");
    }

    [GeneratedRegex(@"^\s*\n\s*", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingBreak();

    [GeneratedRegex(@"\s*\n\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingBreak();

    /// <summary>Each warning once, with how many times it happened.</summary>
    private static List<string> Summarize(List<string> warnings) =>
        [.. warnings.GroupBy(w => w, StringComparer.Ordinal).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ({g.Count()} times)")];

    private static string Attr(string value) => WebUtility.HtmlEncode(value);

    [GeneratedRegex(@"\G<!--\s+(?<closer>/)?wp:(?<name>[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)\s+", RegexOptions.CultureInvariant)]
    private static partial Regex BlockHead();

    [GeneratedRegex(@"<!--\s*(?:more|nextpage|noteaser)\b.*?-->", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MoreTag();

    [GeneratedRegex(@"\G\[(?<escaped>\[)?(?<name>[a-zA-Z][\w-]*)(?<attrs>(?:\s[^\[\]]{0,4000})?|/)\]", RegexOptions.CultureInvariant)]
    private static partial Regex ShortcodeTag();

    [GeneratedRegex(@"(?<name>[\w-]+)\s*=\s*(?:""(?<dq>[^""]*)""|'(?<sq>[^']*)'|(?<bare>[^\s'""]+))", RegexOptions.CultureInvariant)]
    private static partial Regex ShortcodeAttribute();

    [GeneratedRegex(@"<img\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ImageTag();

    [GeneratedRegex(@"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LinkedImage();

    [GeneratedRegex(@"^attachment_(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex AttachmentIdText();

    [GeneratedRegex(@"\bwp-image-(\d+)\b", RegexOptions.CultureInvariant)]
    private static partial Regex WpImageClass();

    [GeneratedRegex(@"(?<=^|\n)[ \t]*https?://[^\s<>""]+[ \t]*(?=\n|$)", RegexOptions.CultureInvariant)]
    private static partial Regex UrlLine();

    [GeneratedRegex(@"\bsrc\s*=\s*[""'](?<url>[^""']+)[""']", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SourceAttribute();

    [GeneratedRegex(@"<pre\b[^>]*>.*?</pre>", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PreBlock();

    [GeneratedRegex(@"<pre wp-pre-(\d+)></pre>", RegexOptions.CultureInvariant)]
    private static partial Regex PreMarker();

    [GeneratedRegex(@"<[^<>]+>", RegexOptions.CultureInvariant)]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"<br\s*/?>\s*<br\s*/?>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DoubleBr();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[ \t\r\n\f]+", RegexOptions.CultureInvariant)]
    private static partial Regex AsciiWhitespace();
}
