using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Breaking;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// The breaking-news banner: only the desk sets it; every public page shows it (cached pages are evicted), open pages
/// get it pushed over their event stream, and it goes at its expiry even when nothing else changes.
/// </summary>
public sealed class BreakingNewsTests : IAsyncDisposable
{
    private NewsCmsAppFactory? app;

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }

    private async Task<T> BreakingAsync<T>(Func<BreakingNews, Task<T>> call)
    {
        await using var scope = app!.Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<BreakingNews>());
    }

    private async Task<(int Id, string Slug)> PublishedAsync(string headline)
    {
        var admin = await app!.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>Story.</p>" }, null, SaveKind.Manual);
        var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
        Assert.True(published.Succeeded, published.Error);
        return (saved.Id, published.Value!.Slug);
    }

    [Fact]
    public async Task The_desk_sets_a_banner_every_page_shows_and_pushes_and_only_the_desk_may()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        var (_, editorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Editor, displayName: "Eddie Editor");
        var (_, authorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Author);
        var editor = await app.PrincipalForAsync(editorEmail);
        var article = await PublishedAsync("Bridge closed after crash");
        using var reader = app.CreateClient(new() { HandleCookies = false });
        var page = ArticleUrls.ForSlug(article.Slug);
        Assert.DoesNotContain("breaking__label", await reader.GetStringAsync(page));
        Assert.NotNull((await reader.GetAsync(page)).Headers.Age);
        await using var events = await SseClient.OpenAsync(reader, "/live/events");
        Assert.Equal("{\"html\":\"\"}", (await events.NextAsync("banner")).Data);

        var refused = await BreakingAsync(b => b.SetAsync(app.PrincipalForAsync(authorEmail).Result, new BannerInput("Not mine", null, DateTime.UtcNow.AddHours(1))));
        Assert.Equal(NewsroomActors.NotAllowed, refused.Error);
        Assert.Equal("Choose an expiry in the future.", (await BreakingAsync(b => b.SetAsync(editor, new BannerInput("Late", null, DateTime.UtcNow.AddMinutes(-1))))).Error);

        var set = await BreakingAsync(b => b.SetAsync(editor, new BannerInput("Bridge closed <now>", article.Id, DateTime.UtcNow.AddHours(1))));
        Assert.True(set.Succeeded, set.Error);

        var pushed = JsonDocument.Parse((await events.NextAsync("banner")).Data).RootElement.GetProperty("html").GetString()!;
        Assert.Contains("Bridge closed &lt;now&gt;", pushed);
        Assert.Contains($"href=\"/news/{article.Slug}\"", pushed);
        var shown = await reader.GetAsync(page);
        Assert.Null(shown.Headers.Age); // the cached copy was evicted
        Assert.Contains("Bridge closed &lt;now&gt;", await shown.Content.ReadAsStringAsync());
        Assert.Contains("Bridge closed &lt;now&gt;", await reader.GetStringAsync("/"));

        Assert.True((await BreakingAsync(b => b.ClearAsync(editor))).Succeeded);
        Assert.Equal("{\"html\":\"\"}", (await events.NextAsync("banner")).Data);
        Assert.DoesNotContain("Bridge closed &lt;now", await reader.GetStringAsync(page));

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        var audited = await db.AuditEntries.AsNoTracking().Where(e => e.ActorName == "Eddie Editor").Select(e => e.Action).ToListAsync();
        Assert.Contains(AuditActions.BreakingSet, audited);
        Assert.Contains(AuditActions.BreakingCleared, audited);
    }

    [Fact]
    public async Task At_its_expiry_the_banner_leaves_cached_and_open_pages_though_nothing_else_changed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // Moving the clock 31 minutes fires every heartbeat in between: few enough for the reader's queue.
        app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Live:Heartbeat"] = "00:10:00" });
        app.TestServices = services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        };
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var article = await PublishedAsync("Storm warning");
        var set = await BreakingAsync(b => b.SetAsync(admin, new BannerInput("Storm warning issued", null, clock.GetUtcNow().UtcDateTime.AddMinutes(30))));
        Assert.True(set.Succeeded, set.Error);
        using var reader = app.CreateClient(new() { HandleCookies = false });
        var page = ArticleUrls.ForSlug(article.Slug);
        Assert.Contains("Storm warning issued", await reader.GetStringAsync(page));
        Assert.NotNull((await reader.GetAsync(page)).Headers.Age);
        await using var events = await SseClient.OpenAsync(reader, "/live/events");
        Assert.Contains("Storm warning issued", (await events.NextAsync("banner")).Data);

        clock.Advance(TimeSpan.FromMinutes(31));

        Assert.Equal("{\"html\":\"\"}", (await events.NextAsync("banner")).Data);
        Assert.DoesNotContain("Storm warning issued", await reader.GetStringAsync(page));
    }
}
