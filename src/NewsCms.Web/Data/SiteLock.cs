namespace NewsCms.Web.Data;

/// <summary>
/// A lock on "&lt;database file&gt;.lock" that says the site is in use. A running app holds it shared (several app
/// processes on one database may); a restore holds it exclusively, so files are never replaced under a running site and
/// a site cannot start in the middle of a restore. The operating system lets go of it when the process ends, even when
/// it is killed, so a crash never leaves a stale lock behind.
/// </summary>
public sealed class SiteLock : IDisposable
{
    private readonly FileStream file;

    private SiteLock(FileStream file) => this.file = file;

    public static string PathFor(DatabaseLocation database) => database.FilePath + ".lock";

    /// <summary>The running app's shared hold; throws with a clear message while a restore holds the lock.</summary>
    public static SiteLock HoldWhileRunning(DatabaseLocation database)
    {
        try
        {
            return TryTake(database, exclusive: false)
                ?? throw new DatabaseUnavailableException(
                    $"NewsCms cannot start on '{database.FilePath}': a restore of this site is in progress. Start the site when it has finished.");
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

    public void Dispose() => file.Dispose();
}
