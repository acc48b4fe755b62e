using Microsoft.Data.Sqlite;
using NewsCms.Web.Data;
using Npgsql;

namespace NewsCms.Benchmarks.Seeding;

/// <summary>
/// A database the harness seeds and measures: a SQLite file, or a PostgreSQL database of its own, created for the run
/// and dropped with <see cref="DisposeAsync"/>. Gives the app's context on it and the settings the app runs with.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    public const string Sqlite = "Sqlite";
    public const string PostgreSql = "PostgreSQL";

    private readonly string? adminConnectionString;
    private readonly bool keep;

    private BenchDatabase(string provider, string connectionString, string? path, string? name, string? adminConnectionString, bool keep, string? owner)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Path = path;
        Name = name;
        this.adminConnectionString = adminConnectionString;
        this.keep = keep;
        Owner = owner;
    }

    public string Provider { get; }
    public bool IsPostgreSql => Provider == PostgreSql;

    /// <summary>What the app is given as <c>ConnectionStrings:NewsCms</c>.</summary>
    public string ConnectionString { get; }

    /// <summary>The SQLite file; null on PostgreSQL.</summary>
    public string? Path { get; }

    /// <summary>The PostgreSQL database's name; null on SQLite.</summary>
    public string? Name { get; }

    /// <summary>On PostgreSQL, the role the seeder creates the tables as (the cluster's nodes sign in as it); null: the admin's own.</summary>
    public string? Owner { get; }

    /// <summary>Where the report says the data lives.</summary>
    public string Description => Path ?? $"PostgreSQL database {Name}";

    /// <summary>A SQLite file (kept: the caller decides, as before, whether the folder goes at the end).</summary>
    public static BenchDatabase SqliteFile(string path) => new(Sqlite, $"Data Source={path}", path, null, null, keep: true, null);

    /// <summary>
    /// A fresh PostgreSQL database <paramref name="name"/> on the server <paramref name="adminConnectionString"/> reaches
    /// (a role that may create databases; its Database is ignored), dropped first if a run that was stopped left it.
    /// With <paramref name="owner"/>, that role (made if missing, with LOGIN) owns the database.
    /// </summary>
    public static async Task<BenchDatabase> CreatePostgreSqlAsync(string adminConnectionString, string name, string? owner, CancellationToken ct)
    {
        var admin = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = "postgres", Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", ct);
            if (owner is not null)
            {
                await ExecuteAsync(connection, $"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN CREATE ROLE \"{owner}\" LOGIN; END IF; END $$", ct);
            }
            await ExecuteAsync(connection, $"CREATE DATABASE \"{name}\"{(owner is null ? "" : $" OWNER \"{owner}\"")}", ct);
        }
        var app = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name };
        return new BenchDatabase(PostgreSql, app.ConnectionString, null, name, admin.ConnectionString, keep: false, owner);
    }

    /// <summary>The app's context on this database, outside the app (the seeder, the site sample).</summary>
    public NewsCmsDbContext NewContext() =>
        IsPostgreSql ? PostgreSqlDbContext.Standalone(ConnectionString) : new NewsCmsDbContext(NewsCmsDbContext.StandaloneOptions(Path!));

    /// <summary>The file's size, or PostgreSQL's pg_database_size.</summary>
    public async Task<long> SizeBytesAsync(CancellationToken ct)
    {
        if (!IsPostgreSql) return new FileInfo(Path!).Length;
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!IsPostgreSql)
        {
            SqliteConnection.ClearAllPools();
            return;
        }
        NpgsqlConnection.ClearAllPools();
        if (keep) return;
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", CancellationToken.None);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
