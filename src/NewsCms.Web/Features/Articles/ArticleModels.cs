namespace NewsCms.Web.Features.Articles;

/// <summary>What the editor sends: the fields a writer edits.</summary>
public sealed class ArticleInput
{
    /// <summary>Article or page; read when the item is created only (an item never changes kind).</summary>
    public ArticleKind Kind { get; set; }

    public string Headline { get; set; } = "";
    public string Standfirst { get; set; } = "";

    /// <summary>Empty: made from the headline.</summary>
    public string Slug { get; set; } = "";

    /// <summary>
    /// True while the writer has not typed a slug by hand (the editor fills <see cref="Slug"/> from the headline): the
    /// service then makes the slug from the headline and adds "-2", "-3"… when another article has it, instead of
    /// refusing a slug the writer never chose. False: <see cref="Slug"/> is the writer's choice (or empty).
    /// </summary>
    public bool SlugFollowsHeadline { get; set; }

    public string BodyHtml { get; set; } = "";

    /// <summary>
    /// True when <see cref="BodyHtml"/> comes from the newsroom editor, which carries the editorial-note marks: they
    /// are kept in <see cref="Article.AnnotatedBodyHtml"/> (and none there means the notes' marks are gone). False for
    /// every other writer (Admin API, imports, a restored revision): marks in the input are dropped, the stored marks
    /// stay while the text is the same and are cleared when the text is replaced (the threads then keep their quotes).
    /// </summary>
    public bool BodyCarriesNotes { get; set; }
    public string? SeoTitle { get; set; }
    public string? MetaDescription { get; set; }
    public string? CanonicalUrl { get; set; }

    /// <summary>The primary section, or none.</summary>
    public int? SectionId { get; set; }

    public List<int> TagIds { get; set; } = [];

    /// <summary>Bylines in order; empty on a new article means the writer's own.</summary>
    public List<int> AuthorIds { get; set; } = [];

    public int? FeaturedImageId { get; set; }

    /// <summary>The home page's lead story candidate; only editors (who may edit any article) change it.</summary>
    public bool IsFeatured { get; set; }
}

public enum SaveKind { Manual, Autosave }

/// <summary>The article as the editor page needs it, with what the viewer may do to it.</summary>
public sealed record ArticleForEdit(
    int Id, string Headline, string Standfirst, string Slug, string BodyHtml, string? SeoTitle, string? MetaDescription,
    string? CanonicalUrl, ArticleStatus Status, bool Trashed, DateTime CreatedAt, DateTime UpdatedAt, DateTime? PublishedAt,
    DateTime? ScheduledAt, string CreatedByName, string LastEditedByName, int WordCount, int ReadingMinutes, Guid Version,
    IReadOnlySet<ArticleAction> Allowed, int? SectionId, IReadOnlyList<NamedItem> Tags, IReadOnlyList<NamedItem> Authors, int? FeaturedImageId, bool IsFeatured = false,
    ArticleKind Kind = ArticleKind.Article, ArticleReviewState? Review = null, string? AnnotatedBodyHtml = null)
{
    public string StatusText => ArticleWorkflow.Describe(Status, Trashed);

    /// <summary>What the newsroom editor loads: the body with its editorial-note marks, when it has any.</summary>
    public string EditorBodyHtml => AnnotatedBodyHtml ?? BodyHtml;
}

/// <summary>Where an article is in review: who submitted it and when, who started reviewing it, and any request for changes.</summary>
public sealed record ArticleReviewState(DateTime? SubmittedAt, string? SubmittedByName, DateTime? ReviewStartedAt, string? ReviewStartedByName,
    DateTime? ChangesRequestedAt, string? ChangesRequestedByName, string? ChangesRequestedMessage);

/// <summary>A tag, section or author as pickers show it.</summary>
public sealed record NamedItem(int Id, string Name);

/// <summary>The other side of a conflict: what is in the database now.</summary>
public sealed record ArticleConflict(string Headline, string Standfirst, string BodyHtml, Guid Version, string EditedBy, DateTime EditedAt);

public sealed record SaveOutcome(string? Error, string? Field, int Id, Guid Version, DateTime SavedAt, string Slug, ArticleConflict? Conflict)
{
    /// <summary>After a successful save: the article as the editor shows it now, so the editor need not fetch it again.</summary>
    public ArticleForEdit? Article { get; init; }

    /// <summary>Something the writer should know about a save that succeeded (a restore that took note marks away).</summary>
    public string? Notice { get; init; }

    public bool Succeeded => Error is null && Conflict is null;
    public static SaveOutcome Fail(string error, string? field = null) => new(error, field, 0, Guid.Empty, default, "", null);
}

public sealed record ArticleListQuery(
    ArticleStatus? Status = null, bool Mine = false, bool Trash = false, string? Search = null, bool SortByPublished = false,
    int Page = 0, int PageSize = 20, ArticleKind Kind = ArticleKind.Article);

