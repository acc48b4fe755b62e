using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Feeds;

/// <summary>An article as a feed item shows it. <see cref="BodyHtml"/> is null when feeds carry excerpts only.</summary>
public sealed record FeedEntry(string Slug, string Headline, string Standfirst, string? BodyHtml, DateTime PublishedAt, DateTime UpdatedAt,
    IReadOnlyList<FeedPerson> Authors, IReadOnlyList<string> Tags);

public sealed record FeedPerson(string Name, string Slug);

/// <summary>A public address in a sitemap (a path on the site), with when it last changed if known.</summary>
public sealed record SitemapEntry(string Path, DateTime? LastModified);

public sealed record NewsEntry(string Slug, string Headline, DateTime PublishedAt);

/// <summary>
/// Reads what feeds and sitemaps list: published, non-trashed articles only. Every read makes a fixed number of
/// queries (feeds: the items, then their tags and bylines together in one).
/// </summary>
public sealed class FeedQueries(IDbContextFactory<NewsCmsDbContext> dbFactory, Pages.PublicPages pages)
{
    public const int FeedSize = 30;
    public const int SitemapPageSize = 1000;
    public const int NewsSitemapLimit = 1000;

    /// <summary>At most this many section, tag and author addresses each in the pages sitemap (a sitemap holds 50,000).</summary>
    private const int PagesPerKind = 15_000;

    private static IQueryable<Article> Published(NewsCmsDbContext db) =>
        db.Articles.AsNoTracking().WherePublic().Where(a => a.PublishedAt != null);

    public async Task<IReadOnlyList<FeedEntry>> LatestAsync(PublishedFilter filter, bool withBody, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var published = Published(db);
        if (filter.SectionId is { } sectionId) published = published.Where(a => a.SectionId == sectionId);
        if (filter.TagId is { } tagId) published = published.Where(a => db.ArticleTags.Any(at => at.ArticleId == a.Id && at.TagId == tagId));
        if (filter.AuthorId is { } authorId) published = published.Where(a => db.ArticleAuthors.Any(aa => aa.ArticleId == a.Id && aa.AuthorProfileId == authorId));

        var rows = await published.OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id).Take(FeedSize)
            .Select(a => new { a.Id, a.Slug, a.Headline, a.Standfirst, BodyHtml = withBody ? a.BodyHtml : null, PublishedAt = a.PublishedAt!.Value, a.UpdatedAt })
            .ToListAsync(ct);
        if (rows.Count == 0) return [];

        var ids = rows.Select(r => r.Id).ToList();
        var terms = await db.ArticleTags.AsNoTracking().Where(at => ids.Contains(at.ArticleId))
            .Join(db.Tags, at => at.TagId, t => t.Id, (at, t) => new { at.ArticleId, IsAuthor = false, Position = 0, t.Name, t.Slug })
            .Concat(db.ArticleAuthors.AsNoTracking().Where(aa => ids.Contains(aa.ArticleId))
                .Join(db.AuthorProfiles, aa => aa.AuthorProfileId, p => p.Id, (aa, p) => new { aa.ArticleId, IsAuthor = true, aa.Position, Name = p.DisplayName, p.Slug }))
            .ToListAsync(ct);
        var byArticle = terms.ToLookup(t => t.ArticleId);
        // Live blogs carry their latest entries after the body (see LiveEntriesInFeeds).
        var live = withBody ? await LiveBlogs.LiveEntriesInFeeds.ForAsync(db, ids, ct) : new Dictionary<int, string>();
        // Corrections and updates close the item, as they close the article (see PublicCorrections).
        var corrections = withBody ? await Corrections.PublicCorrections.InFeedsAsync(db, ids, ct) : new Dictionary<int, string>();

        return rows.Select(r => new FeedEntry(r.Slug, r.Headline, r.Standfirst, r.BodyHtml is null ? null : r.BodyHtml + live.GetValueOrDefault(r.Id) + corrections.GetValueOrDefault(r.Id), r.PublishedAt, r.UpdatedAt,
            byArticle[r.Id].Where(t => t.IsAuthor).OrderBy(t => t.Position).Select(t => new FeedPerson(t.Name, t.Slug)).ToList(),
            byArticle[r.Id].Where(t => !t.IsAuthor).Select(t => t.Name).Order(StringComparer.OrdinalIgnoreCase).ToList())).ToList();
    }

    public async Task<int> CountPublishedAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Published(db).CountAsync(ct);
    }

    /// <summary>Page <paramref name="page"/> (from 1) of published articles, newest first.</summary>
    public async Task<IReadOnlyList<SitemapEntry>> ArticlePageAsync(int page, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await Published(db).OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id)
            .Skip((page - 1) * SitemapPageSize).Take(SitemapPageSize)
            .Select(a => new { a.Slug, a.UpdatedAt })
            .ToListAsync(ct);
        return rows.Select(r => new SitemapEntry(ArticleUrls.ForSlug(r.Slug), r.UpdatedAt)).ToList();
    }

    /// <summary>
    /// The home page, the published static pages (with when they last changed), and the sections, tags and authors
    /// that have at least one published article.
    /// </summary>
    public async Task<IReadOnlyList<SitemapEntry>> PagesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var published = Published(db);
        var newest = await published.OrderByDescending(a => a.UpdatedAt).Select(a => (DateTime?)a.UpdatedAt).FirstOrDefaultAsync(ct);
        var sections = await db.Sections.AsNoTracking().Where(s => published.Any(a => a.SectionId == s.Id))
            .OrderBy(s => s.Position).ThenBy(s => s.Name).Select(s => s.Slug).Take(PagesPerKind).ToListAsync(ct);
        var tags = await db.Tags.AsNoTracking().Where(t => db.ArticleTags.Any(at => at.TagId == t.Id && published.Any(a => a.Id == at.ArticleId)))
            .OrderBy(t => t.Slug).Select(t => t.Slug).Take(PagesPerKind).ToListAsync(ct);
        var authors = await db.AuthorProfiles.AsNoTracking().Where(p => db.ArticleAuthors.Any(aa => aa.AuthorProfileId == p.Id && published.Any(a => a.Id == aa.ArticleId)))
            .OrderBy(p => p.Slug).Select(p => p.Slug).Take(PagesPerKind).ToListAsync(ct);

        var staticPages = await pages.AllAsync(ct);
        // The corrections page once it lists something (an empty one is not worth a crawler's visit).
        var newestCorrection = await Corrections.PublicCorrections.NewestAsync(db, ct);

        return [new SitemapEntry("/", newest),
            .. newestCorrection is null ? Array.Empty<SitemapEntry>() : [new SitemapEntry(Corrections.PublicCorrections.Path, newestCorrection)],
            .. staticPages.Select(p => new SitemapEntry(Pages.PageUrls.ForSlug(p.Slug), p.UpdatedAt)),
            .. sections.Select(s => new SitemapEntry("/section/" + s, null)),
            .. tags.Select(t => new SitemapEntry("/tag/" + t, null)),
            .. authors.Select(a => new SitemapEntry("/author/" + a, null))];
    }

    /// <summary>Articles published at or after <paramref name="since"/>, newest first (for the Google News sitemap).</summary>
    public async Task<IReadOnlyList<NewsEntry>> PublishedSinceAsync(DateTime since, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Published(db).Where(a => a.PublishedAt >= since)
            .OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id).Take(NewsSitemapLimit)
            .Select(a => new NewsEntry(a.Slug, a.Headline, a.PublishedAt!.Value))
            .ToListAsync(ct);
    }
}
