using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Notes;

/// <summary>
/// An inline editorial note, or a reply to one (<see cref="ParentId"/>). A thread's first note is anchored to text in
/// the article with an editor mark carrying <see cref="AnchorId"/>; the mark lives only in
/// <see cref="Article.AnnotatedBodyHtml"/>, never in <see cref="Article.BodyHtml"/>, which is all that readers, feeds,
/// the APIs, search and exports ever get. Notes are never deleted: resolved threads stay in the article's history.
/// </summary>
public class EditorialNote
{
    public long Id { get; set; }
    public int ArticleId { get; set; }

    /// <summary>The thread's first note, for a reply; null for the first note itself.</summary>
    public long? ParentId { get; set; }

    /// <summary>The mark's id in the annotated body (first note only).</summary>
    public string? AnchorId { get; set; }

    /// <summary>The text that was selected when the note was added (first note only).</summary>
    public string Quote { get; set; } = "";

    /// <summary>Plain text.</summary>
    public string Body { get; set; } = "";

    public string AuthorId { get; set; } = "";
    public string AuthorName { get; set; } = "";
    public DateTime CreatedAt { get; set; }

    /// <summary>Set on the thread's first note when the thread is resolved.</summary>
    public DateTime? ResolvedAt { get; set; }
    public string? ResolvedByName { get; set; }
}

internal sealed class EditorialNoteConfiguration : IEntityTypeConfiguration<EditorialNote>
{
    public void Configure(EntityTypeBuilder<EditorialNote> note)
    {
        note.Property(n => n.AnchorId).HasMaxLength(64);
        note.Property(n => n.Quote).HasMaxLength(1000);
        note.Property(n => n.Body).HasMaxLength(4000);
        note.Property(n => n.AuthorId).HasMaxLength(450);
        note.Property(n => n.AuthorName).HasMaxLength(256);
        note.Property(n => n.ResolvedByName).HasMaxLength(256);
        note.HasIndex(n => new { n.ArticleId, n.CreatedAt });
        note.HasIndex(n => n.ParentId);
        note.HasOne<Article>().WithMany().HasForeignKey(n => n.ArticleId).OnDelete(DeleteBehavior.Cascade);
        note.HasOne<EditorialNote>().WithMany().HasForeignKey(n => n.ParentId).OnDelete(DeleteBehavior.Cascade);
    }
}
