using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Users;

/// <summary>The signed-in user acting in a service call, with their role as it is in the database now.</summary>
public sealed record Actor(string UserId, string DisplayName, string Role)
{
    public bool Can(string capability) => Capabilities.Allows(Role, capability);
}

/// <summary>
/// The two kinds of lock on an account. Identity's lockout after failed sign-ins always ends (after
/// IdentityOptions.Lockout.DefaultLockoutTimeSpan) and only refuses new sign-ins: anyone can cause it by guessing, so it
/// must never end the sessions the person already has. An administrator's lock never ends by itself, changes the
/// security stamp (which ends every session at its next request) and is refused here too.
/// </summary>
public static class AccountLocks
{
    /// <summary>The lockout end an administrator's lock sets.</summary>
    public static readonly DateTimeOffset ByAdministrator = DateTimeOffset.MaxValue;

    // Compared with a margin: the stored value makes a round trip through the database as text.
    private static readonly DateTimeOffset AdministratorThreshold = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static bool IsLockedByAdministrator(DateTimeOffset? lockoutEnd) => lockoutEnd >= AdministratorThreshold;
}

/// <summary>
/// Turns the principal a page or circuit holds into an <see cref="Actor"/>, reading the account afresh so that a
/// lock, a role change, a deletion or a password reset by an administrator takes effect at the next action, not
/// when the cookie or circuit is next revalidated.
/// </summary>
public sealed class NewsroomActors(IDbContextFactory<NewsCmsDbContext> dbFactory, IOptions<IdentityOptions> identityOptions)
{
    public const string SessionEnded = "Your session has ended or your account was changed. Sign in again.";
    public const string NotAllowed = "You are not allowed to do that.";
    public const string MustChangePassword = "Choose a new password before you continue.";

    /// <summary>
    /// The site's first Administrator (the oldest account in the role), in whose name command-line imports act; null
    /// on a site without one.
    /// </summary>
    internal async Task<Actor?> FirstAdministratorAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var roleId = db.Roles.Where(r => r.Name == NewsroomRoles.Administrator).Select(r => r.Id);
        var admin = await db.UserRoles.Where(ur => roleId.Contains(ur.RoleId))
            .Join(db.Users.Where(u => !u.IsIntegration), ur => ur.UserId, u => u.Id, (ur, u) => new { u.Id, u.DisplayName, u.CreatedAt })
            .OrderBy(u => u.CreatedAt).FirstOrDefaultAsync(ct);
        return admin is null ? null : new Actor(admin.Id, admin.DisplayName, NewsroomRoles.Administrator);
    }

    public async Task<ServiceResult<Actor>> ResolveAsync(ClaimsPrincipal principal, string? capability = null, CancellationToken ct = default)
    {
        var userId = principal.FindFirstValue(identityOptions.Value.ClaimsIdentity.UserIdClaimType);
        var stamp = principal.FindFirstValue(identityOptions.Value.ClaimsIdentity.SecurityStampClaimType);
        if (userId is null)
        {
            return ServiceResult<Actor>.Fail(SessionEnded);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var account = await db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new
            {
                u.DisplayName,
                u.SecurityStamp,
                u.LockoutEnd,
                u.MustChangePassword,
                Role = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);

        if (account is null || account.SecurityStamp != stamp || AccountLocks.IsLockedByAdministrator(account.LockoutEnd))
        {
            return ServiceResult<Actor>.Fail(SessionEnded);
        }
        if (account.MustChangePassword)
        {
            return ServiceResult<Actor>.Fail(MustChangePassword);
        }
        if (!NewsroomRoles.IsKnown(account.Role) || (capability is not null && !Capabilities.Allows(account.Role, capability)))
        {
            return ServiceResult<Actor>.Fail(NotAllowed);
        }
        return ServiceResult<Actor>.Success(new Actor(userId, account.DisplayName, account.Role!));
    }
}
