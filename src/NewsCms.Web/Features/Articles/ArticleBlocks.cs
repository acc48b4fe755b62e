using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using NewsCms.Web.Features.Media;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// The editor's structured blocks, as stored (the HTML contract the editor, <see cref="ArticleHtml"/>, feeds and APIs share):
/// <code>
/// &lt;table&gt;&lt;tbody&gt;&lt;tr&gt;&lt;th&gt;…&lt;/th&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;…&lt;/td&gt;&lt;/tr&gt;&lt;/tbody&gt;&lt;/table&gt;    cells: p, inline marks, links; colspan/rowspan whole numbers
/// &lt;div class="gallery"&gt;&lt;img src="/media/…" alt="…" width height&gt;…&lt;/div&gt;        library images only
/// &lt;aside class="pull-quote"&gt;&lt;p&gt;…&lt;/p&gt;&lt;/aside&gt;
/// &lt;aside class="fact-box"&gt;&lt;h2 class="fact-box__title"&gt;…&lt;/h2&gt;…p/ul/ol…&lt;/aside&gt;
/// &lt;aside class="key-points"&gt;&lt;ul&gt;&lt;li&gt;…&lt;/li&gt;&lt;/ul&gt;&lt;/aside&gt;
/// </code>
/// <see cref="Enforce"/> is the structural half of the policy (the sanitizer has already removed what is never allowed):
/// a block that is not in its exact shape, or not at the top level, stops being that block (its text stays).
/// <see cref="ForReaders"/> is what the public article page adds at render time.
/// </summary>
public static class ArticleBlocks
{
    public const string Gallery = "gallery";
    public const string PullQuote = "pull-quote";
    public const string FactBox = "fact-box";
    public const string FactBoxTitle = "fact-box__title";
    public const string KeyPoints = "key-points";

    /// <summary>What the blocks add to the sanitizer's allowed tags, attributes and classes.</summary>
    public static readonly string[] Tags = ["table", "tbody", "tr", "th", "td", "div"];
    public static readonly string[] Attributes = ["colspan", "rowspan"];
    public static readonly string[] Classes = [Gallery, PullQuote, FactBox, FactBoxTitle, KeyPoints];

    private static readonly string[] AsideBlocks = [PullQuote, FactBox, KeyPoints];

    // What a table cell may hold: the paragraph and the inline marks the editor writes.
    private static readonly HashSet<string> CellContent = new(StringComparer.Ordinal) { "p", "strong", "b", "em", "i", "u", "s", "a", "br", "span", "code" };

    /// <summary>
    /// Whether an aside keeps its class through the sanitizer's aside rule: exactly one block class (See-also is handled
    /// there). Unknown classes were already dropped by the allowed-class list.
    /// </summary>
    public static bool IsBlockAside(IElement aside) =>
        aside.ClassList.Length == 1 && AsideBlocks.Contains(aside.ClassList[0]);

    /// <summary>Puts every block into its exact shape, or takes the block status away. Runs on the sanitized document.</summary>
    public static void Enforce(IElement? body)
    {
        if (body is null) return;
        foreach (var element in body.Descendants<IElement>().ToList())
        {
            if (element.ClassList.Length == 0) continue;
            // A block class only on its own element.
            foreach (var name in Classes)
            {
                if (!element.ClassList.Contains(name)) continue;
                var own = name switch
                {
                    Gallery => element.LocalName == "div",
                    FactBoxTitle => element.LocalName == "h2",
                    _ => element.LocalName == "aside",
                };
                if (!own) RemoveClass(element, name);
            }
        }

        foreach (var table in body.QuerySelectorAll("table").ToList()) EnforceTable(table);
        foreach (var div in body.QuerySelectorAll("div").ToList()) EnforceDiv(div);
        foreach (var aside in body.QuerySelectorAll("aside").ToList()) EnforceAside(aside);
        // A title outside a fact box's first place is an ordinary heading.
        foreach (var title in body.QuerySelectorAll("h2." + FactBoxTitle).ToList())
        {
            var parent = title.ParentElement;
            if (parent is null || parent.LocalName != "aside" || !parent.ClassList.Contains(FactBox) || parent.FirstElementChild != title) RemoveClass(title, FactBoxTitle);
        }
    }

