using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Backup;
using NewsCms.Web.Features.Integrations;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Integrations as an Administrator manages them: keys in Ghost's formats, regenerated and revoked, roles, deletion;
/// their accounts kept out of the newsroom's people and unable to sign in; their secrets kept out of backups; and the
/// create-integration command.
/// </summary>
public sealed class IntegrationsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_integration_has_keys_in_Ghosts_formats_shown_on_its_page_and_listed_with_its_role()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (admin, integrations) = await AdminAsync(app);

        var created = (await integrations.CreateAsync(admin, "  Newsletter  ", NewsroomRoles.Author, Ct)).Value!;

        Assert.Matches("^[0-9a-f]{26}$", created.ContentKey);
        Assert.Matches("^[0-9a-f]{24}:[0-9a-f]{64}$", created.AdminKey);
        var details = (await integrations.GetAsync(admin, created.Id, Ct)).Value!;
        Assert.Equal("Newsletter", details.Name);
        Assert.Equal(NewsroomRoles.Author, details.Role);
        Assert.Equal(created.ContentKey, details.Active(IntegrationKeyKind.Content)!.Key);
        Assert.Equal(created.AdminKey, details.Active(IntegrationKeyKind.Admin)!.Key);
        var listed = Assert.Single((await integrations.ListAsync(admin, Ct)).Value!);
        Assert.Equal(("Newsletter", NewsroomRoles.Author, 2), (listed.Name, listed.Role, listed.Keys.Count));
        Assert.All(listed.Keys, k => Assert.Null(k.Key));
        Assert.Null(listed.LastUsedAt);

        // Stored protected, never in the clear.
        await using var db = await DbAsync(app);
        var stored = await db.IntegrationKeys.AsNoTracking().ToListAsync(Ct);
        Assert.All(stored, k => Assert.DoesNotContain(k.Kind == IntegrationKeyKind.Admin ? created.AdminKey.Split(':')[1] : created.ContentKey, k.ProtectedSecret));
        Assert.DoesNotContain(stored, k => k.LookupId == created.ContentKey);

        Assert.Equal("Enter a name for the integration.", (await integrations.CreateAsync(admin, " ", NewsroomRoles.Editor, Ct)).Error);
        Assert.StartsWith("Choose one of the roles", (await integrations.CreateAsync(admin, "Owner", "Owner", Ct)).Error);
    }

    [Fact]
    public async Task Regenerating_revokes_the_old_key_at_once_and_the_page_says_when_each_key_was_last_used()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (admin, integrations) = await AdminAsync(app);
        var created = (await integrations.CreateAsync(admin, "Wire desk", NewsroomRoles.Editor, Ct)).Value!;
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await GetPostsAsync(client, created.AdminKey)).StatusCode);
        await app.Services.GetRequiredService<IntegrationKeyTable>().FlushUsesAsync(Ct);
        var used = (await integrations.GetAsync(admin, created.Id, Ct)).Value!.Active(IntegrationKeyKind.Admin)!;
        Assert.NotNull(used.LastUsedAt);

        var fresh = (await integrations.RegenerateKeyAsync(admin, created.Id, IntegrationKeyKind.Admin, Ct)).Value!;
        Assert.Matches("^[0-9a-f]{24}:[0-9a-f]{64}$", fresh);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetPostsAsync(client, created.AdminKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetPostsAsync(client, fresh)).StatusCode);
        var details = (await integrations.GetAsync(admin, created.Id, Ct)).Value!;
        Assert.Equal(fresh, details.Active(IntegrationKeyKind.Admin)!.Key);
        var old = Assert.Single(details.Keys, k => !k.IsActive);
        Assert.Equal((used.Id, used.LastUsedAt), (old.Id, old.LastUsedAt));
        Assert.NotNull(old.RevokedAt);
        Assert.Null(old.Key);

        Assert.True((await integrations.RevokeKeyAsync(admin, created.Id, IntegrationKeyKind.Admin, Ct)).Succeeded);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetPostsAsync(client, fresh)).StatusCode);
        Assert.Null((await integrations.GetAsync(admin, created.Id, Ct)).Value!.Active(IntegrationKeyKind.Admin));
        // A revoked key keeps no secret.
        await using var db = await DbAsync(app);
        Assert.All(await db.IntegrationKeys.Where(k => k.RevokedAt != null).ToListAsync(Ct), k => Assert.Null(k.ProtectedSecret));
    }

    [Fact]
    public async Task A_role_change_applies_to_the_next_request_and_a_deleted_integration_keeps_its_name_on_what_it_did()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (admin, integrations) = await AdminAsync(app);
        var created = (await integrations.CreateAsync(admin, "Social scheduler", NewsroomRoles.Contributor, Ct)).Value!;
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(client, created.AdminKey, """{"tags":[{"name":"Scheduled"}]}""", "tags")).StatusCode);
        Assert.True((await integrations.ChangeRoleAsync(admin, created.Id, NewsroomRoles.Editor, Ct)).Succeeded);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, created.AdminKey, """{"tags":[{"name":"Scheduled"}]}""", "tags")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, created.AdminKey, """{"posts":[{"title":"From the scheduler"}]}""", "posts")).StatusCode);

        Assert.True((await integrations.RenameAsync(admin, created.Id, "Social desk", Ct)).Succeeded);
        Assert.True((await integrations.DeleteAsync(admin, created.Id, Ct)).Succeeded);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetPostsAsync(client, created.AdminKey)).StatusCode);
        Assert.Equal(Integrations.NotFound, (await integrations.GetAsync(admin, created.Id, Ct)).Error);
        await using var db = await DbAsync(app);
        Assert.False(await db.IntegrationKeys.AnyAsync(Ct));
        var account = await db.Users.AsNoTracking().SingleAsync(u => u.IsIntegration, Ct);
        Assert.Equal("Social desk", account.DisplayName);
        Assert.True(AccountLocks.IsLockedByAdministrator(account.LockoutEnd));
        Assert.False(await db.UserRoles.AnyAsync(ur => ur.UserId == account.Id, Ct));
        Assert.Equal(account.Id, await db.Articles.Where(a => a.Headline == "From the scheduler").Select(a => a.CreatedById).SingleAsync(Ct));
    }

    [Fact]
    public async Task Integration_accounts_are_not_among_the_newsrooms_people_and_can_never_sign_in()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (admin, integrations) = await AdminAsync(app);
        var created = (await integrations.CreateAsync(admin, "Robot administrator", NewsroomRoles.Administrator, Ct)).Value!;
        var accountId = (await integrations.GetAsync(admin, created.Id, Ct)).Value!.UserId;
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();

        var listed = (await users.ListAsync(admin, null, 0, 100, Ct)).Value!;
        Assert.DoesNotContain(listed.Items, u => u.Id == accountId);
        Assert.Equal(1, listed.Total);
        Assert.Equal(1, (await users.CountByRoleAsync(admin, Ct)).Value![NewsroomRoles.Administrator]);
        Assert.NotNull((await users.GetAsync(admin, accountId, Ct)).Error);
        Assert.NotNull((await users.LockAsync(admin, accountId, Ct)).Error);
        Assert.NotNull((await users.DeleteAsync(admin, accountId, ct: Ct)).Error);
        // The only person who administers the site stays the last Administrator: a robot with the role does not count.
        var adminId = await app.UserIdAsync(NewsCmsAppFactory.AdminEmail);
        Assert.NotNull((await users.UpdateAsync(admin, adminId, NewsCmsAppFactory.AdminName, NewsroomRoles.Editor, Ct)).Error);
        Assert.Equal(adminId, (await scope.ServiceProvider.GetRequiredService<NewsroomActors>().FirstAdministratorAsync(Ct))!.UserId);

        // No password, no e-mail, and sign-in refused whatever the path.
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var account = (await userManager.FindByIdAsync(accountId))!;
        Assert.Null(account.PasswordHash);
        Assert.Null(account.Email);
        Assert.False(await scope.ServiceProvider.GetRequiredService<SignInManager<ApplicationUser>>().CanSignInAsync(account));
        using var browser = app.CreateBrowserlikeClient();
        var signIn = await FormPost.SignInAsync(browser, account.UserName!, "");
        Assert.NotEqual(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    [Fact]
    public async Task A_backup_holds_no_integration_or_webhook_secret_and_a_site_restored_from_it_asks_for_new_keys()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (admin, integrations) = await AdminAsync(app);
        var created = (await integrations.CreateAsync(admin, "Backed up", NewsroomRoles.Editor, Ct)).Value!;
        await using (var db = await DbAsync(app))
        {
            db.Webhooks.Add(new NewsCms.Web.Features.Webhooks.Webhook
            {
                IntegrationId = created.Id, Event = "post.published", TargetUrl = "https://hooks.example/", ProtectedSecret = "protected-webhook-secret",
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync(Ct);
        }
        string[] protectedSecrets;
        await using (var db = await DbAsync(app))
        {
            protectedSecrets = [.. await db.IntegrationKeys.Select(k => k.ProtectedSecret!).ToListAsync(Ct), "protected-webhook-secret"];
        }

        var folder = Directory.CreateTempSubdirectory("newscms-integration-backup-").FullName;
        try
        {
            var file = Path.Combine(folder, "backup.zip");
            await using (var backupScope = app.Services.CreateAsyncScope())
            {
                var made = await backupScope.ServiceProvider.GetRequiredService<SiteBackup>().CreateTemporaryFileAsync(Ct);
                Assert.True(made.Succeeded, made.Error);
                await using var stream = made.Value.File;
                await using var target = File.Create(file);
                await stream.CopyToAsync(target, Ct);
            }
            if (TestDatabase.Provider == DatabaseProvider.PostgreSQL)
            {
                // The dump leaves out the keys' rows (the table is there, empty): pg_restore's list of what it holds.
                using var zip = ZipFile.OpenRead(file);
                var dump = Path.Combine(folder, "site.pgdump");
                zip.GetEntry(SiteBackup.PostgreSqlDumpEntry)!.ExtractToFile(dump);
                using var list = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("pg_restore", ["--list", dump]) { RedirectStandardOutput = true })!;
                var contents = await list.StandardOutput.ReadToEndAsync(Ct);
                await list.WaitForExitAsync(Ct);
                Assert.Contains("TABLE public IntegrationKeys", contents);
                Assert.DoesNotContain("TABLE DATA public IntegrationKeys", contents);
                Assert.Contains("TABLE DATA public Integrations", contents);
                return;
            }
            var restored = Path.Combine(folder, "restored.db");
            using (var zip = ZipFile.OpenRead(file))
            {
                zip.GetEntry(SiteBackup.DatabaseEntry)!.ExtractToFile(restored);
                var bytes = await File.ReadAllBytesAsync(restored, Ct);
                var text = System.Text.Encoding.ASCII.GetString(bytes);
                Assert.All(protectedSecrets, secret => Assert.DoesNotContain(secret, text));
            }
            await using (var connection = new SqliteConnection($"Data Source={restored}"))
            {
                await connection.OpenAsync(Ct);
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT (SELECT COUNT(*) FROM IntegrationKeys), (SELECT COUNT(*) FROM IntegrationKeys WHERE ProtectedSecret IS NOT NULL), (SELECT COUNT(*) FROM Webhooks WHERE ProtectedSecret IS NOT NULL)";
                using var reader = await command.ExecuteReaderAsync(Ct);
                Assert.True(await reader.ReadAsync(Ct));
                Assert.Equal((2L, 0L, 0L), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
            SqliteConnection.ClearAllPools();

            // The site brought back from the backup: the integration is there, its keys must be made again.
            await using var second = NewsCmsAppFactory.OnDatabase(new TestDatabaseInstance(DatabaseProvider.Sqlite, $"Data Source={restored}", restored),
                new() { ["NewsCms:Media:Root"] = Path.Combine(folder, "media") });
            using var client = second.CreateClient();
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetPostsAsync(client, created.AdminKey)).StatusCode);
            await using var scope = second.Services.CreateAsyncScope();
            var again = (await scope.ServiceProvider.GetRequiredService<Integrations>().GetAsync(await second.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), created.Id, Ct)).Value!;
            Assert.All(again.Keys, k => Assert.True(k.NeedsRegeneration && k.Key is null));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_built_app_creates_an_integration_from_the_command_line_and_prints_both_keys()
    {
        var folder = Directory.CreateTempSubdirectory("newscms-create-integration-").FullName;
        var database = await TestDatabase.NewAsync();
        try
        {
            var settings = new Dictionary<string, string?>();
            database.ApplyTo(settings);
            var withoutAdmin = settings.ToDictionary(s => s.Key, s => s.Value!);
            // A site without an administrator: a clear message, exit 1.
            await using (var refused = AppProcess.Run(folder, withoutAdmin, "create-integration", "Deploy script"))
            {
                Assert.Equal(1, await refused.WaitForExitAsync(Ct));
                Assert.Contains(refused.Lines, line => line.Contains("no administrator"));
            }
            var withAdmin = new Dictionary<string, string>(withoutAdmin)
            {
                ["NewsCms:Bootstrap:AdminEmail"] = NewsCmsAppFactory.AdminEmail,
                ["NewsCms:Bootstrap:AdminPassword"] = NewsCmsAppFactory.AdminPassword,
            };
            await using (var wrongRole = AppProcess.Run(folder, withAdmin, "create-integration", "Deploy script", "--role", "Owner"))
            {
                Assert.Equal(2, await wrongRole.WaitForExitAsync(Ct));
                Assert.Contains(wrongRole.Lines, line => line.StartsWith("Usage: dotnet NewsCms.Web.dll create-integration", StringComparison.Ordinal));
            }
            await using (var created = AppProcess.Run(folder, withAdmin, "create-integration", "Deploy script", "--role", "Editor"))
            {
                Assert.True(await created.WaitForExitAsync(Ct) == 0, string.Join('\n', created.Lines));
                Assert.Contains(created.Lines, line => System.Text.RegularExpressions.Regex.IsMatch(line, "^Content API key: [0-9a-f]{26}$"));
                Assert.Contains(created.Lines, line => System.Text.RegularExpressions.Regex.IsMatch(line, "^Admin API key: [0-9a-f]{24}:[0-9a-f]{64}$"));
                Assert.DoesNotContain(created.Lines, line => line.Contains("Now listening"));
            }
            await using var app = NewsCmsAppFactory.OnDatabase(database);
            await using var db = await DbAsync(app);
            var integration = await db.Integrations.SingleAsync(Ct);
            Assert.Equal("Deploy script", integration.Name);
            Assert.Equal(NewsroomRoles.Editor, await db.UserRoles.Where(ur => ur.UserId == integration.UserId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).SingleAsync(Ct));
            var audited = await db.AuditEntries.SingleAsync(e => e.Action == NewsCms.Web.Features.Audit.AuditActions.IntegrationCreated, Ct);
            Assert.Equal(await app.UserIdAsync(NewsCmsAppFactory.AdminEmail), audited.ActorId);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await database.DropAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(System.Security.Claims.ClaimsPrincipal Admin, Integrations Integrations)> AdminAsync(NewsCmsAppFactory app)
    {
        app.CreateClient().Dispose();
        var scope = app.Services.CreateAsyncScope();
        return (await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), scope.ServiceProvider.GetRequiredService<Integrations>());
    }

    private static async Task<NewsCmsDbContext> DbAsync(NewsCmsAppFactory app) =>
        await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(Ct);

    private static Task<HttpResponseMessage> GetPostsAsync(HttpClient client, string adminKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/ghost/api/admin/posts/");
        request.Headers.TryAddWithoutValidation("Authorization", GhostAdminToken.Header(adminKey));
        return client.SendAsync(request, Ct);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string adminKey, string json, string resource)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/ghost/api/admin/{resource}/")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", GhostAdminToken.Header(adminKey));
        return client.SendAsync(request, Ct);
    }
}
