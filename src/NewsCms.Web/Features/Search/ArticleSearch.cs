using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Search;

public sealed record SearchHit(int Id, string Slug, string Headline, DateTime PublishedAt, string SnippetHtml);

/// <summary>
/// Full-text search over published articles, every match ranked, with the headline weighted most: SQLite FTS5 (bm25) or
/// PostgreSQL (a tsvector column with a GIN index), each in a small type of its own below, ranked in memory from each
/// term's scored matches (<see cref="SearchScores"/>). Reader text is parsed here into
/// plain terms (letters, digits, phrases, prefixes), so nothing the reader types is syntax on either; it always
/// goes in as a parameter; snippets are HTML-encoded before the highlight marks are added.
/// </summary>
public sealed class ArticleSearch(IDbContextFactory<NewsCmsDbContext> dbFactory, SearchScores scores)
{
    internal const char MarkStart = '\u0001';
    internal const char MarkEnd = '\u0002';

    public async Task<PagedList<SearchHit>> SearchAsync(string? text, int page, int pageSize, CancellationToken ct = default)
    {
        var terms = Terms(text);
        if (terms.Count == 0) return new PagedList<SearchHit>([], 0);

        // Every match is ranked, from each term's scored matches (read once, then updated for changes: SearchScores); only the
        // page's rows are then read from the database, with their snippets.
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var postgreSql = db.Database.IsNpgsql();
        var lists = new TermScores[terms.Count];
        for (var i = 0; i < terms.Count; i++)
        {
            var term = terms[i];
            lists[i] = postgreSql
                ? await scores.GetAsync("pg:" + (term.Prefix ? term.Text + "*" : "\"" + term.Text + "\""),
                    _ => ReadScoresAsync(own => PostgreSqlSearchIndex.ScoresAsync(own, term, CancellationToken.None)),
                    (kept, changed) => ReadScoresAsync(own => PostgreSqlSearchIndex.UpdateAsync(own, term, kept, changed, CancellationToken.None)))
                : await scores.GetAsync(ToMatchExpression([term])!,
                    phrase => ReadScoresAsync(own => SqliteSearchIndex.ScoresAsync(own, phrase, CancellationToken.None)),
                    (kept, changed) => ReadScoresAsync(own => SqliteSearchIndex.UpdateAsync(own, ToMatchExpression([term])!, kept, changed, CancellationToken.None)));
        }
        var (total, ids) = SearchScores.Rank(lists, Math.Max(0, page) * pageSize, pageSize);
        if (ids.Length == 0) return new PagedList<SearchHit>([], total);

        var hits = postgreSql
            ? await PostgreSqlSearchIndex.PageAsync(db, terms, ids, ct)
            : await SqliteSearchIndex.PageAsync(db, ToMatchExpression(terms)!, ids, ct);
        var rank = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        return new PagedList<SearchHit>([.. hits.OrderBy(h => rank[h.Id])], total);
    }

    /// <summary>
    /// A term's scores, read in a context of its own: the read is shared by every search of the term waiting for it,
    /// so it outlives none of them and is cancelled by none.
    /// </summary>
    private async Task<TermScores> ReadScoresAsync(Func<NewsCmsDbContext, Task<TermScores>> read)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await read(db);
    }

    /// <summary>The hits of either index's page query: id, slug, headline, published at, snippet with FTS marks.</summary>
    internal static async Task<List<SearchHit>> ReadHitsAsync(System.Data.Common.DbCommand query, CancellationToken ct)
    {
        var hits = new List<SearchHit>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            hits.Add(new SearchHit(reader.GetInt32(0), reader.GetString(1), reader.GetString(2),
                DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc), Highlight(reader.GetString(4))));
        }
        return hits;
    }

    /// <summary>A term of a reader's search: a word or a phrase of letters and digits, perhaps a prefix (a trailing *).</summary>
    internal sealed record Term(string Text, bool Prefix);

    /// <summary>
    /// Reader text as an FTS5 query: words and "quoted phrases" become quoted strings (so operators and syntax in the
    /// text mean nothing), a trailing * on a word keeps its prefix search; terms must all match. Null when nothing is left.
    /// </summary>
    public static string? ToMatchExpression(string? text) => ToMatchExpression(Terms(text));

    private static string? ToMatchExpression(IReadOnlyList<Term> terms) =>
        terms.Count == 0 ? null : string.Join(' ', terms.Select(t => "\"" + t.Text + "\"" + (t.Prefix ? "*" : "")));

    /// <summary>
    /// The terms of reader text (at most 20, from its first 500 characters): words and "quoted phrases", with
    /// everything but letters, digits and inner spaces dropped (the tokenizers would drop it anyway).
    /// </summary>
    internal static IReadOnlyList<Term> Terms(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var terms = new List<Term>();
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
            var cleaned = new string(term.Select(c => char.IsLetterOrDigit(c) ? c : ' ').ToArray()).Trim();
            cleaned = string.Join(' ', cleaned.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            if (cleaned.Length == 0) continue;
            terms.Add(new Term(cleaned, prefix && !cleaned.Contains(' ')));
        }
        return terms;
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
        SyncWhereAsync(db, """SELECT "ArticleId" FROM "ArticleTags" WHERE "TagId" = {0}""", tagId, ct);

    /// <summary>Re-indexes the articles on an author's byline (after the name changes, or bylines move to them).</summary>
    internal static Task SyncBylinedAsync(NewsCmsDbContext db, int authorProfileId, CancellationToken ct) =>
        SyncWhereAsync(db, """SELECT "ArticleId" FROM "ArticleAuthors" WHERE "AuthorProfileId" = {0}""", authorProfileId, ct);

    /// <summary>Re-indexes the given articles (after a tag they had was deleted).</summary>
    internal static Task SyncManyAsync(NewsCmsDbContext db, IReadOnlyCollection<int> articleIds, CancellationToken ct) =>
        articleIds.Count == 0 ? Task.CompletedTask
            : db.Database.IsNpgsql() ? SyncWhereAsync(db, "SELECT unnest({0})", articleIds.ToArray(), ct)
            : SyncWhereAsync(db, "SELECT value FROM json_each({0})", System.Text.Json.JsonSerializer.Serialize(articleIds), ct);

    /// <summary>Two set-based statements for any number of articles: <paramref name="articleIds"/> is a query with one parameter.</summary>
    private static async Task SyncWhereAsync(NewsCmsDbContext db, string articleIds, object parameter, CancellationToken ct)
    {
        var (delete, insert) = db.Database.IsNpgsql() ? PostgreSqlSearchIndex.SyncSql(articleIds) : SqliteSearchIndex.SyncSql(articleIds);
        await db.Database.ExecuteSqlRawAsync(delete, [parameter], ct);
        await db.Database.ExecuteSqlRawAsync(insert, [parameter], ct);
    }
}
