using Microsoft.Extensions.Time.Testing;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Articles.Editing;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Tests.Unit;

/// <summary>The editor's state machine without a browser: autosave, retry, conflicts, backups and take-over.</summary>
public class ArticleEditingSessionTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(3);
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly FakeServer server = new();
    private string body = "<p>Start.</p>";

    private ArticleEditingSession NewSession(ArticleForEdit? article = null)
    {
        var session = new ArticleEditingSession(server.SaveAsync, clock, Delay, () => Task.FromResult(body), work => work());
        if (article is not null) session.Load(article);
        return session;
    }

    private static ArticleForEdit Article(Guid version, string bodyHtml = "<p>Start.</p>", string headline = "Pier repairs") =>
        new(7, headline, "", "pier-repairs", bodyHtml, null, null, null, ArticleStatus.Draft, false, default, default, null, null, "Ann", "Ann",
            1, 1, version, new HashSet<ArticleAction> { ArticleAction.Edit, ArticleAction.Submit }, null, [], [], null);

    /// <summary>Saves in memory: one current version, conflicts when the caller's is older, failures on request.</summary>
    private sealed class FakeServer
    {
        public Guid Version { get; set; } = Guid.NewGuid();
        public List<(ArticleInput Input, SaveKind Kind)> Saves { get; } = [];
        public int FailuresToCome { get; set; }
        public string TheirBody { get; set; } = "<p>Theirs.</p>";

        public Task<SaveOutcome> SaveAsync(int? id, ArticleInput input, Guid? expectedVersion, SaveKind kind, CancellationToken ct = default)
        {
            if (FailuresToCome > 0)
            {
                FailuresToCome--;
                throw new InvalidOperationException("database is locked");
            }
            if (expectedVersion is { } expected && expected != Version)
            {
                return Task.FromResult(new SaveOutcome(null, null, 7, Version, default, "pier-repairs",
                    new ArticleConflict("Theirs", "", TheirBody, Version, "Sam", default)));
            }
            Saves.Add((new ArticleInput { Headline = input.Headline, BodyHtml = input.BodyHtml, Slug = input.Slug, SlugFollowsHeadline = input.SlugFollowsHeadline }, kind));
            Version = Guid.NewGuid();
            return Task.FromResult(new SaveOutcome(null, null, 7, Version, new DateTime(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc), "pier-repairs", null)
            {
                Article = Article(Version, input.BodyHtml, input.Headline),
            });
        }
    }

    [Fact]
    public void Loading_is_not_an_edit_and_schedules_nothing()
    {
        var session = NewSession(Article(server.Version));
        Assert.False(session.Dirty);
        Assert.False(session.AutosavePending);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(server.Saves);
    }

    [Fact]
    public void An_edit_autosaves_once_after_the_pause_and_each_edit_restarts_the_wait()
    {
        var session = NewSession(Article(server.Version));
        session.MarkDirty();
        clock.Advance(TimeSpan.FromSeconds(2));
        body = "<p>Start. More.</p>";
        session.MarkDirty();
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Empty(server.Saves);
        Assert.Equal(EditorSaveState.Idle, session.SaveState);
        Assert.True(session.Dirty);

        clock.Advance(TimeSpan.FromSeconds(1));
        var save = Assert.Single(server.Saves);
        Assert.Equal(SaveKind.Autosave, save.Kind);
        Assert.Equal("<p>Start. More.</p>", save.Input.BodyHtml);
        Assert.False(session.Dirty);
        Assert.Equal(EditorSaveState.Saved, session.SaveState);
        // The save's result is the editor's new state: the next save is based on the version it returned.
        Assert.Equal(server.Version, session.Article!.Version);
    }

    [Fact]
    public void A_failed_save_keeps_the_text_and_retries_until_it_goes_through()
    {
        var session = NewSession(Article(server.Version));
        server.FailuresToCome = 2;
        session.MarkDirty();
        clock.Advance(Delay);
        Assert.Equal(EditorSaveState.Failed, session.SaveState);
        Assert.True(session.Dirty);
        Assert.IsType<InvalidOperationException>(session.LastFailure);

        clock.Advance(ArticleEditingSession.RetryDelay);
        Assert.Equal(EditorSaveState.Failed, session.SaveState);
        clock.Advance(ArticleEditingSession.RetryDelay);
        Assert.Equal(EditorSaveState.Saved, session.SaveState);
        Assert.Single(server.Saves);
        Assert.False(session.AutosavePending);
    }

    [Fact]
    public async Task A_stale_save_opens_the_conflict_and_stops_autosaving()
    {
        var session = NewSession(Article(server.Version));
        server.Version = Guid.NewGuid(); // someone saved meanwhile
        body = "<p>Mine.</p>";
        session.MarkDirty();
        Assert.False(await session.SaveAsync(SaveKind.Manual));
        Assert.NotNull(session.Conflict);
        Assert.Equal("<p>Mine.</p>", session.ConflictMine!.BodyHtml);
        Assert.Equal("<p>Theirs.</p>", session.Conflict!.BodyHtml);
        session.MarkDirty();
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(server.Saves);
    }

    [Fact]
    public void Typing_during_a_save_stays_unsaved()
    {
        var session = NewSession(Article(server.Version));
        var slow = new SlowServer();
        var slowSession = new ArticleEditingSession(slow.SaveAsync, clock, Delay, () => Task.FromResult(body), work => work());
        slowSession.Load(Article(slow.Version));
        slowSession.MarkDirty();
        clock.Advance(Delay); // the save starts and waits for the server
        slowSession.MarkDirty(); // the writer types on
        slow.Finish();
        Assert.Equal(EditorSaveState.Saved, slowSession.SaveState);
        Assert.True(slowSession.Dirty);
        session.Dispose();
    }

    [Fact]
    public async Task A_change_notice_that_arrives_while_the_body_is_read_is_in_the_saved_text()
    {
        // The editor sends its pending "changed" notice for the last keystrokes before the body it is asked for:
        // those keystrokes are in the text read, so the save leaves nothing unsaved.
        ArticleEditingSession? session = null;
        session = new ArticleEditingSession(server.SaveAsync, clock, Delay, () =>
        {
            session!.MarkDirty();
            return Task.FromResult("<p>Start. Typed just before the click.</p>");
        }, work => work());
        session.Load(Article(server.Version));
        session.MarkDirty();

        Assert.True(await session.SaveAsync(SaveKind.Manual));

        Assert.Equal("<p>Start. Typed just before the click.</p>", Assert.Single(server.Saves).Input.BodyHtml);
        Assert.Equal(EditorSaveState.Saved, session.SaveState);
        Assert.False(session.Dirty);
    }

    private sealed class SlowServer
    {
        private readonly TaskCompletionSource done = new();
        public Guid Version { get; } = Guid.NewGuid();
        public void Finish() => done.SetResult();

        public async Task<SaveOutcome> SaveAsync(int? id, ArticleInput input, Guid? expectedVersion, SaveKind kind, CancellationToken ct = default)
        {
            await done.Task;
            return new SaveOutcome(null, null, 7, Guid.NewGuid(), default, "pier-repairs", null);
        }
    }

    [Fact]
    public async Task A_backup_written_against_the_current_version_is_restored_and_saved()
    {
        var session = NewSession(Article(server.Version));
        var backup = new EditorBackup("<p>Start. Unsaved.</p>", default, server.Version.ToString(), new() { ["headline"] = "Pier repairs", ["standfirst"] = "" });
        Assert.True(session.ShouldOffer(backup));
        body = backup.Html; // the component puts the backup into the browser's editor first
        Assert.True(await session.RestoreAsync(backup));
        Assert.Equal("<p>Start. Unsaved.</p>", Assert.Single(server.Saves).Input.BodyHtml);
    }

    [Fact]
    public async Task A_backup_written_against_an_older_version_never_overwrites_the_newer_text()
    {
        var older = server.Version;
        server.Version = Guid.NewGuid(); // a colleague saved after a take-over
        var session = NewSession(Article(server.Version, "<p>Their newer text.</p>"));
        var backup = new EditorBackup("<p>My unsaved text.</p>", default, older.ToString(), null);
        Assert.True(session.ShouldOffer(backup));
        body = backup.Html;

        Assert.False(await session.RestoreAsync(backup));
        Assert.Empty(server.Saves);
        Assert.Equal("<p>Their newer text.</p>", session.Conflict!.BodyHtml);
        Assert.Equal("<p>My unsaved text.</p>", session.ConflictMine!.BodyHtml);
    }

    [Fact]
    public void A_backup_equal_to_the_saved_text_is_not_offered()
    {
        var session = NewSession(Article(server.Version));
        Assert.False(session.ShouldOffer(new EditorBackup("<p>Start.</p>", default, server.Version.ToString(), new() { ["headline"] = "Pier repairs" })));
        Assert.False(session.ShouldOffer(null));
    }

    [Fact]
    public void After_a_take_over_nothing_more_is_saved_from_this_editor()
    {
        var session = NewSession(Article(server.Version));
        session.MarkDirty();
        session.LoseTo("Sam");
        Assert.True(session.ReadOnly);
        Assert.Equal("Sam", session.TakenOverBy);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(server.Saves);
        session.MarkDirty();
        Assert.False(session.AutosavePending);
    }

    private static DateTime Utc(int hour, int minute) => new(2026, 3, 1, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void The_presence_banner_says_who_holds_the_article_since_when_in_the_sites_time()
    {
        var session = NewSession(Article(server.Version));
        var sam = new PresenceEntry(7, "s2", "u2", "Sam", Utc(9, 5));
        var fiona = new PresenceEntry(7, "s1", "u1", "Fiona", Utc(9, 0));
        DateTime Paris(DateTime utc) => utc.AddHours(1);

        session.ApplyPresence(sam, [sam, fiona], "s1", canTakeOver: true, takeBackFrom: null, Paris, out var watching);
        Assert.True(session.ReadOnly);
        Assert.Equal("Sam is editing this article (since 10:05). You can read it, but not change it unless you take over.", watching.Message);
        Assert.True(watching.ShowTakeOver);

        session.LoseTo("Sam");
        session.ApplyPresence(sam, [sam, fiona], "s1", canTakeOver: true, takeBackFrom: Utc(9, 7), Paris, out var lost);
        Assert.StartsWith("Sam took over this article at 10:05.", lost.Message);
        Assert.EndsWith("You can take it back after 10:07.", lost.Message);
        Assert.False(lost.ShowTakeOver);

        // Sam leaves: the article comes back, editable, and the banner names whoever else is looking.
        var ben = new PresenceEntry(7, "s3", "u3", "Ben", Utc(9, 6));
        var cameBack = session.ApplyPresence(fiona, [fiona, ben], "s1", canTakeOver: true, takeBackFrom: null, Paris, out var back);
        Assert.True(cameBack);
        Assert.False(session.ReadOnly);
        Assert.Null(session.TakenOverBy);
        Assert.Equal("Ben is also looking at this article.", back.Message);
        Assert.False(back.ShowTakeOver);
    }

    [Fact]
    public async Task A_workflow_action_saves_pending_text_first_and_stops_when_that_save_does_not_go_through()
    {
        var session = NewSession(Article(server.Version));
        var actions = new List<Guid>();
        var after = Article(Guid.NewGuid());
        Task<ServiceResult<ArticleForEdit>> Publish(int id, Guid version)
        {
            actions.Add(version);
            return Task.FromResult(ServiceResult<ArticleForEdit>.Success(after));
        }

        body = "<p>Latest.</p>";
        session.MarkDirty();
        Assert.Same(after, await session.TransitionAsync(Publish, saveFirst: true)); // the action's answer is the new state: nothing is fetched
        Assert.Equal("<p>Latest.</p>", Assert.Single(server.Saves).Input.BodyHtml);
        Assert.Equal(server.Version, Assert.Single(actions)); // the action is based on the version that save made

        server.Version = Guid.NewGuid(); // someone saved meanwhile: the save conflicts, nothing is published
        session.MarkDirty();
        Assert.Null(await session.TransitionAsync(Publish, saveFirst: true));
        Assert.Single(actions);
        Assert.NotNull(session.Conflict);
    }

    [Fact]
    public async Task A_refused_workflow_action_is_kept_as_the_error()
    {
        var session = NewSession(Article(server.Version));
        Assert.Null(await session.TransitionAsync((_, _) => Task.FromResult(ServiceResult<ArticleForEdit>.Fail("You are not allowed to publish this article.")), saveFirst: false));
        Assert.Equal("You are not allowed to publish this article.", session.Error);
        Assert.Empty(server.Saves);
    }

    [Fact]
    public void The_actions_offered_are_the_new_articles_until_loaded_then_the_servers_and_none_while_read_only()
    {
        var session = NewSession();
        session.NewArticleActions = new HashSet<ArticleAction> { ArticleAction.Submit, ArticleAction.Publish };
        Assert.Equal(new[] { ArticleAction.Submit, ArticleAction.Publish }.Order(), session.Actions.Order());

        session.Load(Article(server.Version)); // the server allows Edit and Submit
        Assert.Equal(new[] { ArticleAction.Edit, ArticleAction.Submit }.Order(), session.Actions.Order());

        session.LoseTo("Sam"); // taken over: nothing may be done here any more
        Assert.Empty(session.Actions);
        session.Regain();
        session.LockedByPresence = true;
        Assert.Empty(session.Actions);
    }

    [Fact]
    public void A_submission_the_writer_may_not_edit_still_offers_what_the_server_allows()
    {
        var session = NewSession();
        session.Load(Article(server.Version) with { Status = ArticleStatus.InReview, Allowed = new HashSet<ArticleAction> { ArticleAction.Withdraw } });
        Assert.True(session.ReadOnly);
        Assert.Equal([ArticleAction.Withdraw], session.Actions);
        session.LockedByPresence = true;
        Assert.Empty(session.Actions);
    }

    [Fact]
    public void Publish_at_is_the_sites_wall_clock_time_stored_as_utc_and_a_missing_or_nonexistent_time_is_refused()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var session = NewSession(Article(server.Version));

        // 10:30 in Berlin in December (UTC+1) is 09:30 UTC.
        Assert.Equal(new DateTime(2026, 12, 4, 9, 30, 0, DateTimeKind.Utc), session.ScheduleTimeUtc(new DateTime(2026, 12, 4, 10, 30, 0), berlin));
        Assert.Null(session.Error);

        Assert.Null(session.ScheduleTimeUtc(null, berlin));
        Assert.Equal("Choose the date and time to publish at.", session.Error);

        // The clocks go forward from 02:00 to 03:00 on 28 March 2027: 02:30 never happens.
        Assert.Null(session.ScheduleTimeUtc(new DateTime(2027, 3, 28, 2, 30, 0), berlin));
        Assert.Equal("2027-03-28 02:30 does not exist in Europe/Berlin (the clocks go forward then). Choose another time.", session.Error);
    }

    [Fact]
    public async Task A_new_articles_slug_follows_the_headline_until_the_writer_types_one()
    {
        var session = NewSession();
        session.SetHeadline("Pier repairs start");
        Assert.Equal("pier-repairs-start", session.Input.Slug);
        Assert.False(session.SlugEdited);
        Assert.True(session.Dirty);
        await session.SaveAsync(SaveKind.Manual);
        Assert.True(Assert.Single(server.Saves).Input.SlugFollowsHeadline); // the server may add "-2"… when it is taken

        var typed = NewSession();
        typed.SetSlug("pier");
        typed.SetHeadline("Pier repairs start");
        Assert.Equal("pier", typed.Input.Slug);
        typed.SetSlug(""); // emptied: it follows the headline again
        typed.SetHeadline("Pier repairs end");
        Assert.Equal("pier-repairs-end", typed.Input.Slug);
    }

    [Fact]
    public async Task A_loaded_articles_slug_stays_when_the_headline_or_a_restored_backup_changes_it()
    {
        var session = NewSession(Article(server.Version));
        Assert.True(session.SlugEdited);
        session.SetHeadline("Pier repairs finished");
        Assert.Equal("pier-repairs", session.Input.Slug);
        await session.SaveAsync(SaveKind.Manual);
        Assert.False(Assert.Single(server.Saves).Input.SlugFollowsHeadline);

        // A new article's backup brings its headline back, and the slug made from it.
        var fresh = NewSession();
        await fresh.RestoreAsync(new EditorBackup("<p>Kept.</p>", default, null, new() { ["headline"] = "Storm closes the pier" }));
        var restored = server.Saves[^1].Input; // the restore saves it
        Assert.Equal("storm-closes-the-pier", restored.Slug);
        Assert.True(restored.SlugFollowsHeadline);
    }
}
