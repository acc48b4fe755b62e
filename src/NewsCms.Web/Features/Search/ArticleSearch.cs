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

        await using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT a.Id, a.Slug, a.Headline, a.PublishedAt,
                   snippet(ArticleSearch, -1, char(1), char(2), '…', 24)
            FROM ArticleSearch s JOIN Articles a ON a.Id = s.rowid
            WHERE ArticleSearch MATCH $match
            ORDER BY bm25(ArticleSearch, 10.0, 4.0, 1.0, 3.0, 3.0), a.PublishedAt DESC
            LIMIT $limit OFFSET $offset
            """;
        query.Parameters.Add(new SqliteParameter("$match", match));
        query.Parameters.Add(new SqliteParameter("$limit", pageSize));
        query.Parameters.Add(new SqliteParameter("$offset", Math.Max(0, page) * pageSize));
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
    internal static async Task SyncAsync(NewsCmsDbContext db, int articleId, CancellationToken ct)
    {
        await db.Database.ExecuteSqlRawAsync("DELETE FROM ArticleSearch WHERE rowid = {0}", [articleId], ct);
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO ArticleSearch(rowid, headline, standfirst, body, tags, authors)
            SELECT a.Id, a.Headline, a.Standfirst, a.BodyText,
                COALESCE((SELECT group_concat(t.Name, ' ') FROM ArticleTags at JOIN Tags t ON t.Id = at.TagId WHERE at.ArticleId = a.Id), ''),
                COALESCE((SELECT group_concat(p.DisplayName, ' ') FROM ArticleAuthors aa JOIN AuthorProfiles p ON p.Id = aa.AuthorProfileId WHERE aa.ArticleId = a.Id), '')
            FROM Articles a WHERE a.Id = {0} AND a.Status = 3 AND a.TrashedAt IS NULL
            """, [articleId], ct);
    }
}