public sealed record ArticleListItem(int Id, string Headline, string Slug, ArticleStatus Status, bool Trashed, DateTime UpdatedAt,
    DateTime? PublishedAt, DateTime? ScheduledAt, string CreatedByName, string LastEditedByName)
{
    public string StatusText => ArticleWorkflow.Describe(Status, Trashed);
}

public sealed record RevisionSummary(long Id, DateTime CreatedAt, string AuthorName, RevisionKind Kind, string Headline);

public sealed record RevisionDetails(long Id, DateTime CreatedAt, string AuthorName, RevisionKind Kind, string Headline, string Standfirst, string BodyHtml);

public sealed record ArticleLink(int Id, string Headline, string Slug, DateTime? PublishedAt);

/// <summary>A byline as readers see it (the author box uses all of it).</summary>
public sealed record Byline(int Id, string Name, string Slug, string JobTitle, string Bio, int? AvatarId, string? Website,
    string? X, string? Facebook, string? LinkedIn, string? Instagram, string? Email)
{
    public string Url => "/author/" + Slug;
}

public sealed record TermLink(string Name, string Slug);

/// <summary>A published article as readers see it.</summary>
public sealed record PublicArticle(
    int Id, string Slug, string Headline, string Standfirst, string BodyHtml, DateTime? PublishedAt, DateTime UpdatedAt,
    IReadOnlyList<Byline> Authors, IReadOnlyList<TermLink> Tags, TermLink? Section, int? FeaturedImageId,
    int WordCount, int ReadingMinutes, string? SeoTitle, string? MetaDescription, string? CanonicalUrl,
    TermLink? PreviousInSection = null, TermLink? NextInSection = null, IReadOnlyList<RelatedArticle>? Related = null,
    IReadOnlyList<int>? OtherArticles = null, ArticleKind Kind = ArticleKind.Article, DateTime? LiveStartedAt = null, DateTime? LiveEndedAt = null)
{
    /// <summary>A page's fields as its public page shows them (for Preview of a page).</summary>
    public Pages.PublicPage AsPage() => new(Id, Slug, Headline, Standfirst, BodyHtml, PublishedAt, UpdatedAt, FeaturedImageId, SeoTitle, MetaDescription, CanonicalUrl);

    /// <summary>The other articles the page shows or names: previous and next, and its whole stored Related list (See-also cards are in the body).</summary>
    public IEnumerable<int> OtherArticleIds => OtherArticles ?? [];

    /// <summary>The media the page shows: the featured image, the authors' avatars and the related stories' pictures (loaded in one query).</summary>
    public IEnumerable<int> ImageIds => Authors.Select(a => a.AvatarId).Append(FeaturedImageId)
        .Concat((Related ?? []).Select(r => r.FeaturedImageId))
        .Where(id => id is not null).Select(id => id!.Value);
}

/// <summary>One of an article's "Related articles", as stored when it was published or edited.</summary>
public sealed record RelatedArticle(string Slug, string Headline, DateTime PublishedAt, int? FeaturedImageId);

/// <summary>An article in a list (home, section, tag, author pages).</summary>
public sealed record PublicArticleSummary(int Id, string Slug, string Headline, string Standfirst, DateTime PublishedAt,
    IReadOnlyList<TermLink> Authors, TermLink? Section, int? FeaturedImageId, bool IsLive = false)
{
    /// <summary>The featured images of a list of articles, to load in one query.</summary>
    public static IEnumerable<int> ImageIds(IEnumerable<PublicArticleSummary> articles) =>
        articles.Where(a => a.FeaturedImageId is not null).Select(a => a.FeaturedImageId!.Value);
}

/// <summary>A section in the site's navigation (the home page shows a block for each).</summary>
public sealed record NavigationSection(int Id, string Name, string Slug);

/// <summary>The newest stories of a navigation section, for its block on the home page.</summary>
public sealed record SectionBlock(TermLink Section, IReadOnlyList<PublicArticleSummary> Articles);

/// <summary>
/// What the home page shows: the lead story, the top stories beside it (the front page's slots), the latest after them
/// and a block per navigation section.
/// </summary>
/// <param name="Total">How many articles are published, counted only up to one more than the front shows.</param>
/// <param name="NextExpiry">When the earliest pin shown runs out (UTC): the page must change by itself then.</param>
/// <param name="KeyEvent">A live lead's latest key event.</param>
public sealed record HomePage(PublicArticleSummary? Lead, IReadOnlyList<PublicArticleSummary> Top, IReadOnlyList<PublicArticleSummary> Latest,
    IReadOnlyList<SectionBlock> Sections, int Total, DateTime? NextExpiry = null, LeadKeyEvent? KeyEvent = null)
{
    public IEnumerable<PublicArticleSummary> All => Top.Concat(Latest).Concat(Sections.SelectMany(s => s.Articles)).Prepend(Lead).OfType<PublicArticleSummary>();
}

/// <summary>The latest key event of a live-blog lead: its entry, text and time.</summary>
public sealed record LeadKeyEvent(long EntryId, string Text, DateTime PostedAt);

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
