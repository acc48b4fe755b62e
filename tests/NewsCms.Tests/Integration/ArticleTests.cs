using System.Net;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

public class ArticleTests : IAsyncLifetime
{
    private NewsCmsAppFactory app = default!;
    private AsyncServiceScope scope;
    private NewsroomArticles articles = default!;

    public async ValueTask InitializeAsync()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        app.CreateClient().Dispose();
        scope = app.Services.CreateAsyncScope();
        articles = scope.ServiceProvider.NewsroomArticles();
    }

    public async ValueTask DisposeAsync()
    {
        await scope.DisposeAsync();
        await app.DisposeAsync();
    }

    private async Task<ClaimsPrincipal> AsAsync(string role)
    {
        var (_, email, _) = await app.CreateUserAsync(role);
        return await app.PrincipalForAsync(email);
    }

    private static ArticleInput Input(string headline, string body = "<p>Body text.</p>", string slug = "") =>
        new() { Headline = headline, Standfirst = "The standfirst.", BodyHtml = body, Slug = slug };

    [Fact]
    public async Task Created_submitted_and_published_an_article_is_public_at_once()
    {
        var contributor = await AsAsync(NewsroomRoles.Contributor);
        var editor = await AsAsync(NewsroomRoles.Editor);
        using var reader = app.CreateClient();

        var created = await articles.Editing.SaveAsync(contributor, null, Input("Council approves new budget", "<p>The <strong>council</strong> voted.</p><script>alert(1)</script>"), null, SaveKind.Manual);
        Assert.True(created.Succeeded, created.Error);
        Assert.Equal("council-approves-new-budget", created.Slug);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/news/council-approves-new-budget")).StatusCode);

        var submitted = await articles.Workflow.SubmitAsync(contributor, created.Id, created.Version);
        Assert.True(submitted.Succeeded, submitted.Error);
        Assert.Contains("not allowed", (await articles.Workflow.PublishAsync(contributor, created.Id, submitted.Value!.Version)).Error);

        var published = await articles.Workflow.PublishAsync(editor, created.Id, submitted.Value!.Version);
        Assert.True(published.Succeeded, published.Error);

        var page = await reader.GetAsync("/news/council-approves-new-budget");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Council approves new budget", html);
        Assert.Contains("The standfirst.", html);
        Assert.Contains("<p>The <strong>council</strong> voted.</p>", html);
        Assert.DoesNotContain("alert(1)", html);
        Assert.Contains("<time datetime=", html);
        Assert.Contains("Council approves new budget", await reader.GetStringAsync("/"));

        await SetupTests.AssertAuditedAsync(app, AuditActions.ArticleSubmitted, "Council approves");
        await SetupTests.AssertAuditedAsync(app, AuditActions.ArticlePublished, "Council approves");
        var revisions = (await articles.Reads.ListRevisionsAsync(editor, created.Id)).Value!;
        Assert.Equal([RevisionKind.Published, RevisionKind.Submitted, RevisionKind.Created], revisions.Select(r => r.Kind));
    }

    [Fact]
    public async Task A_stale_save_is_a_conflict_and_overwrites_nothing()
    {
        var author = await AsAsync(NewsroomRoles.Author);
        var editor = await AsAsync(NewsroomRoles.Editor);
        var created = await articles.Editing.SaveAsync(author, null, Input("Original headline"), null, SaveKind.Manual);

        var editorSave = await articles.Editing.SaveAsync(editor, created.Id, Input("Editor's headline", "<p>Editor's text.</p>"), created.Version, SaveKind.Manual);
        Assert.True(editorSave.Succeeded);

        var stale = await articles.Editing.SaveAsync(author, created.Id, Input("Author's headline", "<p>Author's text.</p>"), created.Version, SaveKind.Autosave);
        Assert.False(stale.Succeeded);
        Assert.NotNull(stale.Conflict);
        Assert.Equal("Editor's headline", stale.Conflict.Headline);
        Assert.Equal(editorSave.Version, stale.Conflict.Version);
        Assert.Equal("Editor's headline", (await articles.Reads.GetForEditAsync(editor, created.Id)).Value!.Headline);

        // Keeping mine saves it over theirs and keeps theirs as a revision.
        var kept = await articles.Editing.ResolveConflictAsync(author, created.Id, Input("Author's headline", "<p>Author's text.</p>"), stale.Conflict.Version, keepMine: true);
        Assert.True(kept.Succeeded, kept.Error);
        Assert.Equal("Author's headline", (await articles.Reads.GetForEditAsync(editor, created.Id)).Value!.Headline);
        var revisions = (await articles.Reads.ListRevisionsAsync(editor, created.Id)).Value!;
        Assert.Contains(revisions, r => r.Kind == RevisionKind.ConflictCopy && r.Headline == "Editor's headline");
    }

    [Fact]
    public async Task Two_racing_saves_with_the_same_version_cannot_both_win()
    {
        var author = await AsAsync(NewsroomRoles.Author);
        var created = await articles.Editing.SaveAsync(author, null, Input("Race"), null, SaveKind.Manual);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            await using var s = app.Services.CreateAsyncScope();
            return await s.ServiceProvider.NewsroomArticles()
                .Editing.SaveAsync(author, created.Id, Input($"Race {i}"), created.Version, SaveKind.Manual);
        })));
        Assert.Single(outcomes, o => o.Succeeded);
        Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.NotNull(o.Conflict));
    }

    [Fact]
    public async Task Slugs_are_unique_with_a_clear_message_and_generated_ones_get_a_suffix()
    {
        var author = await AsAsync(NewsroomRoles.Author);
        var first = await articles.Editing.SaveAsync(author, null, Input("Same headline"), null, SaveKind.Manual);
        var second = await articles.Editing.SaveAsync(author, null, Input("Same headline"), null, SaveKind.Manual);
        Assert.Equal("same-headline", first.Slug);
        Assert.Equal("same-headline-2", second.Slug);

        var taken = await articles.Editing.SaveAsync(author, second.Id, Input("Same headline", slug: "same-headline"), second.Version, SaveKind.Manual);
        Assert.Equal("Slug", taken.Field);
        Assert.Contains("already used by \"Same headline\"", taken.Error);
        var invalid = await articles.Editing.SaveAsync(author, second.Id, Input("Same headline", slug: "Not A Slug"), second.Version, SaveKind.Manual);
        Assert.Contains("not-a-slug", invalid.Error);
        Assert.Equal("Enter a headline.", (await articles.Editing.SaveAsync(author, null, Input(" "), null, SaveKind.Manual)).Error);
    }

    [Fact]
    public async Task Public_addresses_answer_404_410_and_301_as_the_article_moves_through_its_life()
    {
        var editor = await AsAsync(NewsroomRoles.Editor);
        using var reader = app.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/news/no-such-story")).StatusCode);

        var draft = await articles.Editing.SaveAsync(editor, null, Input("Draft story"), null, SaveKind.Manual);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/news/draft-story")).StatusCode);
        var trashedDraft = await articles.Workflow.TrashAsync(editor, draft.Id, draft.Version);
        Assert.True(trashedDraft.Succeeded);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/news/draft-story")).StatusCode);

        var story = await articles.Editing.SaveAsync(editor, null, Input("Moving story"), null, SaveKind.Manual);
        var published = await articles.Workflow.PublishAsync(editor, story.Id, story.Version);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/news/moving-story")).StatusCode);

        var renamed = await articles.Editing.SaveAsync(editor, story.Id, Input("Moving story", slug: "moved-story"), published.Value!.Version, SaveKind.Manual);
        Assert.True(renamed.Succeeded, renamed.Error);
        var old = await reader.GetAsync("/news/moving-story");
        Assert.Equal(HttpStatusCode.MovedPermanently, old.StatusCode);
        Assert.Equal("/news/moved-story", old.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/news/moved-story")).StatusCode);

        var unpublished = await articles.Workflow.UnpublishAsync(editor, story.Id, renamed.Version);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/news/moved-story")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/news/moving-story")).StatusCode);

        var trashed = await articles.Workflow.TrashAsync(editor, story.Id, unpublished.Value!.Version);
        Assert.Equal(HttpStatusCode.Gone, (await reader.GetAsync("/news/moved-story")).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await reader.GetAsync("/news/moving-story")).StatusCode);

        var restored = await articles.Workflow.RestoreAsync(editor, story.Id, trashed.Value!.Version);
        Assert.True(restored.Succeeded);
        Assert.Equal("Draft", (await articles.Reads.GetForEditAsync(editor, story.Id)).Value!.StatusText);
    }

    [Fact]
    public async Task Services_refuse_what_the_role_may_not_do()
    {
        var contributor = await AsAsync(NewsroomRoles.Contributor);
        var otherContributor = await AsAsync(NewsroomRoles.Contributor);
        var author = await AsAsync(NewsroomRoles.Author);

        var draft = await articles.Editing.SaveAsync(contributor, null, Input("Contributor draft"), null, SaveKind.Manual);
        Assert.Equal(NewsroomActors.NotAllowed, (await articles.Reads.GetForEditAsync(otherContributor, draft.Id)).Error);
        Assert.False((await articles.Editing.SaveAsync(otherContributor, draft.Id, Input("Hijack"), draft.Version, SaveKind.Manual)).Succeeded);
        Assert.False((await articles.Editing.SaveAsync(author, draft.Id, Input("Hijack"), draft.Version, SaveKind.Manual)).Succeeded);
        Assert.False((await articles.Workflow.ScheduleAsync(contributor, draft.Id, draft.Version, DateTime.UtcNow.AddDays(1))).Succeeded);
        Assert.False((await articles.Workflow.TrashAsync(author, draft.Id, draft.Version)).Succeeded);

        var submitted = await articles.Workflow.SubmitAsync(contributor, draft.Id, draft.Version);
        var afterSubmit = await articles.Editing.SaveAsync(contributor, draft.Id, Input("Changed after submit"), submitted.Value!.Version, SaveKind.Manual);
        Assert.Contains("only the desk can change it now", afterSubmit.Error);

        var ownStory = await articles.Editing.SaveAsync(author, null, Input("Author story"), null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(author, ownStory.Id, ownStory.Version)).Succeeded);
        Assert.DoesNotContain((await articles.Reads.ListAsync(contributor, new ArticleListQuery())).Value!.Items, a => a.Headline == "Author story");
    }

    [Fact]
    public async Task The_list_filters_searches_sorts_and_pages()
    {
        var author = await AsAsync(NewsroomRoles.Author);
        var editor = await AsAsync(NewsroomRoles.Editor);
        for (var i = 0; i < 5; i++) await articles.Editing.SaveAsync(author, null, Input($"Author piece {i}"), null, SaveKind.Manual);
        var mine = await articles.Editing.SaveAsync(editor, null, Input("Editor piece"), null, SaveKind.Manual);
        await articles.Workflow.PublishAsync(editor, mine.Id, mine.Version);

        Assert.Equal(6, (await articles.Reads.ListAsync(editor, new ArticleListQuery())).Value!.Total);
        Assert.Equal("Editor piece", Assert.Single((await articles.Reads.ListAsync(editor, new ArticleListQuery(Mine: true))).Value!.Items).Headline);
        Assert.Single((await articles.Reads.ListAsync(editor, new ArticleListQuery(Status: ArticleStatus.Published))).Value!.Items);
        Assert.Equal(5, (await articles.Reads.ListAsync(editor, new ArticleListQuery(Search: "author piece"))).Value!.Total);
        var page = (await articles.Reads.ListAsync(editor, new ArticleListQuery(Page: 1, PageSize: 4))).Value!;
        Assert.Equal(2, page.Items.Count);
        Assert.Equal("Editor piece", (await articles.Reads.ListAsync(editor, new ArticleListQuery(SortByPublished: true))).Value!.Items[0].Headline);

        var counts = (await articles.Reads.CountByStatusAsync(editor)).Value!;
        Assert.Equal(5, counts["Draft"]);
        Assert.Equal(1, counts["Published"]);
        Assert.Equal(0, counts["In trash"]);
        Assert.Equal(5, (await articles.Reads.CountByStatusAsync(author)).Value!["Draft"]);
        Assert.Equal(0, (await articles.Reads.CountByStatusAsync(author)).Value!["Published"]);
    }

    [Fact]
    public async Task Autosaves_record_a_revision_at_most_every_few_minutes_but_manual_saves_always()
    {
        var author = await AsAsync(NewsroomRoles.Author);
        var created = await articles.Editing.SaveAsync(author, null, Input("Revisions"), null, SaveKind.Manual);
        var auto1 = await articles.Editing.SaveAsync(author, created.Id, Input("Revisions", "<p>one</p>"), created.Version, SaveKind.Autosave);
        var auto2 = await articles.Editing.SaveAsync(author, created.Id, Input("Revisions", "<p>two</p>"), auto1.Version, SaveKind.Autosave);
        var manual = await articles.Editing.SaveAsync(author, created.Id, Input("Revisions", "<p>three</p>"), auto2.Version, SaveKind.Manual);
        Assert.True(manual.Succeeded);
        var revisions = (await articles.Reads.ListRevisionsAsync(author, created.Id)).Value!;
        Assert.Equal([RevisionKind.Saved, RevisionKind.Created], revisions.Select(r => r.Kind));

        var restored = await articles.Editing.RestoreRevisionAsync(author, created.Id, revisions[1].Id, manual.Version);
        Assert.True(restored.Succeeded, restored.Error);
        Assert.Equal("<p>Body text.</p>", (await articles.Reads.GetForEditAsync(author, created.Id)).Value!.BodyHtml);
        var after = (await articles.Reads.ListRevisionsAsync(author, created.Id)).Value!;
        Assert.Equal(RevisionKind.Restored, after[0].Kind);
        Assert.Equal(3, after.Count);
        await SetupTests.AssertAuditedAsync(app, AuditActions.RevisionRestored, "Revisions");
    }

    [Fact]
    public async Task Preview_renders_a_draft_like_the_public_page_for_its_writer_and_the_desk_only()
    {
        var (_, authorEmail, authorPassword) = await app.CreateUserAsync(NewsroomRoles.Author);
        var (_, otherEmail, otherPassword) = await app.CreateUserAsync(NewsroomRoles.Author);
        var author = await app.PrincipalForAsync(authorEmail);
        var draft = await articles.Editing.SaveAsync(author, null, Input("Unpublished scoop", "<h2>Inside</h2><p>Details.</p>"), null, SaveKind.Manual);

        using var writer = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(writer, authorEmail, authorPassword);
        var preview = await writer.GetAsync($"/admin/articles/{draft.Id}/preview");
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var html = await preview.Content.ReadAsStringAsync();
        Assert.Contains("<h1 id=\"article-headline\" class=\"article__headline\">Unpublished scoop</h1>", html);
        Assert.Contains("<h2>Inside</h2>", html);
        Assert.Contains("css/site", html);
        Assert.DoesNotContain("MudBlazor", html);
        Assert.Contains("noindex", html);

        using var other = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(other, otherEmail, otherPassword);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/admin/articles/{draft.Id}/preview")).StatusCode);
        using var anonymous = app.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync($"/admin/articles/{draft.Id}/preview")).StatusCode);
    }

    [Fact]
    public async Task Workflow_actions_are_audited()
    {
        var editor = await AsAsync(NewsroomRoles.Editor);
        var saved = await articles.Editing.SaveAsync(editor, null, Input("Audited story"), null, SaveKind.Manual);
        var scheduled = await articles.Workflow.ScheduleAsync(editor, saved.Id, saved.Version, DateTime.UtcNow.AddDays(1));
        var published = await articles.Workflow.PublishAsync(editor, saved.Id, scheduled.Value!.Version);
        var unpublished = await articles.Workflow.UnpublishAsync(editor, saved.Id, published.Value!.Version);
        var trashed = await articles.Workflow.TrashAsync(editor, saved.Id, unpublished.Value!.Version);
        Assert.True((await articles.Workflow.RestoreAsync(editor, saved.Id, trashed.Value!.Version)).Succeeded);
        Assert.True((await articles.Editing.AuthorizeTakeOverAsync(editor, saved.Id, "Someone")).Succeeded);
        foreach (var action in new[] { AuditActions.ArticleScheduled, AuditActions.ArticlePublished, AuditActions.ArticleUnpublished,
                     AuditActions.ArticleTrashed, AuditActions.ArticleRestored, AuditActions.ArticleTakenOver })
        {
            await SetupTests.AssertAuditedAsync(app, action, "Audited story");
        }
    }

    [Fact]
    public async Task Publishing_needs_alt_text_on_every_body_image()
    {
        var editor = await AsAsync(NewsroomRoles.Editor);
        var saved = await articles.Editing.SaveAsync(editor, null, Input("Pictures", "<p>Look:</p><img src=\"/media/abc/640.webp\" alt=\"\">"), null, SaveKind.Manual);
        var refused = await articles.Workflow.PublishAsync(editor, saved.Id, saved.Version);
        Assert.Contains("alt text", refused.Error);
        Assert.False((await articles.Workflow.ScheduleAsync(editor, saved.Id, saved.Version, DateTime.UtcNow.AddDays(1))).Succeeded);

        var described = await articles.Editing.SaveAsync(editor, saved.Id, Input("Pictures", "<p>Look:</p><img src=\"/media/abc/640.webp\" alt=\"The harbour at dawn\">"), saved.Version, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(editor, saved.Id, described.Version)).Succeeded);
    }
}
