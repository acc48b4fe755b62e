using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Search;

/// <summary>
/// The search index on PostgreSQL: table "ArticleSearch" (article id, tsvector with a GIN index; see the
/// InitialPostgreSql migration), built with the "newscms" text search configuration (English stemming, accents
/// ignored, like FTS5's porter and remove_diacritics). Weights: headline A, standfirst, tags and authors B, body D.
/// Every match is ranked (ts_rank); snippets come from ts_headline for the page's rows only.
/// </summary>
internal static class PostgreSqlSearchIndex
{
    /// <summary>ts_headline's options: the same marks FTS5's snippet uses, and about as many words.</summary>
    private const string HeadlineOptions = "StartSel=\u0001, StopSel=\u0002, MaxWords=28, MinWords=14, ShortWord=2, MaxFragments=1, FragmentDelimiter=\" … \"";

    public static async Task<(int Total, List<SearchHit> Hits)> SearchAsync(NewsCmsDbContext db, IReadOnlyList<ArticleSearch.Term> terms, int offset, int limit, CancellationToken ct)
    {
        // Whole words and phrases go through websearch_to_tsquery (quoted, so they are phrases, never operators);
        // each prefix through to_tsquery as word:* (the terms hold only letters and digits). All must match. A prefix
        // that English drops as a stop word ("the*") would be no query at all: it is then taken as it was typed.
        var words = string.Join(' ', terms.Where(t => !t.Prefix).Select(t => "\"" + t.Text + "\""));
        var prefixes = terms.Where(t => t.Prefix).Select(t => t.Text + ":*").ToList();
        var parts = new List<string>();
        if (words.Length > 0) parts.Add("websearch_to_tsquery('newscms', @words)");
        parts.AddRange(prefixes.Select((_, i) =>
            $"(CASE WHEN numnode(to_tsquery('newscms', @p{i})) > 0 THEN to_tsquery('newscms', @p{i}) ELSE to_tsquery('simple', @p{i}) END)"));
        var queryExpression = string.Join(" && ", parts);
        DbCommand WithTerms(DbCommand command)
        {
            command.WithParameter("@words", words);
            for (var i = 0; i < prefixes.Count; i++) command.WithParameter($"@p{i}", prefixes[i]);
            return command;
        }

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        await using var count = WithTerms(connection.CreateCommand());
        count.CommandText = $"""SELECT count(*) FROM "ArticleSearch" WHERE "Document" @@ ({queryExpression})""";
        var total = Convert.ToInt32(await count.ExecuteScalarAsync(ct));
        if (total == 0) return (0, []);

        await using var query = WithTerms(connection.CreateCommand())
            .WithParameter("@limit", limit).WithParameter("@offset", offset).WithParameter("@options", HeadlineOptions);
        query.CommandText = $"""
            WITH q AS (SELECT {queryExpression} AS query),
            page AS (
                SELECT s."ArticleId", ts_rank(s."Document", q.query) AS rank
                FROM "ArticleSearch" s, q WHERE s."Document" @@ q.query
                ORDER BY rank DESC, s."ArticleId" DESC
                LIMIT @limit OFFSET @offset)
            SELECT a."Id", a."Slug", a."Headline", a."PublishedAt",
                   ts_headline('newscms', a."Standfirst" || E'\n' || a."BodyText", q.query, @options)
            FROM page JOIN "Articles" a ON a."Id" = page."ArticleId", q
            ORDER BY page.rank DESC, a."PublishedAt" DESC
            """;
        return (total, await ArticleSearch.ReadHitsAsync(query, ct));
    }

    /// <summary>How many of the newest articles sharing a word with a story are ranked for its Related list.</summary>
    private const int SimilarConsidered = 2_000;

    /// <summary>Articles whose text shares any of <paramref name="words"/> (letters and digits only), scored by ts_rank (higher is closer).</summary>
    public static async Task<Dictionary<int, double>> SimilarAsync(NewsCmsDbContext db, int articleId, IReadOnlyList<string> words, int limit, CancellationToken ct)
    {
        var scores = new Dictionary<int, double>();
        await using var command = db.Database.GetDbConnection().CreateCommand()
            .WithParameter("@query", string.Join(" | ", words)).WithParameter("@id", articleId).WithParameter("@limit", limit)
            .WithParameter("@considered", SimilarConsidered);
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        // Ranked among the newest matches only: any of a story's words matches much of a large archive, and ranking
        // every match (each document read whole) made a publish wait seconds at 100,000 articles.
        command.CommandText = """
            SELECT "ArticleId", ts_rank("Document", to_tsquery('newscms', @query)) AS "Score"
            FROM (SELECT "ArticleId", "Document" FROM "ArticleSearch"
                  WHERE "Document" @@ to_tsquery('newscms', @query) AND "ArticleId" <> @id
                  ORDER BY "ArticleId" DESC LIMIT @considered) AS newest
            ORDER BY "Score" DESC LIMIT @limit
            """;
        await db.Database.OpenConnectionAsync(ct);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) scores[reader.GetInt32(0)] = Convert.ToDouble(reader.GetValue(1));
        return scores;
    }

    public static (string Delete, string Insert) SyncSql(string articleIds) => (
        $"""DELETE FROM "ArticleSearch" WHERE "ArticleId" IN ({articleIds})""",
        $"""
        INSERT INTO "ArticleSearch"("ArticleId", "Document")
        SELECT a."Id",
            setweight(to_tsvector('newscms', a."Headline"), 'A') ||
            setweight(to_tsvector('newscms', a."Standfirst"), 'B') ||
            setweight(to_tsvector('newscms',
                COALESCE((SELECT string_agg(t."Name", ' ') FROM "ArticleTags" at JOIN "Tags" t ON t."Id" = at."TagId" WHERE at."ArticleId" = a."Id"), '') || ' ' ||
                COALESCE((SELECT string_agg(p."DisplayName", ' ') FROM "ArticleAuthors" aa JOIN "AuthorProfiles" p ON p."Id" = aa."AuthorProfileId" WHERE aa."ArticleId" = a."Id"), '')), 'B') ||
            setweight(to_tsvector('newscms', a."BodyText"), 'D')
        FROM "Articles" a WHERE {Article.PublicSql} AND a."Id" IN ({articleIds})
        """);

    /// <summary>The table, its index and the text search configuration (run by the InitialPostgreSql migration).</summary>
    internal const string CreateSql = """
        CREATE EXTENSION IF NOT EXISTS unaccent;
        CREATE TEXT SEARCH CONFIGURATION newscms (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION newscms ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        CREATE TABLE "ArticleSearch" (
            "ArticleId" integer PRIMARY KEY REFERENCES "Articles"("Id") ON DELETE CASCADE,
            "Document" tsvector NOT NULL);
        CREATE INDEX "IX_ArticleSearch_Document" ON "ArticleSearch" USING GIN ("Document");
        """;
}
