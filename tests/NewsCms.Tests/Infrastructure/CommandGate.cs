using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace NewsCms.Tests.Infrastructure;

/// <summary>
/// Holds (or fails) the next SQL command whose text contains a given fragment, once armed: the test waits until the
/// command is held, changes something meanwhile, then releases it. Holding happens when the command's reader closes,
/// so the rows it read are those from before the change.
/// </summary>
public sealed class CommandGate : DbCommandInterceptor
{
    private string? armedFor;
    private bool fail;

    public TaskCompletionSource Held { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Release { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The next command reading <paramref name="sqlFragment"/> waits for <see cref="Release"/> once it has read its rows.</summary>
    public void HoldNext(string sqlFragment)
    {
        Held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        fail = false;
        Volatile.Write(ref armedFor, sqlFragment);
    }

    /// <summary>The next command reading <paramref name="sqlFragment"/> throws, as a database fault would.</summary>
    public void FailNext(string sqlFragment)
    {
        fail = true;
        Volatile.Write(ref armedFor, sqlFragment);
    }

    private bool Take(DbCommand command)
    {
        var fragment = Volatile.Read(ref armedFor);
        return fragment is not null && command.CommandText.Contains(fragment, StringComparison.Ordinal)
            && Interlocked.CompareExchange(ref armedFor, null, fragment) == fragment;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (fail && Take(command)) throw new InvalidOperationException("A simulated database fault.");
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override async ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        if (!fail && Take(command))
        {
            Held.TrySetResult();
            await Release.Task;
        }
        return result;
    }
}
