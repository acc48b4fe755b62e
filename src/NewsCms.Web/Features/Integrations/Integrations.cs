using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Integrations;

/// <summary>One key of an integration as the pages show it.</summary>
/// <param name="Key">The key in full (content key, or "id:secret"); only on an integration's own page, null in lists
/// and when the secret cannot be read (a key ring lost, or a restored backup, which holds no secrets): regenerate it then.</param>
public sealed record IntegrationKeyInfo(int Id, IntegrationKeyKind Kind, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt, string? Key)
{
    public bool IsActive => RevokedAt is null;

    /// <summary>An active key whose secret is not there (removed from a backup, or protected by a lost key ring).</summary>
    public bool NeedsRegeneration { get; init; }
}

public sealed record IntegrationSummary(int Id, string Name, string Role, DateTime CreatedAt, IReadOnlyList<IntegrationKeyInfo> Keys)
{
    /// <summary>When any of its keys was last used.</summary>
    public DateTime? LastUsedAt => Keys.Max(k => k.LastUsedAt);
}

/// <param name="Keys">Active keys first, then revoked ones (newest first), so the page can say when each was used.</param>
public sealed record IntegrationDetails(int Id, string Name, string Role, DateTime CreatedAt, string UserId, IReadOnlyList<IntegrationKeyInfo> Keys)
{
    public IntegrationKeyInfo? Active(IntegrationKeyKind kind) => Keys.FirstOrDefault(k => k.Kind == kind && k.IsActive);
}

/// <summary>A new integration's keys, shown once on creation (and always on its page).</summary>
public sealed record CreatedIntegration(int Id, string ContentKey, string AdminKey);

