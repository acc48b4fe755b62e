using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Taxonomy;

/// <summary>
/// Sections and tags as readers reach them: by slug, where an old slug (after a rename or a tag merge) has moved to the
/// current one; and the sections in the site's navigation. One query when found, two otherwise.
/// </summary>
public sealed class PublicTaxonomy(IDbContextFactory<NewsCmsDbContext> dbFactory)
{
    public Task<PublicLookup<Section>> FindSectionAsync(string slug, CancellationToken ct = default) => FindAsync<Section>(TaxonomyKind.Section, slug, ct);

    public Task<PublicLookup<Tag>> FindTagAsync(string slug, CancellationToken ct = default) => FindAsync<Tag>(TaxonomyKind.Tag, slug, ct);

    /// <summary>Sections shown in the site's navigation, in order.</summary>
    public async Task<IReadOnlyList<NavigationSection>> NavigationAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Sections.AsNoTracking().Where(s => s.ShowInNavigation).OrderBy(s => s.Position).ThenBy(s => s.Name)
            .Select(s => new NavigationSection(s.Id, s.Name, s.Slug)).ToListAsync(ct);
    }

    private async Task<PublicLookup<T>> FindAsync<T>(TaxonomyKind kind, string slug, CancellationToken ct) where T : class, ITaxonomyTerm
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var terms = db.Set<T>().AsNoTracking();
        if (await terms.FirstOrDefaultAsync(t => t.Slug == slug, ct) is { } term) return new PublicLookup<T>.Found(term);
        var moved = await db.TaxonomyRedirects.AsNoTracking().Where(r => r.Kind == kind && r.Slug == slug)
            .Join(terms, r => r.TargetId, t => t.Id, (r, t) => t.Slug).FirstOrDefaultAsync(ct);
        return moved is null ? new PublicLookup<T>.Missing() : new PublicLookup<T>.MovedTo(moved);
    }
}
