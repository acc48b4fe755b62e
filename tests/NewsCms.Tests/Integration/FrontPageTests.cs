using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.FrontPage;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.LiveBlogs;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// The curated front page: only the desk arranges it; readers see the lead and top stories in the desk's order, the
/// rest filled with the newest; a save evicts the cached home page and is audited; a pin runs out at its time though
/// nothing else changes; a live lead shows its latest key event.
/// </summary>
public sealed class FrontPageTests : IAsyncDisposable
{
    private NewsCmsAppFactory? app;

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }

    private async Task<T> DeskAsync<T>(Func<FrontPageDesk, Task<T>> call)
    {
        await using var scope = app!.Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<FrontPageDesk>());
    }

    /// <summary>A save as the newsroom page makes it: naming the arrangement it opened (read just before).</summary>
    private async Task<ServiceResult> SaveAsync(System.Security.Claims.ClaimsPrincipal who, IReadOnlyList<SlotPin> pins)
    {
        var admin = await app!.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var opened = (await DeskAsync(d => d.GetAsync(admin))).Value!.Version;
        return await DeskAsync(d => d.SaveAsync(who, pins, opened));
    }

    private async Task<(int Id, string Slug)> PublishedAsync(string headline)
    {
        var admin = await app!.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, Standfirst = $"About {headline}.", BodyHtml = "<p>Story.</p>" }, null, SaveKind.Manual);
        var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
        Assert.True(published.Succeeded, published.Error);
        return (saved.Id, published.Value!.Slug);
    }

    private static readonly HtmlParser Parser = new();

    private static (string Lead, List<string> Top, List<string> Latest) Front(string html)
    {
        var page = Parser.ParseDocument(html);
        return (page.QuerySelector(".home-lead .article-card__headline a")!.TextContent,
            [.. page.QuerySelectorAll(".home-top .article-card__headline a").Select(a => a.TextContent)],
            [.. page.QuerySelectorAll(".home-latest .article-card__headline a").Select(a => a.TextContent)]);
    }

    [Fact]
    public async Task An_editor_arranges_the_front_page_readers_see_it_in_that_order_at_once_and_only_the_desk_may()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        var (_, editorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Editor, displayName: "Eddie Editor");
        var (_, authorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Author);
        var editor = await app.PrincipalForAsync(editorEmail);
        var stories = new List<(int Id, string Slug)>();
        for (var i = 1; i <= 15; i++) stories.Add(await PublishedAsync($"Story {i}"));

        using var reader = app.CreateClient(new() { HandleCookies = false });
        var before = Front(await reader.GetStringAsync("/"));
        Assert.Equal("Story 15", before.Lead);
        Assert.Equal(["Story 14", "Story 13", "Story 12", "Story 11", "Story 10", "Story 9"], before.Top);
        Assert.Equal(["Story 8", "Story 7", "Story 6", "Story 5", "Story 4", "Story 3"], before.Latest);
        Assert.NotNull((await reader.GetAsync("/")).Headers.Age);

        // Only the desk.
        var author = await app.PrincipalForAsync(authorEmail);
        Assert.Equal(NewsroomActors.NotAllowed, (await SaveAsync(author, [new SlotPin(0, stories[0].Id, null)])).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await DeskAsync(d => d.GetAsync(author))).Error);

        var recent = (await DeskAsync(d => d.GetAsync(editor))).Value!;
        Assert.Equal(Enumerable.Range(1, 15).Reverse().Select(i => $"Story {i}"), recent.Recent.Select(s => s.Headline));
        Assert.Equal(["Story 2"], (await DeskAsync(d => d.FindStoriesAsync(editor, "story 2"))).Value!.Select(s => s.Headline));

        // The lead: an older story; top story 2: another, until tomorrow. The rest: the newest not already shown.
        var saved = await SaveAsync(editor, [new SlotPin(0, stories[1].Id, null), new SlotPin(2, stories[4].Id, DateTime.UtcNow.AddDays(1))]);
        Assert.True(saved.Succeeded, saved.Error);
        var shown = await reader.GetAsync("/");
        Assert.Null(shown.Headers.Age); // evicted
        var after = Front(await shown.Content.ReadAsStringAsync());
        Assert.Equal("Story 2", after.Lead);
        Assert.Equal(["Story 15", "Story 5", "Story 14", "Story 13", "Story 12", "Story 11"], after.Top);
        Assert.Equal(["Story 10", "Story 9", "Story 8", "Story 7", "Story 6", "Story 4"], after.Latest);

        var stored = (await DeskAsync(d => d.GetAsync(editor))).Value!.Slots;
        Assert.Equal([(0, "Story 2"), (2, "Story 5")], stored.Select(s => (s.Position, s.Story!.Headline)));
        Assert.Equal("Eddie Editor", stored[0].UpdatedByName);

        // Only published stories, once each.
        var draft = await DraftAsync("Not yet");
        Assert.Equal("Only published stories can go on the front page.", (await SaveAsync(editor, [new SlotPin(0, draft, null)])).Error);
        Assert.Equal("A story can fill only one slot.", (await SaveAsync(editor, [new SlotPin(0, stories[0].Id, null), new SlotPin(1, stories[0].Id, null)])).Error);

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        var audited = await db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.FrontPageArranged).ToListAsync();
        var entry = Assert.Single(audited);
        Assert.Equal("Eddie Editor", entry.ActorName);
        Assert.Contains("Lead: #" + stories[1].Id + " Story 2", entry.Details);
        Assert.Contains("Top story 2: #" + stories[4].Id + " Story 5 until ", entry.Details);

        // Unpublishing a pinned story gives its slot back to the newest.
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var articles = scope.ServiceProvider.NewsroomArticles();
            var version = (await articles.Reads.GetForEditAsync(admin, stories[1].Id)).Value!.Version;
            Assert.True((await articles.Workflow.UnpublishAsync(admin, stories[1].Id, version)).Succeeded);
        }
        Assert.Equal("Story 15", Front(await reader.GetStringAsync("/")).Lead);
    }

    [Fact]
    public async Task A_save_over_an_arrangement_another_editor_saved_meanwhile_is_refused_and_changes_nothing()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        var (_, editorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Editor, displayName: "Eddie Editor");
        var editor = await app.PrincipalForAsync(editorEmail);
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var first = await PublishedAsync("Harbour reopens");
        var second = await PublishedAsync("Council votes on budget");

        // Both open the page; the Administrator saves first.
        var openedByEditor = (await DeskAsync(d => d.GetAsync(editor))).Value!.Version;
        var openedByAdmin = (await DeskAsync(d => d.GetAsync(admin))).Value!.Version;
        Assert.True((await DeskAsync(d => d.SaveAsync(admin, [new SlotPin(0, first.Id, null)], openedByAdmin))).Succeeded);

        var refused = await DeskAsync(d => d.SaveAsync(editor, [new SlotPin(0, second.Id, null)], openedByEditor));
        Assert.Contains("saved the front page since you opened it.", refused.Error);
        var stored = (await DeskAsync(d => d.GetAsync(editor))).Value!;
        Assert.Equal([(0, first.Id)], stored.Slots.Select(s => (s.Position, s.ArticleId)));

        // Opened again, the editor's save goes through; clearing the page is a change too.
        Assert.True((await DeskAsync(d => d.SaveAsync(editor, [new SlotPin(0, second.Id, null)], stored.Version))).Succeeded);
        Assert.NotNull((await DeskAsync(d => d.SaveAsync(admin, [], stored.Version))).Error);
    }

    private async Task<int> DraftAsync(string headline)
    {
        var admin = await app!.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.NewsroomArticles().Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>x</p>" }, null, SaveKind.Manual)).Id;
    }

    [Fact]
    public async Task At_a_pins_time_the_cached_home_page_gives_its_slot_back_to_the_newest_though_nothing_else_changed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        };
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var old = await PublishedAsync("Election night results");
        await PublishedAsync("Weather turns cold");
        Assert.True((await SaveAsync(admin, [new SlotPin(0, old.Id, clock.GetUtcNow().UtcDateTime.AddMinutes(30))])).Succeeded);

        using var reader = app.CreateClient(new() { HandleCookies = false });
        Assert.Equal("Election night results", Front(await reader.GetStringAsync("/")).Lead);
        Assert.NotNull((await reader.GetAsync("/")).Headers.Age);

        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.NotNull((await reader.GetAsync("/")).Headers.Age);
        clock.Advance(TimeSpan.FromMinutes(1));
        var expired = await reader.GetAsync("/");
        Assert.Null(expired.Headers.Age);
        Assert.Equal("Weather turns cold", Front(await expired.Content.ReadAsStringAsync()).Lead);
    }

    [Fact]
    public async Task A_live_lead_shows_Live_and_its_latest_key_event_and_a_new_key_event_refreshes_the_home_page()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var blog = await PublishedAsync("Storm live: coast braces");
        await PublishedAsync("Council budget agreed");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var live = scope.ServiceProvider.GetRequiredService<LiveBlogService>();
            Assert.True((await live.SetCoverageAsync(admin, blog.Id, true)).Succeeded);
            Assert.True((await live.PostAsync(admin, blog.Id, new LiveEntryInput("<p>Coastal road closed at Dunmore.</p>", null, true))).Succeeded);
            Assert.True((await live.PostAsync(admin, blog.Id, new LiveEntryInput("<p>Wind picks up.</p>"))).Succeeded);
        }
        Assert.True((await SaveAsync(admin, [new SlotPin(0, blog.Id, null)])).Succeeded);

        using var reader = app.CreateClient(new() { HandleCookies = false });
        var lead = Parser.ParseDocument(await reader.GetStringAsync("/")).QuerySelector(".home-lead")!;
        Assert.Equal("Live", lead.QuerySelector(".live-badge")!.TextContent);
        var key = lead.QuerySelector(".home-lead__key-event")!;
        Assert.Contains("Latest key event", key.TextContent);
        Assert.Equal("Coastal road closed at Dunmore.", key.QuerySelector("a")!.TextContent);
        Assert.StartsWith($"/news/{blog.Slug}#entry-", key.QuerySelector("a")!.GetAttribute("href"));
        Assert.NotNull((await reader.GetAsync("/")).Headers.Age);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var live = scope.ServiceProvider.GetRequiredService<LiveBlogService>();
            Assert.True((await live.PostAsync(admin, blog.Id, new LiveEntryInput("<p>Evacuation ordered for the harbour.</p>", null, true))).Succeeded);
        }
        var refreshed = Parser.ParseDocument(await reader.GetStringAsync("/"));
        Assert.Equal("Evacuation ordered for the harbour.", refreshed.QuerySelector(".home-lead__key-event a")!.TextContent);
    }

    [Fact]
    public async Task The_home_page_makes_as_many_queries_with_every_slot_pinned_as_with_none()
    {
        var counter = new CommandCounter();
        app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services =>
        {
            services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(counter);
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        };
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var stories = new List<(int Id, string Slug)>();
        for (var i = 1; i <= 16; i++) stories.Add(await PublishedAsync($"Story {i}"));
        using var reader = app.CreateClient(new() { HandleCookies = false });
        var store = app.Services.GetRequiredService<IOutputCacheStore>();
        async Task<int> QueriesForHome()
        {
            await store.EvictByTagAsync(PublicCache.Tag, default);
            await reader.GetStringAsync("/");
            await store.EvictByTagAsync(PublicCache.Tag, default);
            await app.RelatedRankedAgainAsync();
            counter.Reset();
            Assert.NotEmpty(await reader.GetStringAsync("/"));
            return counter.Count;
        }

        var none = await QueriesForHome();
        Assert.True((await SaveAsync(admin, [.. Enumerable.Range(0, FrontPageRules.SlotCount).Select(p => new SlotPin(p, stories[p].Id, DateTime.UtcNow.AddHours(p + 1)))])).Succeeded);
        Assert.Equal(["Story 1", "Story 2"], [Front(await reader.GetStringAsync("/")).Lead, Front(await reader.GetStringAsync("/")).Top[0]]);
        Assert.Equal(none, await QueriesForHome());
        Assert.InRange(none, 1, 12);
    }
}
