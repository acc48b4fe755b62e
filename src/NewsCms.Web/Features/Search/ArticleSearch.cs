using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Search;

public sealed record SearchHit(int Id, string Slug, string Headline, DateTime PublishedAt, string SnippetHtml);

/// <summary>
/// Full-text search over published articles (SQLite FTS5, bm25 with the headline weighted most). Reader text is turned
/// into safe FTS5 syntax (every term quoted) and always passed as a parameter; snippets are HTML-encoded before the
/// highlight marks are added.
/// </summary>
public sealed class ArticleSearch(IDbContextFactory<NewsCmsDbContext> dbFactory)
{
    /// <summary>How many of a search's newest matches are ranked, at least (deeper pages rank more).</summary>
    private const int RankedMatches = 1_000;

    private const char MarkStart = '\u0001';
    private const char MarkEnd = '\u0002';

    public async Task<PagedList<SearchHit>> SearchAsync(string? text, int page, int pageSize, CancellationToken ct = default)
    {
        var match = ToMatchExpression(text);
        if (match is null) return new PagedList<SearchHit>([], 0);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);

        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM ArticleSearch WHERE ArticleSearch MATCH $match";
        count.Parameters.Add(new SqliteParameter("$match", match));
        var total = Convert.ToInt32(await count.ExecuteScalarAsync(ct));
        if (total == 0) return new PagedList<SearchHit>([], 0);

