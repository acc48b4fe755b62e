using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsCms.Web.Data;

namespace NewsCms.Web.Features.Cluster;

/// <summary>A lease row: which node holds a piece of work, until when.</summary>
public sealed class NodeLease
{
    public string Name { get; set; } = "";
    public string Holder { get; set; } = "";
    public DateTime ExpiresAt { get; set; }
}

internal sealed class NodeLeaseConfiguration : IEntityTypeConfiguration<NodeLease>
{
    public void Configure(EntityTypeBuilder<NodeLease> lease)
    {
        lease.HasKey(l => l.Name);
        lease.Property(l => l.Name).HasMaxLength(100);
        lease.Property(l => l.Holder).HasMaxLength(100);
    }
}

/// <summary>
/// Work that must happen on one node at a time, whatever the number of nodes (the scheduler): a lease row in the
/// database, taken with one conditional UPDATE (free, expired, or already ours), so two nodes can never both hold it.
/// A node that dies lets go when its lease expires; the live holder renews it each round, well before that.
/// </summary>
public sealed class NodeLeases(IDbContextFactory<NewsCmsDbContext> dbFactory, MessageBus bus, TimeProvider clock)
{
    /// <summary>Holds (or renews) the lease <paramref name="name"/> for <paramref name="duration"/>: true when this node holds it now.</summary>
    public async Task<bool> TryHoldAsync(string name, TimeSpan duration, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + duration;
        var holder = bus.NodeId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var taken = await db.NodeLeases
            .Where(l => l.Name == name && (l.Holder == holder || l.ExpiresAt < now))
            .ExecuteUpdateAsync(set => set.SetProperty(l => l.Holder, holder).SetProperty(l => l.ExpiresAt, until), ct);
        if (taken == 1) return true;
        if (await db.NodeLeases.AnyAsync(l => l.Name == name, ct)) return false;

        db.NodeLeases.Add(new NodeLease { Name = name, Holder = holder, ExpiresAt = until });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another node made the row first: it holds the lease.
            return false;
        }
    }

    /// <summary>Lets go of a lease this node holds (on a clean stop: another node takes over at once, not when it expires).</summary>
    public async Task ReleaseAsync(string name, CancellationToken ct)
    {
        var holder = bus.NodeId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.NodeLeases.Where(l => l.Name == name && l.Holder == holder).ExecuteDeleteAsync(ct);
    }
}
