using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.LiveBlogs;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.Webhooks;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Live blogs in the newsroom and on the reader's page: who may run coverage, what each entry change writes (the next
/// Seq, revisions, tombstones, the audit log, webhooks), the page (pinned on top, key events, LiveBlogPosting, the
/// Live badge), its cache and the catch-up windows, and the event stream a reader's page holds open.
/// </summary>
public sealed class LiveBlogTests(NewsroomFixture site) : IClassFixture<NewsroomFixture>
{
    private ClaimsPrincipal Admin => site.ByRole[NewsroomRoles.Administrator].Principal;

    private async Task<(int Id, string Slug)> PublishedAsync(Member owner, string headline)
    {
        await using var scope = site.App.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(Admin, null, new ArticleInput
        {
            Headline = headline + " " + Guid.NewGuid().ToString("N")[..6], BodyHtml = "<p>What we know so far.</p>", AuthorIds = [owner.ProfileId],
        }, null, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        var published = await articles.Workflow.PublishAsync(Admin, saved.Id, saved.Version);
        Assert.True(published.Succeeded, published.Error);
        return (saved.Id, published.Value!.Slug);
    }

    private async Task<T> LiveAsync<T>(Func<LiveBlogService, Task<T>> call)
    {
        await using var scope = site.App.Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<LiveBlogService>());
    }

    private async Task<(int Id, string Slug)> LiveBlogAsync(string headline)
    {
        var article = await PublishedAsync(site.OtherWriter, headline);
        var on = await LiveAsync(live => live.SetCoverageAsync(Admin, article.Id, true));
        Assert.True(on.Succeeded, on.Error);
        return article;
    }

    private async Task<LiveEntryView> PostAsync(int articleId, string html, bool key = false, bool pinned = false)
    {
        var posted = await LiveAsync(live => live.PostAsync(Admin, articleId, new LiveEntryInput(html, null, key, pinned)));
        Assert.True(posted.Succeeded, posted.Error);
        return posted.Value!;
    }

