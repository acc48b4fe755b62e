using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace NewsCms.Web.Data;

public static class DatabaseSetup
{
    public const string ConnectionStringName = "NewsCms";
    public const string SettingName = "ConnectionStrings:" + ConnectionStringName;

    /// <summary>
    /// Registers the context factory (and, through it, a scoped context for Identity). The connection string is read
    /// when the first context is made, so configuration added later (tests, environment) is honoured.
    /// </summary>
    public static WebApplicationBuilder AddNewsCmsDatabase(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DatabaseLocation>();
        builder.Services.AddSingleton<SqlitePragmas>();
        builder.Services.AddSingleton(services => SiteLock.HoldWhileRunning(services.GetRequiredService<DatabaseLocation>()));
        builder.Services.AddDbContextFactory<NewsCmsDbContext>((services, options) =>
        {
            var location = services.GetRequiredService<DatabaseLocation>();
            options.UseSqlite(location.ConnectionString)
                .AddInterceptors(services.GetRequiredService<SqlitePragmas>())
                // Others registered as IInterceptor (the tests' query counter) join in.
                .AddInterceptors(services.GetServices<IInterceptor>());
        });
        builder.Services.AddDatabaseDeveloperPageExceptionFilter();
        return builder;
    }

    /// <summary>
    /// Applies pending migrations and switches the file to WAL. A file that cannot be opened or written stops
    /// start-up with a message naming the path and the setting, instead of carrying on with no database.
    /// </summary>
    public static async Task MigrateNewsCmsDatabaseAsync(this WebApplication app)
    {
        var location = app.Services.GetRequiredService<DatabaseLocation>();
        // Held until the app stops: a restore refuses to replace the files of a running site.
        app.Services.GetRequiredService<SiteLock>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("NewsCms.Database");
        try
        {
            await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
            var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
            await db.Database.MigrateAsync();
            var journalMode = await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode=WAL").ToListAsync();
            logger.LogInformation(
                "Database {Path} is up to date ({Applied} migration(s) applied now, journal mode {JournalMode}).",
                location.FilePath, pending.Count, journalMode.FirstOrDefault());
        }
        catch (SqliteException ex)
        {
            throw new DatabaseUnavailableException(
                $"NewsCms cannot use the database file '{location.FilePath}' (setting {SettingName}): {ex.Message} " +
                "Check that the file is a NewsCms SQLite database and that the folder is writable, or point the setting at another file.",
                ex);
        }
    }
}

public sealed class DatabaseUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Where the SQLite file is: a relative path in the setting is taken from the app's content root.</summary>
public sealed class DatabaseLocation
{
    public DatabaseLocation(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetConnectionString(DatabaseSetup.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException($"The setting {DatabaseSetup.SettingName} is empty: set it to e.g. 'Data Source=data/newscms.db'.");
        }

        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(configured);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"The setting {DatabaseSetup.SettingName} is not a valid SQLite connection string: {ex.Message}", ex);
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:")
        {
            throw new InvalidOperationException($"The setting {DatabaseSetup.SettingName} must name a database file (Data Source=...).");
        }

        FilePath = Path.GetFullPath(builder.DataSource, environment.ContentRootPath);
        var folder = Path.GetDirectoryName(FilePath)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DatabaseUnavailableException(
                $"NewsCms cannot create the folder '{folder}' for its database (setting {DatabaseSetup.SettingName}): {ex.Message}", ex);
        }

        builder.DataSource = FilePath;
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        ConnectionString = builder.ToString();
        Folder = folder;
    }

    public string FilePath { get; }
    public string Folder { get; }
    public string ConnectionString { get; }
}

/// <summary>Sets the per-connection pragmas SQLite does not keep in the file.</summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
