namespace NewsCms.Web.Features.FrontPage;

/// <summary>A stored choice: this article in this slot, until <paramref name="PinnedUntil"/> (UTC) or for good.</summary>
public sealed record SlotPin(int Position, int ArticleId, DateTime? PinnedUntil);

/// <summary>A slot as the home page shows it: the article, and whether an editor put it there.</summary>
public sealed record FilledSlot(int Position, int ArticleId, bool Pinned, DateTime? PinnedUntil);

/// <summary>
/// How the front page's slots are filled. Pure, so the home page, the newsroom's live preview and the tests share it.
/// Slot 0 is the lead, 1…<see cref="TopStories"/> the top stories. A pin holds while its time has not passed and its
/// article is public; every other slot takes, in order, the newest stories not already placed (the lead first takes
/// the newest story marked Featured, as before curation).
/// </summary>
public static class FrontPageRules
{
    /// <summary>Top stories beside the lead: with it, the first screen's seven headlines.</summary>
    public const int TopStories = 6;
    public const int SlotCount = 1 + TopStories;

    /// <summary>The longest a story may be pinned for: a pin nobody remembers should not hold the page for ever.</summary>
    public static readonly TimeSpan LongestPin = TimeSpan.FromDays(90);

    public static bool Holds(SlotPin pin, DateTime now) => pin.PinnedUntil is not { } until || until > now;

    /// <param name="pins">The stored pins (any order; expired ones and unknown positions are ignored).</param>
    /// <param name="isPublic">Whether an article may be shown (pins of unpublished articles are ignored).</param>
    /// <param name="featured">The newest Featured story, the lead's first fallback.</param>
    /// <param name="newest">Public stories, newest first: what empty slots take.</param>
    public static IReadOnlyList<FilledSlot> Fill(IEnumerable<SlotPin> pins, Func<int, bool> isPublic, int? featured, IEnumerable<int> newest, DateTime now, int slotCount = SlotCount)
    {
        var slots = new FilledSlot?[slotCount];
        var used = new HashSet<int>();
        foreach (var pin in pins.OrderBy(p => p.Position))
        {
            if (pin.Position < 0 || pin.Position >= slotCount || slots[pin.Position] is not null) continue;
            if (!Holds(pin, now) || !isPublic(pin.ArticleId) || !used.Add(pin.ArticleId)) continue;
            slots[pin.Position] = new FilledSlot(pin.Position, pin.ArticleId, true, pin.PinnedUntil);
        }
        using var fallback = (slots[0] is null && featured is { } lead ? newest.Prepend(lead) : newest).GetEnumerator();
        for (var position = 0; position < slotCount; position++)
        {
            if (slots[position] is not null) continue;
            while (fallback.MoveNext())
            {
                if (!used.Add(fallback.Current)) continue;
                slots[position] = new FilledSlot(position, fallback.Current, false, null);
                break;
            }
        }
        // With fewer stories than slots the page shows what there is, in slot order.
        return [.. slots.OfType<FilledSlot>()];
    }

    /// <summary>When the page must next change by itself: the earliest pin still holding, if any.</summary>
    public static DateTime? NextExpiry(IEnumerable<SlotPin> pins, DateTime now) =>
        pins.Where(p => p.PinnedUntil is { } until && until > now).Select(p => p.PinnedUntil).Min();

    /// <summary>Why a new arrangement cannot be saved, or null.</summary>
    public static string? Check(IReadOnlyList<SlotPin> pins, DateTime now)
    {
        if (pins.Any(p => p.Position < 0 || p.Position >= SlotCount)) return $"The front page has a lead and {TopStories} top stories.";
        if (pins.Select(p => p.Position).Distinct().Count() != pins.Count) return "Put one story in each slot.";
        if (pins.Select(p => p.ArticleId).Distinct().Count() != pins.Count) return "A story can fill only one slot.";
        if (pins.Any(p => p.PinnedUntil is { } until && until <= now)) return "Choose a \"Pinned until\" time in the future, or none.";
        if (pins.Any(p => p.PinnedUntil is { } until && until > now + LongestPin)) return "A story stays pinned for 90 days at most.";
        return null;
    }
}
