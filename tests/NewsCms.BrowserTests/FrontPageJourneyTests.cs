using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>
/// The curated front page: an Editor pins a story to the lead slot at /admin/front-page and readers see it; and the
/// home page's first screen, measured in the browser, at 1280×800 and on a 320px phone.
/// </summary>
public sealed class FrontPageJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static readonly string[] Headlines =
    [
        "Harbour wall repairs finished two months ahead of schedule",
        "Council approves new cycle lanes along the seafront promenade",
        "Ferry timetable changes for the winter season explained",
        "Local bakery wins regional award for its sourdough loaf",
        "Gulls secure late winner to stay top of the league table",
        "Storm warning issued as gusts of seventy miles an hour expected",
        "Library extends Sunday opening after record visitor numbers",
        "Fishing fleet returns with the best catch in a decade",
        "School garden project feeds a hundred families this autumn",
        "Rowing club celebrates fifty years on the estuary with a regatta",
        "Theatre reopens with a sold-out run of a local playwright's work",
        "New bus route links the villages up the valley to the station",
    ];

    /// <summary>Stories with pictures and standfirsts, in two navigation sections; the first is the oldest.</summary>
    private async Task<List<(int Id, string Slug, string Headline)>> StoriesAsync(int count = 12)
    {
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var scope = App.Services.CreateAsyncScope();
        var media = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var uploaded = await media.UploadAsync(admin, new MemoryStream(TestImages.Jpeg(1600, 1000)), "coast.jpg", -1);
        Assert.True(uploaded.Succeeded, uploaded.Error);
        Assert.True((await media.UpdateDetailsAsync(admin, uploaded.Value!.Id, new MediaDetailsInput { AltText = "The coast at dawn" })).Succeeded);
        var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        int[] sections =
        [
            (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Local", ShowInNavigation = true })).Value!.Id,
            (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Sport", ShowInNavigation = true })).Value!.Id,
        ];
        var articles = scope.ServiceProvider.NewsroomArticles();
        var stories = new List<(int, string, string)>();
        for (var i = 0; i < count; i++)
        {
            var headline = Headlines[i % Headlines.Length] + (i >= Headlines.Length ? $", part {i / Headlines.Length + 1}" : "");
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput
            {
                Headline = headline, BodyHtml = "<p>The story.</p>", FeaturedImageId = uploaded.Value.Id, SectionId = sections[i % 2],
                Standfirst = "What happened, who it affects and what comes next, in a sentence or two for the reader in a hurry.",
            }, null, SaveKind.Manual);
            var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
            Assert.True(published.Succeeded, published.Error);
            stories.Add((saved.Id, published.Value!.Slug, headline));
        }
        return stories;
    }

    [Fact]
    public async Task An_editor_drags_a_story_to_the_lead_slot_pins_it_and_the_home_page_leads_with_it()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var stories = await StoriesAsync();
        var (_, editorEmail, editorPassword) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Eddie Editor");
        var chosen = stories[0]; // the oldest: without curation it is not on the first screen
        await page.GotoAsync("/");
        await Expect(page.Locator(".home-lead .article-card__headline")).ToHaveTextAsync(stories[^1].Headline);

        await SignInAsync(page, editorEmail, editorPassword);
        await page.GotoAsync("/admin/front-page");
        await Browser.WaitForCircuitAsync();
        var lead = page.GetByRole(AriaRole.Listitem, new() { Name = "Lead", Exact = true });
        await Expect(lead).ToContainTextAsync("Empty: fills with the newest story");
        await Expect(page.GetByTestId("front-preview").Locator(".front-preview__headline").First).ToHaveTextAsync(stories[^1].Headline);

        // Find the story by search and drag it onto the lead slot: the slot and the live preview show it at once.
        await page.GetByLabel("Search stories").FillAsync("harbour wall");
        var story = page.Locator(".front-story", new() { HasText = chosen.Headline });
        await Expect(page.Locator(".front-story")).ToHaveCountAsync(1);
        await story.DragToAsync(lead);
        await Expect(lead.GetByTestId("slot-headline")).ToHaveTextAsync(chosen.Headline);
        await Expect(page.GetByTestId("front-preview").Locator(".front-preview__headline").First).ToHaveTextAsync(chosen.Headline);

        // Pinned until tomorrow, in the site's time.
        var tomorrow = DateTime.UtcNow.AddDays(1);
        await lead.GetByLabel("Pinned until", new() { Exact = true }).FillAsync(tomorrow.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.GetByTestId("front-preview").Locator(".front-preview__why").First).ToContainTextAsync("Pinned until");

        // Without dragging: the story's "Place" menu puts another story in top story 1.
        await page.GetByLabel("Search stories").FillAsync("theatre reopens");
        await Expect(page.Locator(".front-story")).ToHaveCountAsync(1);
        await page.Locator(".front-story").GetByRole(AriaRole.Button, new() { Name = "Place" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Top story 1" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Listitem, new() { Name = "Top story 1", Exact = true }).GetByTestId("slot-headline")).ToHaveTextAsync(stories[10].Headline);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save front page" }).ClickAsync();
        await Expect(page.GetByText("The front page is saved.")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("front-last-saved")).ToContainTextAsync("Last saved by Eddie Editor");

        // A reader sees it lead the home page (the cached page was evicted).
        await using var reader = await OpenAnotherSessionAsync();
        await reader.Page.GotoAsync("/");
        await Expect(reader.Page.Locator(".home-lead .article-card__headline")).ToHaveTextAsync(chosen.Headline);
        await Expect(reader.Page.Locator(".home-top .article-card__headline")).ToHaveTextAsync([stories[10].Headline, stories[11].Headline, stories[9].Headline, stories[8].Headline, stories[7].Headline, stories[6].Headline]);

        // Reloaded, the newsroom page shows the saved arrangement.
        await page.ReloadAsync();
        await Browser.WaitForCircuitAsync();
        await Expect(page.GetByRole(AriaRole.Listitem, new() { Name = "Lead", Exact = true }).GetByTestId("slot-headline")).ToHaveTextAsync(chosen.Headline);
    }

    [Fact]
    public async Task At_1280_by_800_the_first_screen_shows_the_lead_its_picture_five_more_headlines_and_the_sections()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        await StoriesAsync(20);
        await TestReadership.ReadEverythingAsync(App);
        await page.SetViewportSizeAsync(1280, 800);
        await page.GotoAsync("/");

        async Task<LocatorBoundingBoxResult> Box(ILocator locator)
        {
            await Expect(locator).ToBeVisibleAsync();
            return (await locator.BoundingBoxAsync())!;
        }
        static bool OnFirstScreen(LocatorBoundingBoxResult box) => box.Y >= 0 && box.Y + box.Height <= 800;

        var headline = await Box(page.Locator(".home-lead .article-card__headline"));
        var standfirst = await Box(page.Locator(".home-lead .article-card__standfirst"));
        var picture = await Box(page.Locator(".home-lead img"));
        var nav = await Box(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }));
        Assert.True(OnFirstScreen(headline), $"lead headline at {headline.Y}+{headline.Height}");
        Assert.True(OnFirstScreen(standfirst), $"lead standfirst at {standfirst.Y}+{standfirst.Height}");
        Assert.True(OnFirstScreen(picture), $"lead picture at {picture.Y}+{picture.Height}");
        Assert.True(picture.Height <= 450, $"the lead picture is {picture.Height}px high");
        Assert.True(OnFirstScreen(nav), $"navigation at {nav.Y}+{nav.Height}");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Sport" })).ToBeVisibleAsync();

        var others = page.Locator(".home-top .article-card__headline");
        var onScreen = 0;
        for (var i = 0; i < await others.CountAsync(); i++)
        {
            if (OnFirstScreen((await others.Nth(i).BoundingBoxAsync())!)) onScreen++;
        }
        Assert.True(onScreen >= 5, $"{onScreen} more headlines on the first screen");

        // Below: the section blocks and Most read.
        var firstBlock = await Box(page.Locator(".home-block").First);
        Assert.True(firstBlock.Y > headline.Y);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Most read" })).ToBeAttachedAsync();
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 1280);
    }

    [Fact]
    public async Task On_a_320px_phone_the_page_fits_and_the_menu_button_opens_the_navigation()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var stories = await StoriesAsync();
        await page.SetViewportSizeAsync(320, 640);
        await page.GotoAsync("/");

        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 320, "the page scrolls sideways");
        // The header is compact: the lead's headline is on the first screen.
        var header = (await page.Locator(".site-header").BoundingBoxAsync())!;
        Assert.True(header.Height <= 90, $"the header is {header.Height}px high");
        var lead = (await page.Locator(".home-lead .article-card__headline").BoundingBoxAsync())!;
        Assert.True(lead.Y + lead.Height <= 640, $"lead headline at {lead.Y}+{lead.Height}");

        var navigation = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        await Expect(navigation).ToBeHiddenAsync();
        var menu = page.Locator("summary.site-menu__button");
        await Expect(menu).ToHaveTextAsync("Menu");
        await menu.ClickAsync();
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Sport" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Search, new() { Name = "Site search" }).GetByRole(AriaRole.Searchbox, new() { Name = "Search" })).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 320, "the open menu scrolls sideways");
        await navigation.GetByRole(AriaRole.Link, new() { Name = "Sport" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/section/sport$"));
        Assert.NotEmpty(stories);
    }
}
