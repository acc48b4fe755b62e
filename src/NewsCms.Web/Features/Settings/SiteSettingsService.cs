using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;
using static NewsCms.Web.Features.Settings.SiteSettingsStore;

namespace NewsCms.Web.Features.Settings;

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

    /// <summary>Published pages linked in the navigation after the sections, in order; null leaves them as they are.</summary>
    public List<int>? NavigationPages { get; set; }

    /// <summary>Published pages linked in the footer, in order; null leaves them as they are.</summary>
    public List<int>? FooterPages { get; set; }
}

/// <summary>One place of the navigation as the settings page edits it: a section, or a custom link.</summary>
public sealed record NavigationInput(int? SectionId, string? Label = null, string? Url = null);

/// <summary>
/// Saves the site settings for the newsroom: checks that the acting user may manage settings, validates the input,
/// writes through <see cref="SiteSettingsStore"/> (which drops the cached snapshot) and audits what changed.
/// </summary>
public sealed class SiteSettingsService(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    SiteSettingsStore store,
    NewsroomActors actors,
    AuditLog audit,
    Webhooks.WebhookPayloads webhooks)
{
    public async Task<ServiceResult> SaveAsync(ClaimsPrincipal acting, SiteSettingsInput input, CancellationToken ct = default)
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
            if (await PageLinkProblemAsync(db, input, ct) is { } pageProblem) return ServiceResult.Fail(pageProblem);
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

        var before = await store.GetAsync(ct);
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
        if (input.NavigationPages is not null) values[NavigationPagesKey] = PageIds(input.NavigationPages.Distinct());
        if (input.FooterPages is not null) values[FooterPagesKey] = PageIds(input.FooterPages.Distinct());
        IReadOnlyList<string> changed;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            // site.changed goes to the webhook outbox with the settings it reports, in one transaction.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            changed = await store.WriteAsync(db, values, ct);
            if (changed.Count > 0 || sectionsChanged)
            {
                await webhooks.QueueSiteChangedAsync(db, ct);
                await db.SaveChangesAsync(ct);
            }
            await transaction.CommitAsync(ct);
        }
        if (sectionsChanged && !changed.Contains(NavigationKey)) changed = [.. changed, NavigationKey];
        if (changed.Count > 0) store.Invalidate();
        if (changed.Count > 0)
        {
            await audit.WriteAsync(actor.Value!, AuditActions.SettingsChanged, "Site settings",
                string.Join("; ", changed.Select(k => k == TitleKey ? $"Title: {before.Title} → {input.Title.Trim()}" : $"{k} changed")), ct);
        }
        return ServiceResult.Ok;
    }

    /// <summary>Why the pages chosen for the navigation or the footer cannot be linked (not a page, not published), or null.</summary>
    private static async Task<string?> PageLinkProblemAsync(NewsCmsDbContext db, SiteSettingsInput input, CancellationToken ct)
    {
        var ids = (input.NavigationPages ?? []).Concat(input.FooterPages ?? []).Distinct().ToList();
        if (ids.Count == 0) return null;
        if ((input.NavigationPages?.Count ?? 0) > 20 || (input.FooterPages?.Count ?? 0) > 20) return "Up to 20 pages in the navigation and 20 in the footer.";
        var found = await db.Articles.AsNoTracking().Where(a => ids.Contains(a.Id) && a.Kind == Articles.ArticleKind.Page)
            .Select(a => new { a.Id, a.Headline, Public = a.Status == Articles.ArticleStatus.Published && a.TrashedAt == null }).ToListAsync(ct);
        if (found.Count != ids.Count) return "One of the chosen pages no longer exists. Reload the page.";
        return found.FirstOrDefault(p => !p.Public) is { } unpublished ? $"Only published pages can be linked: “{unpublished.Headline}” is not published." : null;
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

}
