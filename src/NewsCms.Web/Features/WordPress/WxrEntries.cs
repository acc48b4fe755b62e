namespace NewsCms.Web.Features.WordPress;

// What WxrReader yields from a WordPress export (WXR 1.0-1.2), one entry at a time, in file order: the site first,
// then authors and terms (channel-level), then items. Strings are decoded (entities, CDATA joined, slugs
// percent-decoded) and never null; an item's Content and Excerpt are its raw HTML (WordPressContent converts them).
// The reader merges WordPress 6.x's duplicate terms (first of each taxonomy and slug) and an item's repeated terms.

/// <summary>One thing read from an export.</summary>
public abstract record WxrEntry;

/// <summary>The exporting site (channel title, wp:base_site_url, wp:base_blog_url, language).</summary>
public sealed record WxrSite(string Title, string Link, string BaseSiteUrl, string BaseBlogUrl, string Language, string WxrVersion) : WxrEntry;

/// <summary>A wp:author (user) of the exporting site.</summary>
public sealed record WxrAuthor(int Id, string Login, string Email, string DisplayName, string FirstName, string LastName) : WxrEntry;

/// <summary>
/// A wp:category, wp:tag or wp:term. Taxonomy is "category", "post_tag", or another taxonomy's name (nav_menu, …);
/// ParentSlug is empty at the top level.
/// </summary>
public sealed record WxrTerm(int Id, string Taxonomy, string Slug, string Name, string ParentSlug, string Description) : WxrEntry;

/// <summary>An item's &lt;category domain="…" nicename="…"&gt;name&lt;/category&gt;.</summary>
public sealed record WxrItemTerm(string Taxonomy, string Slug, string Name);

/// <summary>
/// An &lt;item&gt;: a post, page, attachment, nav_menu_item or any other post type. Dates are UTC; PublishedAt falls
/// back to post_date (taken as UTC) when post_date_gmt is 0000-00-00 (drafts) and is null when both are empty.
/// </summary>
public sealed record WxrItem(
    int Id,
    string PostType,
    string Status,
    string Title,
    string Link,
    string Guid,
    string Slug,
    string Creator,
    string Content,
    string Excerpt,
    DateTime? PublishedAt,
    DateTime? ModifiedAt,
    int ParentId,
    int MenuOrder,
    bool IsSticky,
    string AttachmentUrl,
    IReadOnlyList<WxrItemTerm> Terms,
    IReadOnlyDictionary<string, string> Meta,
    int CommentCount) : WxrEntry;
