using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Taxonomy;

/// <summary>What sections and tags share: readers reach each at its slug, and an old slug can lead to it.</summary>
public interface ITaxonomyTerm
{
    int Id { get; }
    string Slug { get; }
}

/// <summary>A tag readers can browse at /tag/{slug}; an article has any number.</summary>
public class Tag : ITaxonomyTerm
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public string Description { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>An article's primary filing, shown at /section/{slug} and, if chosen, in the site navigation.</summary>
public class Section : ITaxonomyTerm
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public string Description { get; set; } = "";

    /// <summary>Order in lists and navigation, smallest first.</summary>
    public int Position { get; set; }

    public bool ShowInNavigation { get; set; } = true;
    public DateTime CreatedAt { get; set; }
}

public class ArticleTag
{
    public int ArticleId { get; set; }
    public int TagId { get; set; }
}

/// <summary>An old tag or section address (after a rename or merge) that answers 301 to the current one.</summary>
public class TaxonomyRedirect
{
    public int Id { get; set; }
    public TaxonomyKind Kind { get; set; }
    public string Slug { get; set; } = "";
    public int TargetId { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum TaxonomyKind { Tag = 0, Section = 1 }

internal sealed class TagConfiguration : IEntityTypeConfiguration<Tag>
{
    public void Configure(EntityTypeBuilder<Tag> tag)
    {
        tag.Property(t => t.Name).HasMaxLength(100);
        tag.Property(t => t.Slug).HasMaxLength(Slugs.MaxLength);
        tag.Property(t => t.Description).HasMaxLength(1000);
        tag.HasIndex(t => t.Slug).IsUnique();
        tag.HasIndex(t => t.Name);
    }
}

internal sealed class SectionConfiguration : IEntityTypeConfiguration<Section>
{
    public void Configure(EntityTypeBuilder<Section> section)
    {
        section.Property(s => s.Name).HasMaxLength(100);
        section.Property(s => s.Slug).HasMaxLength(Slugs.MaxLength);
        section.Property(s => s.Description).HasMaxLength(1000);
        section.HasIndex(s => s.Slug).IsUnique();
        section.HasIndex(s => s.Position);
    }
}

internal sealed class ArticleTagConfiguration : IEntityTypeConfiguration<ArticleTag>
{
    public void Configure(EntityTypeBuilder<ArticleTag> articleTag)
    {
        articleTag.HasKey(at => new { at.ArticleId, at.TagId });
        articleTag.HasIndex(at => at.TagId);
        articleTag.HasOne<Article>().WithMany().HasForeignKey(at => at.ArticleId).OnDelete(DeleteBehavior.Cascade);
        articleTag.HasOne<Tag>().WithMany().HasForeignKey(at => at.TagId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TaxonomyRedirectConfiguration : IEntityTypeConfiguration<TaxonomyRedirect>
{
    public void Configure(EntityTypeBuilder<TaxonomyRedirect> redirect)
    {
        redirect.Property(r => r.Slug).HasMaxLength(Slugs.MaxLength);
        redirect.HasIndex(r => new { r.Kind, r.Slug }).IsUnique();
    }
}
