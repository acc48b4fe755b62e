using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Integrations;

namespace NewsCms.Web.Features.GhostApi;

/// <summary>
/// Admin API authentication as Ghost does it: "Authorization: Ghost &lt;token&gt;", a JWT signed with HS256 by the
/// hex-decoded secret of an Admin API key, "kid" the key's id, audience "/admin/", living at most five minutes. A valid
/// token becomes the principal of the key's integration account, so the newsroom's services check it like a person.
/// Only Admin API routes use this scheme; the newsroom's cookie is never accepted there (no cross-site requests).
/// </summary>
public static class GhostAdminAuthentication
{
    public const string Scheme = "GhostAdminKey";

    /// <summary>The authorization policy of every Admin API route: a valid Admin API token, nothing else.</summary>
    public const string Policy = "GhostAdminApi";

    /// <summary>On an integration's principal: the integration's id, and the id of the key it used.</summary>
    public const string IntegrationClaim = "newscms:integration";
    public const string KeyClaim = "newscms:integration-key";

    /// <summary>The longest life a token may claim (exp − iat).</summary>
    public static readonly TimeSpan MaxTokenLife = TimeSpan.FromMinutes(5);

    /// <summary>The audiences the clients send: "/admin/" (v5 and later) and the older versioned prefixes.</summary>
    public static readonly string[] Audiences = ["/admin/", "/v2/admin/", "/v3/admin/", "/v4/admin/", "/canary/admin/"];

    public static AuthenticationBuilder AddGhostAdminKeys(this AuthenticationBuilder authentication)
    {
        authentication.Services.AddOptions<JwtBearerOptions>(Scheme).Configure<IntegrationKeyTable, TimeProvider>((options, keys, clock) =>
        {
            options.MapInboundClaims = false;
            options.TimeProvider = clock;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = false,
                ValidateAudience = true,
                ValidAudiences = Audiences,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ClockSkew = TimeSpan.FromSeconds(30),
                IssuerSigningKeyResolver = (_, _, kid, _) =>
                    keys.FindAdminKey(kid) is { } key ? [new SymmetricSecurityKey(Convert.FromHexString(key.Secret)) { KeyId = kid }] : [],
            };
            options.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    var header = context.Request.Headers.Authorization.ToString();
                    if (header.StartsWith("Ghost ", StringComparison.OrdinalIgnoreCase)) context.Token = header["Ghost ".Length..].Trim();
                    else context.NoResult();
                    return Task.CompletedTask;
                },
                OnTokenValidated = context => BecomeIntegrationAsync(context, keys),
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    var reason = context.AuthenticateFailure is { } failure ? Reason(failure) : context.ErrorDescription ?? "Authorization header format is \"Authorization: Ghost [token]\"";
                    await GhostErrors.Unauthorized(reason, context.AuthenticateFailure is null && context.Error is null ? "Authorization failed" : "Invalid token")
                        .ExecuteAsync(context.HttpContext);
                },
                OnForbidden = context => GhostErrors.NoPermission("This key may not use the Admin API.").ExecuteAsync(context.HttpContext),
            };
        });
        authentication.AddJwtBearer(Scheme, _ => { });
        authentication.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .RequireClaim(IntegrationClaim));
        return authentication;
    }

    /// <summary>
    /// Replaces the token's claims with the integration account's, as the newsroom's services read them (user id and
    /// security stamp), after checking the token's life and that the key and account still exist.
    /// </summary>
    private static async Task BecomeIntegrationAsync(TokenValidatedContext context, IntegrationKeyTable keys)
    {
        var token = context.SecurityToken;
        var kid = (token as Microsoft.IdentityModel.JsonWebTokens.JsonWebToken)?.Kid;
        var issuedAt = (token as Microsoft.IdentityModel.JsonWebTokens.JsonWebToken)?.IssuedAt;
        if (issuedAt is null || issuedAt == DateTime.MinValue || token.ValidTo - issuedAt > MaxTokenLife + TimeSpan.FromSeconds(1))
        {
            context.Fail("Token lifetime is invalid: it must be at most 5 minutes.");
            return;
        }
        if (keys.FindAdminKey(kid) is not { } key)
        {
            context.Fail("Unknown Admin API Key");
            return;
        }
        var services = context.HttpContext.RequestServices;
        var claimTypes = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        await using var db = await services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(context.HttpContext.RequestAborted);
        var account = await db.Users.AsNoTracking().Where(u => u.Id == key.UserId && u.IsIntegration)
            .Select(u => new { u.DisplayName, u.SecurityStamp }).FirstOrDefaultAsync(context.HttpContext.RequestAborted);
        if (account is null)
        {
            context.Fail("Unknown Admin API Key");
            return;
        }
        keys.RecordUse(key);
        var identity = new ClaimsIdentity(
        [
            new Claim(claimTypes.UserIdClaimType, key.UserId),
            new Claim(claimTypes.UserNameClaimType, account.DisplayName),
            new Claim(claimTypes.SecurityStampClaimType, account.SecurityStamp ?? ""),
            new Claim(IntegrationClaim, key.IntegrationId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(KeyClaim, key.KeyId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ], Scheme, claimTypes.UserNameClaimType, claimTypes.RoleClaimType);
        context.Principal = new ClaimsPrincipal(identity);
    }

    private static string Reason(Exception failure) => failure switch
    {
        SecurityTokenExpiredException => "jwt expired",
        SecurityTokenInvalidAudienceException => "jwt audience invalid. expected: /admin/",
        SecurityTokenSignatureKeyNotFoundException => "Unknown Admin API Key",
        SecurityTokenInvalidSignatureException => "invalid signature",
        SecurityTokenNoExpirationException => "jwt must have an expiry",
        _ => failure.Message.Length > 200 ? "invalid token" : failure.Message,
    };
}
