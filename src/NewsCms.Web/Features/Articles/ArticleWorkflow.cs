using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Articles;

public enum ArticleAction
{
    Edit,
    Submit,
    Publish,
    Schedule,
    Unpublish,
    Trash,
    Restore,
    TakeOver,
}

/// <summary>
/// Who may do what to an article. Pure: the service asks it with the actor's current role, whether the article is
/// theirs, its state and whether it is in the trash, and refuses otherwise.
/// </summary>
public static class ArticleWorkflow
{
    public static bool Allows(string role, ArticleAction action, bool isOwn, ArticleStatus status, bool trashed)
    {
        if (!NewsroomRoles.IsKnown(role)) return false;
        var editsAny = Capabilities.Allows(role, Capabilities.EditAnyArticle);
        if (trashed)
        {
            // A trashed article is frozen until an Editor or Administrator restores it.
            return action == ArticleAction.Restore && editsAny;
        }

        var mayTouch = editsAny || isOwn;
        var publishes = Capabilities.Allows(role, Capabilities.PublishArticles) && mayTouch;
        return action switch
        {
            // Contributors edit their own drafts only: once submitted, the desk has it.
            ArticleAction.Edit => editsAny || (isOwn && (publishes || status == ArticleStatus.Draft)),
            ArticleAction.Submit => mayTouch && status == ArticleStatus.Draft,
            ArticleAction.Publish => publishes && status != ArticleStatus.Published,
            ArticleAction.Schedule => publishes && status is ArticleStatus.Draft or ArticleStatus.InReview or ArticleStatus.Scheduled,
            ArticleAction.Unpublish => publishes && status is ArticleStatus.Published or ArticleStatus.Scheduled,
            ArticleAction.Trash => editsAny,
            ArticleAction.Restore => false,
            ArticleAction.TakeOver => editsAny,
            _ => false,
        };
    }

    public static string Describe(ArticleStatus status, bool trashed) => trashed ? "In trash" : status switch
    {
        ArticleStatus.Draft => "Draft",
        ArticleStatus.InReview => "In review",
        ArticleStatus.Scheduled => "Scheduled",
        ArticleStatus.Published => "Published",
        _ => status.ToString(),
    };
}
