using Npgsql;

namespace NewsCms.Web.Data;

/// <summary>
/// The lock that says the site is in use. A running app holds it shared (several app processes, or nodes, on one
/// database may); a restore holds it exclusively, so a database is never replaced under a running site and a site
/// cannot start in the middle of a restore.
/// <list type="bullet">
/// <item>On SQLite, a lock on "&lt;database file&gt;.lock". The operating system lets go of it when the process ends,
/// even when it is killed, so a crash never leaves a stale lock behind.</item>
/// <item>On PostgreSQL, a session advisory lock on a connection of its own, outside the pool. A node's pooled
/// connections come and go (idle ones are closed after a while), so counting them cannot tell a quiet node from a
/// stopped one; this connection stays open while the node runs, and the server lets go of the lock when it closes
/// (at once when the process ends or is killed; for a machine that vanishes, when the server drops its connection).</item>
/// </list>
/// </summary>
public sealed class SiteLock : IDisposable
{
    /// <summary>The advisory lock's key ("NewsCms" in ASCII); advisory locks belong to one database, so sites never meet.</summary>
    private const long AdvisoryKey = 0x4E_65_77_73_43_6D_73;

    /// <summary>How the lock's connection names itself on PostgreSQL (a restore, holding the lock, leaves its own out when it counts who else is connected).</summary>
    public const string PostgreSqlApplicationName = "NewsCms site lock";

    private readonly IDisposable held;

    private SiteLock(IDisposable held) => this.held = held;

    public static string PathFor(DatabaseLocation database) => database.FilePath + ".lock";

    /// <summary>The running app's shared hold; throws with a clear message while a restore holds the lock.</summary>
    public static SiteLock HoldWhileRunning(DatabaseLocation database)
    {
        try
        {
            return TryTake(database, exclusive: false)
                ?? throw new DatabaseUnavailableException(
                    $"NewsCms cannot start on the {database.Description}: a restore of this site is in progress. Start the site when it has finished.");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new DatabaseUnavailableException(
                $"NewsCms cannot write '{PathFor(database)}' next to its database (setting {DatabaseSetup.SettingName}): {ex.Message} " +
                "The database's folder must be writable.", ex);
        }
    }

    /// <summary>The lock, or null when another process (or another holder in this one) has it in a conflicting mode.</summary>
    public static SiteLock? TryTake(DatabaseLocation database, bool exclusive)
    {
        if (database.Provider == DatabaseProvider.PostgreSQL) return TryTakeOnPostgreSql(database, exclusive);
        try
        {
            // .NET locks the file itself for FileShare.None (exclusive) and, when opened for reading, for the other
            // modes (shared); the two never hold at once.
            var file = new FileStream(PathFor(database), FileMode.OpenOrCreate, exclusive ? FileAccess.ReadWrite : FileAccess.Read,
                exclusive ? FileShare.None : FileShare.ReadWrite | FileShare.Delete);
            return new SiteLock(file);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static SiteLock? TryTakeOnPostgreSql(DatabaseLocation database, bool exclusive)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Pooling = false,
            ApplicationName = PostgreSqlApplicationName,
            // A query every 30 s: a firewall or proxy between node and server that cuts idle connections would
            // otherwise drop the lock while the node runs.
            KeepAlive = 30,
        }.ConnectionString);
        try
        {
            connection.Open();
            using var command = new NpgsqlCommand(exclusive ? "SELECT pg_try_advisory_lock(@key)" : "SELECT pg_try_advisory_lock_shared(@key)", connection);
            command.Parameters.AddWithValue("key", AdvisoryKey);
            if (command.ExecuteScalar() is true) return new SiteLock(connection);
            connection.Dispose();
            return null;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose() => held.Dispose();
}
