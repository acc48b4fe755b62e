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
/// Every match is ranked: a search's rank is the sum of its terms' ts_rank (<see cref="SearchScores"/>); snippets come
/// from ts_headline for the page's rows only.
/// </summary>
internal static class PostgreSqlSearchIndex
{
    /// <summary>ts_headline's options: the same marks FTS5's snippet uses, and about as many words.</summary>
    private static readonly string HeadlineOptions =
        $"StartSel={ArticleSearch.MarkStart}, StopSel={ArticleSearch.MarkEnd}, MaxWords=28, MinWords=14, ShortWord=2, MaxFragments=1, FragmentDelimiter=\" … \"";

    /// <summary>
    /// Every article <paramref name="term"/> matches, with ts_rank for it alone (the rank of a search is the sum over
    /// its terms: <see cref="SearchScores"/>); <see cref="TermScores.Skip"/> when English search drops the word ("the").
    /// </summary>
    public static async Task<TermScores> ScoresAsync(NewsCmsDbContext db, ArticleSearch.Term term, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        await using (var nodes = WithTerms(db.Database.GetDbConnection().CreateCommand(), [term]))
        {
            nodes.CommandText = $"SELECT numnode({QueryExpression([term])})";
            if (Convert.ToInt32(await nodes.ExecuteScalarAsync(ct)) == 0) return TermScores.Skip;
        }
        return await ReadAsync(db, term, null, ct);
    }

    /// <summary>
    /// <paramref name="kept"/> brought up to date for the articles <paramref name="changed"/> (ascending): ts_rank
    /// depends only on the article's document and the term, so only their rows are read.
    /// </summary>
    public static async Task<TermScores> UpdateAsync(NewsCmsDbContext db, ArticleSearch.Term term, TermScores kept, int[] changed, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        return kept.With(changed, await ReadAsync(db, term, changed, ct));
    }

