using Microsoft.Data.Sqlite;
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

    /// <summary>Twice <see cref="Weights"/>: see <see cref="ReadAsync"/>.</summary>
    private const string DoubleWeights = "20.0, 8.0, 2.0, 6.0, 6.0";

    /// <summary>bm25's constants in FTS5 (fts5_aux.c).</summary>
    private const double K1 = 1.2, B = 0.75;

    /// <summary>What bm25 takes from the whole index: rows, and tokens in all of them (FTS5's averages record).</summary>
    private readonly record struct Corpus(long Rows, long Tokens);

    /// <summary>
    /// Every article <paramref name="phrase"/> (one quoted FTS5 phrase, perhaps a prefix) matches, with its bm25 as
    /// the only phrase of a query (negated: higher is better). bm25 of a query is the sum of these over its phrases,
    /// each computed from the phrase's own counts, so <see cref="SearchScores"/> adds them up exactly.
    /// </summary>
    public static async Task<TermScores> ScoresAsync(NewsCmsDbContext db, string phrase, CancellationToken ct)
    {
        var (rows, corpus) = await ReadAsync(db, phrase, null, ct);
        return Scored(rows, corpus);
    }

    /// <summary><paramref name="kept"/> brought up to date for the articles <paramref name="changed"/> (ascending), every match scored from the corpus as it is now.</summary>
    public static async Task<TermScores> UpdateAsync(NewsCmsDbContext db, string phrase, TermScores kept, int[] changed, CancellationToken ct)
    {
        var (rows, corpus) = await ReadAsync(db, phrase, changed, ct);
        return Scored(kept.With(changed, rows), corpus);
    }

    /// <summary>
    /// The matches of <paramref name="phrase"/> (only among <paramref name="among"/> when given) with what bm25 takes
    /// from each row, and the corpus, in one read transaction. FTS5 gives no term frequency to SQL, but bm25 called
    /// with the weights and with twice the weights gives it: per row bm25 = idf·(k1+1)·r/(r+1) with r = f/K, and
    /// doubling the weights doubles f, so the ratio of the two gives r, whatever the idf; K = k1·(1-b+b·D/avgdl) comes
    /// from the row's length D (the docsize table) and the corpus.
    /// </summary>
    private static async Task<(TermScores Rows, Corpus Corpus)> ReadAsync(NewsCmsDbContext db, string phrase, int[]? among, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        // Deferred: a read snapshot, no write lock.
        await using var transaction = connection.BeginTransaction(deferred: true);
        Corpus corpus;
        await using (var averages = connection.CreateCommand())
        {
            averages.Transaction = transaction;
            averages.CommandText = "SELECT block FROM ArticleSearch_data WHERE id = 1";
            var block = await averages.ExecuteScalarAsync(ct) as byte[] ?? [];
            var at = 0;
            var rows = block.Length == 0 ? 0 : Varint(block, ref at);
            long tokens = 0;
            while (at < block.Length) tokens += Varint(block, ref at);
            corpus = new Corpus(rows, tokens);
        }
        await using var query = connection.CreateCommand();
        query.Transaction = transaction;
        query.Parameters.AddWithValue("@match", phrase);
        var restricted = "";
        if (among is not null)
        {
            query.Parameters.AddWithValue("@ids", System.Text.Json.JsonSerializer.Serialize(among));
            restricted = "AND s.rowid IN (SELECT value FROM json_each(@ids))";
        }
        query.CommandText = $"""
            SELECT s.rowid, bm25(ArticleSearch, {Weights}), bm25(ArticleSearch, {DoubleWeights}), d.sz
            FROM ArticleSearch s JOIN ArticleSearch_docsize d ON d.id = s.rowid
            WHERE ArticleSearch MATCH @match {restricted} ORDER BY s.rowid
            """;
        var averageLength = corpus.Rows == 0 ? 1 : (double)corpus.Tokens / corpus.Rows;
        var ids = new List<int>();
        var frequencies = new List<double>();
        var lengths = new List<int>();
        await using (var reader = await query.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var ratio = reader.GetDouble(2) / reader.GetDouble(1);
                var size = (byte[])reader.GetValue(3);
                var length = 0;
                for (var at = 0; at < size.Length;) length += (int)Varint(size, ref at);
                var r = (2 - ratio) / (2 * ratio - 2);
                // The weights are whole numbers (or halves, quarters…), so the frequency is a multiple of 1/64.
                var frequency = Math.Round(r * K1 * (1 - B + B * length / averageLength) * 64) / 64;
                ids.Add(reader.GetInt32(0));
                frequencies.Add(frequency);
                lengths.Add(length);
            }
        }
        await transaction.CommitAsync(ct);
        return (new TermScores([.. ids], new double[ids.Count]) { Bm25 = new Bm25Counts([.. frequencies], [.. lengths]) }, corpus);
    }

    /// <summary>Each match's bm25 for the term alone (negated), as FTS5 computes it (fts5Bm25Function), from the corpus as read.</summary>
    private static TermScores Scored(TermScores list, Corpus corpus)
    {
        var counts = list.Bm25!;
        long rows = corpus.Rows, hits = list.Ids.Length;
        var idf = Math.Log((rows - hits + 0.5) / (hits + 0.5));
        if (idf <= 0.0) idf = 1e-6;
        var averageLength = (double)corpus.Tokens / rows;
        var scores = new double[list.Ids.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            double f = counts.Frequency[i], d = counts.Length[i];
            scores[i] = idf * ((f * (K1 + 1.0)) / (f + K1 * (1 - B + B * d / averageLength)));
        }
        return list with { Scores = scores };
    }

    /// <summary>An SQLite varint (FTS5's record format): 7 bits a byte, high bit set on all but the last, the ninth byte whole.</summary>
    private static long Varint(byte[] bytes, ref int at)
    {
        long value = 0;
        for (var i = 0; i < 8; i++)
        {
            var b = bytes[at++];
            value = (value << 7) | (long)(b & 0x7f);
            if ((b & 0x80) == 0) return value;
        }
        return (value << 8) | bytes[at++];
    }

    /// <summary>The page's articles (<paramref name="ids"/>, any order) with snippets of where <paramref name="match"/> is found.</summary>
    public static async Task<List<SearchHit>> PageAsync(NewsCmsDbContext db, string match, int[] ids, CancellationToken ct)
    {
        // rowid IN (…) beside MATCH: FTS5 seeks each row rather than reading every match.
        await using var query = db.Database.GetDbConnection().CreateCommand()
            .WithParameter("@match", match).WithParameter("@ids", System.Text.Json.JsonSerializer.Serialize(ids))
            .WithParameter("@markStart", ArticleSearch.MarkStart.ToString()).WithParameter("@markEnd", ArticleSearch.MarkEnd.ToString());
        query.CommandText = """
            SELECT a.Id, a.Slug, a.Headline, a.PublishedAt, snippet(ArticleSearch, -1, @markStart, @markEnd, '…', 24)
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
