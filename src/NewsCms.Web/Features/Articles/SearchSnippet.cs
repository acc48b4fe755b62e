using System.Text;
using System.Text.RegularExpressions;

namespace NewsCms.Web.Features.Articles;

/// <summary>Text as a search result shows it: <paramref name="Text"/> (with "…" when cut) and whether it was cut.</summary>
public sealed record SnippetText(string Text, bool Cut);

/// <summary>
/// What an article will look like as a Google result and as a large social card, from the writer's fields, with the
/// same fallbacks as the public page's head (<see cref="ArticleMetadata"/>, ArticlePage's &lt;title&gt;): the title
/// is the SEO title or the headline ("… — Site" in the &lt;title&gt; Google shows), the description the meta
/// description or the standfirst or the headline, the address the canonical URL or /news/{slug}.
/// </summary>
public sealed record ArticleSnippet(string PageTitle, string SocialTitle, string Description, string Url, string DisplayUrl, string Host)
{
    public static ArticleSnippet For(ArticleInput input, string siteTitle, Uri baseUri)
    {
        var title = Blank(input.SeoTitle) ?? Collapse(input.Headline);
        var description = Blank(input.MetaDescription) ?? (string.IsNullOrWhiteSpace(input.Standfirst) ? Collapse(input.Headline) : Collapse(input.Standfirst));
        var slug = string.IsNullOrWhiteSpace(input.Slug) ? "…" : input.Slug.Trim();
        var url = Blank(input.CanonicalUrl) ?? new Uri(baseUri, ArticleUrls.ForSlug(slug).TrimStart('/')).AbsoluteUri;
        var (display, host) = Display(url);
        return new ArticleSnippet($"{title} — {siteTitle}", title, description, url, display, host);
    }

    /// <summary>"example.com › news › my-story", as Google writes an address under the site's name.</summary>
    private static (string Display, string Host) Display(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return (url, "");
        var parts = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString);
        return (string.Join(" › ", new[] { uri.Host }.Concat(parts)), uri.Host);
    }

    // As the save stores them (ArticleEditing.Blank): blank is none; whitespace runs read as one space, as in a result.
    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : Collapse(text);

    private static string Collapse(string? text) => Whitespace().Replace(text ?? "", " ").Trim();

    private static readonly Regex WhitespaceRegex = new(@"\s+", RegexOptions.CultureInvariant);

    private static Regex Whitespace() => WhitespaceRegex;
}

/// <summary>
/// Google's truncation, approximated: a title is cut to what fits about 600 pixels of 20 px Arial (the desktop result
/// width), a description at about 160 characters, both at a word boundary with "…". Widths come from Arial's advance
/// widths, so "WWW" fills the line sooner than "iii", as it does on the results page.
/// </summary>
public static class SearchSnippet
{
    /// <summary>Width of a result's title line, in pixels.</summary>
    public const int TitlePixelLimit = 600;

    /// <summary>The usual advice for titles: about 60 characters fit.</summary>
    public const int TitleCharacterGuide = 60;

    /// <summary>Descriptions longer than this are cut.</summary>
    public const int DescriptionCharacterLimit = 160;

    private const double TitleFontPixels = 20;
    private const string Ellipsis = "…";

    /// <summary>The title as a result shows it.</summary>
    public static SnippetText Title(string text)
    {
        text = text.Trim();
        if (TitleWidth(text) <= TitlePixelLimit) return new SnippetText(text, false);
        var room = TitlePixelLimit - TitleWidth(" " + Ellipsis);
        var fits = 0;
        var width = 0.0;
        var elements = System.Globalization.StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            var element = (string)elements.Current;
            width += TitleWidth(element);
            if (width > room) break;
            fits = elements.ElementIndex + element.Length;
        }
        return new SnippetText(AtWord(text, fits) + " " + Ellipsis, true);
    }

    /// <summary>The description as a result shows it.</summary>
    public static SnippetText Description(string text)
    {
        text = text.Trim();
        if (text.Length <= DescriptionCharacterLimit) return new SnippetText(text, false);
        var cut = DescriptionCharacterLimit - 2;
        // Never split a surrogate pair.
        if (char.IsLowSurrogate(text[cut])) cut--;
        return new SnippetText(AtWord(text, cut) + " " + Ellipsis, true);
    }

    /// <summary>The width of <paramref name="text"/> in 20 px Arial, in pixels.</summary>
    public static double TitleWidth(string text)
    {
        var units = 0;
        foreach (var rune in text.EnumerateRunes()) units += Units(rune);
        return units * TitleFontPixels / 1000;
    }

    /// <summary>The text up to <paramref name="length"/>, without a word cut in half (unless the first word alone is too long).</summary>
    private static string AtWord(string text, int length)
    {
        if (length >= text.Length) return text;
        var head = text[..length];
        if (!char.IsWhiteSpace(text[length]))
        {
            var space = head.LastIndexOf(' ');
            if (space > 0) head = head[..space];
        }
        return head.TrimEnd(' ', ',', ';', ':', '-', '–', '—');
    }

    // Arial's advance widths in thousandths of an em; wide scripts (CJK) a full em; anything else as an average letter.
    private static int Units(Rune rune)
    {
        if (rune.Value < 128) return Ascii[rune.Value];
        if (rune.Value is >= 0x2E80 and <= 0xFFEF) return 1000;
        return rune.Value switch
        {
            0x2014 => 1000, // —
            0x2013 => 556, // –
            0x2019 or 0x2018 => 222,
            0x201C or 0x201D => 333,
            0x2026 => 1000, // …
            _ => char.IsUpper((char)Math.Min(rune.Value, char.MaxValue)) ? 667 : 556,
        };
    }

    private static readonly int[] Ascii = BuildAscii();

    private static int[] BuildAscii()
    {
        var widths = Enumerable.Repeat(556, 128).ToArray();
        void Set(string chars, int units)
        {
            foreach (var c in chars) widths[c] = units;
        }
        Set(" !,./:;I[\\]fjilt", 278);
        Set("ijl", 222);
        Set("\"", 355);
        Set("'", 191);
        Set("()-`r{}", 333);
        Set("*", 389);
        Set("+<=>~", 584);
        Set("|", 260);
        Set("^", 469);
        Set("#$0123456789?L_abdeghnopqu", 556);
        Set("Jckszvxy", 500);
        Set("%", 889);
        Set("&ABEKPSVXY", 667);
        Set("CDHNRUw", 722);
        Set("FTZ", 611);
        Set("GOQ", 778);
        Set("Mm", 833);
        Set("W", 944);
        Set("@", 1015);
        for (var c = 0; c < 32; c++) widths[c] = 0;
        return widths;
    }
}
