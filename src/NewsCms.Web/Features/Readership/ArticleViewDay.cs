using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Readership;

/// <summary>
/// How many times readers viewed one article on one day (the site's day, in its time zone). Nothing about the reader
/// is stored: no address, no user agent, no cookie. Each node adds its own counts in one write every few seconds, so
/// the nodes' counts add up.
/// </summary>
public class ArticleViewDay
{
    public int ArticleId { get; set; }
    public DateOnly Day { get; set; }
    public long Views { get; set; }
}

internal sealed class ArticleViewDayConfiguration : IEntityTypeConfiguration<ArticleViewDay>
{
    public void Configure(EntityTypeBuilder<ArticleViewDay> views)
    {
        views.HasKey(v => new { v.ArticleId, v.Day });
        views.HasIndex(v => new { v.Day, v.Views });
        views.HasOne<Article>().WithMany().HasForeignKey(v => v.ArticleId).OnDelete(DeleteBehavior.Cascade);
    }
}
