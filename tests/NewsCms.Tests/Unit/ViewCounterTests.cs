using Microsoft.Extensions.Time.Testing;
using NewsCms.Web.Features.Readership;

namespace NewsCms.Tests.Unit;

public class ViewCounterTests
{
    [Fact]
    public void Views_are_counted_per_article_and_site_day_and_taken_once()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 30, 20, 30, 0, TimeSpan.Zero));
        var counter = new ViewCounter(clock) { TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Athens") }; // UTC+3 in summer
        counter.Count(1);
        clock.Advance(TimeSpan.FromHours(1)); // 23:30 on 30 June in Athens, then 00:30 on 1 July
        counter.Count(1);
        counter.Count(1);
        counter.Count(2);

        var taken = counter.Take().OrderBy(c => c.ArticleId).ThenBy(c => c.Day).ToList();
        Assert.Equal([new ViewCount(1, new DateOnly(2026, 6, 30), 1), new ViewCount(1, new DateOnly(2026, 7, 1), 2), new ViewCount(2, new DateOnly(2026, 7, 1), 1)], taken);
        Assert.Empty(counter.Take());
    }

    [Fact]
    public void Restored_counts_join_the_views_counted_meanwhile()
    {
        var counter = new ViewCounter(new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero)));
        counter.Count(7);
        var failed = counter.Take();
        counter.Count(7);
        counter.Restore(failed);
        Assert.Equal([new ViewCount(7, new DateOnly(2026, 1, 5), 2)], counter.Take());
    }

    [Fact]
    public async Task No_view_is_lost_or_taken_twice_while_views_are_counted_during_takes()
    {
        var counter = new ViewCounter(TimeProvider.System);
        const int Threads = 4, PerThread = 50_000;
        long taken = 0;
        var counting = Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++) counter.Count(i % 3);
        })).ToArray();
        var all = Task.WhenAll(counting);
        while (!all.IsCompleted) taken += counter.Take().Sum(c => c.Views);
        await all;
        taken += counter.Take().Sum(c => c.Views);
        Assert.Equal(Threads * PerThread, taken);
    }
}