        // The page's rows are ranked first from the index alone; only they are then joined to Articles and given a
        // snippet (doing both for every match cost far more than the ranking on a large site), reading the index from
        // the page's oldest row on rather than seeking each row. A broad search ranks only its newest matches (by id,
        // i.e. creation order; at least RankedMatches of them): bm25 over every article that mentions "health" took
        // ~150 ms at 100,000 articles. The total still counts every match.
        await using var query = connection.CreateCommand();
        query.CommandText = """
            WITH page AS (
                SELECT rowid AS Id FROM ArticleSearch WHERE ArticleSearch MATCH $match AND rowid >= COALESCE(
                    (SELECT rowid FROM ArticleSearch WHERE ArticleSearch MATCH $match ORDER BY rowid DESC LIMIT 1 OFFSET $ranked - 1), 0)
                ORDER BY bm25(ArticleSearch, 10.0, 4.0, 1.0, 3.0, 3.0), rowid DESC
                LIMIT $limit OFFSET $offset)
            SELECT a.Id, a.Slug, a.Headline, a.PublishedAt,
                   snippet(ArticleSearch, -1, char(1), char(2), '…', 24)
            FROM ArticleSearch s JOIN Articles a ON a.Id = s.rowid
            WHERE ArticleSearch MATCH $match AND s.rowid >= (SELECT min(Id) FROM page) AND +s.rowid IN (SELECT Id FROM page)
            ORDER BY bm25(ArticleSearch, 10.0, 4.0, 1.0, 3.0, 3.0), a.PublishedAt DESC
            """;
        var offset = Math.Max(0, page) * pageSize;
        query.Parameters.Add(new SqliteParameter("$match", match));
        query.Parameters.Add(new SqliteParameter("$limit", pageSize));
        query.Parameters.Add(new SqliteParameter("$offset", offset));
        query.Parameters.Add(new SqliteParameter("$ranked", Math.Max(RankedMatches, offset + pageSize)));
        var hits = new List<SearchHit>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            hits.Add(new SearchHit(reader.GetInt32(0), reader.GetString(1), reader.GetString(2),
                DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc), Highlight(reader.GetString(4))));
        }
        return new PagedList<SearchHit>(hits, total);
    }

    /// <summary>
    /// Reader text as an FTS5 query: words and "quoted phrases" become quoted strings (so operators and syntax in the
    /// text mean nothing), a trailing * on a word keeps its prefix search; terms must all match. Null when nothing is left.
    /// </summary>
    public static string? ToMatchExpression(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var terms = new List<string>();
        var input = text.Length > 500 ? text[..500] : text;
        var i = 0;
        while (i < input.Length && terms.Count < 20)
        {
            if (char.IsWhiteSpace(input[i])) { i++; continue; }
            string term;
            var prefix = false;
            if (input[i] == '"')
            {
                var end = input.IndexOf('"', i + 1);
                term = end < 0 ? input[(i + 1)..] : input[(i + 1)..end];
                i = end < 0 ? input.Length : end + 1;
            }
            else
            {
                var end = i;
                while (end < input.Length && !char.IsWhiteSpace(input[end]) && input[end] != '"') end++;
                term = input[i..end];
                i = end;
                prefix = term.EndsWith('*');
            }
            // Keep letters, digits and inner spaces only: punctuation would be dropped by the tokenizer anyway.
            var cleaned = new string(term.Select(c => char.IsLetterOrDigit(c) ? c : ' ').ToArray()).Trim();
            cleaned = string.Join(' ', cleaned.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            if (cleaned.Length == 0) continue;
            terms.Add("\"" + cleaned + "\"" + (prefix && !cleaned.Contains(' ') ? "*" : ""));
        }
        return terms.Count == 0 ? null : string.Join(' ', terms);
    }

    /// <summary>Encodes the snippet, then turns the FTS markers into mark elements.</summary>
    public static string Highlight(string snippet)
    {
        var encoded = WebUtility.HtmlEncode(snippet.Replace("\n", " "));
        return encoded.Replace(MarkStart.ToString(), "<mark>").Replace(MarkEnd.ToString(), "</mark>");
    }

    // ----- Keeping the index in step (called by the article service inside its own context) -----

    /// <summary>Puts a published article into the index, or takes it out when it is not (any more) public.</summary>
    internal static Task SyncAsync(NewsCmsDbContext db, int articleId, CancellationToken ct) =>
        SyncWhereAsync(db, "SELECT {0}", articleId, ct);

    /// <summary>Re-indexes the articles with a tag (after the tag is renamed, or merged into).</summary>
    internal static Task SyncTaggedAsync(NewsCmsDbContext db, int tagId, CancellationToken ct) =>
        SyncWhereAsync(db, "SELECT ArticleId FROM ArticleTags WHERE TagId = {0}", tagId, ct);

    /// <summary>Re-indexes the articles on an author's byline (after the name changes, or bylines move to them).</summary>
    internal static Task SyncBylinedAsync(NewsCmsDbContext db, int authorProfileId, CancellationToken ct) =>
        SyncWhereAsync(db, "SELECT ArticleId FROM ArticleAuthors WHERE AuthorProfileId = {0}", authorProfileId, ct);

    /// <summary>Re-indexes the given articles (after a tag they had was deleted).</summary>
    internal static Task SyncManyAsync(NewsCmsDbContext db, IReadOnlyCollection<int> articleIds, CancellationToken ct) =>
        articleIds.Count == 0 ? Task.CompletedTask
            : SyncWhereAsync(db, "SELECT value FROM json_each({0})", System.Text.Json.JsonSerializer.Serialize(articleIds), ct);

    /// <summary>Two set-based statements for any number of articles: <paramref name="articleIds"/> is a query with one parameter.</summary>
    private static async Task SyncWhereAsync(NewsCmsDbContext db, string articleIds, object parameter, CancellationToken ct)
    {
        var delete = "DELETE FROM ArticleSearch WHERE rowid IN (" + articleIds + ")";
        var insert = $"""
            INSERT INTO ArticleSearch(rowid, headline, standfirst, body, tags, authors)
            SELECT a.Id, a.Headline, a.Standfirst, a.BodyText,
                COALESCE((SELECT group_concat(t.Name, ' ') FROM ArticleTags at JOIN Tags t ON t.Id = at.TagId WHERE at.ArticleId = a.Id), ''),
                COALESCE((SELECT group_concat(p.DisplayName, ' ') FROM ArticleAuthors aa JOIN AuthorProfiles p ON p.Id = aa.AuthorProfileId WHERE aa.ArticleId = a.Id), '')
            FROM Articles a WHERE {Article.PublicSql} AND a.Id IN ({articleIds})
            """;
        await db.Database.ExecuteSqlRawAsync(delete, [parameter], ct);
        await db.Database.ExecuteSqlRawAsync(insert, [parameter], ct);
    }
}
