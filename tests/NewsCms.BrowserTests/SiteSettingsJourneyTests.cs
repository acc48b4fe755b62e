using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.BrowserTests;

/// <summary>An Administrator shapes what readers see from /admin/settings: logo, navigation, default social image.</summary>
public sealed class SiteSettingsJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    [Fact]
    public async Task An_administrator_sets_the_logo_and_orders_the_navigation_and_readers_see_it_at_once()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
            Assert.True((await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "World" })).Succeeded);
            Assert.True((await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Sport" })).Succeeded);
            var bytes = TestImages.Png(600, 150);
            var logo = await scope.ServiceProvider.GetRequiredService<MediaLibrary>().UploadAsync(admin, new MemoryStream(bytes), "masthead.png", bytes.Length);
            Assert.True(logo.Succeeded, logo.Error);
            Assert.True((await scope.ServiceProvider.GetRequiredService<MediaLibrary>().UpdateDetailsAsync(admin, logo.Value!.Id,
                new MediaDetailsInput { AltText = "The Harbour Times masthead" })).Succeeded);
        }

        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await page.GotoAsync("/admin/settings");
        await Browser.WaitForCircuitAsync();
        await page.GetByLabel("Site title", new() { Exact = true }).FillAsync("The Harbour Times");

        var logoField = page.GetByRole(AriaRole.Group, new() { Name = "Logo" });
        await logoField.GetByRole(AriaRole.Button, new() { Name = "Choose image" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog).Locator(".media-grid__item")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Dialog).Locator(".media-grid__item").First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Use this image", Exact = true }).ClickAsync();
        await Expect(logoField.Locator("img")).ToHaveAttributeAsync("alt", "The Harbour Times masthead");

        // A custom link, moved above Sport; World leaves the navigation.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add navigation link", Exact = true }).ClickAsync();
        await page.GetByLabel("Navigation link 3 label", new() { Exact = true }).FillAsync("About us");
        await page.GetByLabel("Navigation link 3 URL", new() { Exact = true }).FillAsync("/about");
        await page.GetByRole(AriaRole.Button, new() { Name = "Move About us up", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove World from the navigation", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("navigation-item")).ToHaveCountAsync(2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page.GetByText("Settings saved. The public site shows them now.")).ToBeVisibleAsync();

        await using var reader = await OpenAnotherSessionAsync();
        await reader.Page.GotoAsync("/");
        await Expect(reader.Page.GetByRole(AriaRole.Link, new() { Name = "The Harbour Times" }).Locator("img.site-logo")).ToBeVisibleAsync();
        var navigation = reader.Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link);
        await Expect(navigation).ToHaveTextAsync(["Home", "About us", "Sport"]);

        // A navigation link that is not a web address is refused where the administrator typed it; nothing is lost.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add navigation link", Exact = true }).ClickAsync();
        await page.GetByLabel("Navigation link 3 label", new() { Exact = true }).FillAsync("Shop");
        await page.GetByLabel("Navigation link 3 URL", new() { Exact = true }).FillAsync("shop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "The navigation link \"Shop\" needs a full http(s) address or a path on this site" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Navigation link 3 label", new() { Exact = true })).ToHaveValueAsync("Shop");
    }
}
