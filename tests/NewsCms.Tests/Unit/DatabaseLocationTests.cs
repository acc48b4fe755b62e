using Microsoft.Extensions.Configuration;
using Npgsql;
using NewsCms.Web.Data;

namespace NewsCms.Tests.Unit;

/// <summary>How the database setting is read: on PostgreSQL, a node's pool stays under the server's connection limit, and its statements are prepared, unless told otherwise.</summary>
public sealed class DatabaseLocationTests
{
    private static DatabaseLocation Read(string connectionString) => new(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [DatabaseSetup.SettingName] = connectionString,
            [DatabaseProviderSetting.Name] = "PostgreSQL",
        }).Build(),
        new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = Path.Combine(Path.GetTempPath(), "newscms-tests", Guid.NewGuid().ToString("N")) });

    [Fact]
    public void A_PostgreSQL_pool_is_kept_under_the_servers_default_connection_limit_when_the_setting_names_no_size()
    {
        var location = Read("Host=db.internal;Database=newscms;Username=newscms");
        Assert.Equal(DatabaseLocation.DefaultPostgreSqlPoolSize, new NpgsqlConnectionStringBuilder(location.ConnectionString).MaxPoolSize);
        Assert.True(DatabaseLocation.DefaultPostgreSqlPoolSize * 3 < 100);
    }

    [Theory]
    [InlineData("Host=db.internal;Database=newscms;Maximum Pool Size=80")]
    [InlineData("Host=db.internal;Database=newscms;MaxPoolSize=80")]
    [InlineData("host=db.internal;database=newscms;maximum pool size=80")]
    public void A_pool_size_the_setting_names_is_kept(string connectionString) =>
        Assert.Equal(80, new NpgsqlConnectionStringBuilder(Read(connectionString).ConnectionString).MaxPoolSize);

    [Fact]
    public void PostgreSQL_connections_prepare_the_statements_they_run_often_when_the_setting_does_not_say() =>
        Assert.Equal(DatabaseLocation.DefaultPostgreSqlAutoPrepare,
            new NpgsqlConnectionStringBuilder(Read("Host=db.internal;Database=newscms;Username=newscms").ConnectionString).MaxAutoPrepare);

    [Theory]
    [InlineData("Host=db.internal;Database=newscms;Max Auto Prepare=0", 0)]
    [InlineData("host=db.internal;database=newscms;maxautoprepare=20", 20)]
    public void An_automatic_preparation_the_setting_names_is_kept(string connectionString, int expected) =>
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(Read(connectionString).ConnectionString).MaxAutoPrepare);
}
