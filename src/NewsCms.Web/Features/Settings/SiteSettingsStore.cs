using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Settings;

/// <summary>The site settings readers see, as one immutable snapshot.</summary>
public sealed record SiteSettingsSnapshot(string Title, string Tagline, string FooterText);

public sealed class SiteSettingsInput
{
    [Required(ErrorMessage = "Enter the site title."), StringLength(200, ErrorMessage = "The site title can be at most 200 characters.")]
    public string Title { get; set; } = "";

    [StringLength(300, ErrorMessage = "The tagline can be at most 300 characters.")]
    public string? Tagline { get; set; }

    [StringLength(1000, ErrorMessage = "The footer text can be at most 1000 characters.")]
    public string? FooterText { get; set; }
}

/// <summary>
/// Reads and writes the site settings kept in the database. Every public page needs them, so the snapshot is
/// cached in memory and replaced on save.
/// </summary>
public sealed class SiteSettingsStore(IDbContextFactory<NewsCmsDbContext> dbFactory, IOptions<SiteOptions> siteOptions, TimeProvider clock)
{
    internal const string TitleKey = "Site.Title";
    internal const string TaglineKey = "Site.Tagline";
    internal const string FooterTextKey = "Site.FooterText";

    private volatile SiteSettingsSnapshot? cached;

    /// <summary>Raised after a save, so caches of public pages can be evicted.</summary>
    public event Action? Changed;

    public async Task<SiteSettingsSnapshot> GetAsync(CancellationToken ct = default)
    {
        if (cached is { } snapshot) return snapshot;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var values = await db.SiteSettings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, ct);
        snapshot = new SiteSettingsSnapshot(
            values.GetValueOrDefault(TitleKey) ?? siteOptions.Value.Title,
            values.GetValueOrDefault(TaglineKey) ?? "",
            values.GetValueOrDefault(FooterTextKey) ?? "");
        cached = snapshot;
        return snapshot;
    }

    public async Task<ServiceResult> SaveAsync(ClaimsPrincipal acting, SiteSettingsInput input, NewsroomActors actors, AuditLog audit, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageSettings, ct);
        if (!actor.Succeeded) return actor;

        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(input, new ValidationContext(input), errors, validateAllProperties: true))
        {
            return ServiceResult.Fail(errors[0].ErrorMessage!);
        }

        var before = await GetAsync(ct);
        var changed = await WriteAsync(new Dictionary<string, string>
        {
            [TitleKey] = input.Title.Trim(),
            [TaglineKey] = input.Tagline?.Trim() ?? "",
            [FooterTextKey] = input.FooterText?.Trim() ?? "",
        }, ct);
        if (changed.Count > 0)
        {
            await audit.WriteAsync(actor.Value!, AuditActions.SettingsChanged, "Site settings",
                string.Join("; ", changed.Select(k => k == TitleKey ? $"Title: {before.Title} → {input.Title.Trim()}" : $"{k} changed")), ct);
        }
        return ServiceResult.Ok;
    }

    /// <summary>Writes the given keys (setup uses this before any user exists) and returns the ones that changed.</summary>
    internal async Task<IReadOnlyList<string>> WriteAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
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
        if (changed.Count > 0) Invalidate();
        return changed;
    }

    /// <summary>Drops the cached snapshot after the settings were written elsewhere (setup).</summary>
    public void Invalidate()
    {
        cached = null;
        Changed?.Invoke();
    }
}
