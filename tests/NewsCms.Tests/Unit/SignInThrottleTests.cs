using Microsoft.Extensions.Options;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Unit;

public class SignInThrottleTests
{
    private static SignInThrottle Throttle(int perAddress) =>
        new(Options.Create(new SignInThrottleOptions { AttemptsPerAddress = perAddress, AttemptsPerAccount = 100, Window = TimeSpan.FromMinutes(5) }));

    [Fact]
    public async Task An_IPv6_client_is_limited_per_64_bit_prefix_not_per_single_address()
    {
        using var throttle = Throttle(perAddress: 2);
        // One household or host gets a whole /64 and can pick any address in it for each attempt.
        Assert.Null(await throttle.AttemptAsync("2001:db8:1:2::1", null));
        Assert.Null(await throttle.AttemptAsync("2001:db8:1:2:aaaa::2", null));
        Assert.NotNull(await throttle.AttemptAsync("2001:db8:1:2:ffff:ffff:ffff:3", null));
        // The neighbouring /64 is someone else.
        Assert.Null(await throttle.AttemptAsync("2001:db8:1:3::1", null));
    }

    [Fact]
    public async Task An_IPv4_client_is_limited_per_address_also_when_written_as_IPv6()
    {
        using var throttle = Throttle(perAddress: 2);
        Assert.Null(await throttle.AttemptAsync("192.0.2.7", null));
        Assert.Null(await throttle.AttemptAsync("::ffff:192.0.2.7", null));
        Assert.NotNull(await throttle.AttemptAsync("192.0.2.7", null));
        Assert.Null(await throttle.AttemptAsync("192.0.2.8", null));
    }
}
