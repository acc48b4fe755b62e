using Microsoft.Extensions.Time.Testing;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Unit;

public class ArticlePresenceTests
{
    private readonly FakeTimeProvider clock = new();
    private readonly ArticlePresence presence;

    public ArticlePresenceTests() => presence = new ArticlePresence(clock);

    [Fact]
    public void The_first_to_open_an_article_holds_it_and_later_ones_watch()
    {
        var changes = new List<int>();
        presence.Changed += changes.Add;

        Assert.Equal("s1", presence.Enter(7, "s1", "u1", "Ann").SessionId);
        Assert.Equal("s1", presence.Enter(7, "s2", "u2", "Ben").SessionId);
        Assert.Equal(["Ann", "Ben"], presence.Everyone(7).Select(p => p.DisplayName));
        Assert.Equal("Ann", presence.Editors()[7]);
        Assert.Equal([7, 7], changes);
    }

    [Fact]
    public void Leaving_passes_the_article_to_the_next_watcher_and_the_last_one_out_frees_it()
    {
        presence.Enter(7, "s1", "u1", "Ann");
        presence.Enter(7, "s2", "u2", "Ben");
        presence.Leave(7, "s1");
        Assert.Equal("Ben", presence.Holder(7)!.DisplayName);
        presence.Leave(7, "s2");
        Assert.Null(presence.Holder(7));
        Assert.Empty(presence.Editors());
    }

    [Fact]
    public void A_take_over_tells_the_previous_holder_who_took_it()
    {
        var takenOver = new List<(string Session, string By)>();
        presence.TakenOver += (session, by) => takenOver.Add((session, by));
        presence.Enter(7, "s1", "u1", "Ann");
        presence.Enter(7, "s2", "u2", "Ben");

        presence.TakeOver(7, "s2", "u2", "Ben");

        Assert.Equal("s2", presence.Holder(7)!.SessionId);
        Assert.Equal([("s1", "Ben")], takenOver);
        Assert.Equal(["Ben", "Ann"], presence.Everyone(7).Select(p => p.DisplayName));
    }

    [Fact]
    public async Task A_dropped_connection_releases_the_sessions_locks_after_the_grace_unless_it_comes_back()
    {
        var handler = new PresenceCircuitHandler(presence, clock);
        handler.Track("s1");
        presence.Enter(7, "s1", "u1", "Ann");
        presence.Enter(8, "s1", "u1", "Ann");

        // Back in time: nothing is released.
        await handler.OnConnectionDownAsync(null!, CancellationToken.None);
        clock.Advance(PresenceCircuitHandler.Grace / 2);
        await handler.OnConnectionUpAsync(null!, CancellationToken.None);
        clock.Advance(PresenceCircuitHandler.Grace);
        Assert.NotNull(presence.Holder(7));

        // Down for longer than the grace: released.
        var released = new TaskCompletionSource();
        presence.Changed += id => { if (presence.Holder(8) is null && presence.Holder(7) is null) released.TrySetResult(); };
        await handler.OnConnectionDownAsync(null!, CancellationToken.None);
        clock.Advance(PresenceCircuitHandler.Grace);
        await released.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(presence.Editors());
    }

    [Fact]
    public async Task A_closed_circuit_releases_everything_at_once()
    {
        var handler = new PresenceCircuitHandler(presence, clock);
        handler.Track("s1");
        presence.Enter(7, "s1", "u1", "Ann");
        await handler.OnCircuitClosedAsync(null!, CancellationToken.None);
        Assert.Null(presence.Holder(7));
    }
}