    private static void EnforceTable(IElement table)
    {
        if (table.ParentElement is null) return; // unwrapped with the table around it
        // A table inside another block (a cell, a list, a box) is only its text.
        if (table.ParentElement is { LocalName: not "body" })
        {
            foreach (var part in table.QuerySelectorAll("tbody, tr, th, td").Reverse().ToList()) Unwrap(part);
            Unwrap(table);
            return;
        }
        var document = table.Owner!;
        var rows = new List<IElement>();
        var strays = new List<INode>();
        foreach (var child in table.ChildNodes.ToList())
        {
            if (child is IElement { LocalName: "tbody" } section)
            {
                foreach (var inner in section.ChildNodes.ToList()) Sort(inner);
            }
            else
            {
                Sort(child);
            }
        }
        foreach (var stray in strays) table.Before(stray);
        table.InnerHtml = "";
        rows.RemoveAll(r => r.Children.Length == 0);
        if (rows.Count == 0)
        {
            table.Remove();
            return;
        }
        var tbody = document.CreateElement("tbody");
        table.AppendChild(tbody);
        foreach (var row in rows) tbody.AppendChild(row);

        void Sort(INode node)
        {
            if (node is IElement { LocalName: "tr" } row)
            {
                foreach (var cell in row.ChildNodes.ToList())
                {
                    if (cell is IElement { LocalName: "th" or "td" } c) EnforceCell(c);
                    else ((IChildNode)cell).Remove();
                }
                rows.Add(row);
            }
            else if (node is IText text && string.IsNullOrWhiteSpace(text.Data))
            {
                // whitespace between rows
            }
            else
            {
                strays.Add(node);
            }
        }
    }

