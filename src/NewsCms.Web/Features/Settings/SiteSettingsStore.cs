using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

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
    IReadOnlyList<NavigationEntry>? Navigation = null)
{
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

public sealed class SiteSettingsInput
{
    [Required(ErrorMessage = "Enter the site title."), StringLength(200, ErrorMessage = "The site title can be at most 200 characters.")]
    public string Title { get; set; } = "";

    [StringLength(300, ErrorMessage = "The tagline can be at most 300 characters.")]
    public string? Tagline { get; set; }

    [StringLength(1000, ErrorMessage = "The footer text can be at most 1000 characters.")]
    public string? FooterText { get; set; }

    /// <summary>The language of the site's pages and feeds, as a language tag such as "en" or "fr-CA".</summary>
    [Required(ErrorMessage = "Enter the site's language, e.g. en."), RegularExpression("^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$", ErrorMessage = "Enter the language as a tag such as en, de or pt-BR.")]
    public string Language { get; set; } = "en";

    /// <summary>An IANA time zone such as Europe/London: dates on public pages are shown in it.</summary>
    [Required(ErrorMessage = "Choose the site's time zone.")]
    public string TimeZone { get; set; } = "UTC";

    /// <summary>The name Google News knows the publication by; the title when empty.</summary>
    [StringLength(200, ErrorMessage = "The publication name can be at most 200 characters.")]
    public string? PublicationName { get; set; }

    public List<FollowLink> FollowLinks { get; set; } = [];

    /// <summary>The logo at the top of every page and in structured data (media library), or none.</summary>
    public int? LogoImageId { get; set; }

    /// <summary>The image social networks show for pages without their own (media library), or none.</summary>
    public int? SocialImageId { get; set; }

    /// <summary>
    /// The navigation in order: sections (by id) and custom links. Sections left out are hidden from it; null leaves
    /// the navigation as it is.
    /// </summary>
    public List<NavigationInput>? Navigation { get; set; }
}

/// <summary>One place of the navigation as the settings page edits it: a section, or a custom link.</summary>
public sealed record NavigationInput(int? SectionId, string? Label = null, string? Url = null);

/// <summary>
/// Reads and writes the site settings kept in the database. Every public page needs them, so the snapshot is
/// cached in memory and replaced on save.
/// </summary>
public sealed class SiteSettingsStore(IDbContextFactory<NewsCmsDbContext> dbFactory, IOptions<SiteOptions> siteOptions, TimeProvider clock)
{
    internal const string TitleKey = "Site.Title";
    internal const string TaglineKey = "Site.Tagline";
    internal const string FooterTextKey = "Site.FooterText";
    internal const string LanguageKey = "Site.Language";
    internal const string TimeZoneKey = "Site.TimeZone";
    internal const string PublicationNameKey = "Site.PublicationName";
    internal const string FollowLinksKey = "Site.FollowLinks";
    internal const string LogoKey = "Site.LogoImageId";
    internal const string SocialImageKey = "Site.SocialImageId";
    internal const string NavigationKey = "Site.Navigation";

    private volatile SiteSettingsSnapshot? cached;

    /// <summary>Raised after a save, so caches of public pages can be evicted.</summary>
    public event Action? Changed;

    public async Task<SiteSettingsSnapshot> GetAsync(CancellationToken ct = default)
    {
        if (cached is { } snapshot) return snapshot;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var values = await db.SiteSettings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, ct);
        var title = values.GetValueOrDefault(TitleKey) ?? siteOptions.Value.Title;
        snapshot = new SiteSettingsSnapshot(
            title,
            values.GetValueOrDefault(TaglineKey) ?? "",
            values.GetValueOrDefault(FooterTextKey) ?? "",
            values.GetValueOrDefault(LanguageKey) ?? "en",
            values.GetValueOrDefault(TimeZoneKey) ?? "UTC",
            values.GetValueOrDefault(PublicationNameKey) is { Length: > 0 } publication ? publication : title,
            values.GetValueOrDefault(FollowLinksKey) is { } json ? System.Text.Json.JsonSerializer.Deserialize<List<FollowLink>>(json) ?? [] : [],
            int.TryParse(values.GetValueOrDefault(LogoKey), out var logo) ? logo : null,
            int.TryParse(values.GetValueOrDefault(SocialImageKey), out var social) ? social : null,
            values.GetValueOrDefault(NavigationKey) is { } navigation ? System.Text.Json.JsonSerializer.Deserialize<List<NavigationEntry>>(navigation) ?? [] : []);
        cached = snapshot;
        return snapshot;
    }

    public async Task<ServiceResult> SaveAsync(ClaimsPrincipal acting, SiteSettingsInput input, NewsroomActors actors, AuditLog audit, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageSettings, ct);
        if (!actor.Succeeded) return actor;
        RemoveXmlForbiddenCharacters(input);

        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(input, new ValidationContext(input), errors, validateAllProperties: true))
        {
            return ServiceResult.Fail(errors[0].ErrorMessage!);
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(input.TimeZone, out _)) return ServiceResult.Fail($"\"{input.TimeZone}\" is not a time zone this server knows.");
        var links = new List<FollowLink>();
        foreach (var link in input.FollowLinks.Where(l => !string.IsNullOrWhiteSpace(l.Label) || !string.IsNullOrWhiteSpace(l.Url)))
        {
            var label = (link.Label ?? "").Trim();
            if (label.Length is 0 or > 60) return ServiceResult.Fail("Each \"Follow us\" link needs a label of at most 60 characters.");
            if (!Uri.TryCreate((link.Url ?? "").Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                return ServiceResult.Fail($"The \"Follow us\" link \"{label}\" needs a full http(s) address.");
            }
            links.Add(new FollowLink(label, url.AbsoluteUri));
        }
        if (links.Count > 12) return ServiceResult.Fail("Up to 12 \"Follow us\" links.");

        var navigation = new List<NavigationEntry>();
        var navigationSections = new List<int>();
        foreach (var place in input.Navigation ?? [])
        {
            if (place.SectionId is { } sectionId)
            {
                if (!navigationSections.Contains(sectionId)) navigationSections.Add(sectionId);
                navigation.Add(new NavigationEntry());
                continue;
            }
            var label = (place.Label ?? "").Trim();
            var address = (place.Url ?? "").Trim();
            if (label.Length == 0 && address.Length == 0) continue;
            if (label.Length is 0 or > 40) return ServiceResult.Fail("Each navigation link needs a label of at most 40 characters.");
            if (NavigationHref(address) is not { } href)
            {
                return ServiceResult.Fail($"The navigation link \"{label}\" needs a full http(s) address or a path on this site such as /about.");
            }
            navigation.Add(new NavigationEntry(label, href));
        }
        if (navigation.Count > 20) return ServiceResult.Fail("Up to 20 places in the navigation.");

        bool sectionsChanged;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            foreach (var imageId in new[] { input.LogoImageId, input.SocialImageId }.OfType<int>())
            {
                if (!await db.MediaItems.AnyAsync(m => m.Id == imageId, ct)) return ServiceResult.Fail("That image is no longer in the media library.");
            }
            List<Taxonomy.Section> sections = input.Navigation is null ? [] : await db.Sections.OrderBy(s => s.Position).ThenBy(s => s.Name).ToListAsync(ct);
            if (navigationSections.Except(sections.Select(s => s.Id)).Any()) return ServiceResult.Fail("A section of the navigation was deleted meanwhile. Reload the page.");
            // The sections' own order and flag follow the list, so the Sections page shows the same navigation.
            var ordered = navigationSections.Select(id => sections.First(s => s.Id == id)).Concat(sections.Where(s => !navigationSections.Contains(s.Id))).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                ordered[i].Position = i + 1;
                ordered[i].ShowInNavigation = i < navigationSections.Count;
            }
            sectionsChanged = db.ChangeTracker.HasChanges();
            await db.SaveChangesAsync(ct);
        }

        var before = await GetAsync(ct);
        var values = new Dictionary<string, string>
        {
            [TitleKey] = input.Title.Trim(),
            [TaglineKey] = input.Tagline?.Trim() ?? "",
            [FooterTextKey] = input.FooterText?.Trim() ?? "",
            [LanguageKey] = input.Language.Trim(),
            [TimeZoneKey] = input.TimeZone.Trim(),
            [PublicationNameKey] = input.PublicationName?.Trim() ?? "",
            [FollowLinksKey] = System.Text.Json.JsonSerializer.Serialize(links),
            [LogoKey] = input.LogoImageId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
            [SocialImageKey] = input.SocialImageId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };
        if (input.Navigation is not null) values[NavigationKey] = System.Text.Json.JsonSerializer.Serialize(navigation);
        var changed = await WriteAsync(values, ct);
        if (sectionsChanged && !changed.Contains(NavigationKey))
        {
            changed = [.. changed, NavigationKey];
            Invalidate();
        }
        if (changed.Count > 0)
        {
            await audit.WriteAsync(actor.Value!, AuditActions.SettingsChanged, "Site settings",
                string.Join("; ", changed.Select(k => k == TitleKey ? $"Title: {before.Title} → {input.Title.Trim()}" : $"{k} changed")), ct);
        }
        return ServiceResult.Ok;
    }

    /// <summary>The title, tagline and publication name go into every feed and sitemap: characters XML forbids are dropped.</summary>
    private static void RemoveXmlForbiddenCharacters(SiteSettingsInput input)
    {
        input.Title = XmlSafeText.Clean(input.Title);
        input.Tagline = XmlSafeText.CleanOptional(input.Tagline);
        input.FooterText = XmlSafeText.CleanOptional(input.FooterText);
        input.Language = XmlSafeText.Clean(input.Language);
        input.TimeZone = XmlSafeText.Clean(input.TimeZone);
        input.PublicationName = XmlSafeText.CleanOptional(input.PublicationName);
        input.FollowLinks = input.FollowLinks.Select(l => new FollowLink(XmlSafeText.Clean(l.Label), XmlSafeText.Clean(l.Url))).ToList();
        input.Navigation = input.Navigation?.Select(n => n with { Label = XmlSafeText.CleanOptional(n.Label), Url = XmlSafeText.CleanOptional(n.Url) }).ToList();
    }

    /// <summary>A navigation address as stored: an absolute http(s) URL, or a path on this site (never //host).</summary>
    internal static string? NavigationHref(string address)
    {
        if (address.StartsWith('/') && !address.StartsWith("//") && !address.StartsWith("/\\")
            && Uri.TryCreate(address, UriKind.Relative, out _))
        {
            return address;
        }
        return Uri.TryCreate(address, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? url.AbsoluteUri : null;
    }

    /// <summary>Writes the given keys (setup uses this before any user exists) and returns the ones that changed.</summary>
    internal async Task<IReadOnlyList<string>> WriteAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var changed = await WriteAsync(db, values, ct);
        if (changed.Count > 0) Invalidate();
        return changed;
    }

    /// <summary>
    /// Writes the given keys through the caller's context, inside its transaction if it has one; the caller calls
    /// <see cref="Invalidate"/> once that is committed.
    /// </summary>
    internal async Task<IReadOnlyList<string>> WriteAsync(NewsCmsDbContext db, IReadOnlyDictionary<string, string> values, CancellationToken ct = default)
    {
        var existing = await db.SiteSettings.Where(s => values.Keys.Contains(s.Key)).ToDictionaryAsync(s => s.Key, ct);
        var changed = new List<string>();
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var (key, value) in values)
        {
            if (existing.TryGetValue(key, out var setting))
            {
                if (setting.Value == value) continue;
                setting.Value = value;
                setting.UpdatedAt = now;
            }
            else
            {
                db.SiteSettings.Add(new SiteSetting { Key = key, Value = value, UpdatedAt = now });
            }
            changed.Add(key);
        }
        await db.SaveChangesAsync(ct);
        return changed;
    }

    /// <summary>Drops the cached snapshot after the settings were written elsewhere (setup).</summary>
    public void Invalidate()
    {
        cached = null;
        Changed?.Invoke();
    }
}
