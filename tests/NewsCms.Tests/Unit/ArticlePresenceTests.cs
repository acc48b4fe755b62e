using Microsoft.Extensions.Time.Testing;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Unit;

public class ArticlePresenceTests
{
    private readonly FakeTimeProvider clock = new();
    private readonly ArticlePresence presence;

    public ArticlePresenceTests() => presence = new ArticlePresence(clock);

    [Fact]
    public async Task The_first_to_open_an_article_holds_it_and_later_ones_watch()
    {
        var changes = new List<int>();
        presence.Changed += changes.Add;

        Assert.Equal("s1", (await presence.EnterAsync(7, "s1", "u1", "Ann")).SessionId);
        Assert.Equal("s1", (await presence.EnterAsync(7, "s2", "u2", "Ben")).SessionId);
        Assert.Equal(["Ann", "Ben"], presence.Everyone(7).Select(p => p.DisplayName));
        Assert.Equal("Ann", presence.Editors()[7]);
        Assert.Equal([7, 7], changes);
    }

    [Fact]
    public async Task Leaving_passes_the_article_to_the_next_watcher_and_the_last_one_out_frees_it()
    {
        await presence.EnterAsync(7, "s1", "u1", "Ann");
        await presence.EnterAsync(7, "s2", "u2", "Ben");
        await presence.LeaveAsync(7, "s1");
        Assert.Equal("Ben", presence.Holder(7)!.DisplayName);
        await presence.LeaveAsync(7, "s2");
        Assert.Null(presence.Holder(7));
        Assert.Empty(presence.Editors());
    }

    [Fact]
    public async Task A_take_over_tells_the_previous_holder_who_took_it()
    {
        var takenOver = new List<(string Session, string By)>();
        presence.TakenOver += (session, by) => takenOver.Add((session, by));
        await presence.EnterAsync(7, "s1", "u1", "Ann");
        await presence.EnterAsync(7, "s2", "u2", "Ben");

        await presence.TakeOverAsync(7, "s2", "u2", "Ben");

        Assert.Equal("s2", presence.Holder(7)!.SessionId);
        Assert.Equal([("s1", "Ben")], takenOver);
        Assert.Equal(["Ben", "Ann"], presence.Everyone(7).Select(p => p.DisplayName));
    }

    [Fact]
    public async Task A_dropped_connection_releases_the_sessions_locks_after_the_grace_unless_it_comes_back()
    {
        var handler = new PresenceCircuitHandler(presence, clock);
        handler.Track("s1");
        await presence.EnterAsync(7, "s1", "u1", "Ann");
        await presence.EnterAsync(8, "s1", "u1", "Ann");

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
        await presence.EnterAsync(7, "s1", "u1", "Ann");
        await handler.OnCircuitClosedAsync(null!, CancellationToken.None);
        Assert.Null(presence.Holder(7));
    }

    [Fact]
    public async Task A_take_over_waits_for_the_holders_pending_text_before_the_article_changes_hands()
    {
        await presence.EnterAsync(7, "s1", "u1", "Ann");
        await presence.EnterAsync(7, "s2", "u2", "Ben");
        string? holderDuringFlush = null;
        presence.RegisterFlush("s1", () =>
        {
            holderDuringFlush = presence.Holder(7)!.SessionId;
            return Task.CompletedTask;
        });

        await presence.TakeOverAsync(7, "s2", "u2", "Ben");

        Assert.Equal("s1", holderDuringFlush); // the text was saved while Ann still held the article
        Assert.Equal("s2", presence.Holder(7)!.SessionId);
    }

    [Fact]
    public async Task A_take_over_goes_ahead_when_the_holders_editor_cannot_save()
    {
        await presence.EnterAsync(7, "s1", "u1", "Ann");
        presence.RegisterFlush("s1", () => throw new InvalidOperationException("circuit disconnected"));
        await presence.TakeOverAsync(7, "s2", "u2", "Ben");
        Assert.Equal("s2", presence.Holder(7)!.SessionId);

        // An editor that never answers holds the take-over up for the flush timeout at most.
        presence.RegisterFlush("s2", () => new TaskCompletionSource().Task);
        var taking = presence.TakeOverAsync(7, "s3", "u3", "Cat");
        Assert.False(taking.IsCompleted);
        clock.Advance(ArticlePresence.FlushTimeout);
        await taking.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("s3", presence.Holder(7)!.SessionId);
    }

    [Fact]
    public async Task The_editor_who_lost_the_article_cannot_take_it_straight_back()
    {
        await presence.EnterAsync(7, "s1", "u1", "Ann");
        await presence.EnterAsync(7, "s2", "u2", "Ben");
        await presence.TakeOverAsync(7, "s2", "u2", "Ben");

        Assert.False(presence.MayTakeOver(7, "s1"));
        Assert.Equal(clock.GetUtcNow().UtcDateTime + ArticlePresence.TakeOverProtection, presence.MayTakeOverFrom(7, "s1"));
        Assert.True(presence.MayTakeOver(7, "s3")); // anyone else may

        clock.Advance(ArticlePresence.TakeOverProtection);
        Assert.True(presence.MayTakeOver(7, "s1"));
        Assert.Null(presence.MayTakeOverFrom(7, "s1"));
    }
}
