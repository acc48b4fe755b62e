using Microsoft.EntityFrameworkCore;

namespace NewsCms.Web.Data;

/// <summary>
/// The same model on PostgreSQL. A context type of its own only so that its migrations (Data/Migrations/PostgreSql)
/// stay apart from SQLite's: everything else asks for <see cref="NewsCmsDbContext"/> and gets this one.
/// </summary>
public sealed class PostgreSqlDbContext(DbContextOptions<PostgreSqlDbContext> options) : NewsCmsDbContext(options);
