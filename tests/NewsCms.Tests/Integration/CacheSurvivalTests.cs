using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Readership;

namespace NewsCms.Tests.Integration;

/// <summary>
/// What keeps the long tail of article pages in the public cache (the harness's <c>survival</c> measurement found
/// these): changes made by the site itself, not by an editor, evict only the pages whose HTML they change.
/// </summary>
public sealed class CacheSurvivalTests : IAsyncDisposable
{
    private const string Robot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    private NewsCmsAppFactory? app;

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }

    private async Task<NewsCmsAppFactory> StartAsync()
    {
        app = await NewsCmsAppFactory.CreateAsync(new()
        {
            // Flushes and the Most read list are driven by the test.
            ["NewsCms:Readership:FlushSeconds"] = "300",
            ["NewsCms:Readership:MostReadRefreshSeconds"] = "3600",
        });
        _ = app.Services;
        return app;
    }

    private static ConcurrentQueue<PublicChange> Record(NewsCmsAppFactory app)
    {
        var changes = new ConcurrentQueue<PublicChange>();
        app.Services.GetRequiredService<PublicContent>().Changed += changes.Enqueue;
        return changes;
    }

    [Fact]
    public async Task A_new_Most_read_list_evicts_the_home_page_and_keeps_the_article_pages_cached()
    {
        var app = await StartAsync();
        var (_, quietSlug) = await ReadershipTests.PublishAsync(app, "Quiet story");
        var (_, busySlug) = await ReadershipTests.PublishAsync(app, "Busy story");
        using var reader = ReadershipTests.Reader(app);
        using var look = ReadershipTests.Reader(app, Robot); // a robot's looks do not count
        await PublicCacheDependencyTests.WarmAsync(look, "/", $"/news/{quietSlug}");

        for (var i = 0; i < 3; i++) await reader.GetAsync($"/news/{busySlug}");
        await ReadershipTests.FlushAsync(app);
        await app.Services.GetRequiredService<MostRead>().RefreshAsync(TestContext.Current.CancellationToken);

        var home = await look.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Null(home.Headers.Age);
        Assert.Contains("Busy story</a>", await home.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        // Readers reordering the list is no news for an article page: it keeps the list it was rendered with.
        Assert.True(await PublicCacheDependencyTests.IsHitAsync(look, $"/news/{quietSlug}"), "an article page was evicted by a new Most read list");
    }

    [Fact]
    public async Task An_article_page_whose_Most_read_block_shows_a_story_is_evicted_when_the_story_changes()
    {
        var app = await StartAsync();
        var (busy, busySlug) = await ReadershipTests.PublishAsync(app, "Busy story");
        var (_, otherSlug) = await ReadershipTests.PublishAsync(app, "Other story");
        using var reader = ReadershipTests.Reader(app);
        using var look = ReadershipTests.Reader(app, Robot);
        await reader.GetAsync($"/news/{busySlug}", TestContext.Current.CancellationToken);
        await ReadershipTests.FlushAsync(app);
        await app.Services.GetRequiredService<MostRead>().RefreshAsync(TestContext.Current.CancellationToken);
        await PublicCacheDependencyTests.WarmAsync(look, $"/news/{otherSlug}");
        Assert.Contains("Busy story</a>", await look.GetStringAsync($"/news/{otherSlug}", TestContext.Current.CancellationToken));

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var articles = scope.ServiceProvider.NewsroomArticles();
            var article = (await articles.Reads.GetForEditAsync(admin, busy)).Value!;
            var input = new ArticleInput { Headline = "Busy story, corrected", BodyHtml = article.BodyHtml };
            Assert.Null((await articles.Editing.SaveAsync(admin, busy, input, article.Version, SaveKind.Manual)).Error);
        }
        // The edit evicts every page listing the story; the list itself follows within moments.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!(await look.GetStringAsync($"/news/{otherSlug}", TestContext.Current.CancellationToken)).Contains("Busy story, corrected</a>", StringComparison.Ordinal))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), "the article page kept the story's old headline in its Most read block");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_background_ranking_round_with_nothing_to_rank_evicts_nothing()
    {
        var app = await StartAsync();
        // One story: nothing relates to it, so it stays without a Related list round after round.
        await ReadershipTests.PublishAsync(app, "The only story");
        var backfill = app.Services.GetRequiredService<RelatedBackfill>();
        await backfill.RoundAsync(TestContext.Current.CancellationToken);
        var changes = Record(app);

        await backfill.RoundAsync(TestContext.Current.CancellationToken);

        Assert.Empty(changes);
    }

    [Fact]
    public async Task A_background_ranking_round_evicts_the_own_pages_of_the_articles_it_ranked_and_nothing_else()
    {
        var app = await StartAsync();
        var (first, _) = await ReadershipTests.PublishAsync(app, "Harbour tides rise");
        await ReadershipTests.PublishAsync(app, "Harbour tides fall");
        // That publish has the first story's list ranked again in the background: done before the round, which would
        // otherwise rank the same list at the same time.
        await app.RelatedRankedAgainAsync();
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            // As an import leaves its articles: without Related lists, for the background to rank.
            await db.ArticleRelations.Where(r => r.ArticleId == first).ExecuteDeleteAsync(TestContext.Current.CancellationToken);
        }
        var changes = Record(app);

        await app.Services.GetRequiredService<RelatedBackfill>().RoundAsync(TestContext.Current.CancellationToken);

        var change = Assert.Single(changes);
        Assert.Equal([PublicDependencies.OwnPage(first)], change.Evicts);
    }
}
