using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Dashboard;
using NewsCms.Web.Features.Notifications;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>The review queue: submissions, requests for changes, withdrawals, publication, and who is told (stored, pushed, e-mailed).</summary>
public sealed class ReviewQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private sealed record Person(string Id, string Email, ClaimsPrincipal Principal, int ProfileId);

    /// <summary>A newsroom: the site's Administrator, two Editors, an Author and a Contributor.</summary>
    private sealed class Newsroom(NewsCmsAppFactory app, AsyncServiceScope scope) : IAsyncDisposable
    {
        public NewsCmsAppFactory App { get; } = app;
        public NewsroomArticles Articles { get; } = scope.ServiceProvider.NewsroomArticles();
        public Notifications Notifications { get; } = scope.ServiceProvider.GetRequiredService<Notifications>();
        public NewsroomDashboard Dashboard { get; } = scope.ServiceProvider.GetRequiredService<NewsroomDashboard>();
        public NewsroomEvents Events => App.Services.GetRequiredService<NewsroomEvents>();
        public Person Admin { get; private set; } = default!;
        public Person Editor { get; private set; } = default!;
        public Person OtherEditor { get; private set; } = default!;
        public Person Author { get; private set; } = default!;
        public Person Contributor { get; private set; } = default!;

        public static async Task<Newsroom> CreateAsync(NewsCmsAppFactory app)
        {
            var room = new Newsroom(app, app.Services.CreateAsyncScope());
            room.Admin = await room.PersonAsync(NewsCmsAppFactory.AdminEmail);
            room.Editor = await room.PersonAsync((await app.CreateUserAsync(NewsroomRoles.Editor)).Email);
            room.OtherEditor = await room.PersonAsync((await app.CreateUserAsync(NewsroomRoles.Editor)).Email);
            room.Author = await room.PersonAsync((await app.CreateUserAsync(NewsroomRoles.Author)).Email);
            room.Contributor = await room.PersonAsync((await app.CreateUserAsync(NewsroomRoles.Contributor)).Email);
            return room;
        }

        private async Task<Person> PersonAsync(string email)
        {
            var principal = await App.PrincipalForAsync(email);
            var profile = await scope.ServiceProvider.GetRequiredService<AuthorProfiles>().GetOwnAsync(principal);
            Assert.True(profile.Succeeded, profile.Error);
            return new Person(await App.UserIdAsync(email), email, principal, profile.Value!.Id);
        }

        /// <summary>A draft by <paramref name="writer"/>, on their byline.</summary>
        public async Task<(int Id, Guid Version)> DraftAsync(Person writer, string headline)
        {
            var saved = await Articles.Editing.SaveAsync(writer.Principal, null,
                new ArticleInput { Headline = headline, BodyHtml = "<p>The text.</p>", AuthorIds = [writer.ProfileId] }, null, SaveKind.Manual);
            Assert.True(saved.Succeeded, saved.Error);
            return (saved.Id, saved.Version);
        }

        public async Task<(int Id, Guid Version)> SubmittedAsync(Person writer, string headline)
        {
            var draft = await DraftAsync(writer, headline);
            return (draft.Id, Value(await Articles.Workflow.SubmitAsync(writer.Principal, draft.Id, draft.Version)).Version);
        }

        public async Task<List<Notification>> NotificationsAsync(int articleId)
        {
            await using var db = await App.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
            return await db.Notifications.AsNoTracking().Where(n => n.ArticleId == articleId).OrderBy(n => n.Id).ToListAsync();
        }

        public async ValueTask DisposeAsync() => await scope.DisposeAsync();
    }

    private static T Value<T>(NewsCms.Web.Features.Hosting.ServiceResult<T> result)
    {
        Assert.True(result.Succeeded, result.Error);
        return result.Value!;
    }

    [Fact]
    public async Task A_submission_is_recorded_queued_oldest_first_and_told_to_every_editor_and_administrator_but_the_submitter()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var room = await Newsroom.CreateAsync(app);
        var pushed = new TaskCompletionSource<NotificationItem>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listening = room.Events.Listen(room.Editor.Id, item => pushed.TrySetResult(item));

        var first = await room.SubmittedAsync(room.Contributor, "Harbour wall cracks");
        var second = await room.SubmittedAsync(room.Editor, "Ferry timetable changes");

        var told = await room.NotificationsAsync(first.Id);
        Assert.Equal(new[] { room.Admin.Id, room.Editor.Id, room.OtherEditor.Id }.Order(), told.Select(n => n.UserId).Order());
        Assert.All(told, n => Assert.Equal(NotificationKind.Submitted, n.Kind));
        Assert.All(told, n => Assert.Equal("Harbour wall cracks", n.ArticleHeadline));
        // An editor who submits is not told of their own submission.
        Assert.DoesNotContain(room.Editor.Id, (await room.NotificationsAsync(second.Id)).Select(n => n.UserId));

        var live = await pushed.Task.WaitAsync(Deadline);
        Assert.Equal(first.Id, live.ArticleId);
        Assert.Contains("submitted “Harbour wall cracks” for review", live.Text);

        var queue = Value(await room.Dashboard.ReviewQueueAsync(room.Editor.Principal));
        Assert.Equal(["Harbour wall cracks", "Ferry timetable changes"], queue.Select(q => q.Headline));
        var contributorName = (await room.Articles.Reads.GetForEditAsync(room.Contributor.Principal, first.Id)).Value!.Review!.SubmittedByName;
        Assert.Equal(contributorName, queue[0].SubmittedByName);
        Assert.NotNull(contributorName);
        Assert.Equal(2, Value(await room.Dashboard.ReviewQueueCountAsync(room.Admin.Principal)));

        // Offline people see theirs when they next look: stored, unread, and marked read by them alone.
        var inbox = Value(await room.Notifications.ListAsync(room.OtherEditor.Principal));
        Assert.Equal(2, inbox.Unread);
        Assert.Equal(Notifications.NotFound, (await room.Notifications.MarkReadAsync(room.Contributor.Principal, inbox.Latest[0].Id)).Error);
        Assert.True((await room.Notifications.MarkReadAsync(room.OtherEditor.Principal, inbox.Latest[0].Id)).Succeeded);
        Assert.Equal(1, Value(await room.Notifications.ListAsync(room.OtherEditor.Principal)).Unread);
        Assert.Equal(1, Value(await room.Notifications.MarkAllReadAsync(room.OtherEditor.Principal)));
        Assert.Equal(0, Value(await room.Notifications.ListAsync(room.OtherEditor.Principal)).Unread);
        Assert.Equal(2, Value(await room.Notifications.ListAsync(room.Admin.Principal)).Unread);
    }

    [Fact]
    public async Task Request_changes_sends_the_piece_back_with_the_message_which_the_writer_sees_until_they_submit_again()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var room = await Newsroom.CreateAsync(app);
        var story = await room.SubmittedAsync(room.Contributor, "Council budget vote");
        var pushed = new TaskCompletionSource<NotificationItem>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listening = room.Events.Listen(room.Contributor.Id, item => pushed.TrySetResult(item));

        Assert.Equal(ArticleWorkflowService.MessageRequired, (await room.Articles.Workflow.RequestChangesAsync(room.Editor.Principal, story.Id, story.Version, "  ")).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await room.Articles.Workflow.RequestChangesAsync(room.Author.Principal, story.Id, story.Version, "No.")).Error);
        var sentBack = Value(await room.Articles.Workflow.RequestChangesAsync(room.Editor.Principal, story.Id, story.Version, "Add the vote count."));
        Assert.Equal(ArticleStatus.Draft, sentBack.Status);

        var writerView = Value(await room.Articles.Reads.GetForEditAsync(room.Contributor.Principal, story.Id));
        Assert.Equal("Add the vote count.", writerView.Review!.ChangesRequestedMessage);
        Assert.Contains(ArticleAction.Edit, writerView.Allowed);
        var note = Assert.Single(await room.NotificationsAsync(story.Id), n => n.Kind == NotificationKind.ChangesRequested);
        Assert.Equal(room.Contributor.Id, note.UserId);
        Assert.Equal("Add the vote count.", note.Message);
        var live = await pushed.Task.WaitAsync(Deadline);
        Assert.Equal(NotificationKind.ChangesRequested, live.Kind);
        Assert.Contains("Add the vote count.", live.Text);
        Assert.Empty(Value(await room.Dashboard.ReviewQueueAsync(room.Editor.Principal)));
        var dashboard = Value(await room.Dashboard.GetAsync(room.Contributor.Principal));
        Assert.Equal("Add the vote count.", Assert.Single(dashboard.ChangesRequested).Message);

        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            var entry = await db.AuditEntries.AsNoTracking().SingleAsync(e => e.Action == AuditActions.ArticleChangesRequested);
            Assert.Contains("Add the vote count.", entry.Details);
        }

        // Submitting again answers the request: the message goes.
        var again = Value(await room.Articles.Workflow.SubmitAsync(room.Contributor.Principal, story.Id, writerView.Version));
        Assert.Null(again.Review!.ChangesRequestedMessage);
        Assert.Equal(ArticleStatus.InReview, again.Status);
    }

    [Fact]
    public async Task A_writer_withdraws_a_submission_until_someone_on_the_desk_other_than_them_opens_or_changes_it()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var room = await Newsroom.CreateAsync(app);

        var opened = await room.SubmittedAsync(room.Contributor, "Opened by an editor");
        Assert.Contains(ArticleAction.Withdraw, Value(await room.Articles.Reads.GetForEditAsync(room.Contributor.Principal, opened.Id)).Allowed);
        // Someone else's submission is not theirs to withdraw, even for an editor.
        Assert.NotNull((await room.Articles.Workflow.WithdrawAsync(room.Editor.Principal, opened.Id, opened.Version)).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await room.Articles.Workflow.StartReviewAsync(room.Author.Principal, opened.Id)).Error);
        Assert.True(Value(await room.Articles.Workflow.StartReviewAsync(room.Editor.Principal, opened.Id)));
        Assert.False(Value(await room.Articles.Workflow.StartReviewAsync(room.OtherEditor.Principal, opened.Id))); // started already
        var refused = await room.Articles.Workflow.WithdrawAsync(room.Contributor.Principal, opened.Id, opened.Version);
        Assert.Contains("started reviewing", refused.Error);
        Assert.DoesNotContain(ArticleAction.Withdraw, Value(await room.Articles.Reads.GetForEditAsync(room.Contributor.Principal, opened.Id)).Allowed);

        var changed = await room.SubmittedAsync(room.Author, "Changed by an editor");
        var edited = await room.Articles.Editing.SaveAsync(room.Admin.Principal, changed.Id,
            new ArticleInput { Headline = "Changed by an editor", BodyHtml = "<p>Tightened.</p>", AuthorIds = [room.Author.ProfileId] }, changed.Version, SaveKind.Manual);
        Assert.True(edited.Succeeded, edited.Error);
        Assert.NotNull((await room.Articles.Workflow.WithdrawAsync(room.Author.Principal, changed.Id, edited.Version)).Error);

        // An editor looking at their own submission reviews nothing: they may still withdraw it.
        var own = await room.SubmittedAsync(room.Editor, "The editor's own");
        Assert.False(Value(await room.Articles.Workflow.StartReviewAsync(room.Editor.Principal, own.Id)));
        Assert.True((await room.Articles.Workflow.WithdrawAsync(room.Editor.Principal, own.Id, own.Version)).Succeeded);

        var untouched = await room.SubmittedAsync(room.Contributor, "Nobody looked yet");
        var back = Value(await room.Articles.Workflow.WithdrawAsync(room.Contributor.Principal, untouched.Id, untouched.Version));
        Assert.Equal(ArticleStatus.Draft, back.Status);
        Assert.Null(back.Review!.SubmittedAt);
        var withdrawn = (await room.NotificationsAsync(untouched.Id)).Where(n => n.Kind == NotificationKind.Withdrawn).Select(n => n.UserId).Order();
        Assert.Equal(new[] { room.Admin.Id, room.Editor.Id, room.OtherEditor.Id }.Order(), withdrawn);
        Assert.DoesNotContain(untouched.Id, Value(await room.Dashboard.ReviewQueueAsync(room.Editor.Principal)).Select(q => q.Id));
    }

    [Fact]
    public async Task The_writer_is_told_when_their_piece_is_published_by_an_editor_or_by_the_scheduler()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        };
        await using var room = await Newsroom.CreateAsync(app);

        var now = await room.SubmittedAsync(room.Contributor, "Published by the desk");
        Value(await room.Articles.Workflow.PublishAsync(room.Editor.Principal, now.Id, now.Version));
        var published = Assert.Single(await room.NotificationsAsync(now.Id), n => n.Kind == NotificationKind.Published);
        Assert.Equal(room.Contributor.Id, published.UserId);

        var later = await room.SubmittedAsync(room.Contributor, "Published on schedule");
        Value(await room.Articles.Workflow.ScheduleAsync(room.Editor.Principal, later.Id, later.Version, clock.GetUtcNow().UtcDateTime.AddHours(1)));
        Assert.DoesNotContain((await room.NotificationsAsync(later.Id)), n => n.Kind == NotificationKind.Published);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await room.Articles.Workflow.PublishDueAsync());
        Assert.Equal(room.Contributor.Id, Assert.Single(await room.NotificationsAsync(later.Id), n => n.Kind == NotificationKind.Published).UserId);

        // Publishing one's own piece tells nobody.
        var own = await room.DraftAsync(room.Author, "The author's own");
        Value(await room.Articles.Workflow.PublishAsync(room.Author.Principal, own.Id, own.Version));
        Assert.Empty(await room.NotificationsAsync(own.Id));
    }

    [Fact]
    public async Task The_dashboard_shows_each_writer_their_work_and_the_desk_the_newsrooms_with_the_first_day_checklist_for_administrators()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var room = await Newsroom.CreateAsync(app);
        await room.DraftAsync(room.Contributor, "Still a draft");
        var waiting = await room.SubmittedAsync(room.Contributor, "Waiting for review");
        var sentBack = await room.SubmittedAsync(room.Contributor, "Sent back");
        Value(await room.Articles.Workflow.RequestChangesAsync(room.Editor.Principal, sentBack.Id, sentBack.Version, "Shorter, please."));
        var scheduled = await room.DraftAsync(room.Author, "On the schedule");
        Value(await room.Articles.Workflow.ScheduleAsync(room.Author.Principal, scheduled.Id, scheduled.Version, DateTime.UtcNow.AddHours(2)));
        var published = await room.DraftAsync(room.Author, "Out already");
        Value(await room.Articles.Workflow.PublishAsync(room.Author.Principal, published.Id, published.Version));
        var presence = app.Services.GetRequiredService<ArticlePresence>();
        await presence.EnterAsync(published.Id, "session-1", room.Editor.Id, "Edna Editor");

        var writer = Value(await room.Dashboard.GetAsync(room.Contributor.Principal));
        Assert.Equal((2, 1, 0), (writer.MyDrafts, writer.MyInReview, writer.MyScheduled));
        Assert.Equal("Waiting for review", Assert.Single(writer.MyInReviewList).Headline);
        var request = Assert.Single(writer.ChangesRequested);
        Assert.Equal(("Sent back", "Shorter, please."), (request.Headline, request.Message));
        Assert.False(writer.IsDesk);
        Assert.Empty(writer.Queue);
        Assert.Empty(writer.Editing);
        Assert.Null(writer.Checklist);
        Assert.Equal(1, Value(await room.Dashboard.GetAsync(room.Author.Principal)).MyScheduled);

        var admin = Value(await room.Dashboard.GetAsync(room.Admin.Principal));
        Assert.True(admin.IsDesk);
        Assert.Equal(1, admin.QueueCount);
        Assert.Equal(waiting.Id, Assert.Single(admin.Queue).Id);
        Assert.Equal("On the schedule", Assert.Single(admin.Scheduled).Headline);
        Assert.Contains(admin.RecentlyPublished, a => a.Headline == "Out already");
        Assert.Equal(new EditingNow(published.Id, "Out already", "Edna Editor"), Assert.Single(admin.Editing));
        var steps = admin.Checklist!;
        Assert.Equal(["Give the site its title and logo", "Invite the staff", "Fill in the author profiles", "Set the navigation"], steps.Select(s => s.Text));
        Assert.True(steps.Single(s => s.Text == "Invite the staff").Done);
        Assert.False(steps.Single(s => s.Text == "Give the site its title and logo").Done);
        Assert.Null(Value(await room.Dashboard.GetAsync(room.Editor.Principal)).Checklist);
    }

    [Fact]
    public async Task With_smtp_each_submission_emails_the_desk_once_with_a_link_and_the_writer_hears_of_changes_and_publication_unless_they_opted_out()
    {
        await using var sink = new SmtpSink();
        await using var app = await NewsCmsAppFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["NewsCms:Smtp:Host"] = "127.0.0.1",
            ["NewsCms:Smtp:Port"] = sink.Port.ToString(),
            ["NewsCms:Site:BaseUrl"] = "https://news.example.test",
        });
        await using var room = await Newsroom.CreateAsync(app);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Id == room.OtherEditor.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.NewsroomEmailOff, true));
        }

        var story = await room.SubmittedAsync(room.Contributor, "Lighthouse sold");
        // Sent from the outbox after the commit, in order: the two with e-mail on, then nothing else.
        var toDesk = new[] { await sink.NextMessageAsync(Deadline), await sink.NextMessageAsync(Deadline) };
        Assert.Equal(new[] { NewsCmsAppFactory.AdminEmail, room.Editor.Email }.Order(), toDesk.Select(Recipient).Order());
        Assert.All(toDesk, m => Assert.Contains($"https://news.example.test/admin/articles/{story.Id}", Unfold(m)));
        Assert.All(toDesk, m => Assert.Contains("Lighthouse sold", Unfold(m)));

        Value(await room.Articles.Workflow.RequestChangesAsync(room.Editor.Principal, story.Id, story.Version, "Who bought it?"));
        var changes = await sink.NextMessageAsync(Deadline);
        Assert.Equal(room.Contributor.Email, Recipient(changes)); // the opted-out editor got nothing before it
        Assert.Contains("Who bought it?", Unfold(changes));

        var draft = Value(await room.Articles.Reads.GetForEditAsync(room.Contributor.Principal, story.Id));
        var again = Value(await room.Articles.Workflow.SubmitAsync(room.Contributor.Principal, story.Id, draft.Version));
        Assert.Equal(2, new[] { await sink.NextMessageAsync(Deadline), await sink.NextMessageAsync(Deadline) }.Select(Recipient).Distinct().Count());
        Value(await room.Articles.Workflow.PublishAsync(room.Editor.Principal, story.Id, again.Version));
        var published = await sink.NextMessageAsync(Deadline);
        Assert.Equal(room.Contributor.Email, Recipient(published));
        Assert.Contains("Published: Lighthouse sold", Unfold(published));
    }

    [Fact]
    public async Task Each_person_turns_newsroom_emails_off_and_on_again_on_their_account_page()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (id, email, password) = await app.CreateUserAsync(NewsroomRoles.Editor);
        using var client = app.CreateBrowserlikeClient();
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await FormPost.SignInAsync(client, email, password)).StatusCode);
        async Task<bool> EmailOffAsync()
        {
            await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
            return await db.Users.Where(u => u.Id == id).Select(u => u.NewsroomEmailOff).SingleAsync();
        }
        Assert.Matches("<input[^>]*checked[^>]*name=\"EmailInput.Send\"|<input[^>]*name=\"EmailInput.Send\"[^>]*checked", await client.GetStringAsync("/Account/Manage"));

        // A browser sends the form's hidden field and nothing for an unticked box.
        var off = await FormPost.SubmitAsync(client, "/Account/Manage", "newsroom-email", new Dictionary<string, string> { ["EmailInput.Posted"] = "true" });
        Assert.Equal(System.Net.HttpStatusCode.Redirect, off.StatusCode);
        Assert.True(await EmailOffAsync());
        Assert.DoesNotMatch("<input[^>]*checked[^>]*name=\"EmailInput.Send\"|<input[^>]*name=\"EmailInput.Send\"[^>]*checked", await client.GetStringAsync("/Account/Manage"));

        await FormPost.SubmitAsync(client, "/Account/Manage", "newsroom-email", new Dictionary<string, string> { ["EmailInput.Posted"] = "true", ["EmailInput.Send"] = "true" });
        Assert.False(await EmailOffAsync());
    }

    [Fact]
    public async Task A_failing_smtp_server_never_fails_the_submission_and_its_emails_wait_in_the_outbox_for_a_retry()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["NewsCms:Smtp:Host"] = "127.0.0.1",
            ["NewsCms:Smtp:Port"] = "1", // nothing listens there
        });
        await using var room = await Newsroom.CreateAsync(app);
        var story = await room.SubmittedAsync(room.Contributor, "Storm warning");
        Assert.Equal(ArticleStatus.InReview, Value(await room.Articles.Reads.GetForEditAsync(room.Editor.Principal, story.Id)).Status);
        Assert.Equal(3, (await room.NotificationsAsync(story.Id)).Count);

        // Each desk e-mail is tried once, then waits for its first retry a minute later; none is dropped.
        var waiting = await WaitForAsync(async () =>
        {
            var rows = (await room.NotificationsAsync(story.Id)).Where(n => n.EmailDueAt is not null).ToList();
            return rows.Count == 3 && rows.All(n => n.EmailAttempts == 1) ? rows : null;
        });
        Assert.All(waiting, n => Assert.Equal(n.CreatedAt + NotificationMailer.Retries[0], n.EmailDueAt!.Value, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_mail_server_that_never_answers_holds_up_no_action()
    {
        // It takes the connection and says nothing: an SMTP client waits minutes for its greeting.
        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            await using var app = await NewsCmsAppFactory.CreateAsync(new Dictionary<string, string?>
            {
                ["NewsCms:Smtp:Host"] = "127.0.0.1",
                ["NewsCms:Smtp:Port"] = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port.ToString(),
            });
            await using var room = await Newsroom.CreateAsync(app);
            var story = await room.SubmittedAsync(room.Contributor, "Quiet wires");
            var published = room.Articles.Workflow.PublishAsync(room.Editor.Principal, story.Id, story.Version);
            Value(await published.WaitAsync(Deadline));
            using var held = await silent.AcceptTcpClientAsync().WaitAsync(Deadline);
            // The e-mails are still in the outbox (one claimed while the server keeps quiet), the actions done.
            var told = await room.NotificationsAsync(story.Id);
            Assert.Equal(4, told.Count); // the desk of three, then the writer
            Assert.All(told, n => Assert.NotNull(n.EmailDueAt));
        }
        finally
        {
            silent.Stop();
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (true)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(50, timeout.Token);
        }
    }

    [Fact]
    public async Task Notifications_reach_a_persons_pages_on_another_node_through_redis()
    {
        var redis = await TestRedis.NewConfigurationAsync();
        await using var a = await NewsCmsAppFactory.CreateAsync(new() { [ClusterSetup.RedisSetting] = redis });
        await using var room = await Newsroom.CreateAsync(a);
        await using var b = NewsCmsAppFactory.SecondNodeOf(a, new() { [ClusterSetup.RedisSetting] = redis });
        var eventsOnB = b.Services.GetRequiredService<NewsroomEvents>();
        var pushed = new TaskCompletionSource<NotificationItem>(TaskCreationOptions.RunContinuationsAsynchronously);
        var changed = new TaskCompletionSource<ArticleChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listening = eventsOnB.Listen(room.Editor.Id, item => pushed.TrySetResult(item));
        eventsOnB.ArticleChanged += change => { if (change.Status == ArticleStatus.InReview) changed.TrySetResult(change); };

        var story = await room.SubmittedAsync(room.Contributor, "Across the nodes");

        Assert.Equal(story.Id, (await pushed.Task.WaitAsync(Deadline)).ArticleId);
        Assert.Equal(story.Id, (await changed.Task.WaitAsync(Deadline)).ArticleId);
    }

    private static string Recipient(string message) =>
        message.Split('\n').Select(l => l.TrimEnd('\r')).First(l => l.StartsWith("To:", StringComparison.OrdinalIgnoreCase))[3..].Trim().Trim('<', '>');

    private static string Unfold(string message) => message.Replace("=\r\n", "").Replace("=\n", "");
}
