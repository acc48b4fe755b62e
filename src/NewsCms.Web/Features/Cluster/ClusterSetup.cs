using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Settings;
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
        var redis = app.Services.GetRequiredService<RedisConnection>();
        if (redis.IsConfigured)
        {
            var siteId = await SiteId.GetOrCreateAsync(app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>());
            await redis.ConnectAsync(defaultPrefix: "newscms-" + siteId);
        }
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
    /// What this site's keys and channels start with: the configuration's channelPrefix when it has one, else one
    /// made from the site's id in its database (<see cref="SiteId"/>), so that several sites can share one Redis server
    /// and every node of one site, whatever host name it gives the database, agrees.
    /// </summary>
    public string Prefix { get; private set; } = "newscms";

    /// <summary>A key of this site's, e.g. Key("signin", "a@b") gives "newscms:signin:a@b".</summary>
    public RedisKey Key(params string[] parts) => Prefix + ":" + string.Join(':', parts);

    /// <summary>Raised when the connection comes back after it was lost: messages sent meanwhile never arrived.</summary>
    public event Action? Restored;

    public async Task ConnectAsync(string? defaultPrefix = null)
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
        else if (defaultPrefix is not null) Prefix = defaultPrefix;
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

/// <summary>A random id the site keeps in its database from its first start with Redis: the same for all its nodes.</summary>
public static class SiteId
{
    public const string SettingKey = "Cluster.SiteId";

    public static async Task<string> GetOrCreateAsync(IDbContextFactory<NewsCmsDbContext> dbFactory)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        if (await ReadAsync(db) is { } existing) return existing;
        var id = Guid.NewGuid().ToString("N")[..12];
        db.SiteSettings.Add(new SiteSetting { Key = SettingKey, Value = id, UpdatedAt = DateTime.UtcNow });
        try
        {
            await db.SaveChangesAsync();
            return id;
        }
        catch (DbUpdateException)
        {
            // Another node starting at the same moment made it first.
            await using var again = await dbFactory.CreateDbContextAsync();
            return (await ReadAsync(again))!;
        }
    }

    private static Task<string?> ReadAsync(NewsCmsDbContext db) =>
        db.SiteSettings.AsNoTracking().Where(s => s.Key == SettingKey).Select(s => s.Value).FirstOrDefaultAsync();
}
