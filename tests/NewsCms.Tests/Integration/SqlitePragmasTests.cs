using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;

namespace NewsCms.Tests.Integration;

/// <summary>
/// The per-connection pragmas are set once per physical SQLite connection (not on every open), and a connection whose
/// pragmas were changed (an import relaxes synchronous) gets them back on its next open.
/// </summary>
public class SqlitePragmasTests
{
    [Fact]
    public async Task Every_open_connection_has_the_pragmas_and_a_relaxed_one_is_made_durable_again()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var factory = app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>();

        async Task<(long BusyTimeout, long ForeignKeys, long Synchronous)> PragmasOfANewContext()
        {
            await using var db = await factory.CreateDbContextAsync();
            await db.Database.OpenConnectionAsync();
            return (await Scalar(db, "PRAGMA busy_timeout"), await Scalar(db, "PRAGMA foreign_keys"), await Scalar(db, "PRAGMA synchronous"));
        }

        Assert.Equal((5000L, 1L, 2L), await PragmasOfANewContext());
        // The same physical connection again, from SQLite's pool: its pragmas still hold.
        Assert.Equal((5000L, 1L, 2L), await PragmasOfANewContext());

        await using (var importing = await factory.CreateDbContextAsync())
        {
            await importing.Database.OpenConnectionAsync();
            await importing.Database.ExecuteSqlRawAsync("PRAGMA synchronous = NORMAL");
            SqlitePragmas.Forget(importing.Database.GetDbConnection());
            Assert.Equal(1L, await Scalar(importing, "PRAGMA synchronous"));
        }
        Assert.Equal((5000L, 1L, 2L), await PragmasOfANewContext());
    }

    private static async Task<long> Scalar(NewsCmsDbContext db, string sql)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
