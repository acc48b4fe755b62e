using System.Security.Claims;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Infrastructure;

/// <summary>
/// The real app (real pipeline, real SQLite file of its own) for one test. By default an Administrator is
/// bootstrapped from settings, as an automated deployment would; <see cref="WithoutBootstrap"/> starts a fresh site.
/// </summary>
public sealed class NewsCmsAppFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@newsroom.test";
    public const string AdminPassword = "admin-password-1";
    public const string AdminName = "Ada Admin";

    private readonly Dictionary<string, string?> settings;

    private NewsCmsAppFactory(TestDatabaseInstance database, Dictionary<string, string?> settings)
    {
        Database = database;
        this.settings = settings;
        database.ApplyTo(this.settings);
        this.settings.TryAdd("NewsCms:Site:BaseUrl", "https://news.example.test");
        // Test clients call the app as https://localhost (browser tests too: a secure context for passkeys).
        this.settings.TryAdd("NewsCms:Site:AdditionalHosts:0", "localhost");
        // The public origin is https, so cookies are Secure: clients speak https to the test server as browsers would.
        ClientOptions.BaseAddress = new Uri("https://localhost");
    }

    public TestDatabaseInstance Database { get; }

    /// <summary>The SQLite file (only in the SQLite test assembly).</summary>
    public string DatabasePath => Database.FilePath ?? throw new InvalidOperationException("This test's database is not a SQLite file.");

    /// <summary>Service replacements for this app (e.g. a fake clock), applied after the app's own.</summary>
    public Action<IServiceCollection>? TestServices { get; set; }
    public LogCapture Logs { get; } = new();

    /// <summary>A site with its first Administrator already made (through NewsCms:Bootstrap).</summary>
    public static async Task<NewsCmsAppFactory> CreateAsync(Dictionary<string, string?>? settings = null, Web.Data.DatabaseProvider? provider = null)
    {
        var all = new Dictionary<string, string?>(settings ?? [])
        {
            ["NewsCms:Bootstrap:AdminEmail"] = AdminEmail,
            ["NewsCms:Bootstrap:AdminPassword"] = AdminPassword,
            ["NewsCms:Bootstrap:AdminName"] = AdminName,
        };
        return new NewsCmsAppFactory(await TestDatabase.NewAsync(provider ?? TestDatabase.Provider), all);
    }

    /// <summary>A fresh site with no account: the first visitor must go through /setup.</summary>
    public static async Task<NewsCmsAppFactory> WithoutBootstrap(Dictionary<string, string?>? settings = null) =>
        new(await TestDatabase.NewAsync(), new Dictionary<string, string?>(settings ?? []));

    /// <summary>
    /// Another node of <paramref name="first"/>'s site: the same SQLite file (which stays <paramref name="first"/>'s to
    /// remove) and the given settings, e.g. the Redis configuration both use.
    /// </summary>
    public static NewsCmsAppFactory SecondNodeOf(NewsCmsAppFactory first, Dictionary<string, string?>? settings = null) =>
        new(first.Database, new Dictionary<string, string?>(settings ?? [])) { keepFiles = true };

    /// <summary>A site on a path where no database file exists yet.</summary>
    public static NewsCmsAppFactory OnEmptyPath(string path, Dictionary<string, string?>? settings = null) =>
        OnDatabase(new TestDatabaseInstance(Web.Data.DatabaseProvider.Sqlite, $"Data Source={path}", path), settings);

    /// <summary>A site on a database the caller made and removes (e.g. to start the app on it twice).</summary>
    public static NewsCmsAppFactory OnDatabase(TestDatabaseInstance database, Dictionary<string, string?>? settings = null) =>
        new(database, new Dictionary<string, string?>(settings ?? [])) { keepFiles = true };

    // Files the caller placed (or will reuse after a restart) are the caller's to remove.
    private bool keepFiles;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        if (TestServices is { } configure) builder.ConfigureTestServices(configure);
    }

    /// <summary>
    /// Waits for the Related lists a publish has ranked again in the background (RelatedBackfill.RankAgain): a test
    /// that counts queries or compares the database from here on sees only its own.
    /// </summary>
    public Task RelatedRankedAgainAsync() =>
        Services.GetRequiredService<NewsCms.Web.Features.Articles.RelatedBackfill>().RankedAgainAsync(TestContext.Current.CancellationToken);

    public HttpClient CreateBrowserlikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri("https://localhost") });

    /// <summary>Makes an account directly (as an Administrator would) and returns its password.</summary>
    public async Task<(string Id, string Email, string Password)> CreateUserAsync(string role, string? email = null, bool mustChangePassword = false, string? displayName = null)
    {
        email ??= $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@newsroom.test";
        const string password = "user-password-1";
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName ?? $"{role} {email[..4]}",
            MustChangePassword = mustChangePassword, CreatedAt = DateTime.UtcNow,
        };
        var created = await users.CreateAsync(user, password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return (user.Id, email, password);
    }

    /// <summary>The principal Identity would issue for the account now (for calling services directly).</summary>
    public async Task<ClaimsPrincipal> PrincipalForAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var factory = scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No account {email}");
        return await factory.CreateAsync(user);
    }

    public async Task<string> UserIdAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return (await users.FindByEmailAsync(email))!.Id;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (!keepFiles) await Database.DropAsync();
    }
}
