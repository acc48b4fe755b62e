using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Articles;

/// <summary>What the newsroom's article classes share: who is on a byline, and the article as the editor shows it.</summary>
internal static class NewsroomArticleAccess
{
    public const string ArticleNotFound = "That article does not exist.";

    /// <summary>
    /// Whether the article is the actor's own: writers may only touch articles they are an author of. A page has no
    /// byline: it is the writer's who created it.
    /// </summary>
    public static Task<bool> IsAuthorAsync(NewsCmsDbContext db, int articleId, Actor actor, CancellationToken ct) =>
        db.Articles.Where(a => a.Id == articleId).AnyAsync(OwnedBy(db, actor.UserId), ct);

    /// <summary>The articles that are <paramref name="userId"/>'s own (see <see cref="IsAuthorAsync"/>), as a query condition.</summary>
    public static System.Linq.Expressions.Expression<Func<Article, bool>> OwnedBy(NewsCmsDbContext db, string userId) =>
        a => (a.Kind == ArticleKind.Page && a.CreatedById == userId)
            || (a.Kind == ArticleKind.Article && db.ArticleAuthors.Any(aa => aa.ArticleId == a.Id && db.AuthorProfiles.Any(p => p.Id == aa.AuthorProfileId && p.UserId == userId)));

    /// <summary>The article as the editor shows it to <paramref name="actor"/>, with what they may do with it now.</summary>
    public static async Task<ArticleForEdit> ToEditAsync(NewsCmsDbContext db, Article a, Actor actor, bool isOwn, CancellationToken ct)
    {
        var allowed = Enum.GetValues<ArticleAction>()
            .Where(action => ArticleWorkflow.Allows(actor.Role, action, isOwn, a.Status, a.TrashedAt is not null, a.ReviewStartedAt is not null)).ToHashSet();
        var tags = await db.ArticleTags.Where(at => at.ArticleId == a.Id).Join(db.Tags, at => at.TagId, t => t.Id, (at, t) => t)
            .OrderBy(t => t.Name).Select(t => new NamedItem(t.Id, t.Name)).ToListAsync(ct);
        var authors = await db.ArticleAuthors.Where(aa => aa.ArticleId == a.Id).OrderBy(aa => aa.Position)
            .Join(db.AuthorProfiles, aa => aa.AuthorProfileId, p => p.Id, (aa, p) => new NamedItem(p.Id, p.DisplayName)).ToListAsync(ct);
        return new ArticleForEdit(a.Id, a.Headline, a.Standfirst, a.Slug, a.BodyHtml, a.SeoTitle, a.MetaDescription, a.CanonicalUrl, a.Status,
            a.TrashedAt is not null, a.CreatedAt, a.UpdatedAt, a.PublishedAt, a.ScheduledAt, a.CreatedByName, a.LastEditedByName,
            a.WordCount, a.ReadingMinutes, a.Version, allowed, a.SectionId, tags, authors, a.FeaturedImageId, a.IsFeatured, a.Kind,
            new ArticleReviewState(a.SubmittedAt, a.SubmittedByName, a.ReviewStartedAt, a.ReviewStartedByName, a.ChangesRequestedAt, a.ChangesRequestedByName, a.ChangesRequestedMessage),
            a.AnnotatedBodyHtml);
    }

}
