using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Corrections;

namespace NewsCms.Web.Features.Demo;

/// <summary>The demo's corrections and updates: a newsroom owns its mistakes, and /corrections is not empty.</summary>
internal static class DemoCorrections
{
    private sealed record Sample(string ArticleKey, CorrectionKind Kind, double HoursAfterPublishing, string Text);

    private static readonly Sample[] Samples =
    [
        new("budget-vote", CorrectionKind.Correction, 2,
            "An earlier version of this article said councillors voted 15 to 4. The vote was 14 to 5."),
        new("budget-vote", CorrectionKind.Update, 5,
            "The district council has since said its cabinet will discuss a contribution to the harbour wall on the 12th."),
    ];

    /// <summary>Adds them to the demo's articles (by key); each moves its article's time of change, as the service does.</summary>
    public static void AddTo(NewsCmsDbContext db, IReadOnlyDictionary<string, Article> byKey, string actorName, DateTime now)
    {
        foreach (var sample in Samples)
        {
            if (!byKey.TryGetValue(sample.ArticleKey, out var article) || article.PublishedAt is not { } published) continue;
            var at = published.AddHours(sample.HoursAfterPublishing);
            if (at > now) at = now;
            db.ArticleCorrections.Add(new ArticleCorrection
            {
                ArticleId = article.Id, Kind = sample.Kind, Text = CorrectionRules.Normalize(sample.Text), CreatedAt = at,
                CreatedById = "", CreatedByName = actorName, Version = Guid.NewGuid(),
            });
            if (at > article.UpdatedAt) article.UpdatedAt = at;
        }
    }
}
