using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace NewsCms.Web.Features.Integrations;

/// <summary>
/// The two key formats the official Ghost clients check, and how their secret parts are kept: a Content API key is 26
/// hex characters; an Admin API key is "id:secret", a 24-hex id and a 64-hex secret (the secret, hex-decoded, signs
/// the caller's tokens with HS256).
/// </summary>
public static class IntegrationKeys
{
    /// <summary>The Data Protection purpose of integration key secrets.</summary>
    public const string ProtectionPurpose = "NewsCms.Integrations.KeySecret";

    public static string NewContentKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(13));

    public static (string Id, string Secret) NewAdminKey() =>
        (Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));

    /// <summary>How an Admin API key is written for the caller: "id:secret".</summary>
    public static string AdminKeyText(string id, string secret) => id + ":" + secret;

    /// <summary>A Content API key's <see cref="IntegrationKey.LookupId"/>: its SHA-256 in lower-case hex.</summary>
    public static string ContentLookupId(string contentKey) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(contentKey)));

    public static bool IsContentKeyFormat(string? key) => key is { Length: 26 } && key.All(char.IsAsciiHexDigitLower);

    public static bool IsAdminKeyIdFormat(string? id) => id is { Length: 24 } && id.All(char.IsAsciiHexDigitLower);

    public static IDataProtector Protector(IDataProtectionProvider provider) => provider.CreateProtector(ProtectionPurpose);

    /// <summary>A new key row with its secret protected; <paramref name="secret"/> is the whole content key or the admin secret.</summary>
    public static IntegrationKey NewRow(IDataProtector protector, IntegrationKeyKind kind, string lookupId, string secret, DateTime now) => new()
    {
        Kind = kind,
        LookupId = lookupId,
        ProtectedSecret = protector.Protect(secret),
        CreatedAt = now,
    };
}
