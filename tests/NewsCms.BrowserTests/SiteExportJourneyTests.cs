using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.SiteExport;

namespace NewsCms.BrowserTests;

/// <summary>The "Export site" button on the interactive settings page, in a real browser.</summary>
public sealed class SiteExportJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    [Fact]
    public async Task An_administrator_exports_the_site_from_the_settings_page_and_stays_on_it()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await page.GotoAsync("/admin/settings");
        await Browser.WaitForCircuitAsync();

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Export site", Exact = true }).ClickAsync());
        Assert.Matches(@"^newscms-site-\d{4}-\d{2}-\d{2}-\d{4}\.zip$", download.SuggestedFilename);
        using (var zip = ZipFile.OpenRead(await download.PathAsync()))
        {
            using var json = await System.Text.Json.JsonDocument.ParseAsync(zip.GetEntry(SiteArchive.SiteEntry)!.Open());
            Assert.Equal(SiteArchive.Format, json.RootElement.GetProperty("format").GetString());
        }
        await Expect(page).ToHaveURLAsync(new Regex("/admin/settings$"));
        await Expect(page.GetByLabel("Site title", new() { Exact = true })).ToBeEditableAsync();

        await using var db = await App.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        Assert.Equal(download.SuggestedFilename, (await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.SiteExported)).Target);
    }
}
