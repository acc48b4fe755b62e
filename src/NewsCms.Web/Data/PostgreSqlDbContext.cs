using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Data;

/// <summary>
/// The same model on PostgreSQL, with its own migrations (Data/Migrations/PostgreSql) and the few indexes only
/// PostgreSQL needs: everything else asks for <see cref="NewsCmsDbContext"/> and gets this one.
/// </summary>
public sealed class PostgreSqlDbContext(DbContextOptions<PostgreSqlDbContext> options) : NewsCmsDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // Every public list asks for "published, not trashed, newest first". PostgreSQL takes no order from an index
        // past a column matched by IS NULL (TrashedAt), so with the shared indexes it read and sorted every published
        // article for each list (70 ms at 100,000). Indexes of the public articles alone give those lists their order:
        // the home page, section, tag and author pages, the feeds and the Content API's pages. SQLite's indexes already
        // do (it treats IS NULL as an equality), so these are PostgreSQL's only.
        builder.Entity<Article>(article =>
        {
            article.HasIndex(a => new { a.PublishedAt, a.Id }, "IX_Articles_Public_PublishedAt").HasFilter(Article.PublicSql);
            article.HasIndex(a => new { a.SectionId, a.PublishedAt, a.Id }, "IX_Articles_Public_SectionId_PublishedAt").HasFilter(Article.PublicSql);
            article.HasIndex(a => new { a.IsFeatured, a.PublishedAt, a.Id }, "IX_Articles_Public_IsFeatured_PublishedAt").HasFilter(Article.PublicSql);
        });
    }

    /// <summary>A context outside the app (tools, the benchmark's seeder), as <see cref="NewsCmsDbContext.StandaloneOptions"/> is on SQLite.</summary>
    public static PostgreSqlDbContext Standalone(string connectionString) => new(new DbContextOptionsBuilder<PostgreSqlDbContext>()
        .UseNpgsql(connectionString)
        .UseApplicationServiceProvider(IdentityServices)
        .EnableServiceProviderCaching(false)
        .Options);
}
