using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;

namespace NewsCms.BrowserTests;

/// <summary>The public pages as readers with assistive technology, a keyboard, a small phone or a printer meet them.</summary>
public sealed class ReaderAccessibilityTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static IEnumerable<(string Url, int Status)> Pages(ReaderContent content) =>
    [
        ("/", 200),
        ($"/news/{content.Article}", 200),
        ($"/tag/{content.Tag}", 200),
        ($"/author/{content.Author}", 200),
        ($"/section/{content.Section}", 200),
        ($"/search?q={content.SearchWord}", 200),
        ($"/{content.Page}", 200),
        ("/corrections", 200),
        ("/no-such-page", 404),
        ("/news/no-such-story", 404),
    ];

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(320, 640)]
    public async Task Public_pages_have_no_serious_axe_violations_need_no_script_and_fit_the_screen(int width, int height)
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var content = await ReaderContent.CreateAsync(App);
        await TestReadership.ReadEverythingAsync(App); // the "Most read" block on the home and article pages
        await page.SetViewportSizeAsync(width, height);

        var problems = new List<string>();
        foreach (var (url, status) in Pages(content))
        {
            var response = await page.GotoAsync(url);
            Assert.Equal(status, response!.Status);
            // Readable without JavaScript: the public pages carry no script but their JSON-LD data and the static, deferred
            // live-updates script (the banner and live blogs over Server-Sent Events; the page is complete without it), and
            // on a page with embeds the static, deferred click-to-load script (without it an embed is a plain link).
            if (await page.Locator("script:not([type='application/ld+json']):not([src*='js/live'][defer]):not([src*='js/embeds'][defer])").CountAsync() > 0) problems.Add($"{url}: the page has a script");
            // A navigation landmark with nothing in it (a pager on a one-page list) only adds noise to a screen reader.
            if (await page.Locator("nav:not(:has(a))").CountAsync() > 0) problems.Add($"{url}: an empty navigation landmark");
            problems.AddRange((await Axe.ViolationsAsync(page)).Select(line => $"{url}: {line}"));
            var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            if (scrollWidth > width) problems.Add($"{url}: the page is {scrollWidth}px wide in a {width}px viewport (horizontal scrolling)");
        }
        Assert.True(problems.Count == 0, $"At {width}px:\n" + string.Join("\n", problems));
    }

    /// <summary>
    /// Contrast of the focus outline against the white page (WCAG 1.4.11 asks 3:1 of a focus indicator); 0 when there
    /// is no outline at least 2px wide.
    /// </summary>
    private const string FocusRingContrast = """
        e => {
            const style = getComputedStyle(e);
            if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) return 0;
            const [r, g, b] = style.outlineColor.match(/[\d.]+/g).slice(0, 3).map(Number)
                .map(c => c / 255).map(c => c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
            return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
        }
        """;

    [Fact]
    public async Task A_keyboard_reader_sees_the_skip_link_first_and_a_visible_focus_ring()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var content = await ReaderContent.CreateAsync(App);
        await page.GotoAsync($"/news/{content.Article}");

        await page.Keyboard.PressAsync("Tab");
        var skip = page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" });
        await Expect(skip).ToBeFocusedAsync();
        await Expect(skip).ToBeInViewportAsync();
        var skipRing = await skip.EvaluateAsync<double>(FocusRingContrast);
        Assert.True(skipRing >= 3, $"The skip link's focus ring has a contrast of {skipRing:0.0}:1.");

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Main)).ToBeFocusedAsync();

        // The next tab stop is in the article, and it shows where the focus is.
        await page.Keyboard.PressAsync("Tab");
        var focused = page.Locator("main :focus");
        await Expect(focused).ToHaveCountAsync(1);
        var ring = await focused.EvaluateAsync<double>(FocusRingContrast);
        Assert.True(ring >= 3, $"The focused link's focus ring has a contrast of {ring:0.0}:1.");
    }

    [Fact]
    public async Task A_printed_article_keeps_the_story_shows_link_addresses_and_drops_the_site_furniture()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var content = await ReaderContent.CreateAsync(App);
        await page.GotoAsync($"/news/{content.Article}");
        await page.EmulateMediaAsync(new() { Media = Media.Print });

        foreach (var hidden in new[] { ".site-nav", ".site-search", ".site-footer", ".follow-us", ".article__sequence", ".skip-link" })
        {
            await Expect(page.Locator(hidden)).ToBeHiddenAsync();
        }
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = ReaderContent.ArticleHeadline })).ToBeVisibleAsync();
        await Expect(page.Locator(".article__body blockquote")).ToBeVisibleAsync();

        var link = page.Locator(".article__body a[href='https://example.org/lighthouse-log']");
        Assert.Contains("https://example.org/lighthouse-log", await link.EvaluateAsync<string>("a => getComputedStyle(a, '::after').content"));
        Assert.Equal("avoid", await page.Locator(".article__figure").EvaluateAsync<string>("e => getComputedStyle(e).breakInside"));
        Assert.Equal("avoid", await page.Locator(".article__body blockquote").EvaluateAsync<string>("e => getComputedStyle(e).breakInside"));
    }
}
