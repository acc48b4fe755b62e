using System.Globalization;

namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// The <c>page</c> query value of public listings and search. Exactly one value, written as the pager writes it
/// (digits, no sign, no leading zero), up to <see cref="Max"/>; anything else is not a page of the list (404),
/// never a parse failure or an overflowed offset.
/// </summary>
public static class PageNumber
{
    public const string QueryKey = "page";

    /// <summary>Far beyond any real list (2,000,000 articles at 20 a page), and small enough that no offset overflows.</summary>
    public const int Max = 100_000;

    /// <summary>
    /// The page asked for: 1 when the query has none (an empty <c>page=</c> is none: the output cache keys it the same
    /// as no value, so the two must answer alike), null when what it has is not a page number.
    /// </summary>
    public static int? Parse(string[]? values)
    {
        if (values is null || values.Length == 0 || values is [""]) return 1;
        if (values.Length != 1) return null;
        var text = values[0];
        if (string.IsNullOrEmpty(text) || text.Length > 6 || text[0] == '0' || !text.All(char.IsAsciiDigit)) return null;
        var page = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return page <= Max ? page : null;
    }
}
