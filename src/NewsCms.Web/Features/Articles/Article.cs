using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NewsCms.Web.Features.Articles;

/// <summary>Where an article is in the editorial workflow. Trash is separate (<see cref="Article.TrashedAt"/>).</summary>
public enum ArticleStatus
{
    Draft = 0,
    InReview = 1,
    Scheduled = 2,
    Published = 3,
}

/// <summary>A news article, or a static page (About us, Contact) edited the same way but served at /{slug} and never listed.</summary>
public enum ArticleKind
{
    Article = 0,
    Page = 1,
}

public class Article
{
    public int Id { get; set; }

    /// <summary>Pages have no section, tags or bylines, and appear in no feed, list or news sitemap.</summary>
    public ArticleKind Kind { get; set; }

    public string Headline { get; set; } = "";
    public string Standfirst { get; set; } = "";
    public string Slug { get; set; } = "";

    /// <summary>Sanitized HTML, exactly as the editor produced it after the HTML policy ran.</summary>
    public string BodyHtml { get; set; } = "";

    /// <summary>The body as plain text, for search, excerpts and counts.</summary>
    public string BodyText { get; set; } = "";

    public int WordCount { get; set; }
    public int ReadingMinutes { get; set; }

    public ArticleStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? PublishedAt { get; set; }

    /// <summary>When the article first went public; it stays set after unpublishing (a trashed one then answers 410).</summary>
    public DateTime? FirstPublishedAt { get; set; }

    public DateTime? ScheduledAt { get; set; }

    /// <summary>Who scheduled the article: when its time comes the scheduler checks that they may still publish it.</summary>
    public string? ScheduledById { get; set; }
    public string? ScheduledByName { get; set; }

    public DateTime? TrashedAt { get; set; }

    public string CreatedById { get; set; } = "";
    public string CreatedByName { get; set; } = "";
    public string LastEditedById { get; set; } = "";
    public string LastEditedByName { get; set; } = "";

    /// <summary>The primary section.</summary>
    public int? SectionId { get; set; }

    /// <summary>The image at the top of the article and on cards and social shares.</summary>
    public int? FeaturedImageId { get; set; }

    /// <summary>Marked by an editor as the home page's lead story: the newest featured article leads.</summary>
    public bool IsFeatured { get; set; }

    public string? SeoTitle { get; set; }
    public string? MetaDescription { get; set; }
    public string? CanonicalUrl { get; set; }

    /// <summary>
    /// The body with the editor's note marks (<see cref="Notes.EditorialNote"/>), for the newsroom's editor only; null
    /// when the body has none. <see cref="BodyHtml"/> is the same body without them, and is all that leaves the newsroom.
    /// </summary>
    public string? AnnotatedBodyHtml { get; set; }

    /// <summary>A live blog: coverage started (and is on until <see cref="LiveEndedAt"/>); entries are <see cref="LiveBlogs.LiveEntry"/>.</summary>
    public DateTime? LiveStartedAt { get; set; }
    public DateTime? LiveEndedAt { get; set; }

    /// <summary>Whether live coverage is on now.</summary>
    public bool IsLive => LiveStartedAt is not null && LiveEndedAt is null;

    /// <summary>The review queue: who submitted the article for review, and when (kept for the record after it leaves the queue).</summary>
    public DateTime? SubmittedAt { get; set; }
    public string? SubmittedById { get; set; }
    public string? SubmittedByName { get; set; }

    /// <summary>When someone other than the submitter started reviewing it (opened or changed it): it can no longer be withdrawn.</summary>
    public DateTime? ReviewStartedAt { get; set; }
    public string? ReviewStartedByName { get; set; }

    /// <summary>The last "Request changes": the editor's message, shown to the writer in the editor until they submit again.</summary>
    public DateTime? ChangesRequestedAt { get; set; }
    public string? ChangesRequestedByName { get; set; }
    public string? ChangesRequestedMessage { get; set; }

    /// <summary>Concurrency token: SQLite makes no row versions, so every save sets a new one.</summary>
    public Guid Version { get; set; }

