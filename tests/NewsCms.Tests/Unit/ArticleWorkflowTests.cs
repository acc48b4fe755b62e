using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Unit;

/// <summary>The full matrix: role × action × own/other × state (and trash). Every cell is stated, none inferred.</summary>
public class ArticleWorkflowTests
{
    private const string A = NewsroomRoles.Administrator, E = NewsroomRoles.Editor, Au = NewsroomRoles.Author, C = NewsroomRoles.Contributor;

    // Expected permissions for a non-trashed article: for each (role, own?) the actions allowed per state.
    private static readonly Dictionary<(string Role, bool Own), Dictionary<ArticleStatus, ArticleAction[]>> Expected = new()
    {
        [(C, true)] = new()
        {
            [ArticleStatus.Draft] = [ArticleAction.Edit, ArticleAction.Submit],
            [ArticleStatus.InReview] = [ArticleAction.Withdraw],
            [ArticleStatus.Scheduled] = [],
            [ArticleStatus.Published] = [],
        },
        [(C, false)] = new()
        {
            [ArticleStatus.Draft] = [], [ArticleStatus.InReview] = [], [ArticleStatus.Scheduled] = [], [ArticleStatus.Published] = [],
        },
        [(Au, true)] = new()
        {
            [ArticleStatus.Draft] = [ArticleAction.Edit, ArticleAction.Submit, ArticleAction.Publish, ArticleAction.Schedule],
            [ArticleStatus.InReview] = [ArticleAction.Edit, ArticleAction.Publish, ArticleAction.Schedule, ArticleAction.Withdraw],
            [ArticleStatus.Scheduled] = [ArticleAction.Edit, ArticleAction.Publish, ArticleAction.Schedule, ArticleAction.Unpublish],
            [ArticleStatus.Published] = [ArticleAction.Edit, ArticleAction.Unpublish],
        },
        [(Au, false)] = new()
        {
            [ArticleStatus.Draft] = [], [ArticleStatus.InReview] = [], [ArticleStatus.Scheduled] = [], [ArticleStatus.Published] = [],
        },
    };

    private static readonly Dictionary<ArticleStatus, ArticleAction[]> DeskAnyArticle = new()
    {
        [ArticleStatus.Draft] = [ArticleAction.Edit, ArticleAction.Submit, ArticleAction.Publish, ArticleAction.Schedule, ArticleAction.Trash, ArticleAction.TakeOver],
        [ArticleStatus.InReview] = [ArticleAction.Edit, ArticleAction.Publish, ArticleAction.Schedule, ArticleAction.Trash, ArticleAction.TakeOver, ArticleAction.RequestChanges],
        [ArticleStatus.Scheduled] = [ArticleAction.Edit, ArticleAction.Publish, ArticleAction.Schedule, ArticleAction.Unpublish, ArticleAction.Trash, ArticleAction.TakeOver],
        [ArticleStatus.Published] = [ArticleAction.Edit, ArticleAction.Unpublish, ArticleAction.Trash, ArticleAction.TakeOver],
    };

    public static TheoryData<string, bool, ArticleStatus, bool, ArticleAction, bool> Matrix()
    {
        var data = new TheoryData<string, bool, ArticleStatus, bool, ArticleAction, bool>();
        foreach (var role in NewsroomRoles.All)
        foreach (var own in new[] { true, false })
        foreach (var status in Enum.GetValues<ArticleStatus>())
        foreach (var trashed in new[] { false, true })
        foreach (var action in Enum.GetValues<ArticleAction>())
        {
            bool allowed;
            if (trashed)
            {
                allowed = action == ArticleAction.Restore && role is A or E;
            }
            else
            {
                var row = role is A or E ? DeskAnyArticle[status] : Expected[(role, own)][status];
                // The desk withdraws only its own submissions, like any writer.
                allowed = row.Contains(action) || (role is A or E && own && status == ArticleStatus.InReview && action == ArticleAction.Withdraw);
            }
            data.Add(role, own, status, trashed, action, allowed);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Each_cell_of_the_matrix_holds(string role, bool own, ArticleStatus status, bool trashed, ArticleAction action, bool allowed) =>
        Assert.Equal(allowed, ArticleWorkflow.Allows(role, action, own, status, trashed));

    [Fact]
    public void The_matrix_has_every_combination() =>
        Assert.Equal(4 * 2 * 4 * 2 * Enum.GetValues<ArticleAction>().Length, Matrix().Count());

    [Theory]
    [InlineData("Reader")]
    [InlineData("")]
    public void Unknown_roles_may_do_nothing(string role)
    {
        foreach (var action in Enum.GetValues<ArticleAction>())
        foreach (var status in Enum.GetValues<ArticleStatus>())
        {
            Assert.False(ArticleWorkflow.Allows(role, action, isOwn: true, status, trashed: false));
        }
    }

    [Theory]
    [InlineData(C)]
    [InlineData(Au)]
    [InlineData(E)]
    [InlineData(A)]
    public void Nobody_withdraws_a_submission_once_its_review_started(string role)
    {
        Assert.True(ArticleWorkflow.Allows(role, ArticleAction.Withdraw, isOwn: true, ArticleStatus.InReview, trashed: false, reviewStarted: false));
        Assert.False(ArticleWorkflow.Allows(role, ArticleAction.Withdraw, isOwn: true, ArticleStatus.InReview, trashed: false, reviewStarted: true));
    }

    [Theory]
    [InlineData(A, "editor", "writer", ArticleStatus.InReview, false, true)]
    [InlineData(E, "editor", "writer", ArticleStatus.InReview, false, true)]
    [InlineData(E, "editor", "editor", ArticleStatus.InReview, false, false)] // their own submission
    [InlineData(E, "editor", "writer", ArticleStatus.InReview, true, false)] // started already
    [InlineData(E, "editor", "writer", ArticleStatus.Draft, false, false)]
    [InlineData(Au, "author", "writer", ArticleStatus.InReview, false, false)]
    [InlineData(C, "contributor", "writer", ArticleStatus.InReview, false, false)]
    public void Review_starts_when_someone_on_the_desk_other_than_the_submitter_opens_or_changes_it(
        string role, string actor, string submitter, ArticleStatus status, bool started, bool starts) =>
        Assert.Equal(starts, ArticleWorkflow.StartsReview(role, actor, status, submitter, started));

    [Theory]
    [InlineData(A, "a", "b", true)]
    [InlineData(E, "a", "b", true)]
    [InlineData(E, "a", "a", false)]
    [InlineData(Au, "a", "b", false)]
    [InlineData(C, "a", "b", false)]
    public void Submissions_are_told_to_the_desk_but_not_to_whoever_acted(string role, string user, string actor, bool hears) =>
        Assert.Equal(hears, ArticleWorkflow.HearsOfSubmissions(role, user, actor));
}
