using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NewsCms.Web.Data;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// Ranks an article's "Related articles" by shared tags (a rarer tag weighs more) and text similarity (bm25 over the
/// search index), and stores the ranking when the article is published or edited, so a page reads it with one query.
/// </summary>
internal static partial class RelatedArticles
{
    /// <summary>How many the article page shows.</summary>
    public const int Shown = 6;

    /// <summary>Fewer than this and the list is topped up with the newest stories of the section, then of the site.</summary>
    public const int Minimum = 4;

    /// <summary>Stored beyond <see cref="Shown"/> so the list stays full when a related story is later unpublished.</summary>
    private const int Stored = 8;

    private const int Candidates = 40;

    /// <summary>Names the ranking's first query in the SQL (logs, and the test that it runs outside the write transaction).</summary>
    internal const string RankingTag = "Related articles ranking";

    /// <summary>The same for the lists ranked again in the background after a publish (<see cref="RelatedBackfill.RankAgain"/>).</summary>
    internal const string RankingAgainTag = "Related articles ranked again after a publish";
    /// <summary>The first key of the advisory locks on Related lists ("RL"); the second is the article's id.</summary>
    private const int ListLockSpace = 0x524C;
    private const int MaxTerms = 16;
    private const double TagWeight = 0.55, TextWeight = 0.45, SameSectionBonus = 0.1;

    /// <summary>
    /// Recomputes the stored list of a published article (an unpublished one keeps none). With
    /// <paramref name="andTheirs"/> (on publishing) the articles it now relates to are recomputed too, so older
    /// stories link to the new one. Runs inside the caller's transaction, after the search index was updated (imports,
    /// which hold their own).
    /// </summary>
    /// <returns>The other articles whose lists were recomputed and came out different (their pages may now show this one).</returns>
    public static async Task<IReadOnlyList<int>> RefreshAsync(NewsCmsDbContext db, int articleId, bool andTheirs, CancellationToken ct)
    {
        var ranked = await ComputeAsync(db, articleId, ct);
        await StoreAsync(db, articleId, ranked, ct);
        if (!andTheirs) return [];
        var changed = new List<int>();
        foreach (var other in ranked.Take(Shown))
        {
            // An unchanged list leaves its page as it was: no reason to evict it (cache survival).
            if (await StoreAsync(db, other, await ComputeAsync(db, other, ct), ct)) changed.Add(other);
        }
        return changed;
    }

    /// <summary>
    /// The article's own list, outside any write transaction, after the change was committed: the ranking's reads run
    /// first (in write-ahead-log mode readers never block writers, and the ranking's full-text searches take a while
    /// on a large site), then the list is replaced in a short transaction of its own. Holding the write lock through
    /// the ranking made every other save of the newsroom (autosaves, live entries) wait for a publish. The articles it
    /// now relates to are ranked again by <see cref="RelatedBackfill.RankAgain"/>.
    /// </summary>
    /// <returns>The article's list as ranked now, best first.</returns>
    public static async Task<IReadOnlyList<int>> RefreshAfterCommitAsync(NewsCmsDbContext db, int articleId, CancellationToken ct)
    {
        var ranked = await ComputeAsync(db, articleId, ct);
        await StoreOnItsOwnAsync(db, articleId, ranked, ct);
        return ranked;
    }

    /// <summary>One article's list, outside any write transaction (see <see cref="RefreshAfterCommitAsync"/>); whether it changed.</summary>
    public static async Task<bool> RefreshOnItsOwnAsync(NewsCmsDbContext db, int articleId, CancellationToken ct, string tag = RankingTag) =>
        await StoreOnItsOwnAsync(db, articleId, await ComputeAsync(db, articleId, ct, tag), ct);

    private static async Task<bool> StoreOnItsOwnAsync(NewsCmsDbContext db, int articleId, IReadOnlyList<int> ranked, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var changed = await StoreAsync(db, articleId, ranked, ct);
        await transaction.CommitAsync(ct);
        return changed;
    }

