using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Redirects;

/// <summary>Where a redirect goes, as stored: a path or URL, a thing (followed to its current address), or 410.</summary>
public sealed record RedirectTarget(RedirectTargetKind Kind, int? Id, string? Path)
{
    public static readonly RedirectTarget Gone = new(RedirectTargetKind.Gone, null, null);

    public static RedirectTarget ToPath(string path) => new(RedirectTargetKind.Path, null, path);

    public static RedirectTarget From(Redirect redirect) => new(redirect.TargetKind, redirect.TargetId, redirect.TargetPath);
}

/// <summary>A redirect with the current slugs of what it points to (one row of one query; see <see cref="RedirectTargets.Resolving"/>).</summary>
public sealed class ResolvedRedirect
{
    public int Id { get; init; }
    public string FromPath { get; init; } = "";
    public RedirectTargetKind TargetKind { get; init; }
    public int? TargetId { get; init; }
    public string? TargetPath { get; init; }
    public RedirectOrigin Origin { get; init; }
    public long Hits { get; init; }
    public DateTime? LastHitAt { get; init; }
    public string? ArticleSlug { get; init; }
    public ArticleKind? ArticleKind { get; init; }
    public bool? ArticlePublic { get; init; }
    public bool? ArticleGone { get; init; }
    public string? SectionSlug { get; init; }
    public string? TagSlug { get; init; }
    public string? AuthorSlug { get; init; }

    /// <summary>
    /// The answer readers get now: a location (site path or absolute URL), 410 (<see cref="RedirectAnswerKind.Gone"/>),
    /// or none: an article that is not public (yet) answers as if there were no redirect, so a draft's address never
    /// leaks. A thing that was deleted, or an article trashed after it went public, is gone.
    /// </summary>
    public (RedirectAnswerKind Kind, string? Location) Answer() => TargetKind switch
    {
        RedirectTargetKind.Path when !string.IsNullOrEmpty(TargetPath) => (RedirectAnswerKind.MovedTo, TargetPath),
        RedirectTargetKind.Article when ArticleSlug is null || ArticleGone == true => (RedirectAnswerKind.Gone, null),
        RedirectTargetKind.Article when ArticlePublic != true => (RedirectAnswerKind.None, null),
        RedirectTargetKind.Article => (RedirectAnswerKind.MovedTo, RedirectTargets.ArticleAddress(ArticleKind ?? Articles.ArticleKind.Article, ArticleSlug)),
        RedirectTargetKind.Section => Entity("/section/", SectionSlug),
        RedirectTargetKind.Tag => Entity("/tag/", TagSlug),
        RedirectTargetKind.Author => Entity("/author/", AuthorSlug),
        _ => (RedirectAnswerKind.Gone, null),
    };

    private static (RedirectAnswerKind, string?) Entity(string prefix, string? slug) =>
        slug is null ? (RedirectAnswerKind.Gone, null) : (RedirectAnswerKind.MovedTo, prefix + slug);

    /// <summary>The public-cache tag of the thing it points to, whose changes change its answer.</summary>
    public string? DependencyTag => TargetId is not { } id ? null : TargetKind switch
    {
        RedirectTargetKind.Article => PublicDependencies.Article(id),
        RedirectTargetKind.Section => PublicDependencies.Section(id),
        RedirectTargetKind.Tag => PublicDependencies.Tag(id),
        RedirectTargetKind.Author => PublicDependencies.Author(id),
        _ => null,
    };
}

public enum RedirectAnswerKind { None, MovedTo, Gone }

/// <summary>The addresses of the things a redirect can point to, and the reverse: which thing an address is.</summary>
public static class RedirectTargets
{
    public static string ArticleAddress(ArticleKind kind, string slug) => kind == ArticleKind.Page ? "/" + slug : ArticleUrls.ForSlug(slug);

