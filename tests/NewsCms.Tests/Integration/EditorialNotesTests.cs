using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Notes;
using NewsCms.Web.Features.Users;
using Microsoft.EntityFrameworkCore;

namespace NewsCms.Tests.Integration;

/// <summary>Threads, replies and resolving; how the annotated body is kept beside the public one by every writer.</summary>
public sealed class EditorialNotesTests(NewsroomFixture site) : IClassFixture<NewsroomFixture>
{
    private NewsroomArticles Articles => site.Service<IServiceProvider>().NewsroomArticles();
    private EditorialNotes Notes => site.Service<EditorialNotes>();
    private Member Editor => site.ByRole[NewsroomRoles.Editor];
    private Member Author => site.ByRole[NewsroomRoles.Author];

    private static string Marked(string anchor) =>
        $"<p>The council <span data-note=\"{anchor}\" class=\"editorial-note\">voted 7–2</span> on Monday.</p>";

    private async Task<SaveOutcome> WriteAsync(string body, int? id = null, Guid? version = null)
    {
        var input = new ArticleInput { Headline = "Notes " + Guid.NewGuid().ToString("N")[..8], BodyHtml = body, BodyCarriesNotes = true, AuthorIds = [Author.ProfileId] };
        var saved = await Articles.Editing.SaveAsync(Author.Principal, id, input, version, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        return saved;
    }

    private async Task<Article> StoredAsync(int id)
    {
        await using var db = await site.Service<IDbContextFactory<NewsCms.Web.Data.NewsCmsDbContext>>().CreateDbContextAsync();
        return await db.Articles.AsNoTracking().FirstAsync(a => a.Id == id);
    }

    [Fact]
    public async Task The_editors_marks_go_to_the_annotated_body_and_nowhere_else()
    {
        var saved = await WriteAsync(Marked("n-a1"));
        var article = await StoredAsync(saved.Id);
        Assert.Equal(Marked("n-a1"), article.AnnotatedBodyHtml);
        Assert.Equal("<p>The council voted 7–2 on Monday.</p>", article.BodyHtml);
        Assert.DoesNotContain("n-a1", article.BodyText);
        Assert.Equal(Marked("n-a1"), saved.Article!.EditorBodyHtml);
        await using var db = await site.Service<IDbContextFactory<NewsCms.Web.Data.NewsCmsDbContext>>().CreateDbContextAsync();
        Assert.All(await db.ArticleRevisions.Where(r => r.ArticleId == saved.Id).Select(r => r.BodyHtml).ToListAsync(), b => Assert.DoesNotContain("data-note", b));
    }

    [Fact]
    public async Task A_writer_that_cannot_see_marks_keeps_them_while_the_text_is_the_same_and_clears_them_when_it_is_replaced()
    {
        var saved = await WriteAsync(Marked("n-b1"));
        // As the Admin API does: the stored public body sent back with other changes.
        var same = new ArticleInput { Headline = "Retitled " + Guid.NewGuid().ToString("N")[..6], BodyHtml = "<p>The council voted 7–2 on Monday.</p>", AuthorIds = [Author.ProfileId] };
        var kept = await Articles.Editing.SaveAsync(Author.Principal, saved.Id, same, saved.Version, SaveKind.Manual);
        Assert.True(kept.Succeeded, kept.Error);
        Assert.Equal(Marked("n-b1"), (await StoredAsync(saved.Id)).AnnotatedBodyHtml);

        var replaced = new ArticleInput { Headline = same.Headline, BodyHtml = "<p>New text <span data-note=\"n-b2\">smuggled</span>.</p>", AuthorIds = [Author.ProfileId] };
        var cleared = await Articles.Editing.SaveAsync(Author.Principal, saved.Id, replaced, kept.Version, SaveKind.Manual);
        Assert.True(cleared.Succeeded, cleared.Error);
        var article = await StoredAsync(saved.Id);
        Assert.Null(article.AnnotatedBodyHtml);
        Assert.Equal("<p>New text smuggled.</p>", article.BodyHtml);
    }

    [Fact]
    public async Task Restoring_a_revision_says_which_notes_lost_their_place()
    {
        var first = await WriteAsync("<p>The council met on Monday.</p>");
        var marked = await WriteAsync(Marked("n-c1"), first.Id, first.Version);
        var added = await Notes.AddAsync(Editor.Principal, first.Id, "n-c1", "voted 7–2", "Was it 7–2 or 6–3?");
        Assert.True(added.Succeeded, added.Error);
        var oldest = (await Articles.Reads.ListRevisionsAsync(Author.Principal, first.Id)).Value![^1];
        var restored = await Articles.Editing.RestoreRevisionAsync(Author.Principal, first.Id, oldest.Id, marked.Version);
        Assert.True(restored.Succeeded, restored.Error);
        // Revisions hold no marks, and the restored text is another: the mark goes, the thread stays, the writer is told.
        Assert.Contains("1 editorial note lost its place", restored.Notice);
        var threads = (await Notes.ListAsync(Author.Principal, first.Id)).Value!.Threads;
        Assert.Equal("voted 7–2", Assert.Single(threads).Quote);
        Assert.Null((await StoredAsync(first.Id)).AnnotatedBodyHtml);
    }

    [Fact]
    public async Task A_thread_gets_replies_and_is_resolved_and_reopened_with_who_and_when()
    {
        var saved = await WriteAsync(Marked("n-d1"));
        var heard = new List<int>();
        var events = site.Service<NoteEvents>();
        void OnChanged(int id) { lock (heard) heard.Add(id); }
        events.Changed += OnChanged;
        try
        {
            var thread = (await Notes.AddAsync(Editor.Principal, saved.Id, "n-d1", "voted 7–2", "  Source?  ")).Value!;
            Assert.Equal("Source?", thread.Body);
            Assert.Equal(Editor.DisplayName, thread.AuthorName);
            var replied = (await Notes.ReplyAsync(Author.Principal, saved.Id, thread.Id, "The minutes, page 3.")).Value!;
            Assert.Equal(Author.DisplayName, Assert.Single(replied.Replies).AuthorName);
            var resolved = (await Notes.ResolveAsync(Author.Principal, saved.Id, thread.Id)).Value!;
            Assert.True(resolved.IsResolved);
            Assert.Equal(Author.DisplayName, resolved.ResolvedByName);
            var again = await Notes.ResolveAsync(Editor.Principal, saved.Id, thread.Id);
            Assert.True(again.Succeeded, again.Error);
            var reopened = (await Notes.ReopenAsync(Editor.Principal, saved.Id, thread.Id)).Value!;
            Assert.False(reopened.IsResolved);
            Assert.Equal("There is already a note on that text.", (await Notes.AddAsync(Editor.Principal, saved.Id, "n-d1", "x", "Again")).Error);
            Assert.Equal("Write the note first.", (await Notes.AddAsync(Editor.Principal, saved.Id, "n-d2", "x", "   ")).Error);
            Assert.NotNull((await Notes.AddAsync(Editor.Principal, saved.Id, "bad id!", "x", "Hi")).Error);
            Assert.NotNull((await Notes.ReplyAsync(Editor.Principal, saved.Id + 100000, thread.Id, "Hi")).Error);
            var list = (await Notes.ListAsync(Editor.Principal, saved.Id)).Value!;
            Assert.True(list.CanWrite);
            Assert.Single(list.Threads);
        }
        finally
        {
            events.Changed -= OnChanged;
        }
        lock (heard) Assert.Equal(4, heard.Count(id => id == saved.Id));
    }

    [Fact]
    public async Task A_contributor_reads_the_notes_on_their_submitted_article_but_cannot_write()
    {
        var contributor = site.ByRole[NewsroomRoles.Contributor];
        var draft = await Articles.Editing.SaveAsync(contributor.Principal, null,
            new ArticleInput { Headline = "Submitted " + Guid.NewGuid().ToString("N")[..8], BodyHtml = Marked("n-e1"), BodyCarriesNotes = true }, null, SaveKind.Manual);
        Assert.True(draft.Succeeded, draft.Error);
        Assert.True((await Notes.AddAsync(contributor.Principal, draft.Id, "n-e1", "voted 7–2", "Unsure of this.")).Succeeded);
        Assert.True((await Articles.Workflow.SubmitAsync(contributor.Principal, draft.Id, draft.Version)).Succeeded);
        var list = (await Notes.ListAsync(contributor.Principal, draft.Id)).Value!;
        Assert.False(list.CanWrite);
        Assert.Single(list.Threads);
        Assert.Equal(EditorialNotes.CannotWrite, (await Notes.ReplyAsync(contributor.Principal, draft.Id, list.Threads[0].Id, "Any news?")).Error);
    }
}
