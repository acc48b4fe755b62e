using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace NewsCms.Tests.Infrastructure;

/// <summary>
/// Counts the SQL commands EF runs, for tests that prove a path makes no query or a fixed number: reads always,
/// and with <paramref name="countWrites"/> also INSERT, UPDATE and DELETE commands. With
/// <paramref name="duringRequestsOnly"/>, only those run while an HTTP request is answered, so the app's background
/// services (readership, rankings) cannot add to a page's count.
/// </summary>
public sealed class CommandCounter(bool countWrites = false, bool duringRequestsOnly = false) : DbCommandInterceptor
{
    // The accessor's current request lives in an AsyncLocal shared by every instance.
    private static readonly Microsoft.AspNetCore.Http.HttpContextAccessor Requests = new();

    /// <summary>Whether the command about to run is part of answering an HTTP request (not the app's background work).</summary>
    public static bool InRequest => Requests.HttpContext is not null;
    private int count;
    public int Count => Volatile.Read(ref count);
    public void Reset() => Interlocked.Exchange(ref count, 0);

    private void Tally()
    {
        if (!duringRequestsOnly || InRequest) Interlocked.Increment(ref count);
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Tally();
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Tally();
        return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (countWrites) Tally();
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }
}