    /// <summary>
    /// Replaces the stored list when <paramref name="ranked"/> differs from it; returns whether it did. Runs in a
    /// transaction. On PostgreSQL two rankings of one list can overlap (a publish's, the background's, an import
    /// round's): the later would miss the earlier's uncommitted rows, insert the same ranks and fail on the primary
    /// key, so the list is locked first (an advisory lock on the article until commit) and read after the lock.
    /// SQLite's write transactions already start with the database's write lock.
    /// </summary>
    private static async Task<bool> StoreAsync(NewsCmsDbContext db, int articleId, IReadOnlyList<int> ranked, CancellationToken ct)
    {
        if (db.Database.IsNpgsql()) await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ListLockSpace}, {articleId})", ct);
        var stored = await db.ArticleRelations.AsNoTracking().Where(r => r.ArticleId == articleId).OrderBy(r => r.Rank).Select(r => r.RelatedArticleId).ToListAsync(ct);
        if (stored.SequenceEqual(ranked)) return false;
        await db.ArticleRelations.Where(r => r.ArticleId == articleId).ExecuteDeleteAsync(ct);
        db.ArticleRelations.AddRange(ranked.Select((id, i) => new ArticleRelation { ArticleId = articleId, RelatedArticleId = id, Rank = i + 1 }));
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static async Task<IReadOnlyList<int>> ComputeAsync(NewsCmsDbContext db, int articleId, CancellationToken ct, string tag = RankingTag)
    {
        var article = await db.Articles.AsNoTracking().TagWith(tag).WherePublic().Where(a => a.Id == articleId)
            .Select(a => new { a.Headline, a.Standfirst, a.SectionId }).FirstOrDefaultAsync(ct);
        if (article is null) return [];

        var tags = await db.ArticleTags.AsNoTracking().Where(at => at.ArticleId == articleId)
            .Join(db.Tags, at => at.TagId, t => t.Id, (at, t) => new { t.Id, t.Name, Uses = db.ArticleTags.Count(u => u.TagId == t.Id) })
            .ToListAsync(ct);
        var tagScores = await SharedTagScoresAsync(db, articleId, tags.ToDictionary(t => t.Id, t => 1.0 / Math.Log(1 + t.Uses)), ct);
        var words = DistinctiveWords(article.Headline + " " + article.Standfirst + " " + string.Join(' ', tags.Select(t => t.Name)));
        var textScores = words.Count == 0 ? new Dictionary<int, double>()
            : db.Database.IsNpgsql() ? await Search.PostgreSqlSearchIndex.SimilarAsync(db, articleId, words, Candidates, ct)
            : await Search.SqliteSearchIndex.SimilarAsync(db, articleId, words, Candidates, ct);

        var candidateIds = tagScores.Keys.Concat(textScores.Keys).Distinct().ToList();
        var sameSection = article.SectionId is { } sectionId
            ? (await db.Articles.AsNoTracking().Where(a => candidateIds.Contains(a.Id) && a.SectionId == sectionId).Select(a => a.Id).ToListAsync(ct)).ToHashSet()
            : [];
        var ranked = Rank(tagScores, textScores, sameSection).Take(Stored).ToList();
        if (ranked.Count < Minimum) ranked.AddRange(await NewestAsync(db, articleId, article.SectionId, ranked, ct));
        return ranked;
    }

    /// <summary>
    /// Orders candidates by a blend of their shared-tag and text scores, each scaled to the best candidate's, with a
    /// small bonus for the same section; ties go to the higher id (the newer article).
    /// </summary>
    internal static IEnumerable<int> Rank(IReadOnlyDictionary<int, double> tagScores, IReadOnlyDictionary<int, double> textScores, IReadOnlySet<int> sameSection)
    {
        var bestTag = tagScores.Count == 0 ? 1 : Math.Max(tagScores.Values.Max(), double.Epsilon);
        var bestText = textScores.Count == 0 ? 1 : Math.Max(textScores.Values.Max(), double.Epsilon);
        return tagScores.Keys.Union(textScores.Keys)
            .Select(id => (Id: id, Score: TagWeight * tagScores.GetValueOrDefault(id) / bestTag
                + TextWeight * textScores.GetValueOrDefault(id) / bestText
                + (sameSection.Contains(id) ? SameSectionBonus : 0)))
            .OrderByDescending(c => c.Score).ThenByDescending(c => c.Id)
            .Select(c => c.Id);
    }

    /// <summary>
    /// An FTS5 expression that matches any of the text's distinctive words (quoted, so nothing in it is syntax),
    /// or null when it has none.
    /// </summary>
    internal static string? MatchExpression(string text) =>
        DistinctiveWords(text) is { Count: > 0 } words ? string.Join(" OR ", words.Select(t => "\"" + t + "\"")) : null;

    /// <summary>The text's words that say something about its subject: letters and digits only, no stop words.</summary>
    internal static IReadOnlyList<string> DistinctiveWords(string text) =>
        Word().Matches(text.ToLowerInvariant()).Select(m => m.Value).Where(w => !StopWords.Contains(w)).Distinct().Take(MaxTerms).ToList();

    private static async Task<Dictionary<int, double>> SharedTagScoresAsync(NewsCmsDbContext db, int articleId, Dictionary<int, double> weights, CancellationToken ct)
    {
        var scores = new Dictionary<int, double>();
        if (weights.Count == 0) return scores;
        // The weights go in as a VALUES list: one grouped query, however many articles share the tags.
        var values = new StringBuilder();
        await using var command = db.Database.GetDbConnection().CreateCommand().WithParameter("@id", articleId).WithParameter("@limit", Candidates);
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var i = 0;
        foreach (var (tagId, weight) in weights)
        {
            values.Append(i == 0 ? "" : ", ").Append($"(@t{i}, @w{i})");
            command.WithParameter($"@t{i}", tagId).WithParameter($"@w{i}", weight);
            i++;
        }
        command.CommandText = $"""
            WITH weights("TagId", "Weight") AS (VALUES {values})
            SELECT at."ArticleId", sum(w."Weight") AS "Score"
            FROM "ArticleTags" at JOIN weights w ON w."TagId" = at."TagId" JOIN "Articles" a ON a."Id" = at."ArticleId"
            WHERE at."ArticleId" <> @id AND {Article.PublicSql}
            GROUP BY at."ArticleId" ORDER BY "Score" DESC, at."ArticleId" DESC LIMIT @limit
            """;
        await db.Database.OpenConnectionAsync(ct);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) scores[reader.GetInt32(0)] = Convert.ToDouble(reader.GetValue(1));
        return scores;
    }

    /// <summary>The newest stories of the section, then of the site, to top up a short list.</summary>
    private static async Task<List<int>> NewestAsync(NewsCmsDbContext db, int articleId, int? sectionId, IReadOnlyCollection<int> chosen, CancellationToken ct)
    {
        var others = db.Articles.AsNoTracking()
            .WherePublic().Where(a => a.Id != articleId && !chosen.Contains(a.Id));
        var wanted = Minimum - chosen.Count;
        List<int> newest = sectionId is null ? [] : await others.Where(a => a.SectionId == sectionId)
            .OrderByDescending(a => a.PublishedAt).Select(a => a.Id).Take(wanted).ToListAsync(ct);
        if (newest.Count < wanted)
        {
            newest.AddRange(await others.Where(a => !newest.Contains(a.Id))
                .OrderByDescending(a => a.PublishedAt).Select(a => a.Id).Take(wanted - newest.Count).ToListAsync(ct));
        }
        return newest;
    }

    [GeneratedRegex(@"\p{L}[\p{L}\p{N}]{3,}")]
    private static partial Regex Word();

    /// <summary>Common words that say nothing about a story's subject.</summary>
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "about", "after", "again", "against", "also", "been", "before", "being", "between", "both", "could", "does", "doing", "down",
        "during", "each", "from", "further", "have", "having", "here", "into", "just", "more", "most", "much", "must", "need", "next",
        "only", "other", "over", "said", "says", "same", "should", "some", "such", "than", "that", "their", "them", "then", "there",
        "these", "they", "this", "those", "through", "under", "until", "very", "were", "what", "when", "where", "which", "while", "will",
        "with", "would", "year", "years", "your", "first", "last", "week", "still", "back", "make", "made", "many", "like", "new",
    };
}
