using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace NewsCms.Web.Data;

/// <summary>A broken database constraint, as either provider reports it: whether it was a unique index, and its text.</summary>
public sealed record ConstraintViolation(bool IsUnique, string Message)
{
    private const int SqliteConstraint = 19, SqliteUnique = 2067;

    /// <summary>The violation behind <paramref name="ex"/> (or its inner exception), or null when it is something else.</summary>
    public static ConstraintViolation? Of(Exception ex) =>
        (ex as DbException ?? (ex as DbUpdateException)?.InnerException as DbException) switch
        {
            SqliteException { SqliteErrorCode: SqliteConstraint } sqlite => new(sqlite.SqliteExtendedErrorCode == SqliteUnique, sqlite.Message),
            // Class 23 is "integrity constraint violation"; 23505 a unique one. The text names the index.
            PostgresException { SqlState: { } state } postgres when state.StartsWith("23", StringComparison.Ordinal) =>
                new(state == PostgresErrorCodes.UniqueViolation, $"{postgres.MessageText} ({postgres.ConstraintName})"),
            _ => null,
        };

    /// <summary>A unique index on that column was hit: SQLite names "Table.Column", PostgreSQL the index "IX_Table_Column".</summary>
    public bool IsUniqueOn(string table, string column) =>
        IsUnique && (Message.Contains($"{table}.{column}", StringComparison.Ordinal) || Message.Contains($"IX_{table}_{column}", StringComparison.Ordinal));
}
