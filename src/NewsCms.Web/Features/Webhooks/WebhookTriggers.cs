using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Webhooks;

/// <summary>What the webhook events care about in a post or page: its workflow status and whether it is in the trash.</summary>
public readonly record struct PostState(ArticleStatus Status, bool Trashed)
{
    public bool IsPublished => Status == ArticleStatus.Published && !Trashed;
}

/// <summary>
/// Which events a change to a post or page fires, as Ghost fires them: every change to an existing item is an edit
/// (a publish too), a published item edited while it stays published is also "published.edited", and the trash is
/// deletion for the APIs (a restore adds the item back).
/// </summary>
public static class WebhookTriggers
{
    /// <param name="before">Null when the item is new.</param>
    public static IReadOnlyList<string> ForPost(ArticleKind kind, PostState? before, PostState after)
    {
        var events = new List<string>();
        void Fire(string action) => events.Add((kind == ArticleKind.Page ? "page." : "post.") + action);

        if (before is not { } was)
        {
            Fire("added");
            if (after.IsPublished) Fire("published");
            else if (after.Status == ArticleStatus.Scheduled && !after.Trashed) Fire("scheduled");
            return events;
        }
        if (!was.Trashed && after.Trashed)
        {
            if (was.IsPublished) Fire("unpublished");
            Fire("deleted");
            return events;
        }
        if (was.Trashed && !after.Trashed)
        {
            Fire("added");
            if (after.IsPublished) Fire("published");
            return events;
        }
        if (was.Trashed) return events; // a trashed item changes only by being restored

        Fire("edited");
        if (!was.IsPublished && after.IsPublished) Fire("published");
        else if (was.IsPublished && !after.IsPublished) Fire("unpublished");
        else if (was.IsPublished && after.IsPublished) Fire("published.edited");
        if (after.Status == ArticleStatus.Scheduled && was.Status != ArticleStatus.Scheduled) Fire("scheduled");
        return events;
    }
}
