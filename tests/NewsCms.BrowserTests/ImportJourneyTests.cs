using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;

namespace NewsCms.BrowserTests;

/// <summary>Moving in from WordPress at /admin/import, in a real browser, then reading the imported site as a reader.</summary>
public sealed class ImportJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    [Fact]
    public async Task An_administrator_imports_a_wordpress_export_and_a_reader_follows_an_old_address()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await page.GotoAsync("/admin/import");
        await Browser.WaitForCircuitAsync();

        var uploadsZip = Path.Combine(Path.GetTempPath(), $"uploads-{Guid.NewGuid():N}.zip");
        try
        {
            using (var zip = ZipFile.Open(uploadsZip, ZipArchiveMode.Create))
            {
                foreach (var file in Directory.EnumerateFiles(WordPressFixtures.Uploads, "*", SearchOption.AllDirectories))
                {
                    zip.CreateEntryFromFile(file, "wp-content/uploads/" + Path.GetRelativePath(WordPressFixtures.Uploads, file).Replace('\\', '/'));
                }
            }
            await page.GetByLabel("WordPress export (.xml)").SetInputFilesAsync(WordPressFixtures.Site);
            await page.GetByLabel("Uploads (.zip of wp-content/uploads, optional)").SetInputFilesAsync(uploadsZip);
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload and check" }).ClickAsync();
        }
        finally
        {
            File.Delete(uploadsZip);
        }

        // The dry run: its report, and nothing written yet.
        await Expect(page).ToHaveURLAsync(new Regex(@"/admin/import\?run=[0-9a-f]{32}$"));
        await Browser.WaitForCircuitAsync();
        await Expect(page.GetByText("Dry run report")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("import-warnings")).ToContainTextAsync("was private; it became a draft");
        var runAddress = page.Url;

        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("import-status")).ToContainTextAsync("Import finished.", new() { Timeout = 60_000 });
        await Expect(page.GetByText("Import report")).ToBeVisibleAsync();

        // A reload keeps the run and its report (the address names it).
        await page.GotoAsync(runAddress);
        await Browser.WaitForCircuitAsync();
        await Expect(page.GetByTestId("import-status")).ToContainTextAsync("Import finished.");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download report" }).ClickAsync());
        Assert.StartsWith("import-report-", download.SuggestedFilename, StringComparison.Ordinal);

        // A reader: the imported article, and an old WordPress address that lands on it.
        await using var readerSession = await OpenAnotherSessionAsync();
        var reader = readerSession.Page;
        await reader.GotoAsync("/2024/03/04/harbour-reopens-after-the-storm/");
        await Expect(reader).ToHaveURLAsync(new Regex("/news/harbour-reopens-after-the-storm$"));
        await Expect(reader.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Harbour reopens after the storm");
        await reader.GotoAsync("/?p=22");
        await Expect(reader).ToHaveURLAsync(new Regex("/news/cafe-owners-welcome-new-rules$"));
    }
}
