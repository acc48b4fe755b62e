namespace NewsCms.Web.Features.Webhooks;

/// <summary>The events a webhook can be told about, named as Ghost names them.</summary>
public static class WebhookEvents
{
    public const string PostAdded = "post.added";
    public const string PostEdited = "post.edited";
    public const string PostDeleted = "post.deleted";
    public const string PostPublished = "post.published";
    public const string PostPublishedEdited = "post.published.edited";
    public const string PostUnpublished = "post.unpublished";
    public const string PostScheduled = "post.scheduled";
    public const string PageAdded = "page.added";
    public const string PageEdited = "page.edited";
    public const string PageDeleted = "page.deleted";
    public const string PagePublished = "page.published";
    public const string PagePublishedEdited = "page.published.edited";
    public const string PageUnpublished = "page.unpublished";
    public const string PageScheduled = "page.scheduled";
    public const string TagAdded = "tag.added";
    public const string TagEdited = "tag.edited";
    public const string TagDeleted = "tag.deleted";
    public const string SiteChanged = "site.changed";

    public static readonly IReadOnlyList<string> All =
    [
        PostAdded, PostEdited, PostDeleted, PostPublished, PostPublishedEdited, PostUnpublished, PostScheduled,
        PageAdded, PageEdited, PageDeleted, PagePublished, PagePublishedEdited, PageUnpublished, PageScheduled,
        TagAdded, TagEdited, TagDeleted, SiteChanged,
    ];

    public static bool IsKnown(string? name) => name is not null && All.Contains(name, StringComparer.Ordinal);
}