    /// <summary>Redirects with the current slugs of their targets: one query, a left join per kind of thing.</summary>
    public static IQueryable<ResolvedRedirect> Resolving(NewsCmsDbContext db, IQueryable<Redirect> redirects) =>
        from r in redirects
        join a in db.Articles on new { Id = r.TargetId, Kind = r.TargetKind } equals new { Id = (int?)a.Id, Kind = RedirectTargetKind.Article } into articles
        from a in articles.DefaultIfEmpty()
        join s in db.Sections on new { Id = r.TargetId, Kind = r.TargetKind } equals new { Id = (int?)s.Id, Kind = RedirectTargetKind.Section } into sections
        from s in sections.DefaultIfEmpty()
        join t in db.Tags on new { Id = r.TargetId, Kind = r.TargetKind } equals new { Id = (int?)t.Id, Kind = RedirectTargetKind.Tag } into tags
        from t in tags.DefaultIfEmpty()
        join p in db.AuthorProfiles on new { Id = r.TargetId, Kind = r.TargetKind } equals new { Id = (int?)p.Id, Kind = RedirectTargetKind.Author } into authors
        from p in authors.DefaultIfEmpty()
        select new ResolvedRedirect
        {
            Id = r.Id,
            FromPath = r.FromPath,
            TargetKind = r.TargetKind,
            TargetId = r.TargetId,
            TargetPath = r.TargetPath,
            Origin = r.Origin,
            Hits = r.Hits,
            LastHitAt = r.LastHitAt,
            ArticleSlug = a.Slug,
            ArticleKind = (ArticleKind?)a.Kind,
            ArticlePublic = (bool?)(a.Status == ArticleStatus.Published && a.TrashedAt == null),
            ArticleGone = (bool?)(a.TrashedAt != null && a.FirstPublishedAt != null),
            SectionSlug = s.Slug,
            TagSlug = t.Slug,
            AuthorSlug = p.Slug,
        };

    /// <summary>
    /// The thing whose public address (current, or an old slug that already redirects to it) is <paramref name="key"/>
    /// (a normalized path), or null. Used so that a redirect typed as a path follows the thing when it moves again.
    /// Old slugs count only with <paramref name="includeOldSlugs"/>.
    /// </summary>
    public static async Task<RedirectTarget?> ThingAtAsync(NewsCmsDbContext db, string key, bool includeOldSlugs, CancellationToken ct)
    {
        var segments = key.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (key.Contains('?')) return null;
        if (segments is ["news", var articleSlug])
        {
            var id = await db.Articles.Where(a => a.Kind == ArticleKind.Article && a.Slug == articleSlug && a.TrashedAt == null).Select(a => (int?)a.Id).FirstOrDefaultAsync(ct)
                ?? (includeOldSlugs ? await db.ArticleSlugRedirects.Where(r => r.Slug == articleSlug).Select(r => (int?)r.ArticleId).FirstOrDefaultAsync(ct) : null);
            return Thing(RedirectTargetKind.Article, id);
        }
        if (segments is ["section", var sectionSlug])
        {
            var id = await db.Sections.Where(s => s.Slug == sectionSlug).Select(s => (int?)s.Id).FirstOrDefaultAsync(ct)
                ?? (includeOldSlugs ? await db.TaxonomyRedirects.Where(r => r.Kind == Taxonomy.TaxonomyKind.Section && r.Slug == sectionSlug).Select(r => (int?)r.TargetId).FirstOrDefaultAsync(ct) : null);
            return Thing(RedirectTargetKind.Section, id);
        }
        if (segments is ["tag", var tagSlug])
        {
            var id = await db.Tags.Where(t => t.Slug == tagSlug).Select(t => (int?)t.Id).FirstOrDefaultAsync(ct)
                ?? (includeOldSlugs ? await db.TaxonomyRedirects.Where(r => r.Kind == Taxonomy.TaxonomyKind.Tag && r.Slug == tagSlug).Select(r => (int?)r.TargetId).FirstOrDefaultAsync(ct) : null);
            return Thing(RedirectTargetKind.Tag, id);
        }
        if (segments is ["author", var authorSlug])
        {
            return Thing(RedirectTargetKind.Author, await db.AuthorProfiles.Where(p => p.Slug == authorSlug).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct));
        }
        if (segments is [var pageSlug])
        {
            return Thing(RedirectTargetKind.Article,
                await db.Articles.Where(a => a.Kind == ArticleKind.Page && a.Slug == pageSlug && a.TrashedAt == null).Select(a => (int?)a.Id).FirstOrDefaultAsync(ct));
        }
        return null;
    }

    private static RedirectTarget? Thing(RedirectTargetKind kind, int? id) => id is { } value ? new RedirectTarget(kind, value, null) : null;
}
