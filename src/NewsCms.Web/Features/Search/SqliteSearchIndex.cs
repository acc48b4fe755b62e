using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Search;

/// <summary>The search index on SQLite: an FTS5 table (rowid = article id), bm25 with the headline weighted most.</summary>
internal static class SqliteSearchIndex
{
    /// <summary>bm25's column weights: headline, standfirst, body, tags, authors.</summary>
    private const string Weights = "10.0, 4.0, 1.0, 3.0, 3.0";

    /// <summary>
    /// Every article <paramref name="phrase"/> (one quoted FTS5 phrase, perhaps a prefix) matches, with its bm25 as
    /// the only phrase of a query (negated: higher is better). bm25 of a query is the sum of these over its phrases,
    /// each computed from the phrase's own counts, so <see cref="SearchScores"/> adds them up exactly.
    /// </summary>
    public static async Task<TermScores> ScoresAsync(NewsCmsDbContext db, string phrase, CancellationToken ct)
    {
        await using var query = db.Database.GetDbConnection().CreateCommand().WithParameter("@match", phrase);
        query.CommandText = $"SELECT rowid, -bm25(ArticleSearch, {Weights}) FROM ArticleSearch WHERE ArticleSearch MATCH @match ORDER BY rowid";
        await db.Database.OpenConnectionAsync(ct);
        var ids = new List<int>();
        var scores = new List<double>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt32(0));
            scores.Add(reader.GetDouble(1));
        }
        return ids.Count == 0 ? TermScores.None : new TermScores([.. ids], [.. scores]);
    }

    /// <summary>The page's articles (<paramref name="ids"/>, any order) with snippets of where <paramref name="match"/> is found.</summary>
    public static async Task<List<SearchHit>> PageAsync(NewsCmsDbContext db, string match, int[] ids, CancellationToken ct)
    {
        // rowid IN (…) beside MATCH: FTS5 seeks each row rather than reading every match.
        await using var query = db.Database.GetDbConnection().CreateCommand()
            .WithParameter("@match", match).WithParameter("@ids", System.Text.Json.JsonSerializer.Serialize(ids));
        query.CommandText = """
            SELECT a.Id, a.Slug, a.Headline, a.PublishedAt, snippet(ArticleSearch, -1, char(1), char(2), '…', 24)
            FROM ArticleSearch s JOIN Articles a ON a.Id = s.rowid
            WHERE ArticleSearch MATCH @match AND s.rowid IN (SELECT value FROM json_each(@ids))
            """;
        await db.Database.OpenConnectionAsync(ct);
        return await ArticleSearch.ReadHitsAsync(query, ct);
    }

    /// <summary>Articles whose text shares any of <paramref name="words"/> (letters and digits only), scored by bm25 (higher is closer).</summary>
    public static async Task<Dictionary<int, double>> SimilarAsync(NewsCmsDbContext db, int articleId, IReadOnlyList<string> words, int limit, CancellationToken ct)
    {
        var scores = new Dictionary<int, double>();
        await using var command = db.Database.GetDbConnection().CreateCommand()
            .WithParameter("@match", string.Join(" OR ", words.Select(w => "\"" + w + "\"")))
            .WithParameter("@id", articleId).WithParameter("@limit", limit);
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        // bm25 is negative, better matches lower: negated, a higher score is more similar. Headline words weigh most.
        command.CommandText = """
            SELECT rowid, -bm25(ArticleSearch, 10.0, 4.0, 1.0, 3.0, 0.5) AS Score
            FROM ArticleSearch WHERE ArticleSearch MATCH @match AND rowid <> @id
            ORDER BY Score DESC LIMIT @limit
            """;
        await db.Database.OpenConnectionAsync(ct);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) scores[reader.GetInt32(0)] = Math.Max(0, reader.GetDouble(1));
        return scores;
    }

    public static (string Delete, string Insert) SyncSql(string articleIds) => (
        "DELETE FROM ArticleSearch WHERE rowid IN (" + articleIds + ")",
        $"""
        INSERT INTO ArticleSearch(rowid, headline, standfirst, body, tags, authors)
        SELECT a.Id, a.Headline, a.Standfirst, a.BodyText,
            COALESCE((SELECT group_concat(t.Name, ' ') FROM ArticleTags at JOIN Tags t ON t.Id = at.TagId WHERE at.ArticleId = a.Id), ''),
            COALESCE((SELECT group_concat(p.DisplayName, ' ') FROM ArticleAuthors aa JOIN AuthorProfiles p ON p.Id = aa.AuthorProfileId WHERE aa.ArticleId = a.Id), '')
        FROM Articles a WHERE {Article.PublicSql} AND a.Id IN ({articleIds})
        """);
}
