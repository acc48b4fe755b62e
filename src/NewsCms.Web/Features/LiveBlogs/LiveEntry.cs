using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.LiveBlogs;

/// <summary>
/// One update of a live blog: short sanitized rich text, optionally with an image from the library, posted one by one
/// beside the article without republishing it. Editing or deleting an entry gives it a new <see cref="Seq"/> (and keeps
/// the old text in <see cref="LiveEntryRevision"/>), so a reader catching up with <c>?after={seq}</c> gets every change
/// since, deletions included, and replaces the entry in place.
/// </summary>
public class LiveEntry
{
    public long Id { get; set; }
    public int ArticleId { get; set; }

    /// <summary>Grows with every change to any entry of the article (post, edit, delete): the SSE event id.</summary>
    public long Seq { get; set; }

    /// <summary>Sanitized HTML by the one HTML policy; <see cref="BodyText"/> is its plain text (feeds, search, JSON-LD).</summary>
    public string BodyHtml { get; set; } = "";
    public string BodyText { get; set; } = "";

    public int? ImageId { get; set; }
    public bool IsKeyEvent { get; set; }
    public bool IsPinned { get; set; }

    public string AuthorId { get; set; } = "";
    public string AuthorName { get; set; } = "";

    /// <summary>When it was posted (shown to readers), and when it last changed.</summary>
    public DateTime PostedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>Deleted entries stay as tombstones, so catching up removes them from open pages.</summary>
    public DateTime? DeletedAt { get; set; }

    /// <summary>Concurrency token: two editors changing one entry never overwrite each other silently.</summary>
    public Guid Version { get; set; }
}

/// <summary>An entry as it was before an edit or a deletion: the entry's history.</summary>
public class LiveEntryRevision
{
    public long Id { get; set; }
    public long EntryId { get; set; }
    public DateTime CreatedAt { get; set; }
    public string EditorId { get; set; } = "";
    public string EditorName { get; set; } = "";
    public string BodyHtml { get; set; } = "";
    public bool IsKeyEvent { get; set; }
    public bool IsPinned { get; set; }
    public int? ImageId { get; set; }
}

internal sealed class LiveEntryConfiguration : IEntityTypeConfiguration<LiveEntry>
{
    public void Configure(EntityTypeBuilder<LiveEntry> entry)
    {
        entry.Property(e => e.AuthorId).HasMaxLength(450);
        entry.Property(e => e.AuthorName).HasMaxLength(256);
        entry.Property(e => e.Version).IsConcurrencyToken();
        entry.HasIndex(e => new { e.ArticleId, e.Seq }).IsUnique();
        entry.HasOne<Article>().WithMany().HasForeignKey(e => e.ArticleId).OnDelete(DeleteBehavior.Cascade);
        entry.HasOne<Media.MediaItem>().WithMany().HasForeignKey(e => e.ImageId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class LiveEntryRevisionConfiguration : IEntityTypeConfiguration<LiveEntryRevision>
{
    public void Configure(EntityTypeBuilder<LiveEntryRevision> revision)
    {
        revision.Property(r => r.EditorId).HasMaxLength(450);
        revision.Property(r => r.EditorName).HasMaxLength(256);
        revision.HasIndex(r => new { r.EntryId, r.CreatedAt });
        revision.HasOne<LiveEntry>().WithMany().HasForeignKey(r => r.EntryId).OnDelete(DeleteBehavior.Cascade);
    }
}
