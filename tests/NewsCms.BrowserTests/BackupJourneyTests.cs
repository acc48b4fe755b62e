using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Backup;

namespace NewsCms.BrowserTests;

/// <summary>The "Download backup" button on the interactive settings page, in a real browser.</summary>
public sealed class BackupJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    [Fact]
    public async Task An_administrator_downloads_a_backup_from_the_settings_page_and_stays_on_it()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await page.GotoAsync("/admin/settings");
        await Browser.WaitForCircuitAsync();

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Download backup", Exact = true }).ClickAsync());
        Assert.Matches(@"^newscms-backup-\d{4}-\d{2}-\d{2}-\d{4}\.zip$", download.SuggestedFilename);
        using (var zip = ZipFile.OpenRead(await download.PathAsync()))
        {
            Assert.NotNull(zip.GetEntry(SiteBackup.ManifestEntry));
            Assert.NotNull(zip.GetEntry(SiteBackup.DatabaseEntry));
        }
        await Expect(page).ToHaveURLAsync(new Regex("/admin/settings$"));
        await Expect(page.GetByLabel("Site title", new() { Exact = true })).ToBeEditableAsync();

        await using var db = await App.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        Assert.Equal(download.SuggestedFilename, (await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.BackupDownloaded)).Target);
    }
}
