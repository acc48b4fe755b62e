namespace NewsCms.Web.Features.FrontPage;

/// <summary>
/// The front-page arrangement being edited at <c>/admin/front-page</c>, before it is saved: which story is in which
/// slot and until when (in the site's time zone), and the preview of the page that would result. A plain class, so
/// the component only renders it and forwards drops, menu choices and fields.
/// </summary>
public sealed class FrontPageBoard
{
    public sealed class Slot(int position)
    {
        public int Position { get; } = position;
        public string Label => Position == FrontPageSlot.LeadPosition ? "Lead" : $"Top story {Position}";
        public FrontPageStory? Story { get; internal set; }

        /// <summary>"Pinned until", in the site's time zone; null keeps the story until an editor changes the slot.</summary>
        public DateTime? PinnedUntil { get; set; }
    }

    private readonly Dictionary<int, FrontPageStory> known = [];
    private readonly int? featured;

    public FrontPageBoard(FrontPageBoardData data, TimeZoneInfo zone)
    {
        Zone = zone;
        Slots = [.. Enumerable.Range(0, FrontPageRules.SlotCount).Select(p => new Slot(p))];
        Recent = data.Recent;
        featured = data.Featured?.Id;
        if (data.Featured is { } lead) known[lead.Id] = lead;
        foreach (var story in data.Recent) known[story.Id] = story;
        // A slot whose story is no longer published starts empty: it fills by itself, and saving drops it.
        foreach (var stored in data.Slots.Where(s => s.Story is not null && s.Position < Slots.Count))
        {
            Slots[stored.Position].Story = stored.Story;
            Slots[stored.Position].PinnedUntil = stored.PinnedUntil is { } until ? Local(until) : null;
            known[stored.Story!.Id] = stored.Story;
        }
    }

    public TimeZoneInfo Zone { get; }
    public IReadOnlyList<Slot> Slots { get; }

    /// <summary>The newest published stories, to drag from.</summary>
    public IReadOnlyList<FrontPageStory> Recent { get; }

    /// <summary>
    /// Puts a story in a slot. A story already in another slot moves, and the story it replaces takes its old place
    /// (a swap), so dragging within the page rearranges it. The slot keeps its "Pinned until".
    /// </summary>
    public void Place(FrontPageStory story, int position)
    {
        known[story.Id] = story;
        var target = Slots[position];
        var from = Slots.FirstOrDefault(s => s.Story?.Id == story.Id);
        if (from == target) return;
        if (from is not null)
        {
            from.Story = target.Story;
            if (from.Story is null) from.PinnedUntil = null;
        }
        target.Story = story;
    }

    /// <summary>"Remove": the slot fills with the newest stories again.</summary>
    public void Clear(int position)
    {
        Slots[position].Story = null;
        Slots[position].PinnedUntil = null;
    }

    /// <summary>What saving stores: the filled slots, their times in UTC.</summary>
    public IReadOnlyList<SlotPin> ToPins() =>
        [.. Slots.Where(s => s.Story is not null).Select(s => new SlotPin(s.Position, s.Story!.Id, s.PinnedUntil is { } local ? Utc(local) : null))];

    /// <summary>The live preview: the page as it would be now with this arrangement, each story marked pinned or not.</summary>
    public IReadOnlyList<(FilledSlot Slot, FrontPageStory Story)> Preview(DateTime nowUtc)
    {
        var pins = Slots.Where(s => s.Story is not null).Select(s => new SlotPin(s.Position, s.Story!.Id, s.PinnedUntil is { } local ? Utc(local) : null));
        return [.. FrontPageRules.Fill(pins, known.ContainsKey, featured, Recent.Select(r => r.Id), nowUtc).Select(f => (f, known[f.ArticleId]))];
    }

    private DateTime Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    private DateTime Utc(DateTime local) => TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), Zone);
}
