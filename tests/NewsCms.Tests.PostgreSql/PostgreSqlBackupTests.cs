using System.Net;
using Npgsql;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Backup;

namespace NewsCms.Tests.Integration;

/// <summary>
/// What only a PostgreSQL site's backups do: pg_dump and pg_restore missing or failing, the password kept off their
/// command line, backups that belong to the other provider, a backup older than the database's schema.
/// The shared tests in BackupTests.cs (a download restored into a new empty database, serving the same articles and
/// images; the commands; damaged archives) run here on PostgreSQL too.
/// </summary>
public sealed partial class BackupTests
{
    [Fact]
    public async Task Without_pg_dump_and_pg_restore_the_commands_and_the_settings_page_say_to_install_postgresql_client()
    {
        var tools = NewFolder();
        var toolsSetting = $"--{BackupOptions.ToolsFolderSetting}={tools}";
        var site = await NewSiteAsync();
        var target = Path.Combine(NewFolder(), "site.zip");

        var backup = await RunCommandAsync(["backup", target, .. Settings(site), toolsSetting]);
        Assert.Equal(1, backup.Code);
        Assert.Contains($"pg_dump was not found in '{tools}' (setting {BackupOptions.ToolsFolderSetting})", backup.Error);
        Assert.Contains("Debian package postgresql-client", backup.Error);
        Assert.DoesNotContain("Exception", backup.Error);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!));

        var restore = await RunCommandAsync(["restore", target, .. Settings(site), toolsSetting]);
        Assert.Equal(1, restore.Code);
        Assert.Contains("pg_restore was not found", restore.Error);
        Assert.Contains("Debian package postgresql-client", restore.Error);

        // The page says it before anyone clicks, and the click gets the same answer rather than an error page.
        await using var app = await NewsCmsAppFactory.CreateAsync(new() { [BackupOptions.ToolsFolderSetting] = tools });
        var admin = await SignInAsync(app, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword, "/admin/settings");
        Assert.Contains("backup-problem", admin.Page);
        Assert.Contains("pg_dump was not found in", admin.Page);
        Assert.Contains("Debian package postgresql-client", admin.Page);
        using var response = await DownloadAsync(admin.Client, admin.Token);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Backup failed", page);
        Assert.Contains("Debian package postgresql-client", page);
        Assert.DoesNotContain("Exception", page);
        Assert.Empty(await AuditedAsync(app));
    }

    [Fact]
    public async Task A_failing_pg_dump_is_reported_with_its_error_output_and_the_password_is_never_on_its_command_line()
    {
        // The real pg_dump, run through a script that notes how it was called and makes it fail after it connected.
        var realPgDump = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(f => Path.Combine(f, "pg_dump")).First(File.Exists);
        var tools = NewFolder();
        var script = Path.Combine(tools, "pg_dump");
        await File.WriteAllTextAsync(script, $"""
            #!/bin/sh
            printf '%s\n' "$@" > "{tools}/arguments.txt"
            printf '%s' "$PGPASSWORD" > "{tools}/password.txt"
            exec {realPgDump} "$@" --strict-names --table=no_such_table
            """.ReplaceLineEndings("\n"));
        // (A shell script: this test runs where PostgreSQL's tests run, on Linux.)
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // The local server trusts the Unix user (peer authentication), so the password is carried but not needed.
        const string password = "s3cret-not-for-ps";
        var site = await NewSiteAsync();
        var withPassword = site with { ConnectionString = new NpgsqlConnectionStringBuilder(site.ConnectionString) { Password = password }.ConnectionString };
        var target = Path.Combine(NewFolder(), "site.zip");

        var backup = await RunCommandAsync(["backup", target, .. Settings(withPassword), $"--{BackupOptions.ToolsFolderSetting}={tools}"]);
        Assert.Equal(1, backup.Code);
        Assert.Contains("pg_dump failed (exit code 1) on the PostgreSQL database", backup.Error);
        Assert.Contains("no matching tables were found for pattern \"no_such_table\"", backup.Error);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!));

        var arguments = await File.ReadAllLinesAsync(Path.Combine(tools, "arguments.txt"));
        Assert.Contains($"--dbname={new NpgsqlConnectionStringBuilder(site.ConnectionString).Database}", arguments);
        Assert.Contains("--format=custom", arguments);
        Assert.DoesNotContain(arguments, argument => argument.Contains(password));
        Assert.Equal(password, await File.ReadAllTextAsync(Path.Combine(tools, "password.txt")));
    }

    [Fact]
    public async Task A_backup_restores_only_into_a_site_on_the_provider_that_made_it()
    {
        var sqlite = TestDatabase.NewEmptyPath();
        folders.Add(Path.GetDirectoryName(sqlite)!);
        string[] sqliteSettings = [$"--ConnectionStrings:NewsCms=Data Source={sqlite}"];
        var sqliteBackup = Path.Combine(NewFolder(), "sqlite.zip");
        await using (var app = NewsCmsAppFactory.OnEmptyPath(sqlite, Bootstrap))
        {
            await FillAsync(app);
            Assert.Equal(0, (await RunCommandAsync(["backup", sqliteBackup, .. sqliteSettings])).Code);
        }

        var site = await NewEmptySiteAsync();
        var postgreSqlBackup = Path.Combine(NewFolder(), "postgresql.zip");
        await using (var app = NewsCmsAppFactory.OnDatabase(site, Bootstrap))
        {
            await FillAsync(app);
            Assert.Equal(0, (await RunCommandAsync(["backup", postgreSqlBackup, .. Settings(site)])).Code);
        }
        await StoppedAsync(site);
        var before = await SnapshotAsync(site);

        var intoPostgreSql = await RunCommandAsync(["restore", sqliteBackup, ForceOption, .. Settings(site)]);
        Assert.Equal(1, intoPostgreSql.Code);
        Assert.Contains("it is a backup of a site on SQLite, and this site runs on PostgreSQL (setting NewsCms:Database:Provider)", intoPostgreSql.Error);
        Assert.Contains("moving a site from SQLite to PostgreSQL is not something backup and restore do", intoPostgreSql.Error);
        Assert.EndsWith("Nothing was changed.", intoPostgreSql.Error.Trim());
        Assert.Equal(before, await SnapshotAsync(site));

        var intoSqlite = await RunCommandAsync(["restore", postgreSqlBackup, ForceOption, .. sqliteSettings]);
        Assert.Equal(1, intoSqlite.Code);
        Assert.Contains("it is a backup of a site on PostgreSQL, and this site runs on SQLite", intoSqlite.Error);
        Assert.EndsWith("Nothing was changed.", intoSqlite.Error.Trim());
    }

    [Fact]
    public async Task A_backup_older_than_the_database_schema_is_refused_because_pg_restore_would_leave_the_newer_tables()
    {
        var site = await NewSiteAsync();
        var file = Path.Combine(NewFolder(), "site.zip");
        Assert.Equal(0, (await RunCommandAsync(["backup", file, .. Settings(site)])).Code);
        // The database as a later NewsCms would have migrated it.
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(site.ConnectionString) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "INSERT INTO \"__EFMigrationsHistory\" VALUES ('29991231000000_Later', '10.0.0'); CREATE TABLE \"Later\" (\"Id\" int)", connection);
            await command.ExecuteNonQueryAsync();
        }
        // That session ends on the server just after the connection closes: the restore must not see it.
        await StoppedAsync(site);

        var refused = await RunCommandAsync(["restore", file, ForceOption, .. Settings(site)]);
        Assert.Equal(1, refused.Code);
        Assert.Contains("the database has the migration 29991231000000_Later, the backup does not", refused.Error);
        Assert.Contains("Restore it into a new, empty database", refused.Error);
        Assert.EndsWith("Nothing was changed.", refused.Error.Trim());

        var empty = await NewEmptySiteAsync();
        var restored = await RunCommandAsync(["restore", file, .. Settings(empty)]);
        Assert.True(restored.Code == 0, restored.Error);
    }
}
