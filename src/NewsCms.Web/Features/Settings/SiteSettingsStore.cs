using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;

namespace NewsCms.Web.Features.Settings;

/// <summary>
/// The site settings kept in the database, one instance for the whole application. Every public page needs them,
/// so they are read into a <see cref="SiteSettingsSnapshot"/> kept in memory until a write invalidates it. It
/// checks no one: what the newsroom changes goes through <see cref="SiteSettingsService"/>, which authorizes,
/// validates and audits.
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
    internal const string NavigationPagesKey = "Navigation.Pages";
    internal const string FooterPagesKey = "Footer.Pages";

    /// <summary>Read once and kept until a write here or on another node (<see cref="Forget"/>).</summary>
    private readonly ForgettableSnapshot<SiteSettingsSnapshot> kept = new();

    /// <summary>Raised after every write on this node, so every node's public pages and snapshot are refreshed (see PublicCacheVersion).</summary>
    public event Action? Changed;

    public Task<SiteSettingsSnapshot> GetAsync(CancellationToken ct = default) => kept.GetAsync(ReadAsync, ct);

    private async Task<SiteSettingsSnapshot> ReadAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var values = await db.SiteSettings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, ct);
        var title = values.GetValueOrDefault(TitleKey) ?? siteOptions.Value.Title;
        var snapshot = new SiteSettingsSnapshot(
            title,
            values.GetValueOrDefault(TaglineKey) ?? "",
            values.GetValueOrDefault(FooterTextKey) ?? "",
            values.GetValueOrDefault(LanguageKey) ?? "en",
            values.GetValueOrDefault(TimeZoneKey) ?? "UTC",
            values.GetValueOrDefault(PublicationNameKey) is { Length: > 0 } publication ? publication : title,
            values.GetValueOrDefault(FollowLinksKey) is { } json ? System.Text.Json.JsonSerializer.Deserialize<List<FollowLink>>(json) ?? [] : [],
            int.TryParse(values.GetValueOrDefault(LogoKey), out var logo) ? logo : null,
            int.TryParse(values.GetValueOrDefault(SocialImageKey), out var social) ? social : null,
            values.GetValueOrDefault(NavigationKey) is { } navigation ? System.Text.Json.JsonSerializer.Deserialize<List<NavigationEntry>>(navigation) ?? [] : [],
            PageIds(values.GetValueOrDefault(NavigationPagesKey)),
            PageIds(values.GetValueOrDefault(FooterPagesKey)));
        return snapshot;
    }

    /// <summary>Page ids stored comma-separated, in order ("12,7").</summary>
    internal static IReadOnlyList<int> PageIds(string? value) =>
        [.. (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(id => int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0)
            .Where(id => id > 0).Distinct()];

    internal static string PageIds(IEnumerable<int> ids) => string.Join(',', ids.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Writes the given keys (for the settings service, and for setup before any user exists) and returns the ones that changed.</summary>
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
        Forget();
        Changed?.Invoke();
    }

    /// <summary>Drops the cached snapshot without raising <see cref="Changed"/>: for a change another node made (and announced).</summary>
    internal void Forget() => kept.Forget();
}
