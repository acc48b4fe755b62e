using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml;

namespace NewsCms.Web.Features.WordPress;

/// <summary>
/// Reads a WordPress export (WXR 1.0–1.2) as a stream of entries, one item at a time: memory stays flat however large
/// the file. DTDs are refused outright, so no entity (external or nested) is ever expanded.
/// </summary>
/// <remarks>
/// Channel-level terms are merged here: WordPress 6.x writes each category and tag twice (as wp:category/wp:tag and
/// again as wp:term); only the first entry of a taxonomy and slug is yielded. Content and Excerpt are the raw HTML
/// of the post (entities left for the HTML converter); titles, names and descriptions are entity-decoded text.
/// </remarks>
public static class WxrReader
{
    private const string ContentNamespace = "http://purl.org/rss/1.0/modules/content/";
    private const string DcNamespace = "http://purl.org/dc/elements/1.1/";
    private const string WordPressNamespacePrefix = "http://wordpress.org/export/";

    public static async IAsyncEnumerable<WxrEntry> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var settings = new XmlReaderSettings
        {
            Async = true,
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            // Real exports carry the odd control character (raw ones are filtered out of the bytes, &#1; here): they
            // are dropped from the text rather than failing the whole file.
            CheckCharacters = false,
            CloseInput = false,
        };
        using var reader = XmlReader.Create(new XmlControlCharacterFilter(stream), settings);
        var state = new ReadState(reader);

        if (!await state.MoveToRootAsync()) throw new WxrFormatException("The file is empty: it is not a WordPress export.", 0, 0);
        if (reader.LocalName != "rss") throw state.Error($"The file starts with <{reader.Name}>, not <rss>: it is not a WordPress export.");
        if (!await state.EnterAsync()) throw state.Error("The export has no <channel>.");

