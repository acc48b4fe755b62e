using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Authors;

/// <summary>
/// Author bios are plain text with links: whatever is typed (or pasted, markup included) is reduced to text on save,
/// and shown HTML-encoded with its web addresses turned into links.
/// </summary>
public static partial class BioText
{
    public const int MaxLength = 2000;

    /// <summary>The text to store: markup from the HTML policy's point of view removed, whitespace tidied.</summary>
    public static string Clean(string? input)
    {
        if (string.IsNullOrWhiteSpace(input)) return "";
        var text = input.Contains('<') ? ArticleHtml.ToPlainText(ArticleHtml.Sanitize(input)) : input;
        text = text.Replace("\r\n", "\n").Trim();
        return MultipleBlankLines().Replace(text, "\n\n");
    }

    /// <summary>Safe HTML for display: encoded text in paragraphs, http(s) addresses as links that leave the site safely.</summary>
    public static string ToHtml(string? bio)
    {
        if (string.IsNullOrWhiteSpace(bio)) return "";
        var html = new StringBuilder();
        foreach (var paragraph in bio.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            html.Append("<p>");
            var last = 0;
            foreach (Match url in WebAddress().Matches(paragraph))
            {
                html.Append(Encode(paragraph[last..url.Index]));
                var href = url.Value.TrimEnd('.', ',', ')', ';', ':', '!', '?');
                html.Append("<a href=\"").Append(WebUtility.HtmlEncode(href)).Append("\" rel=\"noopener noreferrer\">").Append(WebUtility.HtmlEncode(href)).Append("</a>");
                last = url.Index + href.Length;
            }
            html.Append(Encode(paragraph[last..])).Append("</p>");
        }
        return html.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text).Replace("\n", "<br>");

    [GeneratedRegex(@"https?://[^\s<>""']+", RegexOptions.IgnoreCase)]
    private static partial Regex WebAddress();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex MultipleBlankLines();
}
