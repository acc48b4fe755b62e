using System.Text;
using System.Text.Encodings.Web;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Corrections;

/// <summary>
/// Corrections as readers see them: at the end of an article (oldest first, so they read as the story's record), on
/// /corrections (newest first, every public article's), in feeds and the Content API. Withdrawn ones are never shown.
/// </summary>
public sealed class PublicCorrections(IDbContextFactory<NewsCmsDbContext> dbFactory)
{
    public const int PageSize = 30;
    public const string Path = "/corrections";

    /// <summary>The article's corrections in the order they were made (one query).</summary>
    public async Task<IReadOnlyList<PublicCorrection>> ForArticleAsync(int articleId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ForArticle.For(db)(db, articleId).ToListAsync(ct);
    }

    /// <summary>Compiled once: every fresh article page asks (see <see cref="ForArticlesQuery"/>, the same rule for one article).</summary>
    private static readonly CompiledForModel<Func<NewsCmsDbContext, int, IAsyncEnumerable<PublicCorrection>>> ForArticle = new(() => EF.CompileAsyncQuery(
        (NewsCmsDbContext db, int articleId) => db.ArticleCorrections.AsNoTracking().Where(c => c.ArticleId == articleId && c.WithdrawnAt == null)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id)
            .Select(c => new PublicCorrection(c.Id, c.Kind, c.Text, c.CreatedAt, c.EditedAt))));

    /// <summary>
    /// Page <paramref name="page"/> (from 1) of /corrections, newest first. As article lists do, its total counts up
    /// to this page, plus one when older ones exist (no count of every row).
    /// </summary>
    public async Task<PagedList<CorrectionListing>> PageAsync(int page, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var offset = Math.Max(0, page - 1) * PageSize;
        var rows = await db.ArticleCorrections.AsNoTracking().Where(c => c.WithdrawnAt == null)
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
            .Join(db.Articles.WherePublic().Where(a => a.Kind == ArticleKind.Article), c => c.ArticleId, a => a.Id,
                (c, a) => new CorrectionListing(c.Id, a.Id, a.Headline, a.Slug, c.Kind, c.Text, c.CreatedAt, c.EditedAt))
            .Skip(offset).Take(PageSize + 1).ToListAsync(ct);
        var total = offset + rows.Count;
        if (rows.Count > PageSize) rows.RemoveAt(PageSize);
        return new PagedList<CorrectionListing>(rows, total);
    }

    /// <summary>When the newest shown correction was made (the sitemap's lastmod for /corrections), or null if none.</summary>
    public static Task<DateTime?> NewestAsync(NewsCmsDbContext db, CancellationToken ct) =>
        db.ArticleCorrections.AsNoTracking().Where(c => c.WithdrawnAt == null)
            .Where(c => db.Articles.WherePublic().Any(a => a.Id == c.ArticleId && a.Kind == ArticleKind.Article))
            .OrderByDescending(c => c.CreatedAt).Select(c => (DateTime?)c.CreatedAt).FirstOrDefaultAsync(ct);

    /// <summary>
    /// What feeds and the Content API append to each item among <paramref name="articleIds"/> that has corrections
    /// (others are absent): the same notes as the page's end, their text encoded, dates in UTC (a feed has no site zone).
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, string>> InFeedsAsync(NewsCmsDbContext db, IReadOnlyCollection<int> articleIds, CancellationToken ct)
    {
        if (articleIds.Count == 0) return new Dictionary<int, string>();
        var rows = await ForArticlesQuery(db, articleIds).ToListAsync(ct);
        return rows.GroupBy(c => c.ArticleId).ToDictionary(g => g.Key, g =>
        {
            var html = new StringBuilder("<section class=\"corrections\"><h2>Corrections and updates</h2>");
            foreach (var c in g)
            {
                html.Append("<p><strong>").Append(CorrectionRules.Heading(c.Kind, c.CreatedAt, TimeZoneInfo.Utc))
                    .Append(":</strong> ").Append(HtmlEncoder.Default.Encode(c.Text)).Append("</p>");
            }
            return html.Append("</section>").ToString();
        });
    }

    private static IQueryable<ArticleCorrection> ForArticlesQuery(NewsCmsDbContext db, IReadOnlyCollection<int> articleIds) =>
        db.ArticleCorrections.AsNoTracking().Where(c => articleIds.Contains(c.ArticleId) && c.WithdrawnAt == null)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id);
}
