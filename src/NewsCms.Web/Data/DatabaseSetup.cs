using System.Data.Common;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace NewsCms.Web.Data;

public static class DatabaseSetup
{
    public const string ConnectionStringName = "NewsCms";
    public const string SettingName = "ConnectionStrings:" + ConnectionStringName;

    /// <summary>
    /// Registers the context factory (and, through it, a scoped context for Identity) for the configured provider.
    /// Everything asks for <see cref="NewsCmsDbContext"/>; on PostgreSQL it is a <see cref="PostgreSqlDbContext"/>,
    /// whose migrations are PostgreSQL's. The settings are read when the first context is made, so configuration
    /// added later (tests, environment) is honoured.
    /// </summary>
    public static WebApplicationBuilder AddNewsCmsDatabase(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<DatabaseLocation>();
        services.AddSingleton<SqlitePragmas>();
        services.AddSingleton(provider => SiteLock.HoldWhileRunning(provider.GetRequiredService<DatabaseLocation>()));

        // The provider is known only once configuration is complete, so both factories are registered and the one
        // the site uses is picked on first use. Pooled: a context (its services, its connection object with EF's
        // functions and collations) is reset and reused instead of built for each render's queries.
        services.AddPooledDbContextFactory<NewsCmsDbContext>((provider, options) =>
            Configure(options, provider, (o, location) => o.UseSqlite(location.ConnectionString)
                .AddInterceptors(provider.GetRequiredService<SqlitePragmas>())));
        services.AddPooledDbContextFactory<PostgreSqlDbContext>((provider, options) =>
            Configure(options, provider, (o, location) => o.UseNpgsql(location.ConnectionString)));
        // EF's pooled factory for SQLite's context stays, under the switch that picks the provider.
        var sqlite = services.Last(d => d.ServiceType == typeof(IDbContextFactory<NewsCmsDbContext>));
        services.Remove(sqlite);
        services.AddSingleton<IDbContextFactory<NewsCmsDbContext>>(provider => new NewsCmsContexts(provider.GetRequiredService<DatabaseLocation>(),
            new Lazy<IDbContextFactory<NewsCmsDbContext>>(() => (IDbContextFactory<NewsCmsDbContext>)(sqlite switch
            {
                { ImplementationFactory: { } factory } => factory(provider),
                { ImplementationType: { } type } => ActivatorUtilities.CreateInstance(provider, type),
                _ => sqlite.ImplementationInstance!,
            })),
            new Lazy<IDbContextFactory<PostgreSqlDbContext>>(provider.GetRequiredService<IDbContextFactory<PostgreSqlDbContext>>)));
        services.AddScoped(provider => provider.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContext());
        services.AddDatabaseDeveloperPageExceptionFilter();
        return builder;
    }

    private static void Configure(DbContextOptionsBuilder options, IServiceProvider provider, Action<DbContextOptionsBuilder, DatabaseLocation> useProvider)
    {
        useProvider(options, provider.GetRequiredService<DatabaseLocation>());
        // Others registered as IInterceptor (the tests' query counter) join in.
        options.AddInterceptors(provider.GetServices<IInterceptor>());
    }

    /// <summary>Makes the context of the configured provider wherever the app asks for a <see cref="NewsCmsDbContext"/>.</summary>
    private sealed class NewsCmsContexts(DatabaseLocation location, Lazy<IDbContextFactory<NewsCmsDbContext>> sqlite,
        Lazy<IDbContextFactory<PostgreSqlDbContext>> postgreSql) : IDbContextFactory<NewsCmsDbContext>
    {
        public NewsCmsDbContext CreateDbContext() => location.Provider == DatabaseProvider.PostgreSQL
            ? postgreSql.Value.CreateDbContext()
            : sqlite.Value.CreateDbContext();

        public Task<NewsCmsDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => Task.FromResult(CreateDbContext());
    }

