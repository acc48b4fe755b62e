using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;

namespace NewsCms.Tests.Integration;

/// <summary>Start-up on PostgreSQL: a new database is migrated; a bad provider name or an unreachable server stops start-up naming the setting.</summary>
public sealed class PostgreSqlStartupTests
{
    [Fact]
    public async Task A_new_empty_database_is_migrated_at_start_up_and_serves_the_site()
    {
        var name = "newscms_test_" + Guid.NewGuid().ToString("N");
        await TestDatabase.ExecuteOnServerAsync($"CREATE DATABASE \"{name}\"");
        var template = await TestDatabase.NewAsync();
        var database = template with { ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(template.ConnectionString) { Database = name }.ConnectionString };
        await template.DropAsync();
        try
        {
            await using var app = NewsCmsAppFactory.OnDatabase(database);
            using var client = app.CreateClient();
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
            Assert.Contains(app.Logs.Lines, m => m.Contains("is up to date (", StringComparison.Ordinal) && m.Contains("PostgreSQL", StringComparison.Ordinal));
        }
        finally
        {
            await database.DropAsync();
        }
    }

    [Fact]
    public async Task A_database_that_does_not_exist_yet_is_created_and_migrated_at_start_up()
    {
        var template = await TestDatabase.NewAsync();
        var database = template with
        {
            ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(template.ConnectionString) { Database = "newscms_test_" + Guid.NewGuid().ToString("N") }.ConnectionString,
        };
        await template.DropAsync();
        try
        {
            await using var app = NewsCmsAppFactory.OnDatabase(database);
            using var client = app.CreateClient();
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        }
        finally
        {
            await database.DropAsync();
        }
    }

    [Fact]
    public async Task An_unreachable_server_stops_start_up_with_a_message_naming_the_settings()
    {
        var unreachable = new TestDatabaseInstance(DatabaseProvider.PostgreSQL, "Host=127.0.0.1;Port=1;Database=none;Username=nobody;Timeout=2", null);
        await using var app = NewsCmsAppFactory.OnDatabase(unreachable);
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var message = error.ToString();
        Assert.Contains(DatabaseSetup.SettingName, message);
        Assert.Contains(DatabaseProviderSetting.Name, message);
    }

    [Fact]
    public async Task A_provider_name_it_does_not_know_stops_start_up_naming_the_setting()
    {
        var database = await TestDatabase.NewAsync();
        await using var app = NewsCmsAppFactory.OnDatabase(database, new() { [DatabaseProviderSetting.Name] = "Oracle" });
        try
        {
            var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
            Assert.Contains($"The setting {DatabaseProviderSetting.Name} is 'Oracle'", error.ToString());
        }
        finally
        {
            await database.DropAsync();
        }
    }
}
