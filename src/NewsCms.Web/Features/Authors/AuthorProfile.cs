using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;

namespace NewsCms.Web.Features.Authors;

/// <summary>
/// A public byline. Every newsroom account has one; writers without an account (wire reporters, guests) have one too.
/// </summary>
public class AuthorProfile
{
    public int Id { get; set; }
    public string DisplayName { get; set; } = "";
    public string Slug { get; set; } = "";
    public string JobTitle { get; set; } = "";

    /// <summary>Short biography as plain text; web addresses in it become links when shown (see <see cref="BioText"/>).</summary>
    public string Bio { get; set; } = "";

    public int? AvatarId { get; set; }
    public string? Website { get; set; }
    public string? X { get; set; }
    public string? Facebook { get; set; }
    public string? LinkedIn { get; set; }
    public string? Instagram { get; set; }
    public string? Email { get; set; }

    /// <summary>The account this byline belongs to, if any (at most one profile per account).</summary>
    public string? UserId { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A byline on an article, in order.</summary>
public class ArticleAuthor
{
    public int ArticleId { get; set; }
    public int AuthorProfileId { get; set; }
    public int Position { get; set; }
}

internal sealed class AuthorProfileConfiguration : IEntityTypeConfiguration<AuthorProfile>
{
    public void Configure(EntityTypeBuilder<AuthorProfile> author)
    {
        author.Property(a => a.DisplayName).HasMaxLength(200);
        author.Property(a => a.Slug).HasMaxLength(Slugs.MaxLength);
        author.Property(a => a.JobTitle).HasMaxLength(200);
        author.Property(a => a.Bio).HasMaxLength(2000);
        foreach (var link in new[] { nameof(AuthorProfile.Website), nameof(AuthorProfile.X), nameof(AuthorProfile.Facebook),
                     nameof(AuthorProfile.LinkedIn), nameof(AuthorProfile.Instagram), nameof(AuthorProfile.Email) })
        {
            author.Property(link).HasMaxLength(500);
        }
        author.HasIndex(a => a.Slug).IsUnique();
        author.HasIndex(a => a.UserId).IsUnique();
        author.HasIndex(a => a.DisplayName);
        author.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.SetNull);
        author.HasOne<MediaItem>().WithMany().HasForeignKey(a => a.AvatarId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ArticleAuthorConfiguration : IEntityTypeConfiguration<ArticleAuthor>
{
    public void Configure(EntityTypeBuilder<ArticleAuthor> articleAuthor)
    {
        articleAuthor.HasKey(aa => new { aa.ArticleId, aa.AuthorProfileId });
        articleAuthor.HasIndex(aa => aa.AuthorProfileId);
        articleAuthor.HasOne<Article>().WithMany().HasForeignKey(aa => aa.ArticleId).OnDelete(DeleteBehavior.Cascade);
        articleAuthor.HasOne<AuthorProfile>().WithMany().HasForeignKey(aa => aa.AuthorProfileId).OnDelete(DeleteBehavior.Restrict);
    }
}
