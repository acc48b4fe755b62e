using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.FrontPage;

/// <summary>
/// One curated place on the home page: <see cref="Position"/> 0 is the lead, 1… the top stories. A row exists only
/// for a filled slot; an empty slot (no row, an article no longer published, or <see cref="PinnedUntil"/> passed) fills
/// with the newest stories.
/// </summary>
public class FrontPageSlot
{
    public const int LeadPosition = 0;

    public int Position { get; set; }
    public int ArticleId { get; set; }

    /// <summary>After this (UTC) the slot falls back to the newest stories; null keeps it until an editor changes it.</summary>
    public DateTime? PinnedUntil { get; set; }

    public DateTime UpdatedAt { get; set; }
    public string UpdatedById { get; set; } = "";
    public string UpdatedByName { get; set; } = "";
}

internal sealed class FrontPageSlotConfiguration : IEntityTypeConfiguration<FrontPageSlot>
{
    public void Configure(EntityTypeBuilder<FrontPageSlot> slot)
    {
        slot.HasKey(s => s.Position);
        slot.Property(s => s.Position).ValueGeneratedNever();
        slot.Property(s => s.UpdatedById).HasMaxLength(450);
        slot.Property(s => s.UpdatedByName).HasMaxLength(256);
        slot.HasOne<Article>().WithMany().HasForeignKey(s => s.ArticleId).OnDelete(DeleteBehavior.Cascade);
        slot.HasIndex(s => s.ArticleId);
    }
}