    [Fact]
    public async Task Editors_and_administrators_run_any_coverage_authors_their_own_and_contributors_none()
    {
        var author = site.ByRole[NewsroomRoles.Author];
        var contributor = site.ByRole[NewsroomRoles.Contributor];
        var own = await PublishedAsync(author, "Storm live");
        var others = await PublishedAsync(site.OtherWriter, "Flood live");
        var contributors = await PublishedAsync(contributor, "Match live");

        Assert.Null((await LiveAsync(l => l.SetCoverageAsync(author.Principal, own.Id, true))).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await LiveAsync(l => l.SetCoverageAsync(author.Principal, others.Id, true))).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await LiveAsync(l => l.SetCoverageAsync(contributor.Principal, contributors.Id, true))).Error);
        Assert.Equal(NewsroomActors.SessionEnded, (await LiveAsync(l => l.SetCoverageAsync(NewsroomFixture.Anonymous, others.Id, true))).Error);
        Assert.Null((await LiveAsync(l => l.SetCoverageAsync(site.ByRole[NewsroomRoles.Editor].Principal, others.Id, true))).Error);

        // An entry is published at once: the same rule.
        Assert.Null((await LiveAsync(l => l.PostAsync(author.Principal, own.Id, new LiveEntryInput("<p>Wind picks up.</p>")))).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await LiveAsync(l => l.PostAsync(author.Principal, others.Id, new LiveEntryInput("<p>Not mine.</p>")))).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await LiveAsync(l => l.PostAsync(contributor.Principal, others.Id, new LiveEntryInput("<p>No.</p>")))).Error);

        // The composer shows the author their own coverage; a Contributor may read the desk's, not run it.
        var coverage = await LiveAsync(l => l.GetAsync(author.Principal, own.Id));
        Assert.True(coverage.Value!.IsLive && coverage.Value.MayRun);
        Assert.Single(coverage.Value.Entries);
    }

    [Fact]
    public async Task Each_entry_change_takes_the_next_seq_keeps_the_old_text_and_is_sanitized_and_audited()
    {
        var blog = await LiveBlogAsync("Election night");
        var first = await PostAsync(blog.Id, "<p>Polls close.</p><script>alert(1)</script>");
        var second = await PostAsync(blog.Id, "<p onclick=\"x()\">First result in.</p>", key: true);
        Assert.Equal((1, 2), (first.Seq, second.Seq));
        Assert.DoesNotContain("script", first.BodyHtml);
        Assert.DoesNotContain("onclick", second.BodyHtml);
        Assert.Equal("First result in.", second.BodyText);

        var edited = await LiveAsync(l => l.EditAsync(Admin, first.Id, first.Version, new LiveEntryInput("<p>Polls have closed.</p>", null, false, true)));
        Assert.True(edited.Succeeded, edited.Error);
        Assert.Equal(3, edited.Value!.Seq);
        Assert.True(edited.Value.IsPinned);
        // The version it was edited from is gone: a second editor with the old one is told, nothing is overwritten.
        var stale = await LiveAsync(l => l.EditAsync(Admin, first.Id, first.Version, new LiveEntryInput("<p>Stale.</p>")));
        Assert.Equal(LiveBlogRules.EntryChanged, stale.Error);

        var deleted = await LiveAsync(l => l.DeleteAsync(Admin, second.Id, second.Version));
        Assert.True(deleted.Succeeded, deleted.Error);
        Assert.Equal(4, deleted.Value!.Seq);

        Assert.Equal(LiveBlogRules.Empty, (await LiveAsync(l => l.PostAsync(Admin, blog.Id, new LiveEntryInput("<p> </p>")))).Error);

        await using var db = await site.App.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        var revisions = await db.LiveEntryRevisions.AsNoTracking().Where(r => r.EntryId == first.Id || r.EntryId == second.Id).ToListAsync();
        Assert.Contains(revisions, r => r.EntryId == first.Id && r.BodyHtml == "<p>Polls close.</p>");
        Assert.Contains(revisions, r => r.EntryId == second.Id && r.IsKeyEvent);
        var tombstone = await db.LiveEntries.AsNoTracking().SingleAsync(e => e.Id == second.Id);
        Assert.NotNull(tombstone.DeletedAt);

        var actions = await db.AuditEntries.AsNoTracking().Where(e => e.Target.Contains($"(#{blog.Id})")).Select(e => e.Action).ToListAsync();
        foreach (var action in new[] { AuditActions.LiveCoverageStarted, AuditActions.LiveEntryPosted, AuditActions.LiveEntryEdited, AuditActions.LiveEntryDeleted })
        {
            Assert.Contains(action, actions);
        }

        // Ended: no new entries, corrections still go through.
        Assert.True((await LiveAsync(l => l.SetCoverageAsync(Admin, blog.Id, false))).Succeeded);
        Assert.Equal(LiveBlogRules.NotLive, (await LiveAsync(l => l.PostAsync(Admin, blog.Id, new LiveEntryInput("<p>Late.</p>")))).Error);
        Assert.True((await LiveAsync(l => l.EditAsync(Admin, first.Id, edited.Value.Version, new LiveEntryInput("<p>Polls closed at ten.</p>")))).Succeeded);
        Assert.Contains(AuditActions.LiveCoverageEnded, await db.AuditEntries.AsNoTracking().Where(e => e.Target.Contains($"(#{blog.Id})")).Select(e => e.Action).ToListAsync());
    }

    [Fact]
    public async Task An_entry_on_a_published_article_tells_webhooks_post_published_edited_without_republishing_it()
    {
        var (integrationId, _, _) = await TestIntegrations.CreateAsync(site.App.Services, NewsroomRoles.Editor, name: "Live desk hook");
        var webhooks = site.Service<Webhooks>();
        Assert.True((await webhooks.AddAsync(Admin, integrationId, new WebhookInput
        {
            Event = WebhookEvents.PostPublishedEdited, TargetUrl = "https://hooks.example.test/live", Name = "live",
        })).Succeeded);
        var blog = await LiveBlogAsync("Budget live");
        await using var db = await site.App.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        var before = await db.WebhookDeliveries.AsNoTracking().MaxAsync(d => (long?)d.Id) ?? 0;
        var version = await db.Articles.AsNoTracking().Where(a => a.Id == blog.Id).Select(a => a.Version).SingleAsync();

        await PostAsync(blog.Id, "<p>The chancellor stands up.</p>");

        var queued = await db.WebhookDeliveries.AsNoTracking().Where(d => d.Id > before && d.Event == WebhookEvents.PostPublishedEdited).ToListAsync();
        var payload = JsonDocument.Parse(Assert.Single(queued, d => d.Payload.Contains($"\"id\":\"{blog.Id}\"", StringComparison.Ordinal)).Payload).RootElement;
        Assert.Equal("published", payload.GetProperty("post").GetProperty("current").GetProperty("status").GetString());
        // The article itself was not saved: an editor open on it keeps working.
        Assert.Equal(version, await db.Articles.AsNoTracking().Where(a => a.Id == blog.Id).Select(a => a.Version).SingleAsync());
    }

    [Fact]
    public async Task The_page_shows_entries_newest_first_pinned_on_top_key_events_and_live_blog_posting_and_each_entry_evicts_it()
    {
        var blog = await LiveBlogAsync("Summit live");
        var early = await PostAsync(blog.Id, "<p>Leaders arrive.</p>", pinned: true);
        var key = await PostAsync(blog.Id, "<p>Deal agreed on climate.</p>", key: true);
        var late = await PostAsync(blog.Id, "<p>Press conference starts.</p>");
        using var reader = site.App.CreateClient(new() { HandleCookies = false });
        var url = ArticleUrls.ForSlug(blog.Slug);

        var html = await reader.GetStringAsync(url);
        var pinnedAt = html.IndexOf($"id=\"entry-{early.Id}\"", StringComparison.Ordinal);
        var lateAt = html.IndexOf($"id=\"entry-{late.Id}\"", StringComparison.Ordinal);
        var keyAt = html.IndexOf($"id=\"entry-{key.Id}\"", StringComparison.Ordinal);
        Assert.True(pinnedAt > 0 && pinnedAt < lateAt && lateAt < keyAt, "pinned first, then newest first");
        Assert.Contains($"<a href=\"#entry-{key.Id}\">", html);
        Assert.Contains("Key events", html);
        Assert.Contains("\"@type\":\"LiveBlogPosting\"", html);
        Assert.Contains("\"coverageStartTime\"", html);
        Assert.Contains("\"liveBlogUpdate\"", html);
        Assert.Contains($"data-live-seq=\"{late.Seq}\"", html);
        Assert.Contains("js/live", html);

        var home = await reader.GetStringAsync("/");
        Assert.Contains("class=\"live-badge\"", home);

        Assert.NotNull((await reader.GetAsync(url)).Headers.Age); // cached
        var next = await PostAsync(blog.Id, "<p>Summit closes.</p>");
        var fresh = await reader.GetAsync(url);
        Assert.Null(fresh.Headers.Age);
        Assert.Contains($"id=\"entry-{next.Id}\"", await fresh.Content.ReadAsStringAsync());

        Assert.True((await LiveAsync(l => l.SetCoverageAsync(Admin, blog.Id, false))).Succeeded);
        var ended = await reader.GetStringAsync(url);
        Assert.Contains("\"coverageEndTime\"", ended);
        Assert.Contains("Coverage ended", ended);
    }

    [Fact]
    public async Task Catch_up_windows_are_cached_per_seq_and_evicted_by_the_next_entry()
    {
        var blog = await LiveBlogAsync("Marathon live");
        var first = await PostAsync(blog.Id, "<p>Runners are off.</p>");
        await PostAsync(blog.Id, "<p>Halfway.</p>");
        using var reader = site.App.CreateClient(new() { HandleCookies = false });

        var all = await reader.GetAsync($"/live/{blog.Id}/entries?after=0");
        Assert.Null(all.Headers.Age);
        var window = JsonDocument.Parse(await all.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, window.GetProperty("entries").GetArrayLength());
        Assert.Equal(2, window.GetProperty("last").GetInt64());
        Assert.NotNull((await reader.GetAsync($"/live/{blog.Id}/entries?after=0")).Headers.Age);
        var afterFirst = JsonDocument.Parse(await reader.GetStringAsync($"/live/{blog.Id}/entries?after={first.Seq}")).RootElement;
        Assert.Equal(1, afterFirst.GetProperty("entries").GetArrayLength());

        var deleted = await LiveAsync(l => l.DeleteAsync(Admin, first.Id, first.Version));
        Assert.True(deleted.Succeeded);
        var evicted = await reader.GetAsync($"/live/{blog.Id}/entries?after=0");
        Assert.Null(evicted.Headers.Age);
        var entries = JsonDocument.Parse(await evicted.Content.ReadAsStringAsync()).RootElement.GetProperty("entries");
        Assert.Contains(entries.EnumerateArray(), e => e.GetProperty("id").GetInt64() == first.Id && e.GetProperty("deleted").GetBoolean());

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await reader.GetAsync($"/live/{site.Samples.ArticleId}/entries?after=0")).StatusCode);
    }

    [Fact]
    public async Task An_open_page_receives_a_new_entry_and_resumes_from_its_last_event_id()
    {
        var blog = await LiveBlogAsync("Rescue live");
        var first = await PostAsync(blog.Id, "<p>Crews arrive.</p>");
        var stream = site.Service<LiveStream>();
        using var reader = site.App.CreateClient(new() { HandleCookies = false });

        await using (var events = await SseClient.OpenAsync(reader, $"/live/{blog.Id}/events?after={first.Seq}"))
        {
            Assert.Equal("banner", (await events.NextAsync()).Event);
            Assert.True(stream.CountOf(blog.Id) > 0);
            var posted = await PostAsync(blog.Id, "<p>Two people rescued.</p>", key: true);
            var entry = await events.NextAsync("entry");
            Assert.Equal(posted.Seq.ToString(), entry.Id);
            var data = JsonDocument.Parse(entry.Data).RootElement;
            Assert.Equal(posted.Id, data.GetProperty("id").GetInt64());
            Assert.True(data.GetProperty("key").GetBoolean());
            Assert.Contains("Two people rescued.", data.GetProperty("html").GetString());
            Assert.Contains($"#entry-{posted.Id}", data.GetProperty("keyHtml").GetString());
        }

        // Reconnecting after the first entry: everything since comes from the database, in order.
        var edited = await LiveAsync(l => l.EditAsync(Admin, first.Id, first.Version, new LiveEntryInput("<p>Crews arrived at six.</p>")));
        await using var resumed = await SseClient.OpenAsync(reader, $"/live/{blog.Id}/events?after=0", lastEventId: first.Seq.ToString());
        var caughtUp = new[] { await resumed.NextAsync("entry"), await resumed.NextAsync("entry") };
        Assert.Equal([(first.Seq + 1).ToString(), edited.Value!.Seq.ToString()], caughtUp.Select(e => e.Id));
    }

    [Fact]
    public async Task Feeds_and_the_content_api_carry_the_latest_entries_and_each_entry_evicts_them()
    {
        var blog = await LiveBlogAsync("Cup final live");
        await PostAsync(blog.Id, "<p>Kick-off at Wembley.</p>");
        using var reader = site.App.CreateClient(new() { HandleCookies = false });
        var post = $"/ghost/api/content/posts/{blog.Id}/?key={site.Samples.ContentKey}";

        Assert.Contains("Kick-off at Wembley.", await reader.GetStringAsync("/feed.xml"));
        Assert.Contains("Kick-off at Wembley.", await reader.GetStringAsync(post));
        Assert.NotNull((await reader.GetAsync(post)).Headers.Age);

        await PostAsync(blog.Id, "<p>First goal after ten minutes.</p>");
        Assert.Contains("First goal after ten minutes.", await reader.GetStringAsync("/feed.xml"));
        Assert.Contains("First goal after ten minutes.", await reader.GetStringAsync(post));

        // The Admin API's html is the body alone: a client saving it back never copies entries into the body.
        await using var db = await site.App.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        var admin = await NewsCms.Web.Features.GhostApi.GhostShapes.PostsAsync(db, [blog.Id],
            new NewsCms.Web.Features.GhostApi.GhostShapeOptions(true, true, Html: true, AdminFields: true), new Uri("https://news.example.test"), TestContext.Current.CancellationToken);
        Assert.DoesNotContain("Kick-off", Assert.Single(admin).Html);
    }

    [Fact]
    public async Task A_page_that_is_not_a_live_blog_hears_only_the_banner_and_streams_set_no_cookie()
    {
        using var reader = site.App.CreateClient(new() { HandleCookies = false });
        await using var events = await SseClient.OpenAsync(reader, "/live/events");
        Assert.Equal("banner", (await events.NextAsync()).Event);
        Assert.False(events.Response.Headers.Contains("Set-Cookie"));
        Assert.True(events.Response.Headers.CacheControl is { NoCache: true, NoTransform: true });
    }
}
