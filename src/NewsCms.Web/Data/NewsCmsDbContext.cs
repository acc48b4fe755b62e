using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Data;

public class NewsCmsDbContext : IdentityDbContext<ApplicationUser>, IDataProtectionKeyContext
{
    public NewsCmsDbContext(DbContextOptions<NewsCmsDbContext> options) : base(options)
    {
    }

    /// <summary>For <see cref="PostgreSqlDbContext"/>, the same model with migrations of its own.</summary>
    protected NewsCmsDbContext(DbContextOptions options) : base(options)
    {
    }

    /// <summary>
    /// Options for a context outside the app (tools, tests) on the SQLite file at <paramref name="path"/>. Identity
    /// reads its schema version (3: passkeys) from the application's services, so they are given here too; and the
    /// context gets EF services of its own, so its model is never one cached for a differently configured context.
    /// </summary>
    public static DbContextOptions<NewsCmsDbContext> StandaloneOptions(string path) =>
        new DbContextOptionsBuilder<NewsCmsDbContext>()
            .UseSqlite(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString())
            .UseApplicationServiceProvider(IdentityServices)
            .EnableServiceProviderCaching(false)
            .Options;

    protected static readonly IServiceProvider IdentityServices = new Microsoft.Extensions.DependencyInjection.ServiceCollection()
        .Configure<IdentityOptions>(options => options.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
        .BuildServiceProvider();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<SiteSetting> SiteSettings => Set<SiteSetting>();
    public DbSet<Article> Articles => Set<Article>();
    public DbSet<ArticleRevision> ArticleRevisions => Set<ArticleRevision>();
    public DbSet<ArticleSlugRedirect> ArticleSlugRedirects => Set<ArticleSlugRedirect>();
    public DbSet<ArticleRelation> ArticleRelations => Set<ArticleRelation>();
    public DbSet<Tag> Tags => Set<Tag>();
    public DbSet<Section> Sections => Set<Section>();
    public DbSet<ArticleTag> ArticleTags => Set<ArticleTag>();
    public DbSet<TaxonomyRedirect> TaxonomyRedirects => Set<TaxonomyRedirect>();
    public DbSet<AuthorProfile> AuthorProfiles => Set<AuthorProfile>();
    public DbSet<ArticleAuthor> ArticleAuthors => Set<ArticleAuthor>();
    public DbSet<MediaItem> MediaItems => Set<MediaItem>();

    /// <summary>The Data Protection key ring (cookies, antiforgery tokens, protected state): shared by every node.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Work only one node may do at a time (the scheduler), held for a while and renewed.</summary>
    public DbSet<NodeLease> NodeLeases => Set<NodeLease>();

    public DbSet<Features.Redirects.Redirect> Redirects => Set<Features.Redirects.Redirect>();

    /// <summary>What each import made from each item of the site it came from, so a second run adds only what is new.</summary>
    public DbSet<Features.Import.ImportedItem> ImportedItems => Set<Features.Import.ImportedItem>();

    public DbSet<Features.Import.ImportRun> ImportRuns => Set<Features.Import.ImportRun>();

    public DbSet<Features.Integrations.Integration> Integrations => Set<Features.Integrations.Integration>();
    public DbSet<Features.Integrations.IntegrationKey> IntegrationKeys => Set<Features.Integrations.IntegrationKey>();
    public DbSet<Features.Webhooks.Webhook> Webhooks => Set<Features.Webhooks.Webhook>();

    /// <summary>The webhook outbox: written with the change it reports, delivered and retried by the delivery worker.</summary>
    public DbSet<Features.Webhooks.WebhookDelivery> WebhookDeliveries => Set<Features.Webhooks.WebhookDelivery>();

    public DbSet<Features.LiveBlogs.LiveEntry> LiveEntries => Set<Features.LiveBlogs.LiveEntry>();
    public DbSet<Features.LiveBlogs.LiveEntryRevision> LiveEntryRevisions => Set<Features.LiveBlogs.LiveEntryRevision>();
    public DbSet<Features.Breaking.BreakingBanner> BreakingBanners => Set<Features.Breaking.BreakingBanner>();
    public DbSet<Features.Notifications.Notification> Notifications => Set<Features.Notifications.Notification>();
    public DbSet<Features.Notes.EditorialNote> EditorialNotes => Set<Features.Notes.EditorialNote>();

    /// <summary>Page views per article per day (readership), added to by every node's flush.</summary>
    public DbSet<Features.Readership.ArticleViewDay> ArticleViewDays => Set<Features.Readership.ArticleViewDay>();

    public DbSet<Features.Corrections.ArticleCorrection> ArticleCorrections => Set<Features.Corrections.ArticleCorrection>();
    public DbSet<Features.Corrections.ArticleCorrectionRevision> ArticleCorrectionRevisions => Set<Features.Corrections.ArticleCorrectionRevision>();
    public DbSet<Features.FrontPage.FrontPageSlot> FrontPageSlots => Set<Features.FrontPage.FrontPageSlot>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(NewsCmsDbContext).Assembly);

        // The newsroom roles exist from the first migration on; start-up re-checks them idempotently.
        builder.Entity<IdentityRole>().HasData(NewsroomRoles.All.Select(role => new IdentityRole
        {
            Id = "role-" + role.ToLowerInvariant(),
            Name = role,
            NormalizedName = role.ToUpperInvariant(),
            ConcurrencyStamp = "seed-" + role.ToLowerInvariant(),
        }));

        builder.Entity<ApplicationUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(200);
            user.HasIndex(u => u.DisplayName);
        });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare DateTimeOffset in SQL, so times are UTC DateTime; mark them UTC when read back.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v.HasValue ? (v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime()) : v,
        v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
}
