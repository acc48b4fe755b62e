using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Email;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Users;

public sealed record UserSummary(string Id, string DisplayName, string Email, string? Role, bool IsLocked, DateTime? LastSignInAt);

public sealed record UserDetails(string Id, string DisplayName, string Email, string? Role, bool IsLocked, DateTime CreatedAt,
    DateTime? LastSignInAt, bool MustChangePassword, bool TwoFactorEnabled);

public sealed class NewUserInput
{
    [Required(ErrorMessage = "Enter the display name readers and colleagues will see."), StringLength(200)]
    public string DisplayName { get; set; } = "";

    [Required(ErrorMessage = "Enter an e-mail address."), EmailAddress(ErrorMessage = "Enter a valid e-mail address."), StringLength(256)]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Choose a role.")]
    public string Role { get; set; } = NewsroomRoles.Contributor;

    /// <summary>Empty: a password is generated and shown once.</summary>
    public string? Password { get; set; }
}

/// <param name="UserId">The new account.</param>
/// <param name="GeneratedPassword">The one-time password to hand over, when the administrator did not type one.</param>
public sealed record CreatedUser(string UserId, string? GeneratedPassword);

/// <summary>
/// Everything an Administrator does to newsroom accounts. Every method takes the acting principal and re-checks it
/// against the database, so the rules hold whatever page, circuit or endpoint calls them.
/// </summary>
public sealed class UserAdministration(
    IServiceScopeFactory scopes,
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    NewsroomMail mail,
    AuthorProfiles authorProfiles,
    Articles.PublicContent publicContent,
    TimeProvider clock,
    ILogger<UserAdministration> logger)
{
    public async Task<ServiceResult<PagedList<UserSummary>>> ListAsync(ClaimsPrincipal acting, string? search, int page, int pageSize, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageUsers, ct);
        if (!actor.Succeeded) return ServiceResult<PagedList<UserSummary>>.Fail(actor.Error!);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Integrations act through accounts of their own; those are managed on the integrations page, not here.
        var users = db.Users.AsNoTracking().Where(u => !u.IsIntegration);
        if (!string.IsNullOrWhiteSpace(search))
        {
            users = users.WhereAnyContains(db.Database, search, u => u.DisplayName, u => u.Email);
        }

        var total = await users.CountAsync(ct);
        var rows = await users
            .OrderBy(u => u.DisplayName).ThenBy(u => u.Email)
            .Skip(Math.Max(0, page) * pageSize).Take(pageSize)
            .Select(u => new
            {
                u.Id, u.DisplayName, u.Email, u.LockoutEnd, u.LastSignInAt,
                Role = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        var items = rows.Select(u => new UserSummary(u.Id, u.DisplayName, u.Email ?? "", u.Role, u.LockoutEnd > now, u.LastSignInAt)).ToList();
        return ServiceResult<PagedList<UserSummary>>.Success(new PagedList<UserSummary>(items, total));
    }

    public async Task<ServiceResult<UserDetails>> GetAsync(ClaimsPrincipal acting, string userId, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageUsers, ct);
        if (!actor.Succeeded) return ServiceResult<UserDetails>.Fail(actor.Error!);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId && !u.IsIntegration)
            .Select(u => new
            {
                u.Id, u.DisplayName, u.Email, u.LockoutEnd, u.CreatedAt, u.LastSignInAt, u.MustChangePassword, u.TwoFactorEnabled,
                Role = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);
        return user is null
            ? ServiceResult<UserDetails>.Fail(UserNotFound)
            : ServiceResult<UserDetails>.Success(new UserDetails(user.Id, user.DisplayName, user.Email ?? "", user.Role,
                user.LockoutEnd > clock.GetUtcNow(), user.CreatedAt, user.LastSignInAt, user.MustChangePassword, user.TwoFactorEnabled));
    }

    /// <summary>Users per role, for the dashboard; any newsroom member may see it.</summary>
    public async Task<ServiceResult<IReadOnlyDictionary<string, int>>> CountByRoleAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actor.Succeeded) return ServiceResult<IReadOnlyDictionary<string, int>>.Fail(actor.Error!);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var counts = await db.UserRoles.Where(ur => !db.Users.Any(u => u.Id == ur.UserId && u.IsIntegration))
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!)
            .GroupBy(name => name).Select(g => new { Role = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Role, g => g.Count, ct);
        return ServiceResult<IReadOnlyDictionary<string, int>>.Success(
            NewsroomRoles.All.ToDictionary(role => role, role => counts.GetValueOrDefault(role)));
    }

    public async Task<ServiceResult<CreatedUser>> CreateAsync(ClaimsPrincipal acting, NewUserInput input, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageUsers, ct);
        if (!actorResult.Succeeded) return ServiceResult<CreatedUser>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        // The display name becomes a byline: characters XML forbids would break the feeds that carry it.
        input.DisplayName = XmlSafeText.Clean(input.DisplayName);
        var validation = new List<ValidationResult>();
        if (!Validator.TryValidateObject(input, new ValidationContext(input), validation, validateAllProperties: true))
        {
            return ServiceResult<CreatedUser>.Fail(validation[0].ErrorMessage!);
        }
        if (!NewsroomRoles.IsKnown(input.Role))
        {
            return ServiceResult<CreatedUser>.Fail("Choose one of the roles: " + string.Join(", ", NewsroomRoles.All) + ".");
        }

        await using var scope = scopes.CreateAsyncScope();
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var email = input.Email.Trim();
        if (await userManager.FindByEmailAsync(email) is not null)
        {
            return ServiceResult<CreatedUser>.Fail($"There is already an account for {email}.");
        }

        var generated = string.IsNullOrEmpty(input.Password) ? PasswordGenerator.Generate() : null;
        var user = new ApplicationUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = input.DisplayName.Trim(),
            MustChangePassword = true,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };

        var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var created = await userManager.CreateAsync(user, generated ?? input.Password!);
            if (!created.Succeeded) return ServiceResult<CreatedUser>.Fail(Describe(created));
            var inRole = await userManager.AddToRoleAsync(user, input.Role);
            if (!inRole.Succeeded) return ServiceResult<CreatedUser>.Fail(Describe(inRole));
            await transaction.CommitAsync(ct);
        }

        // Every newsroom account has a byline from the start.
        await authorProfiles.EnsureForAccountAsync(user.Id, user.DisplayName, ct);
        logger.LogInformation("{Actor} created the {Role} account {Email}.", actor.DisplayName, input.Role, email);
        await audit.WriteAsync(actor, AuditActions.UserCreated, Target(user), $"Role: {input.Role}", ct);
        await mail.SendNewAccountNoticeAsync(user, ct);
        return ServiceResult<CreatedUser>.Success(new CreatedUser(user.Id, generated));
    }

    /// <summary>"Save" on a user's page: display name and role.</summary>
    public async Task<ServiceResult> UpdateAsync(ClaimsPrincipal acting, string userId, string displayName, string role, CancellationToken ct = default)
    {
        displayName = XmlSafeText.Clean(displayName);
        if (string.IsNullOrWhiteSpace(displayName)) return ServiceResult.Fail("Enter a display name.");
        if (displayName.Trim().Length > 200) return ServiceResult.Fail("The display name can be at most 200 characters.");

        return await ChangeAccountAsync(acting, userId, ct, async (actor, user, userManager, _, currentRole, adminCheck) =>
        {
            var changes = new List<string>();
            if (currentRole != role)
            {
                var refusal = adminCheck(AccountChange.ChangeRole, role);
                if (refusal is not null) return Outcome.Fail(refusal);
                if (currentRole is not null)
                {
                    var removed = await userManager.RemoveFromRoleAsync(user, currentRole);
                    if (!removed.Succeeded) return Outcome.Fail(Describe(removed));
                }
                var added = await userManager.AddToRoleAsync(user, role);
                if (!added.Succeeded) return Outcome.Fail(Describe(added));
                changes.Add($"Role: {currentRole ?? "none"} → {role}");
            }
            if (user.DisplayName != displayName.Trim())
            {
                changes.Add($"Display name: {user.DisplayName} → {displayName.Trim()}");
                user.DisplayName = displayName.Trim();
            }
            if (changes.Count == 0) return Outcome.Unchanged;

            // A new stamp makes the user's cookie and circuit pick up the new role at their next request.
            var updated = await userManager.UpdateSecurityStampAsync(user);
            if (!updated.Succeeded) return Outcome.Fail(Describe(updated));
            return new Outcome(null, currentRole != role ? AuditActions.RoleChanged : AuditActions.UserUpdated, string.Join("; ", changes));
        });
    }

    public Task<ServiceResult> LockAsync(ClaimsPrincipal acting, string userId, CancellationToken ct = default) =>
        ChangeAccountAsync(acting, userId, ct, async (actor, user, userManager, _, _, adminCheck) =>
        {
            var refusal = adminCheck(AccountChange.Lock, null);
            if (refusal is not null) return Outcome.Fail(refusal);
            await userManager.SetLockoutEnabledAsync(user, true);
            // Recorded apart from a lockout after failed sign-ins (which has an end and ends no session).
            var locked = await userManager.SetLockoutEndDateAsync(user, AccountLocks.ByAdministrator);
            if (!locked.Succeeded) return Outcome.Fail(Describe(locked));
            // A new stamp ends the user's sessions at their next request.
            await userManager.UpdateSecurityStampAsync(user);
            return new Outcome(null, AuditActions.UserLocked, null);
        });

    public Task<ServiceResult> UnlockAsync(ClaimsPrincipal acting, string userId, CancellationToken ct = default) =>
        ChangeAccountAsync(acting, userId, ct, async (actor, user, userManager, _, _, _) =>
        {
            var unlocked = await userManager.SetLockoutEndDateAsync(user, null);
            if (!unlocked.Succeeded) return Outcome.Fail(Describe(unlocked));
            await userManager.ResetAccessFailedCountAsync(user);
            return new Outcome(null, AuditActions.UserUnlocked, null);
        });

    /// <summary>Gives the user a generated one-time password (returned once) that they must change at sign-in.</summary>
    public async Task<ServiceResult<string>> ResetPasswordAsync(ClaimsPrincipal acting, string userId, CancellationToken ct = default)
    {
        var password = PasswordGenerator.Generate();
        var result = await ChangeAccountAsync(acting, userId, ct, async (actor, user, userManager, _, _, _) =>
        {
            var token = await userManager.GeneratePasswordResetTokenAsync(user);
            user.MustChangePassword = true;
            var reset = await userManager.ResetPasswordAsync(user, token, password);
            if (!reset.Succeeded) return Outcome.Fail(Describe(reset));
            return new Outcome(null, AuditActions.PasswordReset, null);
        });
        return result.Succeeded ? ServiceResult<string>.Success(password) : ServiceResult<string>.Fail(result.Error!);
    }

    /// <summary>
    /// Deletes the account. Content is never deleted with it: its bylines move to <paramref name="reassignToAuthorId"/>,
    /// or with none, its author profile stays as a byline without an account.
    /// </summary>
    public async Task<ServiceResult> DeleteAsync(ClaimsPrincipal acting, string userId, int? reassignToAuthorId = null, CancellationToken ct = default)
    {
        var result = await DeleteAccountAsync(acting, userId, reassignToAuthorId, ct);
        // Bylines moved or lost their account: article, author and feed pages readers have cached are out of date.
        // Rare enough that everything is evicted rather than working out which bylines moved where.
        if (result.Succeeded) await publicContent.NotifyChangedAsync(PublicChange.EverythingBecause("an account deleted"));
        return result;
    }

    private Task<ServiceResult> DeleteAccountAsync(ClaimsPrincipal acting, string userId, int? reassignToAuthorId, CancellationToken ct) =>
        ChangeAccountAsync(acting, userId, ct, async (actor, user, userManager, db, _, adminCheck) =>
        {
            var refusal = adminCheck(AccountChange.Delete, null);
            if (refusal is not null) return Outcome.Fail(refusal);
            if (reassignToAuthorId is { } target && !await db.AuthorProfiles.AnyAsync(a => a.Id == target, ct))
            {
                return Outcome.Fail("The author chosen to take over the bylines no longer exists.");
            }
            await AuthorProfiles.ReassignAsync(db, user.Id, reassignToAuthorId, ct);
            var deleted = await userManager.DeleteAsync(user);
            if (!deleted.Succeeded) return Outcome.Fail(Describe(deleted));
            // The moved bylines carry another name now: search finds those articles by it.
            if (reassignToAuthorId is { } newAuthor) await Search.ArticleSearch.SyncBylinedAsync(db, newAuthor, ct);
            return new Outcome(null, AuditActions.UserDeleted, null);
        });

    private delegate string? AdminCheck(AccountChange change, string? newRole);

    /// <summary>Loads the target in a fresh scope and runs the change with the last-Administrator rule at hand.</summary>
    private async Task<ServiceResult> ChangeAccountAsync(ClaimsPrincipal acting, string userId, CancellationToken ct,
        Func<Actor, ApplicationUser, UserManager<ApplicationUser>, NewsCmsDbContext, string?, AdminCheck, Task<Outcome>> change)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageUsers, ct);
        if (!actorResult.Succeeded) return actorResult;
        var actor = actorResult.Value!;

        await using var scope = scopes.CreateAsyncScope();
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();

        // Immediate transaction: two administrators demoting each other at once cannot both pass the last-admin check.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = await userManager.FindByIdAsync(userId);
        // An integration's account is changed on the integrations page only.
        if (user is null || user.IsIntegration) return ServiceResult.Fail(UserNotFound);
        var currentRole = (await userManager.GetRolesAsync(user)).FirstOrDefault();

        var now = clock.GetUtcNow();
        // People only: an integration with the Administrator role cannot manage the site's accounts (it never signs in).
        var activeAdministrators = (await userManager.GetUsersInRoleAsync(NewsroomRoles.Administrator))
            .Where(u => !(u.LockoutEnd > now) && !u.IsIntegration).ToList();
        var targetIsActiveAdministrator = activeAdministrators.Any(u => u.Id == user.Id);

        var outcome = await change(actor, user, userManager, db, currentRole,
            (kind, newRole) => UserAdminRules.Check(kind, actor.UserId, user.Id, targetIsActiveAdministrator, activeAdministrators.Count, newRole));
        if (outcome.Error is not null) return ServiceResult.Fail(outcome.Error);

        await transaction.CommitAsync(ct);
        // Written after the commit: the audit log uses its own connection, which would wait on this transaction.
        if (outcome.AuditAction is not null)
        {
            logger.LogInformation("{Actor}: {Action} on {Target}.", actor.DisplayName, outcome.AuditAction, Target(user));
            await audit.WriteAsync(actor, outcome.AuditAction, Target(user), outcome.Details, ct);
        }
        return ServiceResult.Ok;
    }

    private sealed record Outcome(string? Error, string? AuditAction, string? Details)
    {
        public static readonly Outcome Unchanged = new(null, null, null);
        public static Outcome Fail(string error) => new(error, null, null);
    }

    private const string UserNotFound = "That user no longer exists.";

    private static string Target(ApplicationUser user) => $"{user.DisplayName} <{user.Email}>";

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));
}
