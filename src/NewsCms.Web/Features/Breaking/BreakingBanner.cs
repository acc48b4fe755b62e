using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Breaking;

/// <summary>
/// The breaking-news banner at the top of every public page. One row at most (<see cref="SingleId"/>); clearing it
/// deletes the row. Readers never see it after <see cref="ExpiresAt"/>, even if nothing else changes.
/// </summary>
public class BreakingBanner
{
    public const int SingleId = 1;

    public int Id { get; set; } = SingleId;
    public string Text { get; set; } = "";

    /// <summary>The article it links to, if any (its address is looked up when the banner is shown).</summary>
    public int? ArticleId { get; set; }

    public DateTime ExpiresAt { get; set; }
    public DateTime SetAt { get; set; }
    public string SetById { get; set; } = "";
    public string SetByName { get; set; } = "";
}

internal sealed class BreakingBannerConfiguration : IEntityTypeConfiguration<BreakingBanner>
{
    public void Configure(EntityTypeBuilder<BreakingBanner> banner)
    {
        banner.Property(b => b.Id).ValueGeneratedNever();
        banner.Property(b => b.Text).HasMaxLength(300);
        banner.Property(b => b.SetById).HasMaxLength(450);
        banner.Property(b => b.SetByName).HasMaxLength(256);
        banner.HasOne<Article>().WithMany().HasForeignKey(b => b.ArticleId).OnDelete(DeleteBehavior.SetNull);
    }
}
