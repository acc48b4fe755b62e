using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor.Services;
using NewsCms.Web.Components.Admin.Articles;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Articles.Editing;

namespace NewsCms.Tests.Components;

/// <summary>
/// The article editor's workflow buttons, its browser-backup offer and its address/SEO fields rendered with bUnit:
/// which buttons show for which allowed actions, busy disables them, each click raises its own callback.
/// </summary>
public sealed class EditorActionsTests : IAsyncDisposable
{
    private readonly BunitContext context = new();

    // The site's time zone in these tests: Berlin (UTC+1 in December).
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static DateTime Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Berlin);

    public EditorActionsTests()
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
    }

    public ValueTask DisposeAsync() => context.DisposeAsync();

    private static List<string> ButtonTexts<T>(IRenderedComponent<T> rendered) where T : IComponent =>
        rendered.FindAll("button").Select(b => b.TextContent.Trim()).ToList();

    private static AngleSharp.Dom.IElement Button<T>(IRenderedComponent<T> rendered, string text) where T : IComponent =>
        rendered.FindAll("button").Single(b => b.TextContent.Trim() == text);

    private static ArticleForEdit Article(ArticleStatus status, params ArticleAction[] allowed) =>
        new(7, "Pier repairs", "", "pier-repairs", "<p>Text.</p>", null, null, null, status, false, default, default, null,
            status == ArticleStatus.Scheduled ? new DateTime(2026, 12, 24, 17, 0, 0, DateTimeKind.Utc) : null, "Ann", "Ann",
            1, 1, Guid.NewGuid(), allowed.ToHashSet(), null, [], [], null);

    private sealed class Clicks
    {
        public List<string> Raised { get; } = [];
        public List<DateTime?> Scheduled { get; } = [];
    }

    private (IRenderedComponent<EditorActions> Actions, Clicks Clicks) RenderActions(ArticleForEdit? article, IEnumerable<ArticleAction> actions,
        bool readOnly = false, bool busy = false)
    {
        var clicks = new Clicks();
        EventCallback Raise(string name) => EventCallback.Factory.Create(this, () => clicks.Raised.Add(name));
        var rendered = context.Render<EditorActions>(p => p
            .Add(c => c.Article, article)
            .Add(c => c.Actions, actions.ToHashSet())
            .Add(c => c.ReadOnly, readOnly)
            .Add(c => c.Busy, busy)
            .Add(c => c.ZoneId, "Europe/Berlin")
            .Add(c => c.Local, Local)
            .Add(c => c.Save, Raise("save"))
            .Add(c => c.Submit, Raise("submit"))
            .Add(c => c.Withdraw, Raise("withdraw"))
            .Add(c => c.Publish, Raise("publish"))
            .Add(c => c.Schedule, EventCallback.Factory.Create<DateTime?>(this, at => { clicks.Raised.Add("schedule"); clicks.Scheduled.Add(at); }))
            .Add(c => c.Unpublish, Raise("unpublish"))
            .Add(c => c.Preview, Raise("preview"))
            .Add(c => c.History, Raise("history"))
            .Add(c => c.Trash, Raise("trash"))
            .Add(c => c.Restore, Raise("restore")));
        return (rendered, clicks);
    }

    [Fact]
    public void A_new_article_offers_saving_and_its_writers_actions_but_no_preview_or_history()
    {
        var (actions, _) = RenderActions(null, [ArticleAction.Submit, ArticleAction.Publish, ArticleAction.Schedule]);

        Assert.Equal(["Save draft", "Submit for review", "Publish", "Schedule"], ButtonTexts(actions));
        Assert.Equal("Publish at (Europe/Berlin)", actions.Find("label[for=publish-at]").TextContent);
        Assert.Equal("datetime-local", actions.Find("#publish-at").GetAttribute("type"));
        Assert.Empty(actions.FindAll("[data-testid=scheduled-for]"));
    }

    [Fact]
    public void Each_button_shows_only_for_its_allowed_action()
    {
        var (draft, _) = RenderActions(Article(ArticleStatus.Draft, ArticleAction.Edit, ArticleAction.Submit, ArticleAction.Trash),
            [ArticleAction.Edit, ArticleAction.Submit, ArticleAction.Trash]);
        Assert.Equal(["Save draft", "Submit for review", "Preview", "History", "Move to trash"], ButtonTexts(draft));
        Assert.Empty(draft.FindAll("#publish-at"));

        var (published, _) = RenderActions(Article(ArticleStatus.Published, ArticleAction.Edit, ArticleAction.Unpublish),
            [ArticleAction.Edit, ArticleAction.Unpublish]);
        Assert.Equal(["Update", "Unpublish", "Preview", "History"], ButtonTexts(published));
        var link = published.FindAll("a").Single(a => a.TextContent.Trim() == "View the public page");
        Assert.Equal(ArticleUrls.ForSlug("pier-repairs"), link.GetAttribute("href"));
        Assert.Equal("_blank", link.GetAttribute("target"));

        // In the trash, read-only: nothing to save, only the way back.
        var (trashed, _) = RenderActions(Article(ArticleStatus.Draft, ArticleAction.Restore), [ArticleAction.Restore], readOnly: true);
        Assert.Equal(["Preview", "History", "Restore from trash"], ButtonTexts(trashed));
        Assert.Empty(trashed.FindAll("a"));
    }

    [Fact]
    public void A_submission_offers_its_writer_Withdraw_and_the_desk_the_way_to_request_changes()
    {
        // The writer may not edit a submission, yet may withdraw it while nobody reviews it.
        var (writer, clicks) = RenderActions(Article(ArticleStatus.InReview, ArticleAction.Withdraw), [ArticleAction.Withdraw], readOnly: true);
        Assert.Equal(["Withdraw", "Preview", "History"], ButtonTexts(writer));
        Button(writer, "Withdraw").Click();
        Assert.Equal(["withdraw"], clicks.Raised);

        var (desk, _) = RenderActions(Article(ArticleStatus.InReview, ArticleAction.Edit, ArticleAction.RequestChanges, ArticleAction.Publish),
            [ArticleAction.Edit, ArticleAction.RequestChanges, ArticleAction.Publish]);
        Assert.DoesNotContain("Withdraw", ButtonTexts(desk));
        var link = desk.FindAll("a").Single(a => a.TextContent.Trim() == "Request changes in the review queue");
        Assert.Equal("/admin/review", link.GetAttribute("href"));
    }

    [Fact]
    public void The_writer_sees_the_requested_changes_until_they_submit_and_the_desk_sees_who_submitted_and_who_reviews()
    {
        var requested = Article(ArticleStatus.Draft, ArticleAction.Edit, ArticleAction.Submit) with
        {
            Review = new ArticleReviewState(null, null, null, null, new DateTime(2026, 12, 24, 17, 0, 0, DateTimeKind.Utc), "Edna Editor", "Name the station.\nAnd the crew."),
        };
        var notice = context.Render<EditorReviewNotice>(p => p.Add(c => c.Article, requested).Add(c => c.Local, Local));
        Assert.Contains("Changes requested by Edna Editor on 2026-12-24 18:00", notice.Find("[data-testid=changes-requested]").TextContent);
        Assert.Equal("Name the station.\nAnd the crew.", notice.Find("[data-testid=changes-requested-message]").TextContent);

        var submitted = Article(ArticleStatus.InReview) with
        {
            Review = new ArticleReviewState(new DateTime(2026, 12, 24, 9, 0, 0, DateTimeKind.Utc), "Carl Contributor", null, null, null, null, null),
        };
        notice = context.Render<EditorReviewNotice>(p => p.Add(c => c.Article, submitted).Add(c => c.Local, Local));
        Assert.Empty(notice.FindAll("[data-testid=changes-requested]"));
        Assert.Contains("Submitted for review by Carl Contributor on 2026-12-24 10:00; nobody has started reviewing it yet.", notice.Find("[data-testid=review-state]").TextContent);
    }

    [Fact]
    public void A_scheduled_article_says_when_in_the_sites_time_zone()
    {
        var (actions, _) = RenderActions(Article(ArticleStatus.Scheduled, ArticleAction.Edit), [ArticleAction.Edit]);

        // 17:00 UTC on 24 December is 18:00 in Berlin.
        Assert.Equal("Scheduled for 2026-12-24 18:00 (Europe/Berlin)", actions.Find("[data-testid=scheduled-for]").TextContent.Trim());
    }

    [Fact]
    public void Each_click_raises_its_own_callback_and_schedule_carries_the_typed_time()
    {
        ArticleAction[] all = [ArticleAction.Edit, ArticleAction.Submit, ArticleAction.Publish, ArticleAction.Schedule, ArticleAction.Unpublish,
            ArticleAction.Trash, ArticleAction.Restore];
        var (actions, clicks) = RenderActions(Article(ArticleStatus.Draft, all), all);

        foreach (var text in new[] { "Save draft", "Submit for review", "Publish", "Unpublish", "Preview", "History", "Move to trash", "Restore from trash" })
        {
            Button(actions, text).Click();
        }
        Assert.Equal(["save", "submit", "publish", "unpublish", "preview", "history", "trash", "restore"], clicks.Raised);

        Button(actions, "Schedule").Click(); // no time typed yet
        // Blazor's script sends a datetime-local value with its seconds ("…T18:00" becomes "…T18:00:00").
        actions.Find("#publish-at").Input("2026-12-24T18:00:00");
        Button(actions, "Schedule").Click();
        Assert.Equal([null, new DateTime(2026, 12, 24, 18, 0, 0)], clicks.Scheduled);
    }

    [Fact]
    public void While_busy_every_button_is_disabled_and_clicks_raise_nothing()
    {
        ArticleAction[] all = [ArticleAction.Edit, ArticleAction.Submit, ArticleAction.Publish, ArticleAction.Schedule, ArticleAction.Unpublish,
            ArticleAction.Trash, ArticleAction.Restore];
        var (actions, clicks) = RenderActions(Article(ArticleStatus.Draft, all), all, busy: true);

        var buttons = actions.FindAll("button");
        Assert.Equal(9, buttons.Count);
        Assert.All(buttons, b => Assert.True(b.HasAttribute("disabled"), b.TextContent));
        foreach (var button in buttons) button.Click();
        Assert.Empty(clicks.Raised);
    }

    // ---------------------------------------------------------------- backup offer

    [Fact]
    public void The_backup_offer_says_when_the_text_was_kept_and_raises_restore_or_discard()
    {
        var raised = new List<string>();
        var offer = context.Render<EditorBackupOffer>(p => p
            .Add(c => c.Backup, new EditorBackup("<p>Kept.</p>", new DateTime(2026, 12, 4, 8, 41, 0, DateTimeKind.Utc), null, null))
            .Add(c => c.Local, Local)
            .Add(c => c.Restore, EventCallback.Factory.Create(this, () => raised.Add("restore")))
            .Add(c => c.Discard, EventCallback.Factory.Create(this, () => raised.Add("discard"))));

        // 08:41 UTC is 09:41 in Berlin in December.
        Assert.Contains("Unsaved text from 4 Dec 09:41 was kept in this browser.", offer.Find("[data-testid=backup-offer]").TextContent);
        Button(offer, "Restore unsaved text").Click();
        Button(offer, "Discard it").Click();
        Assert.Equal(["restore", "discard"], raised);
    }

    [Fact]
    public void Without_a_backup_nothing_is_offered()
    {
        var offer = context.Render<EditorBackupOffer>(p => p.Add(c => c.Backup, (EditorBackup?)null));
        Assert.Empty(offer.FindAll("[data-testid=backup-offer]"));
        Assert.Empty(offer.FindAll("button"));
    }

    // ---------------------------------------------------------------- address and search engines

    [Fact]
    public void The_address_fields_write_the_seo_fields_into_the_input_and_pass_the_slug_up()
    {
        var input = new ArticleInput { Slug = "pier-repairs" };
        var slugs = new List<string>();
        var changes = 0;
        var fields = context.Render<EditorAddressFields>(p => p
            .Add(c => c.Input, input)
            .Add(c => c.SlugEdited, false)
            .Add(c => c.ErrorField, "CanonicalUrl")
            .Add(c => c.Error, "The canonical URL must start with http:// or https://.")
            .Add(c => c.SlugChanged, EventCallback.Factory.Create<string>(this, slugs.Add))
            .Add(c => c.Changed, EventCallback.Factory.Create(this, () => changes++)));

        Assert.Contains($"{ArticleUrls.ForSlug("pier-repairs")} · follows the headline", fields.Markup);
        Assert.Contains("The canonical URL must start with http:// or https://.", fields.Markup);

        fields.Find("#seo-title").Input("Pier repairs: what changes");
        fields.Find("#meta-description").Input("Three months of work.");
        fields.Find("#canonical-url").Input("https://example.org/pier");
        fields.Find("#slug").Input("pier");

        Assert.Equal("Pier repairs: what changes", input.SeoTitle);
        Assert.Equal("Three months of work.", input.MetaDescription);
        Assert.Equal("https://example.org/pier", input.CanonicalUrl);
        Assert.Equal(3, changes);
        Assert.Equal(["pier"], slugs);
        Assert.Equal("pier-repairs", input.Slug); // the slug rule (follows the headline or not) is the editor's
    }
}
