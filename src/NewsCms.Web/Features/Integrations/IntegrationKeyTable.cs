using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Cluster;

namespace NewsCms.Web.Features.Integrations;

/// <summary>An active key as requests check it: the secret in the clear, in memory only.</summary>
/// <param name="Secret">Content key: the key itself; Admin key: the 64-hex secret.</param>
public sealed record ActiveKey(int KeyId, int IntegrationId, string IntegrationName, string UserId, IntegrationKeyKind Kind, string LookupId, string Secret);

/// <summary>
/// Every active (not revoked) integration key, in memory, so an API request is checked without a query. Loaded at
/// start and again whenever keys change on any node (<see cref="NotifyChangedAsync"/> over the message bus). When each
/// key was last used is noted here and written by <see cref="IntegrationKeyUseFlusher"/> in batches.
/// </summary>
public sealed class IntegrationKeyTable
{
    public const string Channel = "integration-keys";

    private readonly IDbContextFactory<NewsCmsDbContext> dbFactory;
    private readonly IDataProtector protector;
    private readonly MessageBus bus;
    private readonly TimeProvider clock;
    private readonly ILogger<IntegrationKeyTable> logger;
    private readonly SemaphoreSlim loading = new(1, 1);
    private readonly ConcurrentDictionary<int, long> usedTicks = new();
    private FrozenDictionary<(IntegrationKeyKind, string), ActiveKey> keys = FrozenDictionary<(IntegrationKeyKind, string), ActiveKey>.Empty;
    private Task? loaded;

    public IntegrationKeyTable(IDbContextFactory<NewsCmsDbContext> dbFactory, IDataProtectionProvider protection, MessageBus bus, TimeProvider clock,
        ILogger<IntegrationKeyTable> logger)
    {
        this.dbFactory = dbFactory;
        protector = IntegrationKeys.Protector(protection);
        this.bus = bus;
        this.clock = clock;
        this.logger = logger;
        bus.Subscribe(Channel, _ => ReloadAsync());
    }

    /// <summary>Loads the keys the first time; later calls return the same task.</summary>
    public Task EnsureLoadedAsync()
    {
        lock (loading) return loaded ??= ReloadAsync();
    }

    /// <summary>The active Content API key <paramref name="contentKey"/>, or null.</summary>
    public ActiveKey? FindContentKey(string? contentKey) =>
        IntegrationKeys.IsContentKeyFormat(contentKey) && keys.TryGetValue((IntegrationKeyKind.Content, IntegrationKeys.ContentLookupId(contentKey!)), out var key)
        && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(key.Secret), System.Text.Encoding.ASCII.GetBytes(contentKey!))
            ? key : null;

    /// <summary>The active Admin API key whose id is <paramref name="keyId"/> (a token's "kid"), or null.</summary>
    public ActiveKey? FindAdminKey(string? keyId) =>
        IntegrationKeys.IsAdminKeyIdFormat(keyId) && keys.TryGetValue((IntegrationKeyKind.Admin, keyId!), out var key) ? key : null;

    /// <summary>Notes that a key was used now (written to the database later, in a batch).</summary>
    public void RecordUse(ActiveKey key) => usedTicks[key.KeyId] = clock.GetUtcNow().UtcTicks;

    /// <summary>Tells every node (this one before returning) that keys changed, after the change is committed.</summary>
    public Task NotifyChangedAsync() => bus.PublishAsync(Channel, "changed");

    /// <summary>Raised on this node after the keys were loaded again (a key added, regenerated or revoked on any node).</summary>
    public event Action? Reloaded;

    public async Task ReloadAsync()
    {
        await loading.WaitAsync();
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var rows = await db.IntegrationKeys.AsNoTracking().Where(k => k.RevokedAt == null && k.ProtectedSecret != null)
                .Join(db.Integrations, k => k.IntegrationId, i => i.Id, (k, i) => new { k.Id, k.IntegrationId, i.Name, i.UserId, k.Kind, k.LookupId, k.ProtectedSecret })
                .ToListAsync();
            var loadedKeys = new Dictionary<(IntegrationKeyKind, string), ActiveKey>();
            foreach (var row in rows)
            {
                try
                {
                    loadedKeys[(row.Kind, row.LookupId)] = new ActiveKey(row.Id, row.IntegrationId, row.Name, row.UserId, row.Kind, row.LookupId, protector.Unprotect(row.ProtectedSecret!));
                }
                catch (System.Security.Cryptography.CryptographicException ex)
                {
                    // A key protected by a key ring this site no longer has (a database moved without it): it must be regenerated.
                    logger.LogWarning(ex, "Integration key {Id} of \"{Name}\" cannot be read with this site's key ring; regenerate it.", row.Id, row.Name);
                }
            }
            Volatile.Write(ref keys, loadedKeys.ToFrozenDictionary());
            Reloaded?.Invoke();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The keys in memory stay as they were; the next change loads again.
            logger.LogError(ex, "Could not load the integration keys.");
        }
        finally
        {
            loading.Release();
        }
    }

    /// <summary>Writes the noted uses to the database (the newest time per key).</summary>
    public async Task FlushUsesAsync(CancellationToken ct = default)
    {
        var batch = new List<(int Id, DateTime At)>();
        foreach (var id in usedTicks.Keys)
        {
            if (usedTicks.TryRemove(id, out var ticks)) batch.Add((id, new DateTime(ticks, DateTimeKind.Utc)));
        }
        if (batch.Count == 0) return;
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            foreach (var (id, at) in batch)
            {
                await db.IntegrationKeys.Where(k => k.Id == id && (k.LastUsedAt == null || k.LastUsedAt < at))
                    .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, at), ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            foreach (var (id, at) in batch) usedTicks.AddOrUpdate(id, at.Ticks, (_, newer) => Math.Max(newer, at.Ticks));
            logger.LogError(ex, "Could not save when {Count} integration keys were last used; trying again later.", batch.Count);
        }
    }
}

/// <summary>Writes when keys were last used every <see cref="Interval"/> and when the app stops.</summary>
public sealed class IntegrationKeyUseFlusher(IntegrationKeyTable table, TimeProvider clock) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await table.FlushUsesAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await table.FlushUsesAsync(CancellationToken.None);
    }
}
