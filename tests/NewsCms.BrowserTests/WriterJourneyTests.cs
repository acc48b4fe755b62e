using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Settings;

namespace NewsCms.BrowserTests;

/// <summary>Where the writer is: image details in the picker, the toolbar's image button, the newsroom on a phone.</summary>
public sealed class WriterJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private async Task OpenEditorAsync(string url)
    {
        await Page.GotoAsync(url);
        await Browser.WaitForCircuitAsync();
        await Page.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    [Fact]
    public async Task Alt_text_typed_in_the_picker_clears_the_warning_at_once_and_the_toolbar_image_goes_in_at_the_cursor()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Editor:AutosaveDelaySeconds"] = "120" }));
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var scope = App.Services.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var image = (await library.UploadAsync(admin, new MemoryStream(TestImages.Jpeg(1200, 800)), "pier.jpg", -1)).Value!;
        var articles = scope.ServiceProvider.NewsroomArticles();
        var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput
        {
            Headline = "Storm reaches the pier", BodyHtml = "<p>First paragraph.</p><p>Second paragraph.</p>", FeaturedImageId = image.Id,
        }, null, SaveKind.Manual);

        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await OpenEditorAsync($"/admin/articles/{draft.Id}");

        // The featured image has no alt text: the editor says so, and the fields are right there.
        var featured = page.GetByRole(AriaRole.Group, new() { Name = "Featured image", Exact = true });
        await Expect(featured.GetByTestId("media-picker-no-alt")).ToBeVisibleAsync();
        await featured.GetByLabel("Alt text", new() { Exact = true }).FillAsync("Waves break over the pier");
        await featured.GetByLabel("Credit", new() { Exact = true }).FillAsync("Sam Lens");
        await Button(featured.Page, "Save image details").ClickAsync();
        await Expect(featured.GetByTestId("media-picker-no-alt")).ToHaveCountAsync(0);
        await Expect(featured.Locator("img.media-picker__preview")).ToHaveAttributeAsync("alt", "Waves break over the pier");
        Assert.Equal("Waves break over the pier", (await library.GetAsync(admin, image.Id)).Value!.AltText);
        // The social card of the preview shows the picture with its new description.
        await Expect(page.GetByTestId("social-preview-image")).ToHaveAttributeAsync("alt", "Waves break over the pier");

        // The search preview follows the SEO title as it is typed.
        await page.GetByLabel("SEO title", new() { Exact = true }).FillAsync("Pier closed after the storm");
        await Expect(page.GetByTestId("google-preview-title")).ToContainTextAsync("Pier closed after the storm — ");
        await Expect(page.GetByTestId("social-preview-title")).ToHaveTextAsync("Pier closed after the storm");

        // The toolbar's image button: the image goes in after the paragraph holding the cursor.
        await page.Locator(".ProseMirror p").First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Image", Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Choose an image" });
        await dialog.Locator(".media-grid__item").First.ClickAsync();
        await Expect(dialog.GetByTestId("media-picker-candidate").GetByLabel("Alt text", new() { Exact = true })).ToHaveValueAsync("Waves break over the pier");
        await Button(page, "Use this image").ClickAsync();
        await Expect(page.Locator(".ProseMirror img")).ToHaveAttributeAsync("alt", "Waves break over the pier");
        var order = await page.Locator(".ProseMirror").EvaluateAsync<string>("root => [...root.children].map(e => e.tagName.toLowerCase()).join(',')");
        Assert.StartsWith("p,img,p", order);
    }

    [Theory]
    [InlineData(360)]
    [InlineData(320)]
    public async Task The_newsroom_header_fits_a_phone_without_cutting_the_title_or_wrapping_sign_out(int width)
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var settings = new SiteSettingsInput { Title = "The Northern Coast Gazette", Language = "en", TimeZone = "UTC" };
            Assert.True((await scope.ServiceProvider.GetRequiredService<SiteSettingsService>().SaveAsync(admin, settings)).Succeeded);
        }
        await page.SetViewportSizeAsync(width, 740);
        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await Browser.WaitForCircuitAsync();

        var title = page.GetByTestId("newsroom-title");
        await Expect(title).ToContainTextAsync("The Northern Coast Gazette");
        var fit = await title.EvaluateAsync<bool[]>(
            """
            el => {
                const box = el.getBoundingClientRect();
                return [el.scrollWidth <= el.clientWidth, el.scrollHeight <= el.clientHeight + 1, box.left >= 0, box.right <= window.innerWidth];
            }
            """);
        Assert.Equal([true, true, true, true], fit);

        var signOut = Button(page, "Sign out");
        await Expect(signOut).ToBeVisibleAsync();
        var lines = await signOut.EvaluateAsync<int>(
            """
            button => {
                // The lines the label's text takes: one rectangle per line of each text node.
                const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
                const tops = new Set();
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    if (!node.textContent.trim()) continue;
                    const range = document.createRange();
                    range.selectNodeContents(node);
                    for (const rect of range.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
                }
                return tops.size;
            }
            """);
        Assert.Equal(1, lines);
        var signOutRight = await signOut.EvaluateAsync<double>("b => b.getBoundingClientRect().right");
        Assert.True(signOutRight <= width, $"Sign out ends at {signOutRight} px");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
    }

    [Fact]
    public async Task The_author_page_avatar_is_a_round_square_at_desktop_and_phone_widths_even_from_a_wide_photo()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var (accountId, _, _) = await App.CreateUserAsync(NewsroomRoles.Author, displayName: "Ada Reporter");
        await using var scope = App.Services.CreateAsyncScope();
        var photo = (await scope.ServiceProvider.GetRequiredService<MediaLibrary>()
            .UploadAsync(admin, new MemoryStream(TestImages.Jpeg(1200, 500)), "ada.jpg", -1)).Value!;
        var authors = scope.ServiceProvider.GetRequiredService<AuthorProfiles>();
        var profile = await authors.EnsureForAccountAsync(accountId, "Ada Reporter");
        Assert.True((await authors.UpdateAsync(admin, profile, new AuthorInput
        {
            DisplayName = "Ada Reporter", JobTitle = "Harbour reporter", AvatarId = photo.Id,
            // A bio longer than one line: the text beside the photo wants more room than there is.
            Bio = "Ada has covered the harbour, the ferries, the fishing fleet and the council's long arguments about the old lighthouse for twelve years, "
                + "after starting out on the night desk of a regional paper. She writes the Saturday tide-table column and answers every reader's letter.",
        })).Succeeded);
        var articles = scope.ServiceProvider.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Ferries return", BodyHtml = "<p>Story.</p>", AuthorIds = [profile] }, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
        var slug = (await authors.GetAsync(admin, profile)).Value!.Slug;

        foreach (var (width, side) in new[] { (1280, 128.0), (360, 80.0) })
        {
            await page.SetViewportSizeAsync(width, 800);
            await page.GotoAsync($"/author/{slug}");
            var box = await page.Locator(".author-header .author-avatar").BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.Equal((side, side), (Math.Round(box.Width), Math.Round(box.Height)));
            Assert.Equal("cover", await page.Locator(".author-header .author-avatar").EvaluateAsync<string>("img => getComputedStyle(img).objectFit"));
        }
    }

    [Fact]
    public async Task The_site_time_zone_is_found_by_city_or_country_and_stored_as_its_iana_id()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await page.GotoAsync("/admin/settings");
        await Browser.WaitForCircuitAsync();

        var zone = page.GetByLabel("Time zone", new() { Exact = true });
        await zone.FillAsync("france");
        await page.GetByRole(AriaRole.Option, new() { Name = "Paris — France (UTC+01:00)" }).ClickAsync();
        await Expect(zone).ToHaveValueAsync("Paris — France (UTC+01:00)");
        await Button(page, "Save").ClickAsync();
        await Expect(page.GetByText("Settings saved. The public site shows them now.")).ToBeVisibleAsync();
        Assert.Equal("Europe/Paris", (await App.Services.GetRequiredService<SiteSettingsStore>().GetAsync()).TimeZoneId);

        // After a reload the field names the city again.
        await page.ReloadAsync();
        await Browser.WaitForCircuitAsync();
        await Expect(page.GetByLabel("Time zone", new() { Exact = true })).ToHaveValueAsync("Paris — France (UTC+01:00)");
    }

    [Fact]
    public async Task An_image_without_alt_text_is_described_in_the_picker_and_goes_into_the_body_described()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Editor:AutosaveDelaySeconds"] = "120" }));
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var scope = App.Services.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var image = (await library.UploadAsync(admin, new MemoryStream(TestImages.Jpeg(1200, 800)), "lighthouse.jpg", -1)).Value!;
        var draft = await scope.ServiceProvider.NewsroomArticles().Editing.SaveAsync(admin, null,
            new ArticleInput { Headline = "Lighthouse relit", BodyHtml = "<p>The lamp is back.</p>" }, null, SaveKind.Manual);

        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await OpenEditorAsync($"/admin/articles/{draft.Id}");
        await page.Locator(".ProseMirror p").First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Image", Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Choose an image" });
        await dialog.Locator(".media-grid__item").First.ClickAsync();
        var candidate = dialog.GetByTestId("media-picker-candidate");
        await Expect(candidate.GetByTestId("media-alt-missing")).ToBeVisibleAsync();
        await candidate.GetByLabel("Alt text", new() { Exact = true }).FillAsync("The lighthouse lit at dusk");
        await candidate.GetByLabel("Caption", new() { Exact = true }).FillAsync("Relit after ten years.");
        await Button(page, "Use this image").ClickAsync();

        // Described in the library and inserted at once: no second question below the editor.
        await Expect(page.Locator(".ProseMirror img")).ToHaveAttributeAsync("alt", "The lighthouse lit at dusk");
        await Expect(page.GetByTestId("body-image-alt")).ToHaveCountAsync(0);
        var stored = (await library.GetAsync(admin, image.Id)).Value!;
        Assert.Equal(("The lighthouse lit at dusk", "Relit after ten years."), (stored.AltText, stored.Caption));
    }
}
