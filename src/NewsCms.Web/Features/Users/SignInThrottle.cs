using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using NewsCms.Web.Features.Cluster;
using StackExchange.Redis;

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
/// With Redis configured the counts live there, shared by every node (more nodes must not mean more guesses); when
/// Redis cannot be reached the node counts on its own meanwhile, so an outage makes sign-in neither unlimited nor impossible.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    /// <summary>
    /// A sliding window in Redis, as the local limiter counts: the window in segments, one hash field per segment,
    /// checked and counted in one step. Returns 0 when the attempt may go ahead, otherwise the milliseconds until
    /// enough of the oldest attempts have left the window. Redis's clock, so that every node agrees on the window.
    /// </summary>
    private const string SlidingWindow = """
        local permits, window, segments = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local length = math.floor(window / segments)
        local current = math.floor(now / length)
        local oldest = current - segments + 1
        local counts, total = {}, 0
        local stored = redis.call('HGETALL', KEYS[1])
        for i = 1, #stored, 2 do
          local segment = tonumber(stored[i])
          if segment < oldest then
            redis.call('HDEL', KEYS[1], stored[i])
          else
            counts[segment] = tonumber(stored[i + 1])
            total = total + counts[segment]
          end
        end
        if total < permits then
          redis.call('HINCRBY', KEYS[1], current, 1)
          redis.call('PEXPIRE', KEYS[1], window)
          return 0
        end
        local segment = oldest
        while segment < current do
          total = total - (counts[segment] or 0)
          if total < permits then break end
          segment = segment + 1
        end
        return (segment + segments) * length - now
        """;

    private const int Segments = 5;

    private readonly RedisConnection? redis;
    private readonly ILogger? logger;
    private readonly TimeSpan window;
    private readonly Limit byAddress;
    private readonly Limit byAccount;
    private readonly Limit resetsByAddress;
    private readonly Limit resetsByAccount;
    private readonly Limit accountPosts;
    private int redisFailing;
    private long retryRedisAt;

    /// <summary>After Redis failed a request, how long this node counts on its own before asking Redis again.</summary>
    private static readonly TimeSpan RetryRedisAfter = TimeSpan.FromSeconds(10);

    /// <summary>A throttle counting on this node only.</summary>
    public SignInThrottle(IOptions<SignInThrottleOptions> options)
    {
        var o = options.Value;
        window = o.Window;
        byAddress = new("attempts-address", o.AttemptsPerAddress, o.Window);
        byAccount = new("attempts-account", o.AttemptsPerAccount, o.Window);
        resetsByAddress = new("resets-address", o.ResetRequestsPerAddress, o.Window);
        resetsByAccount = new("resets-account", o.ResetRequestsPerAccount, o.Window);
        accountPosts = new("account-posts", o.AccountPostsPerAddress, o.Window);
    }

    /// <summary>A throttle counting in Redis when it is configured, with this node's count as the fallback.</summary>
    public SignInThrottle(IOptions<SignInThrottleOptions> options, RedisConnection redis, ILogger<SignInThrottle> logger) : this(options)
    {
        this.redis = redis;
        this.logger = logger;
    }

    /// <summary>One limit: its name in Redis, its permits per window, and this node's own count of it.</summary>
    private sealed class Limit(string name, int permits, TimeSpan window) : IDisposable
    {
        public string Name { get; } = name;
        public int Permits { get; } = permits;

        public PartitionedRateLimiter<string> Local { get; } = PartitionedRateLimiter.Create<string, string>(key =>
            RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = permits, Window = window, SegmentsPerWindow = Segments, QueueLimit = 0, AutoReplenishment = true,
            }), StringComparer.OrdinalIgnoreCase);

        public void Dispose() => Local.Dispose();
    }

    /// <summary>Counts a sign-in attempt; null when it may go ahead, otherwise the refusal with how long to wait.</summary>
    public Task<ThrottledSignInResult?> AttemptAsync(string? address, string? account) =>
        AcquireAsync(byAddress, byAccount, address, account, "sign-in attempts");

    /// <summary>Counts a password reset request; null when a mail may be sent.</summary>
    public Task<ThrottledSignInResult?> ResetRequestAsync(string? address, string account) =>
        AcquireAsync(resetsByAddress, resetsByAccount, address, account, "password reset requests");

    /// <summary>Counts a POST under /Account from <paramref name="address"/>; null when it may go ahead.</summary>
    public Task<ThrottledSignInResult?> AccountPostAsync(string? address) =>
        AcquireAsync(accountPosts, accountPosts, address, account: null, "requests");

    private async Task<ThrottledSignInResult?> AcquireAsync(Limit addresses, Limit accounts, string? address, string? account, string what)
    {
        var network = AddressKey(address);
        if (await TakeAsync(addresses, network) is { } wait) return new(wait, "address " + network, what);
        if (string.IsNullOrEmpty(account)) return null;
        var name = account.Trim();
        return await TakeAsync(accounts, name) is { } waitForAccount ? new(waitForAccount, "account " + name, what) : null;
    }

    /// <summary>Counts one request against <paramref name="partition"/>'s limit: null when allowed, else how long to wait.</summary>
    private async Task<TimeSpan?> TakeAsync(Limit limit, string partition)
    {
        if (redis?.Connection is { } connection)
        {
            try
            {
                // While the connection is known to be down, or after a failure, each command could wait for its
                // timeout: count here at once, and try Redis again a little later.
                if (connection.IsConnected && Environment.TickCount64 >= Interlocked.Read(ref retryRedisAt))
                {
                    var wait = (long)await connection.GetDatabase().ScriptEvaluateAsync(SlidingWindow,
                        [redis.Key("signin", limit.Name, partition.ToLowerInvariant())],
                        [limit.Permits, (long)window.TotalMilliseconds, Segments]);
                    if (Interlocked.Exchange(ref redisFailing, 0) == 1) logger?.LogWarning("Sign-in limits are counted in Redis again, across nodes.");
                    return wait == 0 ? null : TimeSpan.FromMilliseconds(wait);
                }
                Failing(null);
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                Failing(ex);
            }
        }
        using var lease = limit.Local.AttemptAcquire(partition);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
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

    /// <summary>Says once per outage that the limits are counted per node meanwhile.</summary>
    private void Failing(Exception? ex)
    {
        if (ex is not null) Interlocked.Exchange(ref retryRedisAt, Environment.TickCount64 + (long)RetryRedisAfter.TotalMilliseconds);
        if (Interlocked.Exchange(ref redisFailing, 1) == 0)
        {
            logger?.LogError(ex, "Sign-in limits cannot reach Redis; this node counts on its own until it is back.");
        }
    }

    public void Dispose()
    {
        byAddress.Dispose();
        byAccount.Dispose();
        resetsByAddress.Dispose();
        resetsByAccount.Dispose();
        accountPosts.Dispose();
    }
}
