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

    /// <summary>An Editor or Administrator sends a submission back to its writer with a message (it becomes a draft).</summary>
    RequestChanges,

    /// <summary>A writer takes back their own submission, while nobody has started reviewing it.</summary>
    Withdraw,
}

/// <summary>
/// Who may do what to an article. Pure: the service asks it with the actor's current role, whether the article is
/// theirs, its state and whether it is in the trash, and refuses otherwise.
/// </summary>
public static class ArticleWorkflow
{
    public static bool Allows(string role, ArticleAction action, bool isOwn, ArticleStatus status, bool trashed, bool reviewStarted = false)
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
            ArticleAction.RequestChanges => editsAny && status == ArticleStatus.InReview,
            // Once a reviewer has opened or changed it, taking it back would pull it from under them.
            ArticleAction.Withdraw => isOwn && status == ArticleStatus.InReview && !reviewStarted,
            _ => false,
        };
    }

    /// <summary>
    /// Whether <paramref name="actorId"/> opening or changing a submission starts its review: an Editor or
    /// Administrator other than the one who submitted it (a submitter looking at their own piece reviews nothing).
    /// </summary>
    public static bool StartsReview(string role, string actorId, ArticleStatus status, string? submittedById, bool alreadyStarted) =>
        !alreadyStarted && status == ArticleStatus.InReview && Capabilities.Allows(role, Capabilities.EditAnyArticle) && actorId != submittedById;

    /// <summary>Who is told of a submission (and of its withdrawal): every Editor and Administrator but the one who acted.</summary>
    public static bool HearsOfSubmissions(string role, string userId, string actorId) =>
        Capabilities.Allows(role, Capabilities.EditAnyArticle) && userId != actorId;

    public static string Describe(ArticleStatus status, bool trashed) => trashed ? "In trash" : status switch
    {
        ArticleStatus.Draft => "Draft",
        ArticleStatus.InReview => "In review",
        ArticleStatus.Scheduled => "Scheduled",
        ArticleStatus.Published => "Published",
        _ => status.ToString(),
    };
}
