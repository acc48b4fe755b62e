using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Authors;

/// <summary>Author profiles as readers reach them, by slug. One query.</summary>
public sealed class PublicAuthors(IDbContextFactory<NewsCmsDbContext> dbFactory)
{
    /// <summary>The byline at <paramref name="slug"/>. Profiles keep no old slugs, so it is found or missing, never moved.</summary>
    public async Task<PublicLookup<Byline>> FindAsync(string slug, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var author = await db.AuthorProfiles.AsNoTracking().Where(p => p.Slug == slug)
            .Select(p => new Byline(p.Id, p.DisplayName, p.Slug, p.JobTitle, p.Bio, p.AvatarId, p.Website, p.X, p.Facebook, p.LinkedIn, p.Instagram, p.Email))
            .FirstOrDefaultAsync(ct);
        return author is null ? new PublicLookup<Byline>.Missing() : new PublicLookup<Byline>.Found(author);
    }
}
