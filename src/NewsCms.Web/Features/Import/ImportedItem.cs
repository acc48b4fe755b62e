using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NewsCms.Web.Features.Import;

/// <summary>
/// What an import made from an item of another site (a WordPress post, author, term or attachment; an item of a
/// NewsCms export). Running the import again finds the item here and neither duplicates nor overwrites it.
/// </summary>
public class ImportedItem
{
    public long Id { get; set; }

    /// <summary>The site the item came from: "wordpress:" + its base site URL, or "newscms:" + the exporting site's id.</summary>
    public string Source { get; set; } = "";

    /// <summary>What the item was there: post, page, attachment, author, category, tag; article, section, … for a NewsCms export.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The item's id in its source site.</summary>
    public string ExternalId { get; set; } = "";

    /// <summary>The id of what was made here (an article, section, tag, author profile or media item).</summary>
    public int LocalId { get; set; }

    /// <summary>
    /// The article's <c>Version</c> right after the import wrote it: a different version now means someone edited it in
    /// NewsCms, and a later import leaves it alone.
    /// </summary>
    public Guid? ImportedVersion { get; set; }

    public DateTime ImportedAt { get; set; }
}

internal sealed class ImportedItemConfiguration : IEntityTypeConfiguration<ImportedItem>
{
    public void Configure(EntityTypeBuilder<ImportedItem> item)
    {
        item.Property(i => i.Source).HasMaxLength(500);
        item.Property(i => i.Kind).HasMaxLength(40);
        item.Property(i => i.ExternalId).HasMaxLength(200);
        item.HasIndex(i => new { i.Source, i.Kind, i.ExternalId }).IsUnique();
        item.HasIndex(i => new { i.Kind, i.LocalId });
    }
}
