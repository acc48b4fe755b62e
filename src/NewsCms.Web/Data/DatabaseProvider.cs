using Microsoft.Data.Sqlite;
using Npgsql;

namespace NewsCms.Web.Data;

/// <summary>The databases NewsCms runs on: <c>NewsCms:Database:Provider</c>.</summary>
public enum DatabaseProvider
{
    /// <summary>One file beside the app: the default, for a site on one machine.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server, shared by several nodes.</summary>
    PostgreSQL,
}

public static class DatabaseProviderSetting
{
    public const string Name = "NewsCms:Database:Provider";

    /// <summary>The configured provider (Sqlite when the setting is empty); a name it does not know stops start-up, naming the setting.</summary>
    public static DatabaseProvider Read(IConfiguration configuration)
    {
        var value = configuration[Name];
        if (string.IsNullOrWhiteSpace(value)) return DatabaseProvider.Sqlite;
        return Enum.TryParse<DatabaseProvider>(value.Trim(), ignoreCase: true, out var provider) && Enum.IsDefined(provider)
            ? provider
            : throw new InvalidOperationException($"The setting {Name} is '{value}': it must be Sqlite (the default) or PostgreSQL.");
    }
}

/// <summary>
/// Where the database is, and the site's data folder (keys of old sites, the default media folder): the SQLite
/// file's folder, or <c>data</c> under the app's content root on PostgreSQL. A relative SQLite path in the setting is
/// taken from the content root.
/// </summary>
public sealed class DatabaseLocation
{
    public DatabaseLocation(IConfiguration configuration, IHostEnvironment environment)
    {
        Provider = DatabaseProviderSetting.Read(configuration);
        var configured = configuration.GetConnectionString(DatabaseSetup.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(Provider == DatabaseProvider.Sqlite
                ? $"The setting {DatabaseSetup.SettingName} is empty: set it to e.g. 'Data Source=data/newscms.db'."
                : $"The setting {DatabaseSetup.SettingName} is empty: set it to the PostgreSQL server, e.g. 'Host=db.internal;Database=newscms;Username=newscms;Password=…'.");
        }

        if (Provider == DatabaseProvider.PostgreSQL)
        {
            NpgsqlConnectionStringBuilder postgres;
            try
            {
                postgres = new NpgsqlConnectionStringBuilder(configured);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"The setting {DatabaseSetup.SettingName} is not a valid PostgreSQL connection string: {ex.Message}", ex);
            }
            // Npgsql's pool grows to 100 connections by default, PostgreSQL's own default max_connections: one busy
            // node could take them all, and the server then refuses every other ("53300: too many clients already").
            // Unless the setting names a size, a node keeps at most DefaultPostgreSqlPoolSize; a request beyond them
            // waits for one to be free.
            if (!Names(configured, "MaxPoolSize", "MaximumPoolSize")) postgres.MaxPoolSize = DefaultPostgreSqlPoolSize;
            // The app runs the same few statements over and over (a page's queries are compiled once): Npgsql then
            // prepares each on the connection once it has run a few times, and PostgreSQL skips parsing and planning
            // it on every later run. Off when the setting names its own Max Auto Prepare (0 for a PgBouncer in
            // transaction mode without max_prepared_statements).
            if (!Names(configured, "MaxAutoPrepare")) postgres.MaxAutoPrepare = DefaultPostgreSqlAutoPrepare;
            ConnectionString = postgres.ConnectionString;
            Description = $"PostgreSQL database '{postgres.Database}' on {postgres.Host}:{postgres.Port}";
            Folder = CreateFolder(Path.Combine(environment.ContentRootPath, "data"));
            return;
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

        var filePath = Path.GetFullPath(builder.DataSource, environment.ContentRootPath);
        Folder = CreateFolder(Path.GetDirectoryName(filePath)!);
        builder.DataSource = filePath;
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        ConnectionString = builder.ToString();
        sqliteFilePath = filePath;
        Description = $"database file '{filePath}'";
    }

    private readonly string? sqliteFilePath;

    public DatabaseProvider Provider { get; }

    /// <summary>The SQLite file (only on SQLite: the file-based backup, restore and site lock use it).</summary>
    public string FilePath => sqliteFilePath ?? throw new InvalidOperationException("A PostgreSQL site has no database file.");

    public string Folder { get; }
    public string ConnectionString { get; }

    /// <summary>Connections a node keeps to PostgreSQL when its connection string does not say (three nodes stay under the server's default 100).</summary>
    public const int DefaultPostgreSqlPoolSize = 30;

    /// <summary>Statements each PostgreSQL connection keeps prepared when its connection string does not say (the most used).</summary>
    public const int DefaultPostgreSqlAutoPrepare = 100;

    /// <summary>Whether the connection string sets one of these keys (spaces and case aside).</summary>
    private static bool Names(string connectionString, params string[] keys) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "", StringComparison.Ordinal))
            .Any(key => keys.Any(k => key.Equals(k, StringComparison.OrdinalIgnoreCase)));

    /// <summary>For messages: the file, or the server and database.</summary>
    public string Description { get; }

    private static string CreateFolder(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            return folder;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DatabaseUnavailableException(
                $"NewsCms cannot create the folder '{folder}' for its data (setting {DatabaseSetup.SettingName}): {ex.Message}", ex);
        }
    }
}
