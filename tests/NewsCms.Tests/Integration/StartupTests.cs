using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

public class StartupTests
{
    [Fact]
    public async Task Migrations_apply_to_an_empty_file_and_the_roles_exist()
    {
        var path = TestDatabase.NewEmptyPath();
        await using var app = NewsCmsAppFactory.OnEmptyPath(path);
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.True(File.Exists(path));
        Assert.Contains(app.Logs.Lines, line => line.Contains($"The database file '{path}' is up to date") && line.Contains("journal mode wal"));

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        var roles = await db.Roles.Select(r => r.Name).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(NewsroomRoles.All.Order(), roles.Order());
    }

    /// <summary>
    /// Start-up migrates only when a migration is pending, so it no longer compares the model with the migrations'
    /// snapshot on every start: this does, for the provider under test. A model change needs its migration.
    /// </summary>
    [Fact]
    public async Task The_model_has_no_change_that_a_migration_does_not_carry()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();

        Assert.False(db.Database.HasPendingModelChanges(), "The model has changed since the last migration of this provider: add a migration (dotnet ef migrations add).");
    }

    [Fact]
    public async Task A_second_start_on_an_up_to_date_database_applies_nothing_and_takes_no_migration_lock()
    {
        var path = TestDatabase.NewEmptyPath();
        await using (var first = NewsCmsAppFactory.OnEmptyPath(path))
        {
            using var client = first.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        }
        await using var second = NewsCmsAppFactory.OnEmptyPath(path);
        using var again = second.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/healthz")).StatusCode);
        Assert.Contains(second.Logs.Lines, line => line.Contains("is up to date (0 migration(s) applied now"));
        Assert.DoesNotContain(second.Logs.Lines, line => line.Contains("Acquiring an exclusive lock for migration application"));
    }

    [Fact]
    public async Task A_corrupt_database_file_stops_start_up_naming_the_path_and_the_setting()
    {
        var path = TestDatabase.NewEmptyPath();
        await File.WriteAllTextAsync(path, new string('x', 4096), TestContext.Current.CancellationToken);
        await using var app = NewsCmsAppFactory.OnEmptyPath(path);

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var unavailable = Assert.IsType<DatabaseUnavailableException>(error is DatabaseUnavailableException ? error : error.InnerException ?? error);
        Assert.Contains(path, unavailable.Message);
        Assert.Contains("ConnectionStrings:NewsCms", unavailable.Message);
        // No second database was created beside it.
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.db"));
    }

    [Fact]
    public async Task The_bootstrap_administrator_is_created_once_and_only_when_no_account_exists()
    {
        var path = await TestDatabase.NewFileAsync();
        var bootstrap = new Dictionary<string, string?>
        {
            ["NewsCms:Bootstrap:AdminEmail"] = "first@newsroom.test",
            ["NewsCms:Bootstrap:AdminPassword"] = "first-password-1",
            ["NewsCms:Bootstrap:AdminName"] = "First Admin",
        };
        await using (var first = NewsCmsAppFactory.OnEmptyPath(path, bootstrap))
        {
            first.CreateClient().Dispose();
            Assert.Equal(1, await CountUsersAsync(first));
        }

        // Restarted with other bootstrap settings: accounts exist, so nothing is created.
        bootstrap["NewsCms:Bootstrap:AdminEmail"] = "second@newsroom.test";
        await using var second = NewsCmsAppFactory.OnEmptyPath(path, bootstrap);
        second.CreateClient().Dispose();
        await using var scope = second.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var admins = await users.GetUsersInRoleAsync(NewsroomRoles.Administrator);
        Assert.Equal("first@newsroom.test", Assert.Single(admins).Email);
        Assert.Null(await users.FindByEmailAsync("second@newsroom.test"));
    }

    [Fact]
    public async Task Public_pages_render_statically_with_security_headers_and_no_newsroom_assets()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateClient();

        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var html = await home.Content.ReadAsStringAsync();
        Assert.Contains("Nothing has been published yet", html);
        Assert.Contains("<main id=\"main\"", html);
        Assert.DoesNotContain("MudBlazor", html);
        Assert.DoesNotContain("blazor.web.js", html);
        Assert.Equal("nosniff", home.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", home.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", home.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("strict-origin-when-cross-origin", home.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Unknown_addresses_get_a_real_404_page()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateClient();
        var response = await client.GetAsync("/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Page not found", html);
        Assert.Contains("action=\"/search\"", html);
    }

    [Fact]
    public async Task Healthz_answers_200_when_the_database_answers()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateClient();
        var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    private static async Task<int> CountUsersAsync(NewsCmsAppFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>().Users.CountAsync();
    }
}
