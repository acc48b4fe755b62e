using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NewsCms.Tests.Infrastructure;

/// <summary>
/// Signs Ghost Admin API tokens exactly as the official client's token.js does (jsonwebtoken: HS256 with the hex-decoded
/// secret, header kid = the key's id, payload iat, exp = iat + 5 minutes, aud), with knobs to break each part.
/// </summary>
public static class GhostAdminToken
{
    public static string Sign(string adminKey, string audience = "/admin/", DateTimeOffset? issuedAt = null, TimeSpan? life = null,
        string? kid = null, string? secretHex = null, string algorithm = "HS256")
    {
        var parts = adminKey.Split(':');
        var iat = (issuedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var exp = iat + (long)(life ?? TimeSpan.FromMinutes(5)).TotalSeconds;
        var header = JsonSerializer.Serialize(new Dictionary<string, object> { ["alg"] = algorithm, ["typ"] = "JWT", ["kid"] = kid ?? parts[0] });
        var payload = JsonSerializer.Serialize(new Dictionary<string, object> { ["iat"] = iat, ["exp"] = exp, ["aud"] = audience });
        var signed = Base64Url(Encoding.UTF8.GetBytes(header)) + "." + Base64Url(Encoding.UTF8.GetBytes(payload));
        var signature = HMACSHA256.HashData(Convert.FromHexString(secretHex ?? parts[1]), Encoding.ASCII.GetBytes(signed));
        return signed + "." + Base64Url(signature);
    }

    /// <summary>The Authorization header value the client sends.</summary>
    public static string Header(string adminKey, string audience = "/admin/") => "Ghost " + Sign(adminKey, audience);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
