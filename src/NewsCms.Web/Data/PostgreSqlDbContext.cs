using Microsoft.EntityFrameworkCore;

namespace NewsCms.Web.Data;

/// <summary>
/// The same model on PostgreSQL. A context type of its own only so that its migrations (Data/Migrations/PostgreSql)
/// stay apart from SQLite's: everything else asks for <see cref="NewsCmsDbContext"/> and gets this one.
/// </summary>
public sealed class PostgreSqlDbContext(DbContextOptions<PostgreSqlDbContext> options) : NewsCmsDbContext(options)
{
    /// <summary>A context outside the app (tools, the benchmark's seeder), as <see cref="NewsCmsDbContext.StandaloneOptions"/> is on SQLite.</summary>
    public static PostgreSqlDbContext Standalone(string connectionString) => new(new DbContextOptionsBuilder<PostgreSqlDbContext>()
        .UseNpgsql(connectionString)
        .UseApplicationServiceProvider(IdentityServices)
        .EnableServiceProviderCaching(false)
        .Options);
}
