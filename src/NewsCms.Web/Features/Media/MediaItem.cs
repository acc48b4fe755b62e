using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NewsCms.Web.Features.Media;

/// <summary>
/// An image in the media library. Its files live under NewsCms:Media:Root in a folder named by <see cref="StorageKey"/>:
/// the cleaned original and one variant per width in <see cref="VariantWidths"/>, as WebP and as a fallback format.
/// </summary>
public class MediaItem
{
    public int Id { get; set; }

    /// <summary>Random folder name (also in public URLs: /media/{key}/{width}.webp); never the uploaded file name.</summary>
    public string StorageKey { get; set; } = "";

    /// <summary>The name the file had on the uploader's computer, for the library's list.</summary>
    public string OriginalFileName { get; set; } = "";

    /// <summary>The format the original was decoded as: jpeg, png, webp or gif.</summary>
    public string Format { get; set; } = "";

    public int Width { get; set; }
    public int Height { get; set; }
    public long SizeBytes { get; set; }

    /// <summary>The format of the fallback variants: jpeg (opaque images) or png (images with transparency).</summary>
    public string FallbackFormat { get; set; } = "";

    /// <summary>Widths of the generated variants, ascending, comma-separated (e.g. "320,640,1280").</summary>
    public string VariantWidths { get; set; } = "";

    public string AltText { get; set; } = "";
    public string Caption { get; set; } = "";
    public string Credit { get; set; } = "";

    public DateTime CreatedAt { get; set; }
    public string UploadedById { get; set; } = "";
    public string UploadedByName { get; set; } = "";
}

internal sealed class MediaItemConfiguration : IEntityTypeConfiguration<MediaItem>
{
    public void Configure(EntityTypeBuilder<MediaItem> media)
    {
        media.Property(m => m.StorageKey).HasMaxLength(64);
        media.HasIndex(m => m.StorageKey).IsUnique();
        media.Property(m => m.OriginalFileName).HasMaxLength(260);
        media.Property(m => m.Format).HasMaxLength(10);
        media.Property(m => m.FallbackFormat).HasMaxLength(10);
        media.Property(m => m.VariantWidths).HasMaxLength(200);
        media.Property(m => m.AltText).HasMaxLength(500);
        media.Property(m => m.Caption).HasMaxLength(1000);
        media.Property(m => m.Credit).HasMaxLength(300);
        media.Property(m => m.UploadedById).HasMaxLength(450);
        media.Property(m => m.UploadedByName).HasMaxLength(256);
        media.HasIndex(m => m.CreatedAt);
    }
}
