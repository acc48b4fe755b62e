using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Redirects;

namespace NewsCms.Web.Features.SiteExport;

/// <summary>
/// The portable archive of a whole site (docs/site-export.md): a zip with <c>site.json</c> and the media originals under
/// <c>media/{storageKey}/original.{ext}</c>. <c>site.json</c> is one object whose properties come in this order:
/// format, version, site, media, sections, tags, authors, articles, redirects, settings; a reader can go through it
/// item by item, each thing after the things it names.
/// </summary>
public static partial class SiteArchive
{
    public const string Format = "newscms-site";
    public const int Version = 1;
    public const string SiteEntry = "site.json";
    public const string MediaPrefix = "media/";

    public const string MediaArray = "media";
    public const string SectionsArray = "sections";
    public const string TagsArray = "tags";
    public const string AuthorsArray = "authors";
    public const string ArticlesArray = "articles";
    public const string RedirectsArray = "redirects";
    public const string SettingsObject = "settings";

    /// <summary>Relaxed escaping so the file stays readable (accents, "+"); enums as their names.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>"newscms-site-2026-12-05-0130.zip" (UTC).</summary>
    public static string FileName(DateTime utc) => $"newscms-site-{utc:yyyy-MM-dd-HHmm}.zip";

    /// <summary>The archive entry of an image's original.</summary>
    public static string MediaEntry(string storageKey, string extension) => $"{MediaPrefix}{storageKey}/original.{extension}";

    /// <summary>Whether an entry name is one an export writes: site.json, or media/{24 hex digits}/original.{ext}.</summary>
    public static bool IsExpectedEntry(string name) => name == SiteEntry || MediaEntryName().IsMatch(name);

    /// <summary>
    /// Settings that never leave the site: the site's own id (exported as the source id instead) and anything that looks
    /// like a password, key or token, whatever feature adds it later.
    /// </summary>
    public static bool IsSecretSetting(string key) => key == Cluster.SiteId.SettingKey || SecretName().IsMatch(key);

    [GeneratedRegex(@"^media/[0-9a-f]{24}/original\.(jpg|png|webp|gif)$", RegexOptions.CultureInvariant)]
    private static partial Regex MediaEntryName();

    [GeneratedRegex(@"password|secret|token|credential|apikey|api-key|privatekey|connectionstring|(key|keys)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();
}

/// <summary>Where the archive comes from.</summary>
/// <param name="Id">The exporting site's id (its <c>Cluster.SiteId</c>): imports match items by it and their ids there.</param>
public sealed record SiteInfo(string Id, string Title, string BaseUrl, DateTime ExportedAt, string AppVersion);

/// <param name="File">The entry of the original in the archive (media/{storageKey}/original.{ext}).</param>
public sealed record MediaEntry(int Id, string StorageKey, string File, string OriginalFileName, string Format, int Width, int Height, long SizeBytes,
    string AltText, string Caption, string Credit, DateTime CreatedAt, string UploadedByName);

/// <param name="OldSlugs">Earlier addresses that still lead to it (301).</param>
public sealed record SectionEntry(int Id, string Name, string Slug, string Description, int Position, bool ShowInNavigation, DateTime CreatedAt,
    IReadOnlyList<string> OldSlugs);

public sealed record TagEntry(int Id, string Name, string Slug, string Description, DateTime CreatedAt, IReadOnlyList<string> OldSlugs);

/// <param name="HasAccount">Whether a newsroom account had this byline there (accounts themselves are not exported).</param>
/// <param name="AvatarId">The media id of the photo, or null.</param>
public sealed record AuthorEntry(int Id, string DisplayName, string Slug, string JobTitle, string Bio, int? AvatarId, string? Website, string? X,
    string? Facebook, string? LinkedIn, string? Instagram, string? Email, bool HasAccount, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>An article or a page (<see cref="Kind"/>), with what readers see and what the newsroom needs.</summary>
/// <param name="BodyHtml">Sanitized HTML (NewsCms's HTML policy); images are /media/{storageKey}/… addresses.</param>
/// <param name="AuthorIds">Bylines, in order.</param>
/// <param name="OldSlugs">Earlier addresses that still lead to it (301).</param>
/// <param name="Revisions">A summary of the article's history (no texts), oldest first.</param>
public sealed record ArticleEntry(int Id, ArticleKind Kind, string Headline, string Standfirst, string Slug, string BodyHtml, ArticleStatus Status,
    DateTime CreatedAt, DateTime UpdatedAt, DateTime? PublishedAt, DateTime? FirstPublishedAt, DateTime? ScheduledAt, DateTime? TrashedAt,
    bool IsFeatured, string? SeoTitle, string? MetaDescription, string? CanonicalUrl, int? SectionId, IReadOnlyList<int> TagIds,
    IReadOnlyList<int> AuthorIds, int? FeaturedImageId, string CreatedByName, string LastEditedByName, IReadOnlyList<string> OldSlugs,
    IReadOnlyList<RevisionEntry> Revisions);

public sealed record RevisionEntry(long Id, DateTime CreatedAt, RevisionKind Kind, string AuthorName, string Headline);

/// <param name="TargetId">The id, in the exporting site, of the article, section, tag or author it leads to.</param>
public sealed record RedirectEntry(int Id, string FromPath, RedirectTargetKind TargetKind, int? TargetId, string? TargetPath, RedirectOrigin Origin,
    long Hits, DateTime CreatedAt, DateTime UpdatedAt);
