using StackExchange.Redis;

namespace NewsCms.Web.Features.Cluster;

/// <summary>
/// Joining the other nodes of a site. With <c>NewsCms:Redis:Configuration</c> empty the node is alone and the
/// <see cref="MessageBus"/> stays in-process; when it is set the node connects to Redis at start-up (or refuses to
/// start, naming the setting) and the bus, the abuse counters and presence travel through it.
/// </summary>
public static class ClusterSetup
{
    public const string RedisSetting = "NewsCms:Redis:Configuration";

    public static WebApplicationBuilder AddCluster(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RedisConnection>();
        builder.Services.AddSingleton<MessageBus>();
        builder.Services.AddSingleton<NodeLeases>();
        return builder;
    }

    /// <summary>Connects to Redis when it is configured, before the first request; throws with the setting's name when it cannot.</summary>
    public static async Task ConnectClusterAsync(this WebApplication app)
    {
        await app.Services.GetRequiredService<RedisConnection>().ConnectAsync();
        await app.Services.GetRequiredService<MessageBus>().StartAsync();
    }
}

/// <summary>The node's one connection to Redis, or none on a single node.</summary>
public sealed class RedisConnection(IConfiguration configuration, ILogger<RedisConnection> logger) : IAsyncDisposable
{
    private readonly string? configured = configuration[ClusterSetup.RedisSetting];
    private ConnectionMultiplexer? connection;

    /// <summary>Whether this node shares its site with others through Redis.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(configured);

    /// <summary>The connection (after <see cref="ConnectAsync"/>), or null on a single node.</summary>
    public IConnectionMultiplexer? Connection => connection;

    /// <summary>
    /// What this site's keys and channels start with: the configuration's channelPrefix when it has one (so that
    /// several sites, or test runs, can share one Redis server), "newscms" otherwise.
    /// </summary>
    public string Prefix { get; private set; } = "newscms";

    /// <summary>A key of this site's, e.g. Key("signin", "a@b") gives "newscms:signin:a@b".</summary>
    public RedisKey Key(params string[] parts) => Prefix + ":" + string.Join(':', parts);

    /// <summary>Raised when the connection comes back after it was lost: messages sent meanwhile never arrived.</summary>
    public event Action? Restored;

    public async Task ConnectAsync()
    {
        if (!IsConfigured || connection is not null) return;
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(configured!);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"The setting {ClusterSetup.RedisSetting} is not a valid Redis configuration: {ex.Message}", ex);
        }
        if (!options.ChannelPrefix.IsNullOrEmpty) Prefix = options.ChannelPrefix.ToString();
        // The bus adds the prefix to channels itself, like keys, so both stay apart per site.
        options.ChannelPrefix = default;
        options.AbortOnConnectFail = true;
        options.ClientName ??= "newscms-" + Environment.MachineName;
        try
        {
            connection = await ConnectionMultiplexer.ConnectAsync(options);
        }
        catch (RedisConnectionException ex)
        {
            throw new InvalidOperationException(
                $"NewsCms cannot reach Redis at '{string.Join(", ", options.EndPoints)}' (setting {ClusterSetup.RedisSetting}): {ex.Message} " +
                "Start Redis, correct the setting, or leave it empty to run a single node.", ex);
        }
        connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType != ConnectionType.Subscription) return;
            logger.LogWarning("The connection to Redis is back; caches are refreshed, as changes made meanwhile on other nodes were not heard.");
            Restored?.Invoke();
        };
        connection.ConnectionFailed += (_, e) =>
            logger.LogError(e.Exception, "The connection to Redis ({EndPoint}, {Type}) failed: {Failure}.", e.EndPoint, e.ConnectionType, e.FailureType);
        logger.LogInformation("Joined the site's other nodes through Redis at {EndPoints} (prefix {Prefix}).",
            string.Join(", ", options.EndPoints), Prefix);
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null) await connection.DisposeAsync();
    }
}
