using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Search;

/// <summary>The search index on SQLite: an FTS5 table (rowid = article id), bm25 with the headline weighted most.</summary>
internal static class SqliteSearchIndex
{
    /// <summary>How many of a search's newest matches are ranked, at least (deeper pages rank more).</summary>
    private const int RankedMatches = 1_000;

    public static async Task<(int Total, List<SearchHit> Hits)> SearchAsync(NewsCmsDbContext db, string match, int offset, int limit, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);

        await using var count = connection.CreateCommand().WithParameter("@match", match);
        count.CommandText = "SELECT count(*) FROM ArticleSearch WHERE ArticleSearch MATCH @match";
        var total = Convert.ToInt32(await count.ExecuteScalarAsync(ct));
        if (total == 0) return (0, []);

        // The page's rows are ranked first from the index alone; only they are then joined to Articles and given a
        // snippet (doing both for every match cost far more than the ranking on a large site), reading the index from
        // the page's oldest row on rather than seeking each row. A broad search ranks only its newest matches (by id,
        // i.e. creation order; at least RankedMatches of them): bm25 over every article that mentions "health" took
        // ~150 ms at 100,000 articles. The total still counts every match.
        await using var query = connection.CreateCommand()
            .WithParameter("@match", match).WithParameter("@limit", limit).WithParameter("@offset", offset)
            .WithParameter("@ranked", Math.Max(RankedMatches, offset + limit));
        query.CommandText = """
            WITH page AS (
                SELECT rowid AS Id FROM ArticleSearch WHERE ArticleSearch MATCH @match AND rowid >= COALESCE(
                    (SELECT rowid FROM ArticleSearch WHERE ArticleSearch MATCH @match ORDER BY rowid DESC LIMIT 1 OFFSET @ranked - 1), 0)
                ORDER BY bm25(ArticleSearch, 10.0, 4.0, 1.0, 3.0, 3.0), rowid DESC
                LIMIT @limit OFFSET @offset)
            SELECT a.Id, a.Slug, a.Headline, a.PublishedAt,
                   snippet(ArticleSearch, -1, char(1), char(2), '…', 24)
            FROM ArticleSearch s JOIN Articles a ON a.Id = s.rowid
            WHERE ArticleSearch MATCH @match AND s.rowid >= (SELECT min(Id) FROM page) AND +s.rowid IN (SELECT Id FROM page)
            ORDER BY bm25(ArticleSearch, 10.0, 4.0, 1.0, 3.0, 3.0), a.PublishedAt DESC
            """;
        return (total, await ArticleSearch.ReadHitsAsync(query, ct));
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
