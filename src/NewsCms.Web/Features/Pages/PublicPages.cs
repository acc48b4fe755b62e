using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Pages;

/// <summary>A published page as readers see it.</summary>
public sealed record PublicPage(int Id, string Slug, string Title, string Standfirst, string BodyHtml, DateTime? PublishedAt, DateTime UpdatedAt,
    int? FeaturedImageId, string? SeoTitle, string? MetaDescription, string? CanonicalUrl)
{
    public string Url => PageUrls.ForSlug(Slug);
}

/// <summary>A published page as the navigation and the footer link it.</summary>
public sealed record PageLink(int Id, string Title, string Slug)
{
    public string Url => PageUrls.ForSlug(Slug);
}

/// <summary>What a public page address resolves to.</summary>
public abstract record PageLookup
{
    public sealed record Found(PublicPage Page) : PageLookup;
    public sealed record MovedTo(string Slug) : PageLookup;

    /// <summary>It was public and is in the trash now (410).</summary>
    public sealed record Gone : PageLookup;
    public sealed record Missing : PageLookup;
}

public static class PageUrls
{
    /// <summary>The public address of a page: /{slug}.</summary>
    public static string ForSlug(string slug) => "/" + slug;
}

/// <summary>
/// Reads published pages for readers: one by its address, and the ones the navigation and the footer link. Each read
/// is one or two queries.
/// </summary>
public sealed class PublicPages(IDbContextFactory<NewsCmsDbContext> dbFactory)
{
    public async Task<PageLookup> FindAsync(string slug, CancellationToken ct = default)
    {
        // Addresses the site uses itself never name a page (such a slug cannot be saved; an old one stays unreachable).
        if (PageSlugs.IsReserved(slug) || !Slugs.IsValid(slug)) return new PageLookup.Missing();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var pages = db.Articles.AsNoTracking().Where(a => a.Kind == ArticleKind.Page);
        var page = await pages.Where(a => a.Slug == slug)
            .Select(a => new
            {
                a.Status, a.TrashedAt, a.FirstPublishedAt,
                Page = new PublicPage(a.Id, a.Slug, a.Headline, a.Standfirst, a.BodyHtml, a.PublishedAt, a.UpdatedAt, a.FeaturedImageId,
                    a.SeoTitle, a.MetaDescription, a.CanonicalUrl),
            })
            .FirstOrDefaultAsync(ct);
        if (page is not null)
        {
            if (page.TrashedAt is not null) return page.FirstPublishedAt is null ? new PageLookup.Missing() : new PageLookup.Gone();
            return page.Status == ArticleStatus.Published ? new PageLookup.Found(page.Page) : new PageLookup.Missing();
        }
        // An address the page had before its slug changed after publishing.
        var moved = await db.ArticleSlugRedirects.AsNoTracking().Where(r => r.Slug == slug)
            .Join(pages, r => r.ArticleId, a => a.Id, (r, a) => new { a.Slug, a.Status, a.TrashedAt, a.FirstPublishedAt })
            .FirstOrDefaultAsync(ct);
        if (moved is null) return new PageLookup.Missing();
        if (moved.TrashedAt is not null) return moved.FirstPublishedAt is null ? new PageLookup.Missing() : new PageLookup.Gone();
        return moved.Status == ArticleStatus.Published ? new PageLookup.MovedTo(moved.Slug) : new PageLookup.Missing();
    }

    /// <summary>The public pages among <paramref name="ids"/>, in their order; the others (unpublished, trashed, deleted) are left out.</summary>
    public async Task<IReadOnlyList<PageLink>> LinksAsync(IReadOnlyCollection<int> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var links = await db.Articles.AsNoTracking().Where(Article.IsPublicPageExpression).Where(a => ids.Contains(a.Id))
            .Select(a => new PageLink(a.Id, a.Headline, a.Slug)).ToDictionaryAsync(l => l.Id, ct);
        return [.. ids.Where(links.ContainsKey).Select(id => links[id])];
    }

    /// <summary>Every public page, for the sitemap.</summary>
    public async Task<IReadOnlyList<(string Slug, DateTime UpdatedAt)>> AllAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Articles.AsNoTracking().Where(Article.IsPublicPageExpression).OrderBy(a => a.Slug)
            .Select(a => new { a.Slug, a.UpdatedAt }).ToListAsync(ct);
        return [.. rows.Select(r => (r.Slug, r.UpdatedAt))];
    }
}

public static class PagesSetup
{
    public static WebApplicationBuilder AddPages(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PublicPages>();
        return builder;
    }
}