        var sawChannel = false;
        while (await state.NextChildAsync(depth: 0))
        {
            ct.ThrowIfCancellationRequested();
            if (reader.LocalName != "channel" || reader.NamespaceURI.Length > 0)
            {
                await state.SkipAsync();
                continue;
            }
            sawChannel = true;
            await foreach (var entry in ReadChannelAsync(state, ct)) yield return entry;
        }
        if (!sawChannel) throw state.Error("The export has no <channel>.");
    }

    private static async IAsyncEnumerable<WxrEntry> ReadChannelAsync(ReadState state, [EnumeratorCancellation] CancellationToken ct)
    {
        var reader = state.Reader;
        string title = "", link = "", baseSite = "", baseBlog = "", language = "", version = "";
        var siteYielded = false;
        var seenTerms = new HashSet<(string, string)>();
        var channelDepth = reader.Depth;
        if (!await state.EnterAsync()) yield break;
        while (await state.NextChildAsync(channelDepth))
        {
            ct.ThrowIfCancellationRequested();
            var kind = Classify(reader);
            var name = reader.LocalName;
            if (kind == Ns.Rss && name is "title" or "link" or "language")
            {
                var text = await state.ReadTextAsync();
                if (name == "title") title = Decode(text);
                else if (name == "link") link = text.Trim();
                else language = text.Trim();
                continue;
            }
            if (kind == Ns.Wp && name is "wxr_version" or "base_site_url" or "base_blog_url")
            {
                var text = (await state.ReadTextAsync()).Trim();
                if (name == "wxr_version") version = text;
                else if (name == "base_site_url") baseSite = text;
                else baseBlog = text;
                continue;
            }

            var isEntry = (kind == Ns.Wp && name is "author" or "category" or "tag" or "term") || (kind == Ns.Rss && name == "item");
            if (!isEntry)
            {
                await state.SkipAsync();
                continue;
            }
            if (!siteYielded)
            {
                siteYielded = true;
                yield return Site();
            }

            if (kind == Ns.Rss)
            {
                yield return await ReadItemAsync(state);
            }
            else if (name == "author")
            {
                yield return await ReadAuthorAsync(state);
            }
            else
            {
                var term = await ReadTermAsync(state, name);
                if (term is not null && seenTerms.Add((term.Taxonomy, term.Slug))) yield return term;
            }
        }
        if (!siteYielded) yield return Site();

        WxrSite Site()
        {
            if (version.Length == 0 && state.WordPressNamespace is { } ns)
                version = ns[WordPressNamespacePrefix.Length..].TrimEnd('/');
            return new WxrSite(title, link, baseSite.Length > 0 ? baseSite : link, baseBlog.Length > 0 ? baseBlog : link, language, version);
        }
    }

    private static async Task<WxrAuthor> ReadAuthorAsync(ReadState state)
    {
        var fields = await state.ReadFieldsAsync();
        return new WxrAuthor(
            ParseInt(fields.Get("author_id")),
            fields.Get("author_login").Trim(),
            fields.Get("author_email").Trim(),
            Decode(fields.Get("author_display_name")),
            Decode(fields.Get("author_first_name")),
            Decode(fields.Get("author_last_name")));
    }

    private static async Task<WxrTerm?> ReadTermAsync(ReadState state, string element)
    {
        var fields = await state.ReadFieldsAsync();
        var term = element switch
        {
            "category" => new WxrTerm(ParseInt(fields.Get("term_id")), "category", Slug(fields.Get("category_nicename")),
                Decode(fields.Get("cat_name")), Slug(fields.Get("category_parent")), Decode(fields.Get("category_description"))),
            "tag" => new WxrTerm(ParseInt(fields.Get("term_id")), "post_tag", Slug(fields.Get("tag_slug")),
                Decode(fields.Get("tag_name")), "", Decode(fields.Get("tag_description"))),
            _ => new WxrTerm(ParseInt(fields.Get("term_id")), fields.Get("term_taxonomy").Trim(), Slug(fields.Get("term_slug")),
                Decode(fields.Get("term_name")), Slug(fields.Get("term_parent")), Decode(fields.Get("term_description"))),
        };
        return term.Slug.Length == 0 || term.Taxonomy.Length == 0 ? null : term;
    }

    private static async Task<WxrItem> ReadItemAsync(ReadState state)
    {
        var reader = state.Reader;
        var fields = new Fields();
        var terms = new List<WxrItemTerm>();
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        var comments = 0;
        var depth = reader.Depth;
        if (await state.EnterAsync())
        {
            while (await state.NextChildAsync(depth))
            {
                var kind = Classify(reader);
                var name = reader.LocalName;
                switch (kind, name)
                {
                    case (Ns.Rss, "category"):
                        // WXR 1.0 writes each term twice, once without a domain, and calls tags "tag".
                        var domain = reader.GetAttribute("domain");
                        var nicename = reader.GetAttribute("nicename") ?? "";
                        var termName = Decode(await state.ReadTextAsync());
                        if (domain is null) break;
                        var term = new WxrItemTerm(domain == "tag" ? "post_tag" : domain, Slug(nicename), termName);
                        if (!terms.Contains(term)) terms.Add(term);
                        break;
                    case (Ns.Wp, "postmeta"):
                        var pair = await state.ReadFieldsAsync();
                        var key = pair.Get("meta_key");
                        if (key.Length > 0) meta.TryAdd(key, pair.Get("meta_value"));
                        break;
                    case (Ns.Wp, "comment"):
                        comments++;
                        await state.SkipAsync();
                        break;
                    case (Ns.Rss, _):
                        fields.Set(name, await state.ReadTextAsync());
                        break;
                    case (Ns.Content, "encoded"):
                        fields.Set("content", await state.ReadTextAsync());
                        break;
                    case (Ns.Excerpt, "encoded"):
                        fields.Set("excerpt", await state.ReadTextAsync());
                        break;
                    case (Ns.Dc, "creator"):
                        fields.Set("creator", await state.ReadTextAsync());
                        break;
                    case (Ns.Wp, _):
                        fields.Set("wp:" + name, await state.ReadTextAsync());
                        break;
                    default:
                        await state.SkipAsync();
                        break;
                }
            }
        }

        terms.RemoveAll(t => t.Slug.Length == 0 && terms.Exists(o => o.Slug.Length > 0 && o.Taxonomy == t.Taxonomy && o.Name == t.Name));
        return new WxrItem(
            Id: ParseInt(fields.Get("wp:post_id")),
            PostType: fields.Get("wp:post_type").Trim(),
            Status: fields.Get("wp:status").Trim(),
            Title: Decode(fields.Get("title")),
            Link: fields.Get("link").Trim(),
            Guid: fields.Get("guid").Trim(),
            Slug: Slug(fields.Get("wp:post_name")),
            Creator: fields.Get("creator").Trim(),
            Content: fields.Get("content"),
            Excerpt: fields.Get("excerpt"),
            PublishedAt: ParseDate(fields.Get("wp:post_date_gmt")) ?? ParseDate(fields.Get("wp:post_date")),
            ModifiedAt: ParseDate(fields.Get("wp:post_modified_gmt")) ?? ParseDate(fields.Get("wp:post_modified")),
            ParentId: ParseInt(fields.Get("wp:post_parent")),
            MenuOrder: ParseInt(fields.Get("wp:menu_order")),
            IsSticky: fields.Get("wp:is_sticky").Trim() == "1",
            AttachmentUrl: fields.Get("wp:attachment_url").Trim(),
            Terms: terms,
            Meta: meta,
            CommentCount: comments);
    }

    private enum Ns { Rss, Wp, Excerpt, Content, Dc, Other }

    // Namespaces are matched by URI family, not exact version (1.0, 1.1 and 1.2 differ), then by the usual prefix.
    private static Ns Classify(XmlReader reader)
    {
        var uri = reader.NamespaceURI;
        if (uri.Length == 0) return Ns.Rss;
        if (uri.StartsWith(WordPressNamespacePrefix, StringComparison.OrdinalIgnoreCase))
            return uri.Contains("/excerpt", StringComparison.OrdinalIgnoreCase) ? Ns.Excerpt : Ns.Wp;
        if (uri == ContentNamespace) return Ns.Content;
        if (uri == DcNamespace) return Ns.Dc;
        return reader.Prefix switch
        {
            "wp" => Ns.Wp,
            "excerpt" => Ns.Excerpt,
            "content" => Ns.Content,
            "dc" => Ns.Dc,
            _ => Ns.Other,
        };
    }

    /// <summary>Text of a name or title: entities WordPress stored (&amp;amp;, &amp;#8217;) decoded.</summary>
    private static string Decode(string text) => WebUtility.HtmlDecode(text).Trim();

    /// <summary>A slug as a person reads it: WordPress stores non-ASCII slugs percent-encoded.</summary>
    internal static string Slug(string text)
    {
        text = text.Trim();
        if (!text.Contains('%')) return text;
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            return text;
        }
    }

    private static int ParseInt(string text) =>
        int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary>"2024-03-04 08:15:00" as UTC; WordPress writes "0000-00-00 00:00:00" for "no date".</summary>
    private static DateTime? ParseDate(string text) =>
        DateTime.TryParseExact(text.Trim(), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? DateTime.SpecifyKind(value, DateTimeKind.Utc)
            : null;

    /// <summary>The leaf elements of one element, by local name (WordPress's flat records: author, term, postmeta).</summary>
    private sealed class Fields
    {
        private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

        public void Set(string name, string value) => values.TryAdd(name, value);

        public string Get(string name) => values.GetValueOrDefault(name) ?? "";
    }

    /// <summary>The reader and the cursor rules: each method leaves the reader on the node after what it consumed.</summary>
    private sealed class ReadState(XmlReader reader)
    {
        public XmlReader Reader { get; } = reader;

        /// <summary>The wp: namespace URI declared on the root (its version when wp:wxr_version is missing).</summary>
        public string? WordPressNamespace { get; private set; }

        public async Task<bool> MoveToRootAsync()
        {
            try
            {
                while (await Reader.ReadAsync())
                {
                    if (Reader.NodeType != XmlNodeType.Element) continue;
                    if (Reader.MoveToFirstAttribute())
                    {
                        do
                        {
                            if (Reader.Prefix == "xmlns" && Reader.Value.StartsWith(WordPressNamespacePrefix, StringComparison.OrdinalIgnoreCase)
                                && !Reader.Value.Contains("/excerpt", StringComparison.OrdinalIgnoreCase))
                            {
                                WordPressNamespace = Reader.Value;
                            }
                        } while (Reader.MoveToNextAttribute());
                        Reader.MoveToElement();
                    }
                    return true;
                }
                return false;
            }
            catch (XmlException e)
            {
                throw Wrap(e);
            }
        }

        /// <summary>From a start element, moves inside it; false (and past it) when it is empty.</summary>
        public async Task<bool> EnterAsync()
        {
            var empty = Reader.IsEmptyElement;
            await ReadAsync();
            return !empty;
        }

        /// <summary>Moves to the next child element of the element at <paramref name="depth"/>; false past its end.</summary>
        public async Task<bool> NextChildAsync(int depth)
        {
            while (true)
            {
                switch (Reader.NodeType)
                {
                    case XmlNodeType.Element when Reader.Depth == depth + 1:
                        return true;
                    case XmlNodeType.EndElement when Reader.Depth == depth:
                        await ReadAsync();
                        return false;
                    case XmlNodeType.None when Reader.EOF:
                        return false;
                }
                if (!await ReadAsync()) return false;
            }
        }

        public async Task SkipAsync()
        {
            try
            {
                await Reader.SkipAsync();
            }
            catch (XmlException e)
            {
                throw Wrap(e);
            }
        }

        /// <summary>The text of the current element (CDATA sections joined, entities decoded), nested markup's text included.</summary>
        public async Task<string> ReadTextAsync()
        {
            if (Reader.IsEmptyElement)
            {
                await ReadAsync();
                return "";
            }
            var depth = Reader.Depth;
            StringBuilder? builder = null;
            string first = "";
            await ReadAsync();
            while (!(Reader.NodeType == XmlNodeType.EndElement && Reader.Depth == depth))
            {
                if (Reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace)
                {
                    var value = await Reader.GetValueAsync();
                    if (builder is null && first.Length == 0) first = value;
                    else (builder ??= new StringBuilder(first)).Append(value);
                }
                if (!await ReadAsync()) throw Error("The export ends in the middle of an element.");
            }
            await ReadAsync();
            return Hosting.XmlSafeText.Clean(builder?.ToString() ?? first);
        }

        /// <summary>The leaf children of the current element by local name (first of each wins).</summary>
        public async Task<Fields> ReadFieldsAsync()
        {
            var fields = new Fields();
            var depth = Reader.Depth;
            if (!await EnterAsync()) return fields;
            while (await NextChildAsync(depth))
            {
                var name = Reader.LocalName;
                fields.Set(name, await ReadTextAsync());
            }
            return fields;
        }

        private async Task<bool> ReadAsync()
        {
            try
            {
                return await Reader.ReadAsync();
            }
            catch (XmlException e)
            {
                throw Wrap(e);
            }
        }

        public WxrFormatException Error(string message) =>
            Reader is IXmlLineInfo info ? new WxrFormatException(message, info.LineNumber, info.LinePosition) : new WxrFormatException(message, 0, 0);

        private WxrFormatException Wrap(XmlException e)
        {
            var (line, position) = e.LineNumber > 0 || Reader is not IXmlLineInfo info ? (e.LineNumber, e.LinePosition) : (info.LineNumber, info.LinePosition);
            var dtd = e.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase);
            var message = dtd
                ? "The export contains a document type declaration (DTD), which is refused: it could define entities that read files or expand without limit."
                : "The export is not well-formed XML: " + e.Message;
            return new WxrFormatException(message, line, position, e);
        }
    }
}

/// <summary>The export cannot be read: not XML, not a WordPress export, or it declares a DTD (refused).</summary>
public sealed class WxrFormatException(string message, int lineNumber, int linePosition, Exception? inner = null)
    : Exception(lineNumber > 0 ? $"{message} (line {lineNumber}, position {linePosition})" : message, inner)
{
    public int LineNumber { get; } = lineNumber;

    public int LinePosition { get; } = linePosition;
}
