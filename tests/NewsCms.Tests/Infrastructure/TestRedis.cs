using StackExchange.Redis;

namespace NewsCms.Tests.Infrastructure;

/// <summary>
/// The Redis server the cluster tests use: NEWSCMS_TEST_REDIS (StackExchange.Redis syntax), else 127.0.0.1:6379
/// (Debian's redis-server, which .ci/run installs and starts). Each call gives a configuration with a channel prefix
/// of its own, so tests running side by side on one server never hear each other.
/// </summary>
public static class TestRedis
{
    public static string Server => Environment.GetEnvironmentVariable("NEWSCMS_TEST_REDIS") is { Length: > 0 } configured ? configured : "127.0.0.1:6379";

    private static readonly Lazy<Task> Reachable = new(async () =>
    {
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(Server + ",connectTimeout=3000");
            await connection.GetDatabase().PingAsync();
        }
        catch (RedisConnectionException ex)
        {
            throw new InvalidOperationException(
                $"The cluster tests need Redis at {Server} (NEWSCMS_TEST_REDIS): {ex.Message} " +
                "Install and start it with `apt-get install -y redis-server && redis-server --daemonize yes --bind 127.0.0.1`, or run `bash .ci/run`.", ex);
        }
    });

    /// <summary>A value for NewsCms:Redis:Configuration that no other test shares.</summary>
    public static async Task<string> NewConfigurationAsync()
    {
        await Reachable.Value;
        return $"{Server},channelPrefix=test-{Guid.NewGuid():N}";
    }
}
