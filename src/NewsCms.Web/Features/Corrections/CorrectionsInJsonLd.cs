using System.Globalization;

namespace NewsCms.Web.Features.Corrections;

/// <summary>
/// schema.org's <c>correction</c> of a NewsArticle: one <c>CorrectionComment</c> per note shown at the article's end
/// (updates too: each is a dated statement of how the published story changed), with its text, the date it was made
/// and the address of its note on the page.
/// </summary>
public static class CorrectionsInJsonLd
{
    /// <summary>The value of <c>correction</c>, or null (left out) when there are none.</summary>
    public static IReadOnlyList<Dictionary<string, object?>>? For(IReadOnlyList<PublicCorrection>? corrections, string articleUrl) =>
        corrections is not { Count: > 0 } ? null :
        [.. corrections.Select(c => new Dictionary<string, object?>
        {
            ["@type"] = "CorrectionComment",
            ["text"] = c.Text,
            ["datePublished"] = c.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["url"] = articleUrl + "#correction-" + c.Id.ToString(CultureInfo.InvariantCulture),
        })];
}