    /// <summary>
    /// Applies pending migrations (EF takes a database lock, so nodes starting together do this once) and, on SQLite,
    /// switches the file to WAL. A database that cannot be reached, opened or written stops start-up with a message
    /// naming it and the setting, instead of carrying on with no database.
    /// </summary>
    public static async Task MigrateNewsCmsDatabaseAsync(this WebApplication app)
    {
        var location = app.Services.GetRequiredService<DatabaseLocation>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("NewsCms.Database");
        try
        {
            await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
            // A PostgreSQL database that does not exist yet is created first, as migrating would, for the lock to live in.
            if (location.Provider == DatabaseProvider.PostgreSQL && db.GetService<IRelationalDatabaseCreator>() is { } creator && !await creator.ExistsAsync())
            {
                await creator.CreateAsync();
            }
            // Held until the app stops: a restore refuses to replace the database of a running site.
            app.Services.GetRequiredService<SiteLock>();
            // Asked of the history table only when it exists: PostgreSQL would log a failed query on a new database.
            var history = db.GetService<IHistoryRepository>();
            var applied = await history.ExistsAsync() ? (await history.GetAppliedMigrationsAsync()).Select(m => m.MigrationId).ToHashSet() : [];
            var pending = db.Database.GetMigrations().Where(m => !applied.Contains(m)).ToList();
            // Only when there is something to apply: migrating also takes the migration lock and compares the model
            // with the last migration's snapshot, about a tenth of a second of every start. That comparison is a test
            // instead (StartupTests.The_model_has_no_change_that_a_migration_does_not_carry).
            if (pending.Count > 0) await db.Database.MigrateAsync();
            var journalMode = location.Provider == DatabaseProvider.Sqlite
                ? (await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode=WAL").ToListAsync()).FirstOrDefault()
                : null;
            logger.LogInformation("The {Database} is up to date ({Applied} migration(s) applied now{JournalMode}).",
                location.Description, pending.Count, journalMode is null ? "" : ", journal mode " + journalMode);
            await ImportFileKeysAsync(db, location, logger);
        }
        // EF wraps what the server said in "a transient failure" when it asks whether the database exists.
        catch (Exception caught) when (caught is SqliteException or NpgsqlException or TimeoutException || caught.InnerException is NpgsqlException)
        {
            var ex = caught.InnerException as NpgsqlException ?? caught;
            throw new DatabaseUnavailableException(location.Provider == DatabaseProvider.Sqlite
                ? $"NewsCms cannot use the database file '{location.FilePath}' (setting {SettingName}): {ex.Message} " +
                  "Check that the file is a NewsCms SQLite database and that the folder is writable, or point the setting at another file."
                : $"NewsCms cannot use the {location.Description} (settings {SettingName} and {DatabaseProviderSetting.Name}): {ex.Message} " +
                  "Check that the server is running and reachable, that the database exists and that the account may create tables in it.",
                ex);
        }
    }

    /// <summary>
    /// Sites from before the key ring moved into the database kept it in data/keys: those keys are copied in once, so
    /// nobody is signed out by the upgrade.
    /// </summary>
    private static async Task ImportFileKeysAsync(NewsCmsDbContext db, DatabaseLocation location, ILogger logger)
    {
        var folder = Path.Combine(location.Folder, "keys");
        if (!Directory.Exists(folder) || await db.DataProtectionKeys.AnyAsync()) return;
        var files = Directory.GetFiles(folder, "*.xml");
        foreach (var file in files)
        {
            db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = Path.GetFileNameWithoutExtension(file), Xml = await File.ReadAllTextAsync(file) });
        }
        await db.SaveChangesAsync();
        if (files.Length > 0) logger.LogInformation("Moved {Count} Data Protection key(s) from {Folder} into the database.", files.Length, folder);
    }
}

public sealed class DatabaseUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Sets the per-connection pragmas SQLite does not keep in the file, once per physical connection: SQLite's pool hands
/// the same connection (the same native handle) to many contexts, and a fresh public render opens one for each of its
/// queries, so running the pragmas on every open was a statement prepared and run per query. Whoever changes one of
/// these pragmas on a connection calls <see cref="Forget"/>, and the next open sets them again.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";

    // Native handles already set up; a handle SQLite closes is collected, and its entry with it.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Done = new();

    /// <summary>The connection's pragmas were changed (e.g. an import relaxed synchronous): set them again on its next open.</summary>
    public static void Forget(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle }) Done.Remove(handle);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!NeedsPragmas(connection)) return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        Remember(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!NeedsPragmas(connection)) return;
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        Remember(connection);
    }

    private static bool NeedsPragmas(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || !Done.TryGetValue(handle, out _);

    private static void Remember(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle }) Done.AddOrUpdate(handle, Done);
    }
}