    private static async Task<TermScores> ReadAsync(NewsCmsDbContext db, ArticleSearch.Term term, int[]? among, CancellationToken ct)
    {
        await using var query = WithTerms(db.Database.GetDbConnection().CreateCommand(), [term]);
        if (among is not null) query.WithParameter("@among", among);
        // Among a few articles: joined from their ids, so each row is found by its key, never by the word's matches.
        var rows = among is null ? "\"ArticleSearch\" s" : "unnest(@among) AS c(\"Id\") JOIN \"ArticleSearch\" s ON s.\"ArticleId\" = c.\"Id\"";
        query.CommandText = $"""
            SELECT s."ArticleId", ts_rank(s."Document", q.query)
            FROM {rows}, (SELECT {QueryExpression([term])} AS query) q
            WHERE s."Document" @@ q.query ORDER BY s."ArticleId"
            """;
        var ids = new List<int>();
        var scores = new List<double>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt32(0));
            scores.Add(reader.GetFloat(1));
        }
        return ids.Count == 0 ? TermScores.None : new TermScores([.. ids], [.. scores]);
    }

    /// <summary>
    /// The page's articles (<paramref name="ids"/>, any order) with ts_headline snippets of where the terms are found.
    /// ts_headline parses all the text it is given, about 0.7 ms for an article of 5,000 characters, which made a page
    /// of 20 hits cost 15 ms. So it is first given a window of the text where every term is found by plain position
    /// (a word as typed or its stem, a phrase as typed, a prefix): from just before the first term found when the
    /// others are found soon after it, else around the place the last of them is first found when all the others are
    /// found near it too. It is given the whole text when there is no such window (a word written otherwise, such as
    /// an accented one; terms found only far apart) or the window's snippet highlights nothing (a stem found inside
    /// another word), unless the search index says the text does not match at all (a phrase of the headline): then
    /// the text's opening, which is all a snippet without a match shows.
    /// </summary>
    public static async Task<List<SearchHit>> PageAsync(NewsCmsDbContext db, IReadOnlyList<ArticleSearch.Term> terms, int[] ids, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        await using var query = WithTerms(db.Database.GetDbConnection().CreateCommand(), terms)
            .WithParameter("@ids", ids).WithParameter("@options", HeadlineOptions)
            .WithParameter("@mark", ArticleSearch.MarkStart.ToString())
            .WithParameter("@before", SnippetWindowBefore).WithParameter("@window", SnippetWindow).WithParameter("@half", SnippetWindow / 2)
            .WithParameter("@span", SnippetWindowSpan);
        for (var i = 0; i < terms.Count; i++) query.WithParameter($"@t{i}", terms[i].Text);
        // What each term is looked for as, lowercased: as typed, and a word also as its stems.
        var lookedFor = terms.Select((term, i) =>
        {
            var stems = term.Prefix || term.Text.Contains(' ') ? "" : $" || tsvector_to_array(to_tsvector('newscms', @t{i}))";
            return $"ARRAY(SELECT DISTINCT unnest(ARRAY[lower(@t{i})]{stems})) AS t{i}";
        });
        // Where each is first found in the lowercased text (null when it is not).
        var positions = terms.Select((_, i) => $"(SELECT min(nullif(strpos(l.text, s), 0)) FROM unnest(q.t{i}) AS s)");
        // Whether each is found around the last term's first place.
        var allNearLast = string.Join(" AND ", terms.Select((_, i) =>
            $"EXISTS (SELECT 1 FROM unnest(q.t{i}) AS s WHERE strpos(substring(l.text FROM greatest(1, p.last - @half) FOR @window), s) > 0)"));
        query.CommandText = $"""
            SELECT a."Id", a."Slug", a."Headline", a."PublishedAt",
                   CASE WHEN position(@mark IN h.text) > 0 THEN h.text
                        -- matched by the headline only (its weight A; the text's are B and D): the text's opening, as the whole would give
                        WHEN NOT ts_filter(d."Document", ARRAY['b', 'd']::"char"[]) @@ q.query THEN ts_headline('newscms', left(f.text, @window), q.query, @options)
                        ELSE ts_headline('newscms', f.text, q.query, @options) END
            FROM "Articles" a LEFT JOIN "ArticleSearch" d ON d."ArticleId" = a."Id",
                 (SELECT {QueryExpression(terms)} AS query, {string.Join(", ", lookedFor)}) q,
                 LATERAL (SELECT a."Standfirst" || E'\n' || a."BodyText" AS text) f,
                 LATERAL (SELECT lower(f.text) AS text) l,
                 LATERAL (SELECT count(x) AS found, min(x) AS first, max(x) AS last FROM unnest(ARRAY[{string.Join(", ", positions)}]) AS x) p,
                 LATERAL (SELECT CASE WHEN p.found < {terms.Count} THEN NULL
                                      WHEN p.last - p.first <= @span THEN greatest(1, p.first - @before)
                                      WHEN {allNearLast} THEN greatest(1, p.last - @half) END AS at) ws,
                 LATERAL (SELECT CASE WHEN ws.at = 1 THEN left(f.text, @window)
                                      -- from the window's first whole word
                                      ELSE regexp_replace(substring(f.text FROM ws.at FOR @window), '^\S*\s+', '') END AS text) w,
                 -- OFFSET 0 keeps the window's snippet made once (inlined, the CASE above would make it twice)
                 LATERAL (SELECT ts_headline('newscms', w.text, q.query, @options) AS text OFFSET 0) h
            WHERE a."Id" = ANY(@ids)
            """;
        return await ArticleSearch.ReadHitsAsync(query, ct);
    }

    /// <summary>
    /// The snippet's window: characters before the first term found, in all, and at most from the first term found to
    /// the last for the window to start before the first (ts_headline's 28 words are about 180 characters).
    /// </summary>
    private const int SnippetWindowBefore = 120, SnippetWindow = 700, SnippetWindowSpan = 400;

    /// <summary>
    /// The tsquery of <paramref name="terms"/>, all to match: whole words and phrases through websearch_to_tsquery
    /// (quoted, so they are phrases, never operators); each prefix through to_tsquery as word:* (the terms hold only
    /// letters and digits). A prefix that English drops as a stop word ("the*") would be no query at all: it is then
    /// taken as it was typed. Parameters: @words and @p0.. (<see cref="WithTerms"/>).
    /// </summary>
    private static string QueryExpression(IReadOnlyList<ArticleSearch.Term> terms)
    {
        var parts = new List<string>();
        if (terms.Any(t => !t.Prefix)) parts.Add("websearch_to_tsquery('newscms', @words)");
        parts.AddRange(terms.Where(t => t.Prefix).Select((_, i) =>
            $"(CASE WHEN numnode(to_tsquery('newscms', @p{i})) > 0 THEN to_tsquery('newscms', @p{i}) ELSE to_tsquery('simple', @p{i}) END)"));
        return string.Join(" && ", parts);
    }

    private static DbCommand WithTerms(DbCommand command, IReadOnlyList<ArticleSearch.Term> terms)
    {
        command.WithParameter("@words", string.Join(' ', terms.Where(t => !t.Prefix).Select(t => "\"" + t.Text + "\"")));
        var prefixes = terms.Where(t => t.Prefix).ToList();
        for (var i = 0; i < prefixes.Count; i++) command.WithParameter($"@p{i}", prefixes[i].Text + ":*");
        return command;
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
