using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace NewsCms.Benchmarks.Hosting;

/// <summary>
/// Counts the SQL statements SQLite runs for the app, through SQLite's own trace hook on every connection the app
/// opens: EF queries and the raw commands of search alike. Connection pragmas and FTS5's internal reads of its shadow
/// tables are not queries the app wrote, so they are left out.
/// </summary>
public sealed class StatementCounter : DbConnectionInterceptor
{
    private static int count;
    private static readonly SQLitePCL.strdelegate_trace Trace = OnStatement;

    public int Count => Volatile.Read(ref count);
    public void Reset() => Interlocked.Exchange(ref count, 0);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Hook(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Hook(connection);
        return Task.CompletedTask;
    }

    private static void Hook(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle }) SQLitePCL.raw.sqlite3_trace(handle, Trace, null);
    }

    private static void OnStatement(object userData, string statement)
    {
        var text = statement.TrimStart();
        if (text.StartsWith("PRAGMA", StringComparison.OrdinalIgnoreCase) || text.Contains("'ArticleSearch_", StringComparison.Ordinal)
            || text.Contains("\"ArticleSearch_", StringComparison.Ordinal) || text.StartsWith("--", StringComparison.Ordinal)) return;
        Interlocked.Increment(ref count);
    }
}
