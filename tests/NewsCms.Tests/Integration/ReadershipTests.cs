using System.Data.Common;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Readership;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Article views counted through the real pipeline: before the output cache (hits count), without robots,
/// prefetches, HEAD or staff, nothing about the reader kept, written in one upsert per flush that adds up across nodes.
/// Flushes and the Most read list are driven by the test (their timers are set far apart).
/// </summary>
public sealed class ReadershipTests : IAsyncDisposable
{
    public const string Chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    private readonly List<NewsCmsAppFactory> apps = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var app in Enumerable.Reverse(apps)) await app.DisposeAsync();
    }

    private static Dictionary<string, string?> Quiet(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>(more ?? [])
        {
            ["NewsCms:Readership:FlushSeconds"] = "300",
            ["NewsCms:Readership:MostReadRefreshSeconds"] = "3600",
        };
        return settings;
    }

    private async Task<NewsCmsAppFactory> StartAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var app = await NewsCmsAppFactory.CreateAsync(Quiet(settings));
        app.TestServices = services;
        apps.Add(app);
        _ = app.Services;
        return app;
    }

    internal static async Task<(int Id, string Slug)> PublishAsync(NewsCmsAppFactory app, string headline)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>Text.</p>" }, null, SaveKind.Manual);
        var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
        Assert.True(published.Succeeded, published.Error);
        // The publish ranks other stories' Related lists again in the background; a test that warms or counts from
        // here on must not see that work evict its pages or add to its queries.
        await app.RelatedRankedAgainAsync();
        return (saved.Id, published.Value!.Slug);
    }

    internal static HttpClient Reader(NewsCmsAppFactory app, string? userAgent = Chrome)
    {
        var reader = app.CreateClient(new() { HandleCookies = false });
        if (userAgent is not null) reader.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return reader;
    }

    internal static Task FlushAsync(NewsCmsAppFactory app) => app.Services.GetRequiredService<ReadershipFlusher>().FlushAsync();

    internal static async Task<long> ViewsAsync(NewsCmsAppFactory app, int articleId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        return await db.ArticleViewDays.Where(v => v.ArticleId == articleId).SumAsync(v => v.Views);
    }

    [Fact]
    public async Task A_page_served_from_the_output_cache_counts_and_so_does_a_304_revalidation()
    {
        var app = await StartAsync();
        var (id, slug) = await PublishAsync(app, "Counted story");
        using var reader = Reader(app);

        var first = await reader.GetAsync($"/news/{slug}");
        Assert.Null(first.Headers.Age);
        var second = await reader.GetAsync($"/news/{slug}");
        Assert.NotNull(second.Headers.Age); // the output cache answered
        Assert.False(second.Headers.Contains("X-NewsCms-Article"), "the counting mark left the server");
        await FlushAsync(app);
        Assert.Equal(2, await ViewsAsync(app, id));

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/news/{slug}");
        again.Headers.IfNoneMatch.Add(second.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(again)).StatusCode);
        await FlushAsync(app);
        Assert.Equal(3, await ViewsAsync(app, id));
    }

    [Fact]
    public async Task Robots_prefetches_HEAD_requests_and_signed_in_staff_are_not_counted()
    {
        var app = await StartAsync();
        var (id, slug) = await PublishAsync(app, "Watched story");
        var url = $"/news/{slug}";
        using var reader = Reader(app);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(url)).StatusCode); // the one view, and the cache is warm

        using var googlebot = Reader(app, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
        Assert.NotNull((await googlebot.GetAsync(url)).Headers.Age);
        using var nobody = Reader(app, userAgent: null);
        Assert.NotNull((await nobody.GetAsync(url)).Headers.Age);
        foreach (var (header, value) in new[] { ("Sec-Purpose", "prefetch;prerender"), ("Purpose", "prefetch"), ("X-Moz", "prefetch") })
        {
            using var prefetch = new HttpRequestMessage(HttpMethod.Get, url);
            prefetch.Headers.Add(header, value);
            Assert.Equal(HttpStatusCode.OK, (await reader.SendAsync(prefetch)).StatusCode);
        }
        // A HEAD is answered as the GET, and is still not a reader's view.
        using var head = new HttpRequestMessage(HttpMethod.Head, url);
        Assert.Equal(HttpStatusCode.OK, (await reader.SendAsync(head)).StatusCode);
        using var staff = app.CreateBrowserlikeClient();
        staff.DefaultRequestHeaders.UserAgent.ParseAdd(Chrome);
        await FormPost.SignInAsync(staff, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync(url)).StatusCode);

        await FlushAsync(app);
        Assert.Equal(1, await ViewsAsync(app, id));
    }

    [Fact]
    public async Task Static_page_views_count_but_stay_out_of_the_most_read_lists()
    {
        var app = await StartAsync();
        var (articleId, slug) = await PublishAsync(app, "Counted article");
        int pageId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var articles = scope.ServiceProvider.NewsroomArticles();
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var saved = await articles.Editing.SaveAsync(admin, null,
                new ArticleInput { Kind = ArticleKind.Page, Headline = "About us", BodyHtml = "<p>Who we are.</p>", Slug = "about-us" }, null, SaveKind.Manual);
            Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
            pageId = saved.Id;
        }
        using var reader = Reader(app);
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/about-us")).StatusCode);
        await reader.GetAsync($"/news/{slug}");
        await FlushAsync(app);
        Assert.Equal(3, await ViewsAsync(app, pageId));

        await app.Services.GetRequiredService<MostRead>().RefreshAsync();
        Assert.Equal([articleId], app.Services.GetRequiredService<MostRead>().Current.Select(i => i.ArticleId));
        await using var reports = app.Services.CreateAsyncScope();
        var top = await reports.ServiceProvider.GetRequiredService<ReadershipReports>().MostReadTodayAsync(await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), 5);
        Assert.Equal([(articleId, "Counted article", 1L)], top.Value!.Select(r => (r.ArticleId, r.Headline, r.Views)));
    }

    [Fact]
    public async Task Nothing_about_the_reader_is_stored_only_the_count_per_article_and_day()
    {
        var app = await StartAsync();
        var (id, slug) = await PublishAsync(app, "Private story");
        var marker = "ReaderMarker" + Guid.NewGuid().ToString("N");
        using var reader = Reader(app, $"{Chrome} {marker}");
        reader.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.77");
        var response = await reader.GetAsync($"/news/{slug}");
        Assert.False(response.Headers.Contains("Set-Cookie"));
        await FlushAsync(app);
        Assert.Equal(1, await ViewsAsync(app, id));

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        var columns = db.Model.FindEntityType(typeof(ArticleViewDay))!.GetProperties().Select(p => p.GetColumnName()).Order().ToArray();
        Assert.Equal(["ArticleId", "Day", "Views"], columns);
        if (app.Database.FilePath is { } file)
        {
            // The database's own bytes (and its write-ahead log) hold neither the user agent nor the address.
            foreach (var path in new[] { file, file + "-wal" }.Where(File.Exists))
            {
                using var copy = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                await copy.CopyToAsync(memory);
                var text = Encoding.Latin1.GetString(memory.ToArray());
                Assert.DoesNotContain(marker, text);
                Assert.DoesNotContain("203.0.113.77", text);
            }
        }
    }

    private sealed class FailingWrites : DbCommandInterceptor
    {
        public volatile bool Failing;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            Failing && command.CommandText.Contains("ArticleViewDays", StringComparison.Ordinal)
                ? throw new InvalidOperationException("The disk is full.")
                : base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }

    [Fact]
    public async Task A_failed_flush_keeps_the_counts_for_the_next_one()
    {
        var failing = new FailingWrites();
        var app = await StartAsync(services: s => s.AddSingleton<IInterceptor>(failing));
        var (id, slug) = await PublishAsync(app, "Story during an outage");
        using var reader = Reader(app);
        await reader.GetAsync($"/news/{slug}");
        await reader.GetAsync($"/news/{slug}");

        failing.Failing = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => FlushAsync(app));
        Assert.Equal(0, await ViewsAsync(app, id));
        await reader.GetAsync($"/news/{slug}");

        failing.Failing = false;
        await FlushAsync(app);
        Assert.Equal(3, await ViewsAsync(app, id));
        await FlushAsync(app); // nothing twice
        Assert.Equal(3, await ViewsAsync(app, id));
    }

    [Fact]
    public async Task Views_fall_on_the_day_of_the_site_time_zone()
    {
        // 22:30 UTC on 1 March is 23:30 in Berlin; an hour later it is 2 March there, still 1 March in UTC.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 22, 30, 0, TimeSpan.Zero));
        var app = await StartAsync(services: s => s.AddSingleton<TimeProvider>(clock));
        var (id, slug) = await PublishAsync(app, "Late story");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var saved = await scope.ServiceProvider.GetRequiredService<SiteSettingsService>().SaveAsync(admin, new SiteSettingsInput { Title = "Gazette", TimeZone = "Europe/Berlin" });
            Assert.True(saved.Succeeded, saved.Error);
        }
        await FlushAsync(app); // takes the new time zone
        using var reader = Reader(app);
        await reader.GetAsync($"/news/{slug}");
        clock.Advance(TimeSpan.FromHours(1));
        await reader.GetAsync($"/news/{slug}");
        await reader.GetAsync($"/news/{slug}");
        await FlushAsync(app);

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        var days = await db.ArticleViewDays.Where(v => v.ArticleId == id).OrderBy(v => v.Day).Select(v => new { v.Day, v.Views }).ToListAsync();
        Assert.Equal([new { Day = new DateOnly(2026, 3, 1), Views = 1L }, new { Day = new DateOnly(2026, 3, 2), Views = 2L }], days);
    }

    [Fact]
    public async Task Days_past_the_retention_are_deleted_once_a_day()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        var app = await StartAsync(new() { ["NewsCms:Readership:RetentionDays"] = "7" }, s => s.AddSingleton<TimeProvider>(clock));
        var (id, _) = await PublishAsync(app, "Old story");
        // Today's pruning done now, before the old days are added: the start-up flush may otherwise run after them
        // on a loaded machine, and prune today what the test expects pruned tomorrow.
        await FlushAsync(app);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            foreach (var day in new[] { 3, 4, 9, 10 }) db.ArticleViewDays.Add(new ArticleViewDay { ArticleId = id, Day = new DateOnly(2026, 3, day), Views = day });
            await db.SaveChangesAsync();
        }
        await FlushAsync(app);
        Assert.Equal(3 + 4 + 9 + 10, await ViewsAsync(app, id)); // already pruned today, before they were added
        clock.Advance(TimeSpan.FromDays(1));
        await FlushAsync(app);
        Assert.Equal(9 + 10, await ViewsAsync(app, id)); // 5 to 11 March: seven days
    }

    [Fact]
    public async Task Two_nodes_on_one_database_add_their_counts_up()
    {
        var redis = await TestRedis.NewConfigurationAsync();
        var nodeA = await StartAsync(new() { [ClusterSetup.RedisSetting] = redis });
        var nodeB = NewsCmsAppFactory.SecondNodeOf(nodeA, Quiet(new() { [ClusterSetup.RedisSetting] = $"{redis},name=newscms-test-b-{Guid.NewGuid():N}" }));
        apps.Add(nodeB);
        _ = nodeB.Services;
        var (id, slug) = await PublishAsync(nodeA, "Shared story");
        using var readerA = Reader(nodeA);
        using var readerB = Reader(nodeB);
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await readerA.GetAsync($"/news/{slug}")).StatusCode);
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, (await readerB.GetAsync($"/news/{slug}")).StatusCode);

        // Newsroom pages on the other node hear that new counts were written (no polling).
        var heardOnB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        nodeB.Services.GetRequiredService<ReadershipUpdates>().Written += () => heardOnB.TrySetResult();
        await FlushAsync(nodeA);
        await heardOnB.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await FlushAsync(nodeB);
        Assert.Equal(5, await ViewsAsync(nodeA, id));
        await readerB.GetAsync($"/news/{slug}");
        await FlushAsync(nodeB);
        await FlushAsync(nodeA);
        Assert.Equal(6, await ViewsAsync(nodeA, id));
    }

    [Fact]
    public async Task Counting_can_be_turned_off()
    {
        var app = await StartAsync(new() { ["NewsCms:Readership:Enabled"] = "false" });
        var (id, slug) = await PublishAsync(app, "Uncounted story");
        using var reader = Reader(app);
        await reader.GetAsync($"/news/{slug}");
        Assert.Equal(0, app.Services.GetRequiredService<ViewCounter>().Pending);
        await FlushAsync(app);
        Assert.Equal(0, await ViewsAsync(app, id));
    }

    [Fact]
    public async Task A_bad_flush_interval_stops_start_up_with_a_message_naming_it()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Readership:FlushSeconds"] = "0" });
        var error = Assert.Throws<OptionsValidationException>(() => app.Services);
        Assert.Contains("NewsCms:Readership:FlushSeconds", error.Message);
    }

    [Fact]
    public async Task A_counted_cache_hit_makes_no_query_and_the_most_read_block_adds_none_to_a_page()
    {
        var counter = new CommandCounter(countWrites: true);
        var app = await StartAsync(services: s =>
        {
            s.AddSingleton<IInterceptor>(counter);
            s.Remove(s.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        });
        var (id, slug) = await PublishAsync(app, "Popular story");
        var (_, other) = await PublishAsync(app, "Other story");
        using var reader = Reader(app);
        await reader.GetAsync($"/news/{other}"); // warms the settings snapshot and the EF model
        var store = app.Services.GetRequiredService<Microsoft.AspNetCore.OutputCaching.IOutputCacheStore>();

        async Task<int> RenderQueries()
        {
            await store.EvictByTagAsync(NewsCms.Web.Features.Hosting.PublicCache.Tag, default);
            counter.Reset();
            var page = await reader.GetAsync($"/news/{other}");
            Assert.Null(page.Headers.Age);
            return counter.Count;
        }
        var withoutList = await RenderQueries();

        await reader.GetAsync($"/news/{slug}");
        counter.Reset();
        var hit = await reader.GetAsync($"/news/{slug}");
        Assert.NotNull(hit.Headers.Age);
        Assert.Equal(0, counter.Count);

        await FlushAsync(app);
        Assert.Equal(2, await ViewsAsync(app, id));
        await app.Services.GetRequiredService<MostRead>().RefreshAsync();
        Assert.Equal(withoutList, await RenderQueries());
        Assert.Contains("Popular story", await (await reader.GetAsync($"/news/{other}")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_most_read_block_lists_the_most_viewed_articles_and_the_home_page_is_evicted_when_the_list_changes()
    {
        var app = await StartAsync();
        var (first, firstSlug) = await PublishAsync(app, "Quiet story");
        var (second, secondSlug) = await PublishAsync(app, "Busy story");
        var (_, thirdSlug) = await PublishAsync(app, "Unread story");
        using var reader = Reader(app);
        // Looks that do not count (a robot's).
        using var look = Reader(app, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
        // Cached before anything is read: no block yet.
        Assert.DoesNotContain("Most read", await look.GetStringAsync("/"));
        Assert.DoesNotContain("Most read", await look.GetStringAsync($"/news/{thirdSlug}"));
        Assert.NotNull((await look.GetAsync("/")).Headers.Age);

        for (var i = 0; i < 3; i++) await reader.GetAsync($"/news/{secondSlug}");
        await reader.GetAsync($"/news/{firstSlug}");
        await FlushAsync(app);
        // Counting alone evicts nothing: the list is worked out every few minutes, not per view.
        Assert.NotNull((await look.GetAsync("/")).Headers.Age);
        await app.Services.GetRequiredService<MostRead>().RefreshAsync();

        var home = await look.GetAsync("/");
        Assert.Null(home.Headers.Age);
        var html = await home.Content.ReadAsStringAsync();
        Assert.Contains("<h2 id=\"most-read-heading\">Most read</h2>", html);
        var block = html[html.IndexOf("most-read-heading", StringComparison.Ordinal)..];
        Assert.True(block.IndexOf("Busy story", StringComparison.Ordinal) < block.IndexOf("Quiet story", StringComparison.Ordinal), "the busier story comes first");
        Assert.DoesNotContain("Unread story", block);
        // An article page keeps the list it was rendered with (none here): a new order is no news for it (CacheSurvivalTests).
        Assert.NotNull((await look.GetAsync($"/news/{thirdSlug}")).Headers.Age);
        // An article page leaves itself out of the list (rendered afresh: the cached copy is from before the list).
        using var fresh = new HttpRequestMessage(HttpMethod.Get, $"/news/{secondSlug}");
        fresh.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "bypasses-the-output-cache");
        var own = await (await look.SendAsync(fresh)).Content.ReadAsStringAsync();
        Assert.Contains("Quiet story</a>", own);
        Assert.DoesNotContain("Busy story</a>", own[own.IndexOf("most-read-heading", StringComparison.Ordinal)..]);

        // The same list again evicts nothing.
        Assert.NotNull((await look.GetAsync("/")).Headers.Age);
        await app.Services.GetRequiredService<MostRead>().RefreshAsync();
        Assert.NotNull((await look.GetAsync("/")).Headers.Age);

        // Unpublishing an article on the list takes it off at once (the list is worked out again on its change).
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var articles = scope.ServiceProvider.NewsroomArticles();
            var article = (await articles.Reads.GetForEditAsync(admin, second)).Value!;
            Assert.True((await articles.Workflow.UnpublishAsync(admin, second, article.Version)).Succeeded);
        }
        // No refresh asked for: the change wakes the list's worker, which works it out again within moments.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while ((await look.GetStringAsync($"/news/{thirdSlug}")).Contains("Busy story", StringComparison.Ordinal))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), "the unpublished article stayed in the Most read block");
            await Task.Delay(50);
        }
        Assert.DoesNotContain(app.Services.GetRequiredService<MostRead>().Current, i => i.ArticleId == second);
        Assert.Contains("Quiet story", await look.GetStringAsync($"/news/{thirdSlug}"));
        _ = first;
    }
}
