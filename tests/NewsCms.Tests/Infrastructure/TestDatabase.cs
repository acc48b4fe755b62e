using Microsoft.Data.Sqlite;
using Npgsql;
using NewsCms.Web.Data;

namespace NewsCms.Tests.Infrastructure;

/// <summary>A test's own database: its connection string, and its file on SQLite.</summary>
public sealed record TestDatabaseInstance(DatabaseProvider Provider, string ConnectionString, string? FilePath)
{
    /// <summary>
    /// On PostgreSQL, the test's own media folder (a SQLite site keeps its media beside its file by default; a
    /// PostgreSQL one under the app's content root, which all tests would share).
    /// </summary>
    public string? MediaFolder { get; init; }

    /// <summary>The settings that point an app at it.</summary>
    public void ApplyTo(IDictionary<string, string?> settings)
    {
        settings[DatabaseSetup.SettingName] = ConnectionString;
        settings.TryAdd(DatabaseProviderSetting.Name, Provider.ToString());
        if (MediaFolder is not null) settings.TryAdd("NewsCms:Media:Root", MediaFolder);
    }

    /// <summary>Removes it (the file's folder, or the PostgreSQL database).</summary>
    public async Task DropAsync()
    {
        if (FilePath is not null)
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(Path.GetDirectoryName(FilePath)!, recursive: true); } catch (IOException) { }
            return;
        }
        if (MediaFolder is not null)
        {
            try { Directory.Delete(Path.GetDirectoryName(MediaFolder)!, recursive: true); } catch (IOException) { }
        }
        var name = new NpgsqlConnectionStringBuilder(ConnectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await TestDatabase.ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }
}

/// <summary>
/// One migrated database per test run, copied for every test, so migrations run once and no test sees another's
/// data: a SQLite file copied per test, or (in NewsCms.Tests.PostgreSql, built with NEWSCMS_POSTGRESQL) a PostgreSQL
/// database created from a template database. The PostgreSQL server is NEWSCMS_TEST_POSTGRES (a connection string
/// to a database the tests may create databases from), else the local server over its Unix socket as the current
/// user (what .ci/run sets up).
/// </summary>
public static class TestDatabase
{
    public static DatabaseProvider Provider { get; } =
#if NEWSCMS_POSTGRESQL
        DatabaseProvider.PostgreSQL;
#else
        DatabaseProvider.Sqlite;
#endif

    private static readonly string Root = Path.Combine(Path.GetTempPath(), "newscms-tests", Environment.ProcessId.ToString());
    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);
    private static readonly Lazy<Task<string>> PostgreSqlTemplate = new(CreatePostgreSqlTemplateAsync);

    private static string PostgreSqlServer => Environment.GetEnvironmentVariable("NEWSCMS_TEST_POSTGRES") is { Length: > 0 } configured
        ? configured
        : $"Host=/var/run/postgresql;Username={Environment.UserName};Database=postgres";

    /// <summary>A fresh, migrated database of its own, on the provider this test assembly runs on.</summary>
    public static Task<TestDatabaseInstance> NewAsync() => NewAsync(Provider);

    /// <summary>A fresh, migrated database of its own on <paramref name="provider"/> (for the few tests about one provider in any assembly).</summary>
    public static async Task<TestDatabaseInstance> NewAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var path = await NewFileAsync();
            return new TestDatabaseInstance(DatabaseProvider.Sqlite, $"Data Source={path}", path);
        }
        var template = await PostgreSqlTemplate.Value;
        var name = "newscms_test_" + Guid.NewGuid().ToString("N");
        await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" STRATEGY FILE_COPY");
        return PostgreSqlDatabase(name);
    }

    /// <summary>
    /// A database of its own with nothing in it yet, as on a new machine: a path where no file exists, or a new empty
    /// PostgreSQL database (not migrated).
    /// </summary>
    public static async Task<TestDatabaseInstance> NewEmptyAsync()
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            var path = NewEmptyPath();
            return new TestDatabaseInstance(DatabaseProvider.Sqlite, $"Data Source={path}", path);
        }
        var name = "newscms_test_" + Guid.NewGuid().ToString("N");
        await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\"");
        return PostgreSqlDatabase(name);
    }

    /// <summary>A fresh, migrated SQLite database file of its own.</summary>
    public static async Task<string> NewFileAsync()
    {
        var template = await Template.Value;
        var path = NewEmptyPath();
        File.Copy(template, path);
        return path;
    }

    /// <summary>A path in a new folder where no database exists yet.</summary>
    public static string NewEmptyPath()
    {
        var folder = Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, "newscms.db");
    }

    internal static async Task ExecuteOnServerAsync(string sql)
    {
        try
        {
            await using var connection = new NpgsqlConnection(PostgreSqlServer);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException ex) when (ex is not PostgresException)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL tests need a server ({PostgreSqlServer}; set NEWSCMS_TEST_POSTGRES to use another): {ex.Message} " +
                "Install and start it with `apt-get install -y postgresql && pg_ctlcluster 15 main start`, and let this user create databases, or run `bash .ci/run`.", ex);
        }
    }

    private static TestDatabaseInstance PostgreSqlDatabase(string name) =>
        new(DatabaseProvider.PostgreSQL, new NpgsqlConnectionStringBuilder(PostgreSqlServer) { Database = name }.ConnectionString, null)
        {
            MediaFolder = Path.Combine(Path.GetDirectoryName(NewEmptyPath())!, "media"),
        };

    private static async Task<string> CreateTemplateAsync()
    {
        // Migrated by the app's own start-up, so the template is exactly what a first run produces.
        var path = NewEmptyPath();
        await using (var app = NewsCmsAppFactory.OnEmptyPath(path))
        {
            app.CreateClient().Dispose();
        }
        SqliteConnection.ClearAllPools();
        return path;
    }

    private static async Task<string> CreatePostgreSqlTemplateAsync()
    {
        var name = $"newscms_template_{Environment.ProcessId}_{Guid.NewGuid():N}"[..48];
        await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\"");
        var database = PostgreSqlDatabase(name);
        await using (var app = NewsCmsAppFactory.OnDatabase(database))
        {
            app.CreateClient().Dispose();
        }
        NpgsqlConnection.ClearAllPools();
        // Test databases are dropped by their tests; the template goes when the run ends.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => database.DropAsync().GetAwaiter().GetResult();
        return name;
    }
}
