using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Tests.Integration;

/// <summary>Public listings show the time (site time zone) for today's stories and the date for older ones.</summary>
public sealed class ListingTimeTests : IAsyncDisposable
{
    private NewsCmsAppFactory? app;

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }

    [Fact]
    public async Task Search_results_show_the_time_of_a_story_from_today_and_the_date_of_an_older_one()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 9, 15, 0, TimeSpan.Zero));
        app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        };
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

        async Task PublishAsync(string headline)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var articles = scope.ServiceProvider.NewsroomArticles();
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>Harbour story.</p>" }, null, SaveKind.Manual);
            var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
            Assert.True(published.Succeeded, published.Error);
        }

        await PublishAsync("Older harbour story");
        clock.Advance(TimeSpan.FromDays(3)); // 5 December, 09:15 UTC
        await PublishAsync("Fresh harbour story");
        var zone = (await app.Services.GetRequiredService<SiteSettingsStore>().GetAsync()).TimeZone;
        string Local(DateTime utc, string format) =>
            TimeZoneInfo.ConvertTimeFromUtc(utc, zone).ToString(format, System.Globalization.CultureInfo.InvariantCulture);

        using var reader = app.CreateClient(new() { HandleCookies = false });
        var html = await reader.GetStringAsync("/search?q=harbour");

        Assert.Contains($"<time datetime=\"2026-12-05T09:15:00Z\">{Local(new DateTime(2026, 12, 5, 9, 15, 0, DateTimeKind.Utc), "HH:mm")}</time>", html);
        Assert.Contains($"<time datetime=\"2026-12-02T09:15:00Z\">{Local(new DateTime(2026, 12, 2, 9, 15, 0, DateTimeKind.Utc), "d MMMM yyyy")}</time>", html);
    }
}
