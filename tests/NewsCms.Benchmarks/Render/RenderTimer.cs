using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace NewsCms.Benchmarks.Render;

/// <summary>
/// Times the app's database work during one request at a time (the breakdown sends them one by one): opening
/// connections (with the app's own connection pragmas), and each command from its execution to the disposal of its
/// reader (executing it and reading, and materialising, its rows). Counts the commands.
/// </summary>
public sealed class RenderTimer : IDbConnectionInterceptor, IDbCommandInterceptor
{
    private readonly ConcurrentDictionary<Guid, long> started = new();
    private long openTicks, queryTicks;
    private int commands;

    public TimeSpan Opening => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref openTicks));
    public TimeSpan Querying => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref queryTicks));
    public int Commands => Volatile.Read(ref commands);

    public void Reset()
    {
        started.Clear();
        Interlocked.Exchange(ref openTicks, 0);
        Interlocked.Exchange(ref queryTicks, 0);
        Interlocked.Exchange(ref commands, 0);
    }

    private void Start(Guid id) => started[id] = Stopwatch.GetTimestamp();

    private void Stop(Guid id, ref long total)
    {
        if (started.TryRemove(id, out var at)) Interlocked.Add(ref total, Stopwatch.GetTimestamp() - at);
    }

    public ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Start(eventData.ConnectionId);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Start(eventData.ConnectionId);
        return result;
    }

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Stop(eventData.ConnectionId, ref openTicks);
        return Task.CompletedTask;
    }

    public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Stop(eventData.ConnectionId, ref openTicks);

    public ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref commands);
        Start(eventData.CommandId);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Interlocked.Increment(ref commands);
        Start(eventData.CommandId);
        return result;
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Stop(eventData.CommandId, ref queryTicks);
        return result;
    }

    public ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref commands);
        Start(eventData.CommandId);
        return ValueTask.FromResult(result);
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Stop(eventData.CommandId, ref queryTicks);
        return ValueTask.FromResult(result);
    }
}
