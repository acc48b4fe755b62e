using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;

namespace NewsCms.Web.Features.Users;

/// <summary>
/// Identity's sign-in with the newsroom's additions: failures and lockouts go to the audit log, successful sign-ins
/// are timestamped for the users list.
/// </summary>
public sealed class NewsroomSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation,
    AuditLog audit,
    TimeProvider clock,
    SignInThrottle throttle,
    SignInRefusalAudit refusals)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        if (await ThrottledAsync(userName) is { } refused) return refused;
        var user = await UserManager.FindByNameAsync(userName);
        if (user is null)
        {
            // As much work as checking a real password, so the answer's timing does not tell which accounts exist.
            VerifyAgainstStandIn(password);
            if (refusals.Admit("unknown-account|" + userName) is { } note)
            {
                await audit.WriteAsync(null, userName, AuditActions.SignInFailed, userName, "Unknown account" + note);
            }
            return SignInResult.Failed;
        }
        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    /// <summary>An integration's account never signs in, by any path (password, passkey, two-factor, external).</summary>
    public override async Task<bool> CanSignInAsync(ApplicationUser user) => !user.IsIntegration && await base.CanSignInAsync(user);

    public override async Task<SignInResult> PasskeySignInAsync(string credentialJson) =>
        await ThrottledAsync(null) ?? await base.PasskeySignInAsync(credentialJson);

    public override async Task<SignInResult> TwoFactorAuthenticatorSignInAsync(string code, bool isPersistent, bool rememberClient) =>
        await ThrottledAsync(await TwoFactorAccountAsync()) ?? await base.TwoFactorAuthenticatorSignInAsync(code, isPersistent, rememberClient);

    public override async Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode) =>
        await ThrottledAsync(await TwoFactorAccountAsync()) ?? await base.TwoFactorRecoveryCodeSignInAsync(recoveryCode);

    /// <summary>
    /// Counts the attempt against the caller's address and the account; the first refusal per limit and window is
    /// audited, later ones are counted.
    /// </summary>
    private async Task<SignInResult?> ThrottledAsync(string? account)
    {
        var address = Context.Connection.RemoteIpAddress?.ToString();
        if (await throttle.AttemptAsync(address, account) is not { } refused) return null;
        if (refusals.Admit("throttled|" + refused.Partition) is { } note)
        {
            await audit.WriteAsync(null, account ?? address ?? "unknown", AuditActions.SignInThrottled, account ?? address ?? "unknown",
                $"Too many attempts ({refused.Partition} over its limit) from {address ?? "an unknown address"}{note}");
        }
        return refused;
    }

    /// <summary>The account half-way through signing in (password done, second factor pending), by its user name.</summary>
    private async Task<string?> TwoFactorAccountAsync() => (await GetTwoFactorAuthenticationUserAsync())?.UserName;

    public override async Task<SignInResult> CheckPasswordSignInAsync(ApplicationUser user, string password, bool lockoutOnFailure)
    {
        var wasLockedOut = await UserManager.IsLockedOutAsync(user);
        // Identity refuses a locked account without hashing: hash anyway, so a locked account answers as slowly as any other.
        if (wasLockedOut) VerifyAgainstStandIn(password);
        var result = await base.CheckPasswordSignInAsync(user, password, lockoutOnFailure);
        if (result.IsLockedOut && !wasLockedOut)
        {
            await audit.WriteAsync(user.Id, user.DisplayName, AuditActions.LockedOut, Target(user), "Locked after repeated failed sign-ins");
        }
        else if (result.IsLockedOut)
        {
            // Anyone can knock on a locked account: the first knock per window is written, the rest counted.
            if (refusals.Admit("locked|" + user.Id) is { } note)
            {
                await audit.WriteAsync(user.Id, user.DisplayName, AuditActions.SignInFailed, Target(user), "Refused: the account is locked" + note);
            }
        }
        else if (!result.Succeeded && !result.RequiresTwoFactor && !result.IsNotAllowed)
        {
            await audit.WriteAsync(user.Id, user.DisplayName, AuditActions.SignInFailed, Target(user), "Wrong password");
        }
        return result;
    }

    public override async Task SignInWithClaimsAsync(ApplicationUser user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        await base.SignInWithClaimsAsync(user, authenticationProperties, additionalClaims);
        user.LastSignInAt = clock.GetUtcNow().UtcDateTime;
        await UserManager.UpdateAsync(user);
    }

    private static string Target(ApplicationUser user) => $"{user.DisplayName} <{user.Email}>";

    private static readonly ApplicationUser StandInUser = new() { UserName = "stand-in" };
    private static string? standInHash;

    private void VerifyAgainstStandIn(string password)
    {
        standInHash ??= UserManager.PasswordHasher.HashPassword(StandInUser, Guid.NewGuid().ToString("N"));
        UserManager.PasswordHasher.VerifyHashedPassword(StandInUser, standInHash, password);
    }
}

/// <summary>Adds the display name and the must-change-password mark to the signed-in principal.</summary>
public sealed class NewsroomClaimsPrincipalFactory(
    UserManager<ApplicationUser> userManager,
    RoleManager<IdentityRole> roleManager,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(userManager, roleManager, options)
{
    public const string DisplayNameClaim = "newscms:display_name";
    public const string MustChangePasswordClaim = "newscms:must_change_password";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(DisplayNameClaim, user.DisplayName));
        if (user.MustChangePassword)
        {
            identity.AddClaim(new Claim(MustChangePasswordClaim, "true"));
        }
        return identity;
    }
}
