using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Benchmarks.Seeding;

/// <summary>
/// The pages a scale is measured on: the newest article (the one readers land on most), the most used tag, the most
/// prolific author, every published article (shuffled, for the fresh-render walk) and 20,000 distinct reader searches (so a search run rarely repeats one the output cache has).
/// </summary>
public sealed record SiteSample(string ArticleSlug, string TagSlug, string AuthorSlug, IReadOnlyList<string> ArticleSlugs, IReadOnlyList<string> SearchQueries)
{
    /// <summary>Reader searches per kind (<see cref="SearchKinds"/>), for the search scenarios at one connection.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> SearchQueriesByKind { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public static async Task<SiteSample> ReadAsync(BenchDatabase database, ContentGenerator content, CancellationToken ct)
    {
        await using var db = database.NewContext();
        var published = db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Published && a.TrashedAt == null);
        var newest = await published.OrderByDescending(a => a.PublishedAt).Select(a => a.Slug).FirstAsync(ct);
        var slugs = await published.Select(a => a.Slug).ToListAsync(ct);
        var tag = await db.ArticleTags.GroupBy(at => at.TagId).OrderByDescending(g => g.Count()).Select(g => g.Key)
            .Join(db.Tags, id => id, t => t.Id, (id, t) => t.Slug).FirstAsync(ct);
        var author = await db.ArticleAuthors.GroupBy(aa => aa.AuthorProfileId).OrderByDescending(g => g.Count()).Select(g => g.Key)
            .Join(db.AuthorProfiles, id => id, p => p.Id, (id, p) => p.Slug).FirstAsync(ct);
        var random = new Random(7);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(slugs));
        return new SiteSample(newest, tag, author, slugs, content.SearchQueries(20_000))
        {
            SearchQueriesByKind = SearchKinds.All.ToDictionary(kind => kind, kind => content.SearchQueriesOf(kind, 200)),
        };
    }
}
