using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Webhooks;

namespace NewsCms.Tests.Unit;

/// <summary>Which events each change to a post or page fires: one row per transition, stated in full.</summary>
public class WebhookTriggerTests
{
    private static readonly PostState Draft = new(ArticleStatus.Draft, false);
    private static readonly PostState InReview = new(ArticleStatus.InReview, false);
    private static readonly PostState Scheduled = new(ArticleStatus.Scheduled, false);
    private static readonly PostState Published = new(ArticleStatus.Published, false);
    private static readonly PostState TrashedDraft = new(ArticleStatus.Draft, true);
    private static readonly PostState TrashedPublished = new(ArticleStatus.Published, true);

    public static TheoryData<string, PostState?, PostState, string> Transitions => new()
    {
        { "created as a draft", null, Draft, "post.added" },
        { "created published", null, Published, "post.added post.published" },
        { "created scheduled", null, Scheduled, "post.added post.scheduled" },
        { "draft saved", Draft, Draft, "post.edited" },
        { "submitted for review", Draft, InReview, "post.edited" },
        { "published", InReview, Published, "post.edited post.published" },
        { "published by the scheduler", Scheduled, Published, "post.edited post.published" },
        { "published article edited", Published, Published, "post.edited post.published.edited" },
        { "unpublished", Published, Draft, "post.edited post.unpublished" },
        { "scheduled", Draft, Scheduled, "post.edited post.scheduled" },
        { "rescheduled", Scheduled, Scheduled, "post.edited" },
        { "schedule withdrawn", Scheduled, InReview, "post.edited" },
        { "draft trashed", Draft, TrashedDraft, "post.deleted" },
        { "published article trashed", Published, TrashedPublished, "post.unpublished post.deleted" },
        { "restored from the trash", TrashedDraft, Draft, "post.added" },
        { "trashed item touched", TrashedDraft, TrashedDraft, "" },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public void A_post_fires_Ghosts_events(string change, PostState? before, PostState after, string expected)
    {
        Assert.True(expected == string.Join(' ', WebhookTriggers.ForPost(ArticleKind.Article, before, after)), change);
    }

    [Fact]
    public void A_page_fires_the_page_events()
    {
        Assert.Equal(["page.edited", "page.published"], WebhookTriggers.ForPost(ArticleKind.Page, Draft, Published));
        Assert.Equal(["page.unpublished", "page.deleted"], WebhookTriggers.ForPost(ArticleKind.Page, Published, TrashedPublished));
    }

    [Fact]
    public void Every_event_fired_is_one_a_webhook_can_subscribe_to()
    {
        PostState?[] befores = [null, Draft, InReview, Scheduled, Published, TrashedDraft, TrashedPublished];
        PostState[] afters = [Draft, InReview, Scheduled, Published, TrashedDraft, TrashedPublished];
        foreach (var kind in new[] { ArticleKind.Article, ArticleKind.Page })
        foreach (var before in befores)
        foreach (var after in afters)
        foreach (var name in WebhookTriggers.ForPost(kind, before, after))
        {
            Assert.True(WebhookEvents.IsKnown(name), name);
        }
    }
}
