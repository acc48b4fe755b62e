using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NewsCms.Web.Features.Audit;

/// <summary>
/// One line of the audit log. Names are copied in (not foreign keys) so entries outlive the accounts they mention.
/// Entries are only ever added; nothing in the app updates them, and only <see cref="AuditRetention"/> deletes them,
/// once they are older than NewsCms:Audit:RetentionDays.
/// </summary>
public class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public string? ActorId { get; set; }
    public string ActorName { get; set; } = "";
    public string Action { get; set; } = "";
    public string Target { get; set; } = "";
    public string? Details { get; set; }
    public string? ClientAddress { get; set; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.Property(e => e.ActorName).HasMaxLength(256);
        entry.Property(e => e.Action).HasMaxLength(64);
        entry.Property(e => e.Target).HasMaxLength(512);
        entry.Property(e => e.Details).HasMaxLength(2000);
        entry.Property(e => e.ClientAddress).HasMaxLength(64);
        entry.HasIndex(e => e.At);
        entry.HasIndex(e => new { e.Action, e.At });
        entry.HasIndex(e => new { e.ActorId, e.At });
    }
}
