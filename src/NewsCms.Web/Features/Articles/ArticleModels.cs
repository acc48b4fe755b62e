namespace NewsCms.Web.Features.Articles;

/// <summary>What the editor sends: the fields a writer edits.</summary>
public sealed class ArticleInput
{
    public string Headline { get; set; } = "";
    public string Standfirst { get; set; } = "";

    /// <summary>Empty: made from the headline.</summary>
    public string Slug { get; set; } = "";

    public string BodyHtml { get; set; } = "";
    public string? SeoTitle { get; set; }
    public string? MetaDescription { get; set; }
    public string? CanonicalUrl { get; set; }
}

public enum SaveKind { Manual, Autosave }

/// <summary>The article as the editor page needs it, with what the viewer may do to it.</summary>
public sealed record ArticleForEdit(
    int Id, string Headline, string Standfirst, string Slug, string BodyHtml, string? SeoTitle, string? MetaDescription,
    string? CanonicalUrl, ArticleStatus Status, bool Trashed, DateTime CreatedAt, DateTime UpdatedAt, DateTime? PublishedAt,
    DateTime? ScheduledAt, string CreatedByName, string LastEditedByName, int WordCount, int ReadingMinutes, Guid Version,
    IReadOnlySet<ArticleAction> Allowed)
{
    public string StatusText => ArticleWorkflow.Describe(Status, Trashed);
}

/// <summary>The other side of a conflict: what is in the database now.</summary>
public sealed record ArticleConflict(string Headline, string Standfirst, string BodyHtml, Guid Version, string EditedBy, DateTime EditedAt);

public sealed record SaveOutcome(string? Error, string? Field, int Id, Guid Version, DateTime SavedAt, string Slug, ArticleConflict? Conflict)
{
    public bool Succeeded => Error is null && Conflict is null;
    public static SaveOutcome Fail(string error, string? field = null) => new(error, field, 0, Guid.Empty, default, "", null);
}

public sealed record ArticleListQuery(
    ArticleStatus? Status = null, bool Mine = false, bool Trash = false, string? Search = null, bool SortByPublished = false,
    int Page = 0, int PageSize = 20);

public sealed record ArticleListItem(int Id, string Headline, string Slug, ArticleStatus Status, bool Trashed, DateTime UpdatedAt,
    DateTime? PublishedAt, DateTime? ScheduledAt, string CreatedByName, string LastEditedByName)
{
    public string StatusText => ArticleWorkflow.Describe(Status, Trashed);
}

public sealed record RevisionSummary(long Id, DateTime CreatedAt, string AuthorName, RevisionKind Kind, string Headline);

public sealed record RevisionDetails(long Id, DateTime CreatedAt, string AuthorName, RevisionKind Kind, string Headline, string Standfirst, string BodyHtml);

public sealed record ArticleLink(int Id, string Headline, string Slug, DateTime? PublishedAt);

/// <summary>A published article as readers see it.</summary>
public sealed record PublicArticle(
    int Id, string Slug, string Headline, string Standfirst, string BodyHtml, DateTime? PublishedAt, DateTime UpdatedAt,
    string Byline, int WordCount, int ReadingMinutes, string? SeoTitle, string? MetaDescription, string? CanonicalUrl);

public sealed record PublicArticleSummary(int Id, string Slug, string Headline, string Standfirst, DateTime PublishedAt, string Byline);

/// <summary>What the public article address resolves to.</summary>
public abstract record ArticleLookup
{
    public sealed record Found(PublicArticle Article) : ArticleLookup;
    public sealed record MovedTo(string Slug) : ArticleLookup;
    public sealed record Gone : ArticleLookup;
    public sealed record Missing : ArticleLookup;
}

public static class ArticleUrls
{
    /// <summary>The public address of an article: /news/{slug}.</summary>
    public static string ForSlug(string slug) => "/news/" + slug;
}