    private static void EnforceCell(IElement cell)
    {
        foreach (var name in Attributes)
        {
            if (cell.GetAttribute(name) is { } value && !(int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var span) && span is > 1 and <= 1000))
            {
                cell.RemoveAttribute(name);
            }
        }
        foreach (var inner in cell.Descendants<IElement>().Reverse().ToList())
        {
            if (!CellContent.Contains(inner.LocalName)) Unwrap(inner);
        }
        // A link that came out of an unwrapped block (an embed's) follows the ordinary link rule, as on the next save.
        foreach (var link in cell.QuerySelectorAll("a").ToList()) ArticleHtml.NormalizeLink(link);
    }

    private static void EnforceDiv(IElement div)
    {
        if (div.ParentElement is null) return;
        var gallery = div.ClassList.Contains(Gallery) && div.ParentElement is { LocalName: "body" }
            && div.ChildNodes.All(n => n is IElement { LocalName: "img" } || n is IText t && string.IsNullOrWhiteSpace(t.Data));
        if (!gallery)
        {
            Unwrap(div);
            return;
        }
        foreach (var text in div.ChildNodes.OfType<IText>().ToList()) text.Remove();
        if (div.Children.Length == 0) div.Remove();
    }

    private static void EnforceAside(IElement aside)
    {
        if (!IsBlockAside(aside)) return;
        var children = aside.ChildNodes.Where(n => n is not IText t || !string.IsNullOrWhiteSpace(t.Data)).ToList();
        var elements = children.OfType<IElement>().ToList();
        var valid = aside.ParentElement is { LocalName: "body" } && elements.Count == children.Count && elements.Count > 0 && aside.ClassList[0] switch
        {
            PullQuote => elements.All(e => e.LocalName == "p"),
            KeyPoints => elements is [{ LocalName: "ul" }],
            FactBox => elements[0] is { LocalName: "h2" } title && title.ClassList.Contains(FactBoxTitle)
                && elements.Skip(1).All(e => e.LocalName is "p" or "ul" or "ol"),
            _ => false,
        };
        if (!valid) aside.RemoveAttribute("class");
    }

    private static void RemoveClass(IElement element, string name)
    {
        element.ClassList.Remove(name);
        if (element.ClassList.Length == 0) element.RemoveAttribute("class");
    }

    private static void Unwrap(IElement element)
    {
        if (element.ParentElement is null) return;
        element.Replace([.. element.ChildNodes]);
    }

    // ----- For readers ----------------------------------------------------------------------------------------

    private static readonly HtmlParser Parser = new();

    /// <summary>How wide a gallery picture is shown: the full column on a phone, half of it from 40rem.</summary>
    public const string GallerySizes = "(max-width: 40rem) 100vw, 24rem";

    /// <summary>
    /// The stored body as readers see the blocks: each table in a focusable scroll region (it scrolls inside its box on a
    /// phone, the page does not), each gallery a grid of figures with a responsive picture and the library's caption
    /// and credit (as text), key points with their visible heading. Works on HTML that <see cref="ArticleHtml"/> sanitized.
    /// </summary>
    public static string ForReaders(string sanitizedHtml, IEnumerable<MediaImage> images)
    {
        if (string.IsNullOrEmpty(sanitizedHtml)
            || !(sanitizedHtml.Contains("<table", StringComparison.Ordinal) || sanitizedHtml.Contains("class=\"gallery\"", StringComparison.Ordinal)
                 || sanitizedHtml.Contains("class=\"key-points\"", StringComparison.Ordinal)))
        {
            return sanitizedHtml;
        }
        var document = Parser.ParseDocument("<body>" + sanitizedHtml + "</body>");
        var body = document.Body!;

        foreach (var table in body.QuerySelectorAll("table").ToList())
        {
            var region = document.CreateElement("div");
            region.ClassName = "table-scroll";
            region.SetAttribute("tabindex", "0");
            region.SetAttribute("role", "region");
            region.SetAttribute("aria-label", "Table");
            table.Replace(region);
            region.AppendChild(table);
        }

        foreach (var points in body.QuerySelectorAll("aside.key-points").ToList())
        {
            var heading = document.CreateElement("h2");
            heading.ClassName = "key-points__title";
            heading.TextContent = "Key points";
            points.Prepend(heading);
        }

        var byKey = images.GroupBy(i => i.StorageKey).ToDictionary(g => g.Key, g => g.First());
        foreach (var gallery in body.QuerySelectorAll("div.gallery").ToList())
        {
            foreach (var img in gallery.QuerySelectorAll("img").ToList())
            {
                var figure = document.CreateElement("figure");
                figure.ClassName = "gallery__item";
                img.Replace(figure);
                var key = BodyImages.StorageKeys(img.GetAttribute("src")).FirstOrDefault();
                if (key is null || !byKey.TryGetValue(key, out var image))
                {
                    figure.AppendChild(img);
                    continue;
                }
                figure.AppendChild(Picture(document, image, img.GetAttribute("alt") ?? ""));
                if (BodyImages.Caption(document, image) is { } caption) figure.AppendChild(caption);
            }
        }
        return body.InnerHtml;
    }

    /// <summary>The same picture as ResponsiveImage renders (WebP source, JPEG/PNG fallback), with the story's alt text.</summary>
    private static IElement Picture(IDocument document, MediaImage image, string alt)
    {
        var picture = document.CreateElement("picture");
        var source = document.CreateElement("source");
        source.SetAttribute("type", "image/webp");
        source.SetAttribute("srcset", image.Srcset(MediaVariantFormat.WebP));
        source.SetAttribute("sizes", GallerySizes);
        picture.AppendChild(source);
        var img = document.CreateElement("img");
        img.SetAttribute("src", image.FallbackUrl(image.WidthNear(960)));
        img.SetAttribute("srcset", image.Srcset(MediaVariantFormat.Fallback));
        img.SetAttribute("sizes", GallerySizes);
        img.SetAttribute("width", image.LargestWidth.ToString(System.Globalization.CultureInfo.InvariantCulture));
        img.SetAttribute("height", image.HeightFor(image.LargestWidth).ToString(System.Globalization.CultureInfo.InvariantCulture));
        img.SetAttribute("alt", alt);
        img.SetAttribute("loading", "lazy");
        img.SetAttribute("decoding", "async");
        picture.AppendChild(img);
        return picture;
    }
}
