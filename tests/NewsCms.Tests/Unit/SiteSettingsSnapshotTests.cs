using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Tests.Unit;

public class SiteSettingsSnapshotTests
{
    private sealed class Factory(DbContextOptions<NewsCmsDbContext> options) : IDbContextFactory<NewsCmsDbContext>
    {
        public NewsCmsDbContext CreateDbContext() => new(options);
    }

    [Fact]
    public async Task A_read_that_overlaps_a_save_does_not_put_the_old_settings_back()
    {
        var path = await TestDatabase.NewFileAsync();
        try
        {
            var gate = new CommandGate();
            var options = new DbContextOptionsBuilder<NewsCmsDbContext>(NewsCmsDbContext.StandaloneOptions(path)).AddInterceptors(gate).Options;
            var store = new SiteSettingsStore(new Factory(options), Options.Create(new SiteOptions()), TimeProvider.System);
            await store.WriteAsync(new Dictionary<string, string> { [SiteSettingsStore.TitleKey] = "Old Gazette" }, TestContext.Current.CancellationToken);

            // A reader has read the old values and not yet kept them when the title is saved.
            gate.HoldNext("\"SiteSettings\"");
            var reading = store.GetAsync(TestContext.Current.CancellationToken);
            await gate.Held.Task.WaitAsync(TestContext.Current.CancellationToken);
            await store.WriteAsync(new Dictionary<string, string> { [SiteSettingsStore.TitleKey] = "New Gazette" }, TestContext.Current.CancellationToken);
            gate.Release.SetResult();
            Assert.Equal("Old Gazette", (await reading).Title);

            Assert.Equal("New Gazette", (await store.GetAsync(TestContext.Current.CancellationToken)).Title);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