/// <summary>
/// Integrations and their keys, for Administrators: create (with the integration's own account and role), rename,
/// change role, regenerate and revoke keys, delete. Every change is audited (never with a key in it) and tells every
/// node's key table.
/// </summary>
public sealed class Integrations(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    IntegrationKeyTable keyTable,
    IDataProtectionProvider protection,
    ILookupNormalizer normalizer,
    TimeProvider clock,
    ILogger<Integrations> logger)
{
    public const string NotFound = "That integration no longer exists.";
    public const int MaxNameLength = 200;

    private readonly IDataProtector protector = IntegrationKeys.Protector(protection);

    public async Task<ServiceResult<IReadOnlyList<IntegrationSummary>>> ListAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageIntegrations, ct);
        if (!actor.Succeeded) return ServiceResult<IReadOnlyList<IntegrationSummary>>.Fail(actor.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Integrations.AsNoTracking().OrderBy(i => i.Name).ThenBy(i => i.Id)
            .Select(i => new { i.Id, i.Name, i.CreatedAt, i.UserId, Role = db.UserRoles.Where(ur => ur.UserId == i.UserId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).FirstOrDefault() })
            .ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var keys = await db.IntegrationKeys.AsNoTracking().Where(k => ids.Contains(k.IntegrationId) && k.RevokedAt == null).ToListAsync(ct);
        IReadOnlyList<IntegrationSummary> items = rows.Select(r => new IntegrationSummary(r.Id, r.Name, r.Role ?? "", r.CreatedAt,
            keys.Where(k => k.IntegrationId == r.Id).OrderBy(k => k.Kind).Select(k => Info(k, null)).ToList())).ToList();
        return ServiceResult<IReadOnlyList<IntegrationSummary>>.Success(items);
    }

    /// <summary>The integration with its keys in full: the page shows them so they can be copied.</summary>
    public async Task<ServiceResult<IntegrationDetails>> GetAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageIntegrations, ct);
        if (!actor.Succeeded) return ServiceResult<IntegrationDetails>.Fail(actor.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await db.Integrations.AsNoTracking().Where(i => i.Id == id)
            .Select(i => new { i.Id, i.Name, i.CreatedAt, i.UserId, Role = db.UserRoles.Where(ur => ur.UserId == i.UserId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).FirstOrDefault() }).FirstOrDefaultAsync(ct);
        if (integration is null) return ServiceResult<IntegrationDetails>.Fail(NotFound);
        var keys = await db.IntegrationKeys.AsNoTracking().Where(k => k.IntegrationId == id).ToListAsync(ct);
        var shown = keys.OrderBy(k => k.RevokedAt is null ? 0 : 1).ThenBy(k => k.Kind).ThenByDescending(k => k.CreatedAt)
            .Select(k => Info(k, k.RevokedAt is null ? Reveal(k) : null)).ToList();
        return ServiceResult<IntegrationDetails>.Success(new IntegrationDetails(integration.Id, integration.Name, integration.Role ?? "",
            integration.CreatedAt, integration.UserId, shown));
    }

    /// <summary>
    /// A new integration: its own account (no password, no e-mail, never signs in) in <paramref name="role"/>, a
    /// Content API key and an Admin API key, returned in full.
    /// </summary>
    public async Task<ServiceResult<CreatedIntegration>> CreateAsync(ClaimsPrincipal acting, string name, string role, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageIntegrations, ct);
        if (!actorResult.Succeeded) return ServiceResult<CreatedIntegration>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;
        if (CheckName(ref name) is { } invalidName) return ServiceResult<CreatedIntegration>.Fail(invalidName);
        if (CheckRole(role) is { } invalidRole) return ServiceResult<CreatedIntegration>.Fail(invalidRole);

        var now = clock.GetUtcNow().UtcDateTime;
        var contentKey = IntegrationKeys.NewContentKey();
        var (adminId, adminSecret) = IntegrationKeys.NewAdminKey();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var roleId = await db.Roles.Where(r => r.Name == role).Select(r => r.Id).FirstOrDefaultAsync(ct);
        if (roleId is null) return ServiceResult<CreatedIntegration>.Fail($"The role {role} does not exist on this site.");
        // Written directly rather than through UserManager: its validators want an e-mail address, which this account
        // must not have (nobody can ask for a password reset for it).
        var userName = "integration-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var account = new ApplicationUser
        {
            UserName = userName,
            NormalizedUserName = normalizer.NormalizeName(userName),
            DisplayName = name,
            IsIntegration = true,
            CreatedAt = now,
            SecurityStamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(20)),
            ConcurrencyStamp = Guid.NewGuid().ToString(),
            LockoutEnabled = true,
        };
        var integration = new Integration { Name = name, UserId = account.Id, CreatedAt = now };
        integration.Keys.Add(IntegrationKeys.NewRow(protector, IntegrationKeyKind.Content, IntegrationKeys.ContentLookupId(contentKey), contentKey, now));
        integration.Keys.Add(IntegrationKeys.NewRow(protector, IntegrationKeyKind.Admin, adminId, adminSecret, now));
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            db.Users.Add(account);
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = account.Id, RoleId = roleId });
            db.Integrations.Add(integration);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        await keyTable.NotifyChangedAsync();
        logger.LogInformation("{Actor} added the integration {Id} \"{Name}\" ({Role}).", actor.DisplayName, integration.Id, name, role);
        await audit.WriteAsync(actor, AuditActions.IntegrationCreated, Target(integration), $"Role: {role}", ct);
        return ServiceResult<CreatedIntegration>.Success(new CreatedIntegration(integration.Id, contentKey, IntegrationKeys.AdminKeyText(adminId, adminSecret)));
    }

    public async Task<ServiceResult> RenameAsync(ClaimsPrincipal acting, int id, string name, CancellationToken ct = default)
    {
        if (CheckName(ref name) is { } invalid) return ServiceResult.Fail(invalid);
        return await ChangeAsync(acting, id, ct, async (db, integration, account) =>
        {
            if (integration.Name == name) return (null, null);
            var before = integration.Name;
            integration.Name = name;
            // The account's name is how articles, revisions and the audit log name what the integration does.
            account.DisplayName = name;
            await db.SaveChangesAsync(ct);
            return (AuditActions.IntegrationRenamed, $"Was {before}");
        });
    }

    /// <summary>The role its Admin API key acts with, from its next request on.</summary>
    public async Task<ServiceResult> ChangeRoleAsync(ClaimsPrincipal acting, int id, string role, CancellationToken ct = default)
    {
        if (CheckRole(role) is { } invalid) return ServiceResult.Fail(invalid);
        return await ChangeAsync(acting, id, ct, async (db, integration, account) =>
        {
            var current = await db.UserRoles.Where(ur => ur.UserId == account.Id).ToListAsync(ct);
            var roleId = await db.Roles.Where(r => r.Name == role).Select(r => r.Id).FirstAsync(ct);
            if (current is [{ } only] && only.RoleId == roleId) return (null, null);
            var before = await RoleOf(db, account.Id).FirstOrDefaultAsync(ct);
            db.UserRoles.RemoveRange(current);
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = account.Id, RoleId = roleId });
            await db.SaveChangesAsync(ct);
            return (AuditActions.IntegrationRoleChanged, $"Role: {before ?? "none"} → {role}");
        });
    }

    /// <summary>Revokes the active key of <paramref name="kind"/> (if any) and adds a new one; returns it in full.</summary>
    public async Task<ServiceResult<string>> RegenerateKeyAsync(ClaimsPrincipal acting, int id, IntegrationKeyKind kind, CancellationToken ct = default)
    {
        string? key = null;
        var result = await ChangeAsync(acting, id, ct, async (db, integration, _) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            await RevokeActiveAsync(db, id, kind, now, ct);
            IntegrationKey row;
            if (kind == IntegrationKeyKind.Content)
            {
                key = IntegrationKeys.NewContentKey();
                row = IntegrationKeys.NewRow(protector, kind, IntegrationKeys.ContentLookupId(key), key, now);
            }
            else
            {
                var (adminId, secret) = IntegrationKeys.NewAdminKey();
                key = IntegrationKeys.AdminKeyText(adminId, secret);
                row = IntegrationKeys.NewRow(protector, kind, adminId, secret, now);
            }
            row.IntegrationId = id;
            db.IntegrationKeys.Add(row);
            await db.SaveChangesAsync(ct);
            return (AuditActions.IntegrationKeyRegenerated, $"{Describe(kind)} key");
        });
        return result.Succeeded ? ServiceResult<string>.Success(key!) : ServiceResult<string>.Fail(result.Error!);
    }

    /// <summary>Revokes the active key of <paramref name="kind"/>: requests with it are refused from now on, on every node.</summary>
    public Task<ServiceResult> RevokeKeyAsync(ClaimsPrincipal acting, int id, IntegrationKeyKind kind, CancellationToken ct = default) =>
        ChangeAsync(acting, id, ct, async (db, _, _) =>
        {
            if (!await RevokeActiveAsync(db, id, kind, clock.GetUtcNow().UtcDateTime, ct)) return (null, null);
            await db.SaveChangesAsync(ct);
            return (AuditActions.IntegrationKeyRevoked, $"{Describe(kind)} key");
        });

    /// <summary>
    /// Deletes the integration, its keys and its webhooks. Its account stays, locked and without a role, so the
    /// articles, revisions and audit entries it made still name it; it can never act again.
    /// </summary>
    public Task<ServiceResult> DeleteAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default) =>
        ChangeAsync(acting, id, ct, async (db, integration, account) =>
        {
            db.UserRoles.RemoveRange(await db.UserRoles.Where(ur => ur.UserId == account.Id).ToListAsync(ct));
            account.LockoutEnabled = true;
            account.LockoutEnd = AccountLocks.ByAdministrator;
            account.SecurityStamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
            db.Integrations.Remove(integration); // its keys and webhooks go with it (cascade)
            await db.SaveChangesAsync(ct);
            return (AuditActions.IntegrationDeleted, null);
        });

    // ----- helpers -----

    private delegate Task<(string? AuditAction, string? Details)> Change(NewsCmsDbContext db, Integration integration, ApplicationUser account);

    /// <summary>Checks the actor, loads the integration and its account, runs the change in a transaction, then tells the key tables and audits.</summary>
    private async Task<ServiceResult> ChangeAsync(ClaimsPrincipal acting, int id, CancellationToken ct, Change change)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageIntegrations, ct);
        if (!actorResult.Succeeded) return actorResult;
        var actor = actorResult.Value!;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        string? action, details;
        string target;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var integration = await db.Integrations.FirstOrDefaultAsync(i => i.Id == id, ct);
            if (integration is null) return ServiceResult.Fail(NotFound);
            var account = await db.Users.FirstOrDefaultAsync(u => u.Id == integration.UserId && u.IsIntegration, ct);
            if (account is null) return ServiceResult.Fail(NotFound);
            (action, details) = await change(db, integration, account);
            // Named as it is now (after a rename: by its new name; the details say the old one).
            target = Target(integration);
            await transaction.CommitAsync(ct);
        }
        if (action is null) return ServiceResult.Ok;
        await keyTable.NotifyChangedAsync();
        logger.LogInformation("{Actor}: {Action} on integration {Target}.", actor.DisplayName, action, target);
        await audit.WriteAsync(actor, action, target, details, ct);
        return ServiceResult.Ok;
    }

    private static async Task<bool> RevokeActiveAsync(NewsCmsDbContext db, int id, IntegrationKeyKind kind, DateTime now, CancellationToken ct)
    {
        var active = await db.IntegrationKeys.Where(k => k.IntegrationId == id && k.Kind == kind && k.RevokedAt == null).ToListAsync(ct);
        foreach (var key in active)
        {
            key.RevokedAt = now;
            // A revoked key is never used again: its secret need not be kept.
            key.ProtectedSecret = null;
        }
        return active.Count > 0;
    }

    private static IQueryable<string?> RoleOf(NewsCmsDbContext db, string userId) =>
        db.UserRoles.Where(ur => ur.UserId == userId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name);

    private IntegrationKeyInfo Info(IntegrationKey key, string? shown) =>
        new(key.Id, key.Kind, key.CreatedAt, key.LastUsedAt, key.RevokedAt, shown)
        {
            NeedsRegeneration = key.RevokedAt is null && (key.ProtectedSecret is null || (shown is null && Reveal(key) is null)),
        };

    /// <summary>The key as its user types it, or null when its secret cannot be read here.</summary>
    private string? Reveal(IntegrationKey key)
    {
        if (key.ProtectedSecret is null) return null;
        try
        {
            var secret = protector.Unprotect(key.ProtectedSecret);
            return key.Kind == IntegrationKeyKind.Admin ? IntegrationKeys.AdminKeyText(key.LookupId, secret) : secret;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string? CheckName(ref string name)
    {
        name = XmlSafeText.Clean(name ?? "").Trim();
        if (name.Length == 0) return "Enter a name for the integration.";
        if (name.Length > MaxNameLength) return $"The name can be at most {MaxNameLength} characters.";
        return null;
    }

    private static string? CheckRole(string? role) =>
        NewsroomRoles.IsKnown(role) ? null : "Choose one of the roles: " + string.Join(", ", NewsroomRoles.All) + ".";

    public static string Describe(IntegrationKeyKind kind) => kind == IntegrationKeyKind.Admin ? "Admin API" : "Content API";

    private static string Target(Integration integration) => $"{integration.Name} (integration #{integration.Id})";
}
