using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsCms.Web.Data;

namespace NewsCms.Web.Features.Integrations;

/// <summary>
/// Something outside the newsroom that uses the APIs: an app, a newsletter tool, the wire desk's scripts. It acts
/// through an account of its own (<see cref="ApplicationUser.IsIntegration"/>, never able to sign in), so an Admin API
/// call goes through the same services, roles and rules as a person in the newsroom, and the audit log names it.
/// </summary>
public class Integration
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";

    /// <summary>The integration's own account: its role is the Admin API key's role.</summary>
    public string UserId { get; set; } = "";

    public DateTime CreatedAt { get; set; }
    public List<IntegrationKey> Keys { get; set; } = [];
}

public enum IntegrationKeyKind
{
    /// <summary>Read-only access to published content (the Content API), 26 hex characters.</summary>
    Content = 0,

    /// <summary>The Admin API: "id:secret", a 24-hex id and a 64-hex secret that signs the caller's tokens.</summary>
    Admin = 1,
}

/// <summary>
/// One key of an integration. Regenerating revokes the old key and adds a new one, so the page can say when each was
/// used. The secret part is kept only protected by Data Protection (<see cref="ProtectedSecret"/>) and is never in
/// backups or exports.
/// </summary>
public class IntegrationKey
{
    public int Id { get; set; }
    public int IntegrationId { get; set; }
    public IntegrationKeyKind Kind { get; set; }

    /// <summary>
    /// How a request finds the key: for an Admin key its public 24-hex id (the token's "kid"); for a Content key the
    /// SHA-256 of the key in hex (the key itself is the secret a request carries).
    /// </summary>
    public string LookupId { get; set; } = "";

    /// <summary>Content key: the whole key; Admin key: the 64-hex secret. Protected; null once removed from a backup copy.</summary>
    public string? ProtectedSecret { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

internal sealed class IntegrationConfiguration : IEntityTypeConfiguration<Integration>
{
    public void Configure(EntityTypeBuilder<Integration> integration)
    {
        integration.Property(i => i.Name).HasMaxLength(200);
        integration.Property(i => i.Description).HasMaxLength(2000);
        integration.Property(i => i.UserId).HasMaxLength(450);
        integration.HasIndex(i => i.UserId).IsUnique();
        integration.HasOne<ApplicationUser>().WithMany().HasForeignKey(i => i.UserId).OnDelete(DeleteBehavior.Restrict);
        integration.HasMany(i => i.Keys).WithOne().HasForeignKey(k => k.IntegrationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class IntegrationKeyConfiguration : IEntityTypeConfiguration<IntegrationKey>
{
    public void Configure(EntityTypeBuilder<IntegrationKey> key)
    {
        key.Property(k => k.LookupId).HasMaxLength(64);
        key.Property(k => k.ProtectedSecret).HasMaxLength(2000);
        key.HasIndex(k => new { k.Kind, k.LookupId }).IsUnique();
        key.HasIndex(k => k.IntegrationId);
    }
}
