using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>An editor illustrates, files and co-signs an article; a reader follows its picture, bylines and tags.</summary>
public sealed class FilingJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private async Task<(string Email, string Password)> WriterWithBioAsync(string role, string name, string bio)
    {
        var (id, email, password) = await App.CreateUserAsync(role, displayName: name);
        await using var scope = App.Services.CreateAsyncScope();
        var authors = scope.ServiceProvider.GetRequiredService<AuthorProfiles>();
        var profile = await authors.EnsureForAccountAsync(id, name);
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        Assert.True((await authors.UpdateAsync(admin, profile, new AuthorInput { DisplayName = name, JobTitle = "Reporter", Bio = bio })).Succeeded);
        return (email, password);
    }

    [Fact]
    public async Task An_editor_publishes_an_illustrated_article_with_two_authors_and_three_tags_that_readers_can_follow()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var (editorEmail, editorPassword) = await WriterWithBioAsync(NewsroomRoles.Editor, "Erin Editor", "Covers the harbour and the council.");
        await WriterWithBioAsync(NewsroomRoles.Author, "Aaron Author", "Writes about ferries and the weather.");
        await SignInAsync(page, editorEmail, editorPassword);

        // 1. Upload the photo and describe it.
        await page.GotoAsync("/admin/media");
        await Browser.WaitForCircuitAsync();
        await page.Locator("[data-testid=media-upload][data-ready=true]").WaitForAsync();
        await page.GetByLabel("Choose images").SetInputFilesAsync(new FilePayload
        {
            Name = "harbour.jpg", MimeType = "image/jpeg", Buffer = TestImages.WithExif(TestImages.Jpeg(1600, 1000)),
        });
        await Expect(page.Locator(".media-grid__item")).ToHaveCountAsync(1);
        await page.GetByLabel("Alt text", new() { Exact = true }).FillAsync("Ferries moored in the harbour at dawn");
        await page.GetByLabel("Caption", new() { Exact = true }).FillAsync("The first ferries back in port.");
        await page.GetByLabel("Credit", new() { Exact = true }).FillAsync("Harbour Authority");
        await Button(page, "Save").ClickAsync();
        await Expect(page.Locator(".media-grid__item img")).ToHaveAttributeAsync("alt", "Ferries moored in the harbour at dawn");

        // 2. Write the article, file it and sign it with two authors.
        await page.GotoAsync("/admin/articles/new");
        await Browser.WaitForCircuitAsync();
        await page.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.GetByLabel("Headline", new() { Exact = true }).FillAsync("Ferries return to the harbour");
        await page.GetByLabel("Body", new() { Exact = true }).ClickAsync();
        await page.Keyboard.TypeAsync("The ferries are back after the storm.");

        var authors = page.GetByLabel("Authors", new() { Exact = true });
        await authors.FillAsync("Aaron");
        await page.GetByRole(AriaRole.Option, new() { Name = "Aaron Author" }).ClickAsync();
        await Expect(page.GetByTestId("article-authors").Locator("li")).ToHaveCountAsync(2);

        foreach (var tag in new[] { "Harbour", "Ferries", "Storm season" })
        {
            await page.GetByLabel("Tags", new() { Exact = true }).FillAsync(tag);
            await page.GetByRole(AriaRole.Option, new() { Name = $"Create tag “{tag}”" }).ClickAsync();
            await Expect(page.GetByTestId("article-tags")).ToContainTextAsync(tag);
        }

        // The filing changes are saved (and the new article has its address) before the picker dialog opens over the page.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin/articles/[0-9]+$"));
        await Expect(page.GetByTestId("save-state")).ToContainTextAsync("Saved");
        var featured = page.GetByRole(AriaRole.Group, new() { Name = "Featured image" });
        await featured.GetByRole(AriaRole.Button, new() { Name = "Choose image" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog).Locator(".media-grid__item")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Dialog).Locator(".media-grid__item").First.ClickAsync();
        await Button(page, "Use this image").ClickAsync();
        await Expect(featured.GetByTestId("media-picker-credit")).ToHaveTextAsync("Harbour Authority");

        await Button(page, "Publish").ClickAsync();
        await Expect(page.GetByTestId("article-status")).ToHaveTextAsync("Published");

        // 3. A reader sees the picture with its credit, both bylines, the tags, and follows them.
        await using var reader = await OpenAnotherSessionAsync();
        var article = reader.Page;
        Assert.Equal(200, (await article.GotoAsync("/news/ferries-return-to-the-harbour"))!.Status);
        var figure = article.Locator("figure.article__figure");
        var img = figure.Locator("picture img");
        await Expect(img).ToHaveAttributeAsync("alt", "Ferries moored in the harbour at dawn");
        await Expect(img).ToHaveAttributeAsync("srcset", new Regex(@"/media/[^ ]+ 320w"));
        await Expect(img).ToHaveAttributeAsync("width", new Regex(@"^\d+$"));
        await Expect(img).ToHaveAttributeAsync("height", new Regex(@"^\d+$"));
        await Expect(figure.Locator("source[type='image/webp']")).ToHaveCountAsync(1);
        await Expect(figure.Locator("figcaption")).ToContainTextAsync("The first ferries back in port.");
        await Expect(figure.Locator("figcaption")).ToContainTextAsync("Photo: Harbour Authority");
        Assert.True(await img.EvaluateAsync<bool>("i => i.complete && i.naturalWidth > 0"), "the image loads");

        var byline = article.Locator(".article__byline");
        await Expect(byline.Locator("a[href='/author/erin-editor']")).ToHaveTextAsync("Erin Editor");
        await Expect(byline.Locator("a[href='/author/aaron-author']")).ToHaveTextAsync("Aaron Author");
        await Expect(article.Locator(".author-box")).ToHaveCountAsync(2);
        await Expect(article.Locator(".article__tags a")).ToHaveTextAsync(["Ferries", "Harbour", "Storm season"]);

        await byline.Locator("a[href='/author/aaron-author']").ClickAsync();
        await Expect(article.Locator("h1")).ToHaveTextAsync("Aaron Author");
        await Expect(article.Locator(".author-header__bio")).ToHaveTextAsync("Writes about ferries and the weather.");
        await Expect(article.Locator(".article-card__headline")).ToHaveTextAsync("Ferries return to the harbour");
        await article.GoBackAsync();
        await byline.Locator("a[href='/author/erin-editor']").ClickAsync();
        await Expect(article.Locator(".author-header__bio")).ToHaveTextAsync("Covers the harbour and the council.");

        foreach (var tag in new[] { "harbour", "ferries", "storm-season" })
        {
            Assert.Equal(200, (await article.GotoAsync($"/tag/{tag}"))!.Status);
            await Expect(article.Locator(".article-card__headline a")).ToHaveTextAsync("Ferries return to the harbour");
            await Expect(article.Locator(".article-card img")).ToHaveCountAsync(1);
        }
    }
}