    public List<ArticleRevision> Revisions { get; set; } = [];

    /// <summary>
    /// The one rule for the articles readers see and find in lists: a published article (not a page), not in the trash. Queries use it through
    /// <see cref="ArticleQueries.WherePublic"/>, raw SQL through <see cref="PublicSql"/>, loaded articles through <see cref="IsPublic"/>.
    /// </summary>
    public static readonly Expression<Func<Article, bool>> IsPublicExpression = a => a.Kind == ArticleKind.Article && a.Status == ArticleStatus.Published && a.TrashedAt == null;

    /// <summary>The same rule for pages: published, not in the trash, a page.</summary>
    public static readonly Expression<Func<Article, bool>> IsPublicPageExpression = a => a.Kind == ArticleKind.Page && a.Status == ArticleStatus.Published && a.TrashedAt == null;

    /// <summary><see cref="IsPublicExpression"/> as a SQL condition on the Articles table (columns unqualified, quoted for both providers).</summary>
    public static readonly string PublicSql = $"\"Kind\" = {(int)ArticleKind.Article} AND \"Status\" = {(int)ArticleStatus.Published} AND \"TrashedAt\" IS NULL";

    private static readonly Func<Article, bool> IsPublicCompiled = IsPublicExpression.Compile();
    private static readonly Func<Article, bool> IsPublicPageCompiled = IsPublicPageExpression.Compile();

    /// <summary>Whether readers see this article now (<see cref="IsPublicExpression"/>; not mapped: it has no setter).</summary>
    public bool IsPublic => IsPublicCompiled(this);

    /// <summary>Whether readers see this page now (<see cref="IsPublicPageExpression"/>).</summary>
    public bool IsPublicPage => IsPublicPageCompiled(this);

    /// <summary>Whether readers see it now, as an article or as a page: a change to it must reach the public cache.</summary>
    public bool IsVisible => IsPublic || IsPublicPage;
}

public static class ArticleQueries
{
    /// <summary>The articles readers see (<see cref="Article.IsPublicExpression"/>).</summary>
    public static IQueryable<Article> WherePublic(this IQueryable<Article> articles) => articles.Where(Article.IsPublicExpression);
}

/// <summary>A saved state of an article's text. Revisions are only ever added; restoring one adds another.</summary>
public class ArticleRevision
{
    public long Id { get; set; }
    public int ArticleId { get; set; }
    public DateTime CreatedAt { get; set; }
    public string AuthorId { get; set; } = "";
    public string AuthorName { get; set; } = "";
    public RevisionKind Kind { get; set; }
    public string Headline { get; set; } = "";
    public string Standfirst { get; set; } = "";
    public string BodyHtml { get; set; } = "";
}

public enum RevisionKind
{
    Created = 0,
    Saved = 1,
    Autosaved = 2,
    Submitted = 3,
    Published = 4,
    Restored = 5,
    ConflictCopy = 6,
}

/// <summary>
/// One of an article's "Related articles", ranked when the article is published or edited (never at render),
/// so a page reads them with one query.
/// </summary>
public class ArticleRelation
{
    public int ArticleId { get; set; }
    public int RelatedArticleId { get; set; }

    /// <summary>1 is the most related.</summary>
    public int Rank { get; set; }
}

