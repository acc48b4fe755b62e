using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>Scheduled publishing on a fake clock: nothing waits for real time.</summary>
public class SchedulingTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_scheduled_article_is_published_when_its_time_comes_and_not_before()
    {
        var clock = new FakeTimeProvider(Start);
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            // This test drives the publishing round itself; the background one would race it.
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        };
        using var reader = app.CreateClient();
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.GetRequiredService<ArticleService>();
        var (_, email, _) = await app.CreateUserAsync(NewsroomRoles.Author);
        var author = await app.PrincipalForAsync(email);

        var draft = await articles.SaveAsync(author, null, new ArticleInput { Headline = "Embargoed report", BodyHtml = "<p>Numbers.</p>" }, null, SaveKind.Manual);
        Assert.Contains("in the future", (await articles.ScheduleAsync(author, draft.Id, draft.Version, Start.UtcDateTime.AddMinutes(-1))).Error);
        var scheduled = await articles.ScheduleAsync(author, draft.Id, draft.Version, Start.UtcDateTime.AddMinutes(30));
        Assert.True(scheduled.Succeeded, scheduled.Error);

        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await articles.PublishDueAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/news/embargoed-report")).StatusCode);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await articles.PublishDueAsync());
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/news/embargoed-report")).StatusCode);
        var published = (await articles.GetForEditAsync(author, draft.Id)).Value!;
        Assert.Equal(ArticleStatus.Published, published.Status);
        Assert.Equal(Start.UtcDateTime.AddMinutes(30), published.PublishedAt);
    }

    [Fact]
    public async Task The_background_publisher_picks_up_what_fell_due_while_the_app_was_down()
    {
        var clock = new FakeTimeProvider(Start);
        var path = await TestDatabase.NewFileAsync();
        var bootstrap = new Dictionary<string, string?>
        {
            ["NewsCms:Bootstrap:AdminEmail"] = NewsCmsAppFactory.AdminEmail,
            ["NewsCms:Bootstrap:AdminPassword"] = NewsCmsAppFactory.AdminPassword,
        };
        int id;
        await using (var before = NewsCmsAppFactory.OnEmptyPath(path, bootstrap))
        {
            before.TestServices = services => services.AddSingleton<TimeProvider>(clock);
            before.CreateClient().Dispose();
            await using var scope = before.Services.CreateAsyncScope();
            var articles = scope.ServiceProvider.GetRequiredService<ArticleService>();
            var admin = await before.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var draft = await articles.SaveAsync(admin, null, new ArticleInput { Headline = "Overnight story" }, null, SaveKind.Manual);
            Assert.True((await articles.ScheduleAsync(admin, draft.Id, draft.Version, Start.UtcDateTime.AddHours(8))).Succeeded);
            id = draft.Id;
        }

        // The app was down past the scheduled time; on restart the hosted publisher's first round publishes it.
        clock.Advance(TimeSpan.FromHours(9));
        await using var after = NewsCmsAppFactory.OnEmptyPath(path, bootstrap);
        after.TestServices = services => services.AddSingleton<TimeProvider>(clock);
        using var reader = after.CreateClient();
        await WaitUntilAsync(async () =>
        {
            await using var db = await after.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
            return await db.Articles.AnyAsync(a => a.Id == id && a.Status == ArticleStatus.Published);
        });
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/news/overnight-story")).StatusCode);
        File.Delete(path);
    }

    [Fact]
    public async Task The_background_publisher_checks_again_every_interval()
    {
        var clock = new FakeTimeProvider(Start);
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.AddSingleton<TimeProvider>(clock);
        using var reader = app.CreateClient();
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.GetRequiredService<ArticleService>();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var draft = await articles.SaveAsync(admin, null, new ArticleInput { Headline = "Timed story" }, null, SaveKind.Manual);
        Assert.True((await articles.ScheduleAsync(admin, draft.Id, draft.Version, Start.UtcDateTime.AddSeconds(20))).Succeeded);

        // Within 30 seconds of its time: the publisher ticks every ScheduledPublisher.Interval on the (fake) clock.
        Assert.True(ScheduledPublisher.Interval <= TimeSpan.FromSeconds(30));
        await WaitUntilAsync(async () =>
        {
            clock.Advance(ScheduledPublisher.Interval);
            return (await articles.GetForEditAsync(admin, draft.Id)).Value!.Status == ArticleStatus.Published;
        });
        Assert.True(clock.GetUtcNow() <= Start.AddSeconds(20) + TimeSpan.FromSeconds(30) + ScheduledPublisher.Interval * 20);
    }

    /// <summary>Waits for a condition the app reaches on its own (a background service), failing after 15 s.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition was not reached in time.");
            await Task.Delay(50);
        }
    }
}
