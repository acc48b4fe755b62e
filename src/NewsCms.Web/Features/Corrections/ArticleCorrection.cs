using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Corrections;

/// <summary>Whether a dated note on a published article corrects an error or adds news.</summary>
public enum CorrectionKind
{
    Correction = 0,
    Update = 1,
}

/// <summary>
/// A correction or update an Editor appended to a published article: shown at the end of the article with its date,
/// listed on /corrections, carried in the article's JSON-LD. Never changed silently: every change to its text is kept
/// as an <see cref="ArticleCorrectionRevision"/> (and audited); a withdrawn one stays as a row with
/// <see cref="WithdrawnAt"/> set.
/// </summary>
public class ArticleCorrection
{
    public int Id { get; set; }
    public int ArticleId { get; set; }
    public CorrectionKind Kind { get; set; }

    /// <summary>Plain text, as the reader sees it after "Correction, 4 December 2026: ".</summary>
    public string Text { get; set; } = "";

    /// <summary>The date the reader sees; when it was added.</summary>
    public DateTime CreatedAt { get; set; }
    public string CreatedById { get; set; } = "";
    public string CreatedByName { get; set; } = "";

    /// <summary>When its text or kind last changed (null if never).</summary>
    public DateTime? EditedAt { get; set; }

    /// <summary>When it was withdrawn (it then no longer shows; its history stays).</summary>
    public DateTime? WithdrawnAt { get; set; }

    /// <summary>Changed on every save; two editors cannot silently overwrite each other.</summary>
    public Guid Version { get; set; } = Guid.NewGuid();
}

/// <summary>What a correction said before a change, who changed it and when.</summary>
public class ArticleCorrectionRevision
{
    public int Id { get; set; }
    public int CorrectionId { get; set; }
    public CorrectionKind Kind { get; set; }
    public string Text { get; set; } = "";
    public DateTime ChangedAt { get; set; }
    public string ChangedById { get; set; } = "";
    public string ChangedByName { get; set; } = "";
}

internal sealed class ArticleCorrectionConfiguration : IEntityTypeConfiguration<ArticleCorrection>
{
    public void Configure(EntityTypeBuilder<ArticleCorrection> correction)
    {
        correction.Property(c => c.Text).HasMaxLength(2000);
        correction.Property(c => c.CreatedById).HasMaxLength(450);
        correction.Property(c => c.CreatedByName).HasMaxLength(256);
        correction.Property(c => c.Version).IsConcurrencyToken();
        correction.HasOne<Article>().WithMany().HasForeignKey(c => c.ArticleId).OnDelete(DeleteBehavior.Cascade);
        correction.HasIndex(c => new { c.ArticleId, c.CreatedAt });
        correction.HasIndex(c => c.CreatedAt);
    }
}

internal sealed class ArticleCorrectionRevisionConfiguration : IEntityTypeConfiguration<ArticleCorrectionRevision>
{
    public void Configure(EntityTypeBuilder<ArticleCorrectionRevision> revision)
    {
        revision.Property(r => r.Text).HasMaxLength(2000);
        revision.Property(r => r.ChangedById).HasMaxLength(450);
        revision.Property(r => r.ChangedByName).HasMaxLength(256);
        revision.HasOne<ArticleCorrection>().WithMany().HasForeignKey(r => r.CorrectionId).OnDelete(DeleteBehavior.Cascade);
        revision.HasIndex(r => new { r.CorrectionId, r.ChangedAt });
    }
}
