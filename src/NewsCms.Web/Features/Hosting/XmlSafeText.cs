using System.Text;
using System.Xml;

namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// Text without the characters XML 1.0 forbids (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+FFFE, U+FFFF and
/// unpaired surrogates). Every service removes them from what people type before it is stored, and the feeds and
/// sitemaps remove them again while writing, so text that came in some other way cannot break a feed either.
/// Tabs, line breaks and every other character (emoji included) are kept.
/// </summary>
public static class XmlSafeText
{
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var firstBad = FirstForbidden(text);
        if (firstBad < 0) return text;

        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, firstBad);
        for (var i = firstBad; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (XmlConvert.IsXmlChar(c))
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    /// <summary>As <see cref="Clean(string?)"/>, keeping null as null (optional fields).</summary>
    public static string? CleanOptional(string? text) => text is null ? null : Clean(text);

    /// <summary>True when <paramref name="text"/> has nothing XML forbids.</summary>
    public static bool IsClean(string? text) => string.IsNullOrEmpty(text) || FirstForbidden(text) < 0;

    private static int FirstForbidden(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (XmlConvert.IsXmlChar(c)) continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c))
            {
                i++;
                continue;
            }
            return i;
        }
        return -1;
    }
}
