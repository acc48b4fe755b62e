using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>The media library in a real browser: picker and drag-and-drop uploads through the upload script.</summary>
public sealed class MediaJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private async Task OpenLibraryAsync(IPage page)
    {
        await page.GotoAsync("/admin/media");
        await Browser.WaitForCircuitAsync();
        await page.Locator("[data-testid=media-upload][data-ready=true]").WaitForAsync();
    }

    [Fact]
    public async Task A_contributor_uploads_by_picker_and_by_drop_sees_refusals_and_describes_the_image()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var (_, email, password) = await App.CreateUserAsync(NewsroomRoles.Contributor);
        await SignInAsync(page, email, password);
        await OpenLibraryAsync(page);
        await Expect(page.GetByTestId("media-empty")).ToHaveTextAsync("No images yet. Upload the first one above.");

        // The picker: a photo with GPS data and a text file pretending to be a photo.
        await page.GetByLabel("Choose images").SetInputFilesAsync(new[]
        {
            new FilePayload { Name = "harbour.jpg", MimeType = "image/jpeg", Buffer = TestImages.WithExif(TestImages.Jpeg(1200, 800)) },
            new FilePayload { Name = "notes.jpg", MimeType = "image/jpeg", Buffer = "meeting notes"u8.ToArray() },
        });
        await Expect(page.GetByTestId("upload-error")).ToContainTextAsync("notes.jpg: " + ImageProcessor.NotAnImage);
        var thumbnails = page.Locator(".media-grid__item");
        await Expect(thumbnails).ToHaveCountAsync(1);
        await Expect(thumbnails.First.Locator("img")).ToHaveAttributeAsync("width", "320");
        await Expect(page.GetByTestId("upload-progress")).ToHaveCountAsync(0);

        // Drag and drop onto the area.
        var png = Convert.ToBase64String(TestImages.Png(500, 400, alpha: true));
        await page.Locator("[data-testid=media-upload]").EvaluateAsync(
            """
            (zone, base64) => {
                const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
                const transfer = new DataTransfer();
                transfer.items.add(new File([bytes], 'chart.png', { type: 'image/png' }));
                for (const type of ['dragenter', 'dragover', 'drop']) {
                    zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
                }
            }
            """, png);
        await Expect(thumbnails).ToHaveCountAsync(2);

        // The newest upload opens in the details panel; describe it.
        await Expect(page.GetByTestId("media-facts")).ToContainTextAsync("500 × 400 px");
        await page.GetByLabel("Alt text", new() { Exact = true }).FillAsync("Bar chart of ferry passengers");
        await page.GetByLabel("Caption", new() { Exact = true }).FillAsync("Passengers per month.");
        await page.GetByLabel("Credit", new() { Exact = true }).FillAsync("Harbour Authority");
        await Button(page, "Save").ClickAsync();
        await Expect(thumbnails.First.Locator("img")).ToHaveAttributeAsync("alt", "Bar chart of ferry passengers");

        await page.GetByLabel("Search media").FillAsync("ferry passengers");
        await Expect(thumbnails).ToHaveCountAsync(1);
        await Expect(thumbnails.First).ToContainTextAsync("chart.png");
    }
}
