using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NewsCms.Web.Features.Redirects;

/// <summary>Where a redirect sends readers: a fixed path, the current address of a thing, or nowhere (410 Gone).</summary>
public enum RedirectTargetKind
{
    Path = 0,
    Article = 1,
    Section = 2,
    Tag = 3,
    Author = 4,
    Gone = 5,
}

/// <summary>Who made a redirect: an editor on /admin/redirects, a slug change, or an import.</summary>
public enum RedirectOrigin
{
    Manual = 0,
    SlugChange = 1,
    Import = 2,
}

/// <summary>
/// An old address that answers 301 to a new one, or 410. A redirect to an article, section, tag or author follows that
/// thing's current address, so a later slug change never makes a chain.
/// </summary>
public class Redirect
{
    public int Id { get; set; }

    /// <summary>The old path, normalized (decoded, no trailing slash, lower case); "/?p=123" for WordPress's query addresses.</summary>
    public string FromPath { get; set; } = "";

    public RedirectTargetKind TargetKind { get; set; }

    /// <summary>The article, section, tag or author id when <see cref="TargetKind"/> names one.</summary>
    public int? TargetId { get; set; }

    /// <summary>The new path (or absolute URL) when <see cref="TargetKind"/> is <see cref="RedirectTargetKind.Path"/>.</summary>
    public string? TargetPath { get; set; }

    public RedirectOrigin Origin { get; set; }

    public long Hits { get; set; }
    public DateTime? LastHitAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class RedirectConfiguration : IEntityTypeConfiguration<Redirect>
{
    public void Configure(EntityTypeBuilder<Redirect> redirect)
    {
        redirect.Property(r => r.FromPath).HasMaxLength(1000);
        redirect.HasIndex(r => r.FromPath).IsUnique();
        redirect.Property(r => r.TargetPath).HasMaxLength(1000);
        redirect.HasIndex(r => new { r.TargetKind, r.TargetId });
    }
}
