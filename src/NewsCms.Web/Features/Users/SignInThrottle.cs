using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;

namespace NewsCms.Web.Features.Users;

/// <summary>Settings under NewsCms:SignIn: how many sign-in attempts, reset e-mails and account posts are allowed per window.</summary>
public sealed class SignInThrottleOptions
{
    public const string Section = "NewsCms:SignIn";

    /// <summary>Attempts from one network address (an IPv6 /64) per window (an office may share one).</summary>
    public int AttemptsPerAddress { get; set; } = 30;

    /// <summary>Attempts at one account per window, from anywhere: slows guessing spread over many addresses.</summary>
    public int AttemptsPerAccount { get; set; } = 10;

    /// <summary>"Forgot your password?" requests from one network address per window.</summary>
    public int ResetRequestsPerAddress { get; set; } = 5;

    /// <summary>"Forgot your password?" requests naming one e-mail address per window, from anywhere: at most this many mails.</summary>
    public int ResetRequestsPerAccount { get; set; } = 3;

    /// <summary>POSTs to any /Account page or endpoint from one network address per window.</summary>
    public int AccountPostsPerAddress { get; set; } = 300;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>A request refused before any work was done: too many lately.</summary>
public sealed class ThrottledSignInResult : SignInResult
{
    public ThrottledSignInResult(TimeSpan retryAfter, string partition, string what = "sign-in attempts")
    {
        RetryAfter = retryAfter;
        Partition = partition;
        What = what;
    }

    public TimeSpan RetryAfter { get; }

    /// <summary>What was over its limit: "address 192.0.2.7", "address 2001:db8::/64" or "account someone@example.com".</summary>
    public string Partition { get; }

    private string What { get; }

    /// <summary>What the page tells the person.</summary>
    public string Message => TooMany(What, RetryAfter);

    /// <summary>Retry-After in whole seconds.</summary>
    public string RetryAfterSeconds => Seconds(RetryAfter);

    private static string TooMany(string what, TimeSpan wait) => $"Too many {what}. Wait {Describe(wait)} and try again.";

    private static string Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static string Describe(TimeSpan wait) => wait.TotalSeconds <= 90 ? $"{Seconds(wait)} seconds" : $"{(int)Math.Ceiling(wait.TotalMinutes)} minutes";
}

/// <summary>
/// Limits sign-in attempts (password, passkey, two-factor and recovery codes) per network address and per account,
/// on top of Identity's lockout: lockout stops guessing at one account's password, this stops spraying many
/// accounts from one address and hammering the two-factor step, and neither lets an attacker lock a person out for long.
/// Password reset requests are limited the same way, so nobody can make the site mail an address without end.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> byAddress;
    private readonly PartitionedRateLimiter<string> byAccount;
    private readonly PartitionedRateLimiter<string> resetsByAddress;
    private readonly PartitionedRateLimiter<string> resetsByAccount;
    private readonly PartitionedRateLimiter<string> accountPosts;

    public SignInThrottle(Microsoft.Extensions.Options.IOptions<SignInThrottleOptions> options)
    {
        var o = options.Value;
        byAddress = Limiter(o.AttemptsPerAddress, o.Window);
        byAccount = Limiter(o.AttemptsPerAccount, o.Window);
        resetsByAddress = Limiter(o.ResetRequestsPerAddress, o.Window);
        resetsByAccount = Limiter(o.ResetRequestsPerAccount, o.Window);
        accountPosts = Limiter(o.AccountPostsPerAddress, o.Window);
    }

    private static PartitionedRateLimiter<string> Limiter(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permits, Window = window, SegmentsPerWindow = 5, QueueLimit = 0, AutoReplenishment = true,
        }), StringComparer.OrdinalIgnoreCase);

    /// <summary>Counts a sign-in attempt; null when it may go ahead, otherwise the refusal with how long to wait.</summary>
    public ThrottledSignInResult? Attempt(string? address, string? account) =>
        Acquire(byAddress, byAccount, address, account, "sign-in attempts");

    /// <summary>Counts a password reset request; null when a mail may be sent.</summary>
    public ThrottledSignInResult? ResetRequest(string? address, string account) =>
        Acquire(resetsByAddress, resetsByAccount, address, account, "password reset requests");

    /// <summary>Counts a POST under /Account from <paramref name="address"/>; null when it may go ahead.</summary>
    public ThrottledSignInResult? AccountPost(string? address) =>
        Acquire(accountPosts, accountPosts, address, account: null, "requests");

    private static ThrottledSignInResult? Acquire(PartitionedRateLimiter<string> addresses, PartitionedRateLimiter<string> accounts,
        string? address, string? account, string what)
    {
        var network = AddressKey(address);
        using var fromAddress = addresses.AttemptAcquire(network);
        if (!fromAddress.IsAcquired) return Refused(fromAddress, "address " + network, what);
        if (string.IsNullOrEmpty(account)) return null;
        using var atAccount = accounts.AttemptAcquire(account.Trim());
        return atAccount.IsAcquired ? null : Refused(atAccount, "account " + account.Trim(), what);
    }

    /// <summary>
    /// The network a client address stands for: an IPv4 address as it is (also when written as IPv4-mapped IPv6),
    /// an IPv6 address by its /64 prefix, since one subscriber or host is given a whole /64 and can use any address in it.
    /// </summary>
    public static string AddressKey(string? address)
    {
        if (address is null || !IPAddress.TryParse(address, out var ip)) return address ?? "unknown";
        return AddressKey(ip);
    }

    public static string AddressKey(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily != AddressFamily.InterNetworkV6) return ip.ToString();
        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static ThrottledSignInResult Refused(RateLimitLease lease, string partition, string what) =>
        new(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1), partition, what);

    public void Dispose()
    {
        byAddress.Dispose();
        byAccount.Dispose();
        resetsByAddress.Dispose();
        resetsByAccount.Dispose();
        accountPosts.Dispose();
    }
}
