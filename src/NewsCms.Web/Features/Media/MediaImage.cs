using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Linq.Expressions;

namespace NewsCms.Web.Features.Media;

/// <summary>The file formats an image's variants come in.</summary>
public enum MediaVariantFormat
{
    /// <summary>WebP, for every current browser.</summary>
    WebP,

    /// <summary>JPEG (for opaque images) or PNG (for images with transparency), for browsers without WebP.</summary>
    Fallback,
}

/// <summary>
/// An image of the media library as callers see it, with the URLs of its files. Files never change (a new upload
/// gets a new key), so their URLs can be cached for a year.
/// </summary>
/// <param name="Width">Width of the original, upright (after EXIF orientation), in pixels.</param>
/// <param name="Height">Height of the original, upright, in pixels.</param>
/// <param name="Format">The format the upload was decoded as: jpeg, png, webp or gif.</param>
/// <param name="SizeBytes">Size of the uploaded file.</param>
/// <param name="VariantWidths">Widths of the responsive variants, ascending (at least one).</param>
public sealed record MediaImage(
    int Id,
    string StorageKey,
    string OriginalFileName,
    string Format,
    int Width,
    int Height,
    long SizeBytes,
    IReadOnlyList<int> VariantWidths,
    string AltText,
    string Caption,
    string Credit,
    DateTime CreatedAt,
    string UploadedById,
    string UploadedByName,
    string FallbackFormat = "")
{
    /// <summary>
    /// For queries in other features: <c>db.MediaItems.AsNoTracking().Where(m => ids.Contains(m.Id)).Select(MediaImage.Projection)</c>
    /// (one query for all the images a page shows). <see cref="MediaLibrary.GetByIdsAsync"/> does exactly that.
    /// </summary>
    public static readonly Expression<Func<MediaItem, MediaImage>> Projection = m => new MediaImage(
        m.Id, m.StorageKey, m.OriginalFileName, m.Format, m.Width, m.Height, m.SizeBytes, ParseWidths(m.VariantWidths),
        m.AltText, m.Caption, m.Credit, m.CreatedAt, m.UploadedById, m.UploadedByName, m.FallbackFormat);

    /// <summary>URL of the cleaned original (no metadata), e.g. /media/{key}/original.jpg.</summary>
    public string OriginalUrl => $"{Folder}original.{ImageProcessor.OriginalExtension(Format)}";

    /// <summary>Extension of the fallback variants: jpg or png.</summary>
    /// <remarks>Images stored before fallbacks followed opacity have none recorded: JPEG for JPEG uploads, else PNG.</remarks>
    public string FallbackExtension => ImageProcessor.FallbackExtension(FallbackFormat is { Length: > 0 } stored ? stored : Format == "jpeg" ? "jpeg" : "png");

    /// <summary>MIME type of the fallback variants: image/jpeg or image/png.</summary>
    public string FallbackContentType => FallbackExtension == "jpg" ? "image/jpeg" : "image/png";

    /// <summary>The smallest WebP variant, for thumbnails.</summary>
    public string ThumbnailUrl => WebpUrl(VariantWidths[0]);

    public int SmallestWidth => VariantWidths[0];

    public int LargestWidth => VariantWidths[^1];

    /// <summary>/media/{key}/{width}.webp</summary>
    public string WebpUrl(int width) => $"{Folder}{width}.webp";

    /// <summary>/media/{key}/{width}.jpg (or .png)</summary>
    public string FallbackUrl(int width) => $"{Folder}{width}.{FallbackExtension}";

    public string Url(int width, MediaVariantFormat format) => format == MediaVariantFormat.WebP ? WebpUrl(width) : FallbackUrl(width);

    /// <summary>"/media/k/320.webp 320w, /media/k/640.webp 640w, ..." for a srcset attribute.</summary>
    public string Srcset(MediaVariantFormat format) =>
        string.Join(", ", VariantWidths.Select(w => $"{Url(w, format)} {w.ToString(CultureInfo.InvariantCulture)}w"));

    /// <summary>The variant to use as a plain src: the widest not over <paramref name="preferredWidth"/> (or the smallest).</summary>
    public int WidthNear(int preferredWidth) => VariantWidths.LastOrDefault(w => w <= preferredWidth, VariantWidths[0]);

    /// <summary>The height of a variant of the given width (aspect ratio kept).</summary>
    public int HeightFor(int width) => Math.Max(1, (int)Math.Round((double)Height * width / Width, MidpointRounding.AwayFromZero));

    private string Folder => $"/media/{StorageKey}/";

    internal static IReadOnlyList<int> ParseWidths(string csv) =>
        csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();

    internal static string FormatWidths(IEnumerable<int> widths) =>
        string.Join(",", widths.Select(w => w.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>The fields of an image a newsroom member edits. Plain text: it is always HTML-encoded when shown.</summary>
public sealed class MediaDetailsInput
{
    public const int AltTextMaxLength = 500;
    public const int CaptionMaxLength = 1000;
    public const int CreditMaxLength = 300;

    [StringLength(AltTextMaxLength, ErrorMessage = "Alt text can be at most 500 characters.")]
    public string AltText { get; set; } = "";

    [StringLength(CaptionMaxLength, ErrorMessage = "The caption can be at most 1000 characters.")]
    public string Caption { get; set; } = "";

    [StringLength(CreditMaxLength, ErrorMessage = "The credit can be at most 300 characters.")]
    public string Credit { get; set; } = "";

    public static MediaDetailsInput From(MediaImage image) =>
        new() { AltText = image.AltText, Caption = image.Caption, Credit = image.Credit };
}

/// <summary>
/// Image credits. Pages print them after "Photo: ", so a credit typed with that prefix ("Photo: Jane Doe") is stored
/// and shown without it; saving and rendering use the same rule.
/// </summary>
public static partial class MediaCredit
{
    public const string Prefix = "Photo: ";

    /// <summary>The credit without a typed "Photo:" (or "Photograph:", "Photos:", "Foto:") at its start.</summary>
    public static string WithoutPrefix(string? credit)
    {
        var text = (credit ?? "").Trim();
        var match = TypedPrefix().Match(text);
        return match.Success ? text[match.Length..].TrimStart() : text;
    }

    /// <summary>"Photo: Jane Doe", or "" when there is no credit.</summary>
    public static string Display(string? credit) => WithoutPrefix(credit) is { Length: > 0 } name ? Prefix + name : "";

    [System.Text.RegularExpressions.GeneratedRegex(@"^(photo(graph)?s?|foto)\s*:", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex TypedPrefix();
}
