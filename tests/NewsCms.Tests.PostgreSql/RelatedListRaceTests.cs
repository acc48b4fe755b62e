using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Two rankings of one article's Related list at once (a publish's, the background's after another publish, an
/// import round's) on PostgreSQL, where transactions run side by side: the later must wait for the earlier and then
/// see its list, not insert the same ranks beside it and fail on the relations' primary key. On SQLite every write
/// transaction starts with the database's write lock, so the two cannot overlap there.
/// </summary>
public sealed class RelatedListRaceTests : IAsyncDisposable
{
    private NewsCmsAppFactory? app;

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }

    [Fact]
    public async Task Two_rankings_of_one_list_at_the_same_time_both_succeed_and_leave_one_list()
    {
        var ct = TestContext.Current.CancellationToken;
        var commits = new CommitGate();
        app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.AddSingleton<IInterceptor>(commits);
        var (first, _) = await ReadershipTests.PublishAsync(app, "Harbour tides rise");
        await ReadershipTests.PublishAsync(app, "Harbour tides fall");
        await ReadershipTests.PublishAsync(app, "Harbour tides turn");
        await app.RelatedRankedAgainAsync();
        var factory = app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>();
        List<int> expected;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            expected = await ListAsync(db, first, ct);
            Assert.NotEmpty(expected);
            // As an import leaves its articles: without a list, so both rankings below have one to store.
            await db.ArticleRelations.Where(r => r.ArticleId == first).ExecuteDeleteAsync(ct);
        }

        await using var earlierDb = await factory.CreateDbContextAsync(ct);
        await using var laterDb = await factory.CreateDbContextAsync(ct);
        // The earlier ranking has written its list and not yet committed when the later one starts.
        commits.HoldNextCommitAfter("INSERT INTO \"ArticleRelations\"");
        var earlier = RelatedArticles.RefreshOnItsOwnAsync(earlierDb, first, ct);
        await commits.Held.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        var later = RelatedArticles.RefreshOnItsOwnAsync(laterDb, first, ct);
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            // The later ranking is waiting on a lock the earlier holds (without one of its own it waits on the
            // earlier's uncommitted rows, and fails once they are committed).
            while (!later.IsCompleted && !await AnySessionWaitsOnALockAsync(db, ct)) await Task.Delay(20, ct);
        }
        commits.Release.SetResult();

        Assert.True(await earlier);
        Assert.False(await later); // it found the list the earlier one stored, the same it ranked
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            Assert.Equal(expected, await ListAsync(db, first, ct));
        }
    }

    private static Task<List<int>> ListAsync(NewsCmsDbContext db, int articleId, CancellationToken ct) =>
        db.ArticleRelations.Where(r => r.ArticleId == articleId).OrderBy(r => r.Rank).Select(r => r.RelatedArticleId).ToListAsync(ct);

    private static async Task<bool> AnySessionWaitsOnALockAsync(NewsCmsDbContext db, CancellationToken ct) =>
        await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            .SingleAsync(ct) > 0;

    /// <summary>Holds the commit of the next transaction that ran a command containing a fragment, until released.</summary>
    private sealed class CommitGate : IDbCommandInterceptor, IDbTransactionInterceptor
    {
        private string? armedFor;
        private DbTransaction? marked;

        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void HoldNextCommitAfter(string sqlFragment) => Volatile.Write(ref armedFor, sqlFragment);

        private void Mark(DbCommand command)
        {
            var fragment = Volatile.Read(ref armedFor);
            if (fragment is null || command.Transaction is null || !command.CommandText.Contains(fragment, StringComparison.Ordinal)) return;
            if (Interlocked.CompareExchange(ref armedFor, null, fragment) == fragment) marked = command.Transaction;
        }

        public ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Mark(command);
            return ValueTask.FromResult(result);
        }

        public ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Mark(command);
            return ValueTask.FromResult(result);
        }

        public async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (ReferenceEquals(transaction, Interlocked.CompareExchange(ref marked, null, transaction)))
            {
                Held.TrySetResult();
                await Release.Task;
            }
            return result;
        }
    }
}
