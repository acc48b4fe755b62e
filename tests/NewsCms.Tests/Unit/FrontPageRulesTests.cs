using Microsoft.Extensions.Time.Testing;
using NewsCms.Web.Features.FrontPage;

namespace NewsCms.Tests.Unit;

/// <summary>How the front page's slots fill: pins hold until their time, everything else takes the newest stories.</summary>
public sealed class FrontPageRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    // Stories 1..20, newest first: 20, 19, 18...
    private static readonly int[] Newest = [.. Enumerable.Range(1, 20).Reverse()];

    private static IReadOnlyList<int> Ids(IReadOnlyList<FilledSlot> slots) => [.. slots.Select(s => s.ArticleId)];

    [Fact]
    public void Without_pins_the_lead_is_the_newest_featured_story_and_the_top_stories_the_newest_after_it()
    {
        var now = Start.UtcDateTime;
        Assert.Equal([20, 19, 18, 17, 16, 15, 14], Ids(FrontPageRules.Fill([], _ => true, null, Newest, now)));
        var slots = FrontPageRules.Fill([], _ => true, 5, Newest, now);
        Assert.Equal([5, 20, 19, 18, 17, 16, 15], Ids(slots));
        Assert.All(slots, s => Assert.False(s.Pinned));
        Assert.Equal(Enumerable.Range(0, FrontPageRules.SlotCount), slots.Select(s => s.Position));
    }

    [Fact]
    public void Pins_keep_their_slots_and_the_empty_slots_fill_in_order_with_the_newest_not_already_shown()
    {
        var now = Start.UtcDateTime;
        SlotPin[] pins = [new(0, 3, null), new(2, 19, null), new(5, 1, now.AddHours(2))];
        var slots = FrontPageRules.Fill(pins, _ => true, 7, Newest, now);
        // The lead is pinned, so the featured story does not take it; 19 is pinned lower down, so it is not repeated.
        Assert.Equal([3, 20, 19, 18, 17, 1, 16], Ids(slots));
        Assert.Equal([true, false, true, false, false, true, false], slots.Select(s => s.Pinned));
        Assert.Equal(now.AddHours(2), slots[5].PinnedUntil);
    }

    [Fact]
    public void A_pin_runs_out_at_its_time_and_its_slot_fills_with_the_newest_again()
    {
        var clock = new FakeTimeProvider(Start);
        SlotPin[] pins = [new(0, 3, clock.GetUtcNow().UtcDateTime.AddMinutes(30))];
        Assert.Equal(3, FrontPageRules.Fill(pins, _ => true, null, Newest, clock.GetUtcNow().UtcDateTime)[0].ArticleId);
        Assert.Equal(clock.GetUtcNow().UtcDateTime.AddMinutes(30), FrontPageRules.NextExpiry(pins, clock.GetUtcNow().UtcDateTime));

        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(3, FrontPageRules.Fill(pins, _ => true, null, Newest, clock.GetUtcNow().UtcDateTime)[0].ArticleId);
        clock.Advance(TimeSpan.FromMinutes(1));
        var after = FrontPageRules.Fill(pins, _ => true, null, Newest, clock.GetUtcNow().UtcDateTime);
        Assert.Equal(20, after[0].ArticleId);
        Assert.False(after[0].Pinned);
        Assert.Null(FrontPageRules.NextExpiry(pins, clock.GetUtcNow().UtcDateTime));
    }

    [Fact]
    public void A_pinned_story_no_longer_public_leaves_its_slot_to_the_newest()
    {
        var slots = FrontPageRules.Fill([new(0, 3, null), new(1, 4, null)], id => id != 3, null, Newest, Start.UtcDateTime);
        Assert.Equal([20, 4, 19, 18, 17, 16, 15], Ids(slots));
    }

    [Fact]
    public void With_fewer_stories_than_slots_the_page_shows_what_there_is_each_once()
    {
        var slots = FrontPageRules.Fill([new(3, 2, null)], _ => true, 2, [2, 1], Start.UtcDateTime);
        Assert.Equal([1, 2], Ids(slots));
        Assert.Equal([0, 3], slots.Select(s => s.Position));
    }

    [Fact]
    public void An_arrangement_is_checked_before_it_is_saved()
    {
        var now = Start.UtcDateTime;
        Assert.Null(FrontPageRules.Check([new(0, 1, null), new(6, 2, now.AddDays(1))], now));
        Assert.Null(FrontPageRules.Check([], now));
        Assert.Equal("The front page has a lead and 6 top stories.", FrontPageRules.Check([new(7, 1, null)], now));
        Assert.Equal("Put one story in each slot.", FrontPageRules.Check([new(1, 1, null), new(1, 2, null)], now));
        Assert.Equal("A story can fill only one slot.", FrontPageRules.Check([new(0, 1, null), new(1, 1, null)], now));
        Assert.Equal("Choose a \"Pinned until\" time in the future, or none.", FrontPageRules.Check([new(0, 1, now)], now));
        Assert.Equal("A story stays pinned for 90 days at most.", FrontPageRules.Check([new(0, 1, now.AddDays(91))], now));
    }

    private static FrontPageStory Story(int id, string? headline = null) =>
        new(id, headline ?? $"Story {id}", $"Standfirst {id}", Start.UtcDateTime.AddMinutes(-id), null, false, false);

    private static FrontPageBoard Board(params StoredSlot[] slots) =>
        new(new FrontPageBoardData(slots, [.. Enumerable.Range(1, 10).Reverse().Select(i => Story(i))], null, ""),
            TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

    [Fact]
    public void The_board_places_moves_swaps_and_clears_and_saves_pinned_until_from_site_time()
    {
        var board = Board(new StoredSlot(0, Story(4), 4, Start.UtcDateTime.AddHours(1), Start.UtcDateTime, "Eddie"));
        // Stored in UTC, shown in the site's time (Berlin is UTC+1 in December).
        Assert.Equal(new DateTime(2026, 12, 4, 11, 0, 0), board.Slots[0].PinnedUntil);

        board.Place(Story(7), 2);
        board.Place(Story(7), 0); // moved up to the lead: story 4 takes its old place and loses the lead's pin
        Assert.Equal(7, board.Slots[0].Story!.Id);
        Assert.Equal(4, board.Slots[2].Story!.Id);
        Assert.Equal(new DateTime(2026, 12, 4, 11, 0, 0), board.Slots[0].PinnedUntil);

        board.Slots[2].PinnedUntil = new DateTime(2026, 12, 5, 8, 30, 0);
        Assert.Equal([new SlotPin(0, 7, Start.UtcDateTime.AddHours(1)), new SlotPin(2, 4, new DateTime(2026, 12, 5, 7, 30, 0, DateTimeKind.Utc))], board.ToPins());

        board.Clear(0);
        Assert.Null(board.Slots[0].Story);
        Assert.Null(board.Slots[0].PinnedUntil);
        Assert.Equal([new SlotPin(2, 4, new DateTime(2026, 12, 5, 7, 30, 0, DateTimeKind.Utc))], board.ToPins());
    }

    [Fact]
    public void The_preview_shows_the_page_the_arrangement_makes_now()
    {
        var board = Board();
        board.Place(Story(2), 0);
        board.Slots[0].PinnedUntil = new DateTime(2026, 12, 4, 10, 30, 0); // 09:30 UTC
        var preview = board.Preview(Start.UtcDateTime);
        Assert.Equal([2, 10, 9, 8, 7, 6, 5], preview.Select(p => p.Story.Id));
        Assert.True(preview[0].Slot.Pinned);
        Assert.Equal("Story 2", preview[0].Story.Headline);
        // Past its time the pin no longer holds, in the preview as on the page.
        Assert.Equal(10, board.Preview(Start.UtcDateTime.AddHours(1)).First().Story.Id);
    }
}
