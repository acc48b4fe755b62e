namespace NewsCms.Web.Features.Settings;

/// <summary>A "Follow us" link (Google News, X, WhatsApp channel, RSS…).</summary>
public sealed record FollowLink(string Label, string Url);

/// <summary>
/// A place in the site's navigation: a custom link (label and URL), or, with neither, a slot the next navigation
/// section fills. Sections keep their own order and "Show in site navigation" flag, so the Sections page and this
/// list never disagree.
/// </summary>
public sealed record NavigationEntry(string? Label = null, string? Url = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsSection => Url is null;
}

/// <summary>A link of the site's navigation as readers see it; <see cref="Section"/> is set for a section.</summary>
public sealed record NavigationItem(string Label, string Href, Articles.NavigationSection? Section);

/// <summary>The site settings readers see, as one immutable snapshot.</summary>
public sealed record SiteSettingsSnapshot(string Title, string Tagline, string FooterText, string Language, string TimeZoneId,
    string PublicationName, IReadOnlyList<FollowLink> FollowLinks, int? LogoImageId = null, int? SocialImageId = null,
    IReadOnlyList<NavigationEntry>? Navigation = null, IReadOnlyList<int>? NavigationPageIds = null, IReadOnlyList<int>? FooterPageIds = null)
{
    /// <summary>The pages linked in the navigation after the sections, in order (public ones are shown).</summary>
    public IReadOnlyList<int> NavigationPages => NavigationPageIds ?? [];

    /// <summary>The pages linked in the footer, in order (public ones are shown).</summary>
    public IReadOnlyList<int> FooterPages => FooterPageIds ?? [];

    /// <summary>The navigation: custom links where the administrator put them, sections in their slots and the rest after.</summary>
    public IReadOnlyList<NavigationItem> ComposeNavigation(IReadOnlyList<Articles.NavigationSection> sections)
    {
        var items = new List<NavigationItem>();
        var next = 0;
        foreach (var entry in Navigation ?? [])
        {
            if (!entry.IsSection) items.Add(new NavigationItem(entry.Label!, entry.Url!, null));
            else if (next < sections.Count) items.Add(ForSection(sections[next++]));
        }
        items.AddRange(sections.Skip(next).Select(ForSection));
        return items;
    }

    private static NavigationItem ForSection(Articles.NavigationSection section) => new(section.Name, "/section/" + section.Slug, section);

    public TimeZoneInfo TimeZone => TimeZoneInfo.TryFindSystemTimeZoneById(TimeZoneId, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>A stored UTC time as the site's readers read it.</summary>
    public DateTimeOffset ToLocal(DateTime utc) => TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), TimeZone);
}
