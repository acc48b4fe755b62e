using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Taxonomy;

/// <summary>
/// Sections and tags as readers reach them: by slug, where an old slug (after a rename or a tag merge) has moved to the
/// current one; and every section's name and slug (the navigation, an article's section), kept in memory.
/// </summary>
public sealed class PublicTaxonomy(IDbContextFactory<NewsCmsDbContext> dbFactory)
{
    /// <summary>Every section: in the navigation, in order, and by id.</summary>
    private sealed record SectionsSnapshot(IReadOnlyList<NavigationSection> Navigation, IReadOnlyDictionary<int, TermLink> ById);

    private readonly ForgettableSnapshot<SectionsSnapshot> sections = new();

    public Task<PublicLookup<Section>> FindSectionAsync(string slug, CancellationToken ct = default) => FindAsync<Section>(TaxonomyKind.Section, slug, ct);

    public Task<PublicLookup<Tag>> FindTagAsync(string slug, CancellationToken ct = default) => FindAsync<Tag>(TaxonomyKind.Tag, slug, ct);

    /// <summary>Sections shown in the site's navigation, in order.</summary>
    public async Task<IReadOnlyList<NavigationSection>> NavigationAsync(CancellationToken ct = default) => (await SectionsAsync(ct)).Navigation;

    /// <summary>Every section's name and slug, by id.</summary>
    public async Task<IReadOnlyDictionary<int, TermLink>> SectionLinksAsync(CancellationToken ct = default) => (await SectionsAsync(ct)).ById;

    /// <summary>
    /// Every public page shows the navigation and every article page its section: the sections (a site has tens) are
    /// read once and kept until a change names one or everything (<see cref="PublicCacheVersion"/> calls
    /// <see cref="ForgetSections"/> on every node), rather than queried on each render.
    /// </summary>
    private Task<SectionsSnapshot> SectionsAsync(CancellationToken ct) => sections.GetAsync(ReadSectionsAsync, ct);

    private async Task<SectionsSnapshot> ReadSectionsAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var all = await db.Sections.AsNoTracking().OrderBy(s => s.Position).ThenBy(s => s.Name)
            .Select(s => new { s.Id, s.Name, s.Slug, s.ShowInNavigation }).ToListAsync(ct);
        return new SectionsSnapshot(
            [.. all.Where(s => s.ShowInNavigation).Select(s => new NavigationSection(s.Id, s.Name, s.Slug))],
            all.ToDictionary(s => s.Id, s => new TermLink(s.Name, s.Slug)));
    }

    /// <summary>Drops the kept sections: a section was added, edited or deleted, or an article moved between sections, here or on another node.</summary>
    internal void ForgetSections() => sections.Forget();

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