/// <summary>An address an article used to have; it answers 301 to the article's current address.</summary>
public class ArticleSlugRedirect
{
    public string Slug { get; set; } = "";
    public int ArticleId { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class ArticleConfiguration : IEntityTypeConfiguration<Article>
{
    public void Configure(EntityTypeBuilder<Article> article)
    {
        article.Property(a => a.Headline).HasMaxLength(300);
        article.Property(a => a.Standfirst).HasMaxLength(1000);
        article.Property(a => a.Slug).HasMaxLength(Slugs.MaxLength);
        article.HasIndex(a => a.Slug).IsUnique();
        article.Property(a => a.SeoTitle).HasMaxLength(300);
        article.Property(a => a.MetaDescription).HasMaxLength(500);
        article.Property(a => a.CanonicalUrl).HasMaxLength(1000);
        article.Property(a => a.CreatedById).HasMaxLength(450);
        article.Property(a => a.LastEditedById).HasMaxLength(450);
        article.Property(a => a.CreatedByName).HasMaxLength(256);
        article.Property(a => a.LastEditedByName).HasMaxLength(256);
        article.Property(a => a.ScheduledById).HasMaxLength(450);
        article.Property(a => a.ScheduledByName).HasMaxLength(256);
        article.Property(a => a.Version).IsConcurrencyToken();
        article.Property(a => a.SubmittedById).HasMaxLength(450);
        article.Property(a => a.SubmittedByName).HasMaxLength(256);
        article.Property(a => a.ReviewStartedByName).HasMaxLength(256);
        article.Property(a => a.ChangesRequestedByName).HasMaxLength(256);
        article.Property(a => a.ChangesRequestedMessage).HasMaxLength(4000);
        // The review queue, oldest first.
        article.HasIndex(a => new { a.Status, a.SubmittedAt });
        // Every public list asks for "published, not trashed, newest first": with TrashedAt in the index SQLite answers
        // from the index alone, instead of reading each row (where TrashedAt sits after the body, in overflow pages).
        article.HasIndex(a => new { a.Kind, a.Status, a.TrashedAt, a.PublishedAt });
        article.HasIndex(a => new { a.IsFeatured, a.Kind, a.Status, a.TrashedAt, a.PublishedAt });
        article.HasIndex(a => new { a.Status, a.ScheduledAt });
        article.HasIndex(a => a.UpdatedAt);
        article.HasIndex(a => a.CreatedById);
        article.HasMany(a => a.Revisions).WithOne().HasForeignKey(r => r.ArticleId).OnDelete(DeleteBehavior.Cascade);
        article.HasOne<Taxonomy.Section>().WithMany().HasForeignKey(a => a.SectionId).OnDelete(DeleteBehavior.SetNull);
        article.HasOne<Media.MediaItem>().WithMany().HasForeignKey(a => a.FeaturedImageId).OnDelete(DeleteBehavior.Restrict);
        article.HasIndex(a => new { a.SectionId, a.Kind, a.Status, a.TrashedAt, a.PublishedAt });
    }
}

internal sealed class ArticleRevisionConfiguration : IEntityTypeConfiguration<ArticleRevision>
{
    public void Configure(EntityTypeBuilder<ArticleRevision> revision)
    {
        revision.Property(r => r.Headline).HasMaxLength(300);
        revision.Property(r => r.Standfirst).HasMaxLength(1000);
        revision.Property(r => r.AuthorName).HasMaxLength(256);
        revision.HasIndex(r => new { r.ArticleId, r.CreatedAt });
    }
}

internal sealed class ArticleSlugRedirectConfiguration : IEntityTypeConfiguration<ArticleSlugRedirect>
{
    public void Configure(EntityTypeBuilder<ArticleSlugRedirect> redirect)
    {
        redirect.HasKey(r => r.Slug);
        redirect.Property(r => r.Slug).HasMaxLength(Slugs.MaxLength);
        redirect.HasOne<Article>().WithMany().HasForeignKey(r => r.ArticleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ArticleRelationConfiguration : IEntityTypeConfiguration<ArticleRelation>
{
    public void Configure(EntityTypeBuilder<ArticleRelation> relation)
    {
        relation.HasKey(r => new { r.ArticleId, r.RelatedArticleId });
        relation.HasIndex(r => new { r.ArticleId, r.Rank });
        relation.HasIndex(r => r.RelatedArticleId);
        relation.HasOne<Article>().WithMany().HasForeignKey(r => r.ArticleId).OnDelete(DeleteBehavior.Cascade);
        relation.HasOne<Article>().WithMany().HasForeignKey(r => r.RelatedArticleId).OnDelete(DeleteBehavior.Cascade);
    }
}
