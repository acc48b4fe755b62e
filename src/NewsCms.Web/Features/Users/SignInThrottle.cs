using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;

namespace NewsCms.Web.Features.Users;

/// <summary>Settings under NewsCms:SignIn: how many sign-in attempts are allowed per window.</summary>
public sealed class SignInThrottleOptions
{
    public const string Section = "NewsCms:SignIn";

    /// <summary>Attempts from one network address per window (an office may share one).</summary>
    public int AttemptsPerAddress { get; set; } = 30;

    /// <summary>Attempts at one account per window, from anywhere: slows guessing spread over many addresses.</summary>
    public int AttemptsPerAccount { get; set; } = 10;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>A sign-in refused before the password was even checked: too many attempts lately.</summary>
public sealed class ThrottledSignInResult : SignInResult
{
    public ThrottledSignInResult(TimeSpan retryAfter) => RetryAfter = retryAfter;

    public TimeSpan RetryAfter { get; }

    /// <summary>What the sign-in page tells the person.</summary>
    public string Message => $"Too many sign-in attempts. Wait {Describe(RetryAfter)} and try again.";

    private static string Describe(TimeSpan wait) => wait.TotalSeconds <= 90 ? $"{Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} seconds" : $"{(int)Math.Ceiling(wait.TotalMinutes)} minutes";
}

/// <summary>
/// Limits sign-in attempts (password, passkey, two-factor and recovery codes) per network address and per account,
/// on top of Identity's lockout: lockout stops guessing at one account's password, this stops spraying many
/// accounts from one address and hammering the two-factor step, and neither lets an attacker lock a person out for long.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> byAddress;
    private readonly PartitionedRateLimiter<string> byAccount;

    public SignInThrottle(Microsoft.Extensions.Options.IOptions<SignInThrottleOptions> options)
    {
        var o = options.Value;
        byAddress = Limiter(o.AttemptsPerAddress, o.Window);
        byAccount = Limiter(o.AttemptsPerAccount, o.Window);
    }

    private static PartitionedRateLimiter<string> Limiter(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permits, Window = window, SegmentsPerWindow = 5, QueueLimit = 0, AutoReplenishment = true,
        }), StringComparer.OrdinalIgnoreCase);

    /// <summary>Counts an attempt; null when it may go ahead, otherwise the refusal with how long to wait.</summary>
    public ThrottledSignInResult? Attempt(string? address, string? account)
    {
        using var fromAddress = byAddress.AttemptAcquire(address ?? "unknown");
        if (!fromAddress.IsAcquired) return Refused(fromAddress);
        if (string.IsNullOrEmpty(account)) return null;
        using var atAccount = byAccount.AttemptAcquire(account);
        return atAccount.IsAcquired ? null : Refused(atAccount);
    }

    private static ThrottledSignInResult Refused(RateLimitLease lease) =>
        new(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1));

    public void Dispose()
    {
        byAddress.Dispose();
        byAccount.Dispose();
    }
}
