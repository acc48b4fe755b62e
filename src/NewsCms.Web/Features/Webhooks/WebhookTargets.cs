using System.Net;
using System.Net.Sockets;

namespace NewsCms.Web.Features.Webhooks;

/// <summary>
/// Where a webhook may send (protection against server-side request forgery): a full http(s) address whose host is
/// not a loopback, link-local, private, shared (CGNAT), unspecified, multicast or reserved address, unless
/// <see cref="WebhookOptions.AllowPrivateTargets"/>. Checked when a webhook is saved (<see cref="Validate"/>, which
/// cannot resolve names: DNS may answer differently later) and again at every connection
/// (<see cref="ConnectAsync"/>, on the address actually connected to), which covers names and DNS rebinding.
/// </summary>
public static class WebhookTargets
{
    public const string NotHttp = "The target URL must be a full http:// or https:// address.";

    public static string PrivateRefused(string host) =>
        $"The target {host} is a loopback, link-local or private address; webhooks may only call public addresses.";

    /// <summary>Null when <paramref name="url"/> may be a webhook's target, otherwise why not (shown to the user as is).</summary>
    public static string? Validate(string? url, bool allowPrivateTargets)
    {
        if (string.IsNullOrWhiteSpace(url)) return "Enter the target URL.";
        url = url.Trim();
        if (url.Length > 2000) return "The target URL is too long (at most 2,000 characters).";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            return NotHttp;
        }
        if (allowPrivateTargets) return null;
        // Uri has already turned the odd spellings of an address (2130706433, 0x7f.1) into the usual one.
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            return IsPublic(address) ? null : PrivateRefused(uri.Host);
        }
        var host = uri.IdnHost.TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return PrivateRefused(uri.Host);
        }
        return null;
    }

    /// <summary>Whether <paramref name="address"/> is on the public internet (IPv4-mapped and NAT64 forms judged by their IPv4 address).</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork) return IsPublicV4(address.GetAddressBytes());
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;

        var b = address.GetAddressBytes();
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast) return false;
        if ((b[0] & 0xFE) == 0xFC) return false; // fc00::/7, unique local
        // ::/96 (unspecified, loopback and the old IPv4-compatible form): nothing public.
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0) return false;
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address, which decides.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0) return IsPublicV4(b[12..]);
        if (b[0] == 0x20 && b[1] == 0x02) return IsPublicV4(b[2..6]);
        // Teredo (2001:0::/32) tunnels to addresses it hides.
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) return false;
        return true;
    }

    private static bool IsPublicV4(ReadOnlySpan<byte> b) => !(
        b[0] == 0                                        // 0.0.0.0/8, "this network"
        || b[0] == 10                                    // 10/8, private
        || b[0] == 127                                   // loopback
        || (b[0] == 169 && b[1] == 254)                  // link-local (cloud metadata lives here)
        || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)     // 172.16/12, private
        || (b[0] == 192 && b[1] == 168)                  // 192.168/16, private
        || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)    // 100.64/10, shared address space (CGNAT)
        || (b[0] == 192 && b[1] == 0 && b[2] == 0)       // 192.0.0/24, protocol assignments
        || (b[0] == 198 && (b[1] == 18 || b[1] == 19))   // 198.18/15, benchmarking
        || b[0] >= 224);                                 // multicast, reserved and broadcast

    /// <summary>
    /// The delivery client's connection step: resolves the host, keeps only the addresses that may be called, and
    /// connects to one of them; with none left it refuses (<see cref="WebhookTargetRefusedException"/>), so a name
    /// that resolves (or is rebound) to a private address is never called.
    /// </summary>
    internal static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowPrivateTargets, CancellationToken ct)
    {
        var host = endPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = allowPrivateTargets ? addresses : addresses.Where(IsPublic).ToArray();
        if (allowed.Length == 0)
        {
            throw new WebhookTargetRefusedException(addresses.Length == 0
                ? $"The target {host} has no address."
                : PrivateRefused(addresses.Length == 1 && addresses[0].ToString() == host ? host : $"{host} ({string.Join(", ", addresses.Select(a => a.ToString()))})"));
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A delivery refused before connecting: its target is not an address webhooks may call.</summary>
public sealed class WebhookTargetRefusedException(string message) : IOException(message);
