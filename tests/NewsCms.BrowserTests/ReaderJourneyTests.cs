using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;

namespace NewsCms.BrowserTests;

/// <summary>
/// An anonymous reader finds a story and follows where it leads. Every step goes through roles and accessible names,
/// so the journey also proves that a screen-reader user can make it.
/// </summary>
public sealed class ReaderJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    [Fact]
    public async Task ReaderJourney_search_a_result_a_see_also_card_a_tag_and_an_author()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var content = await ReaderContent.CreateAsync(App);

        // Search from the header of the home page.
        await page.GotoAsync("/");
        var siteSearch = page.GetByRole(AriaRole.Search, new() { Name = "Site search" });
        await siteSearch.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).FillAsync(content.SearchWord);
        await siteSearch.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($@"/search\?q={content.SearchWord}$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"1 result for “{content.SearchWord}”");
        var result = page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Listitem);
        await Expect(result).ToHaveCountAsync(1);
        await Expect(result.Locator("mark")).ToHaveTextAsync(content.SearchWord);

        // Open the result.
        await result.GetByRole(AriaRole.Link, new() { Name = ReaderContent.ArticleHeadline }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/news/{content.Article}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(ReaderContent.ArticleHeadline);

        // Follow the See-also card in the body (the same story is also "Previous in Coast": Exact picks the card's link).
        var seeAlso = page.Locator("aside.see-also").GetByRole(AriaRole.Link, new() { Name = ReaderContent.LinkedHeadline, Exact = true });
        await seeAlso.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/news/{content.LinkedArticle}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(ReaderContent.LinkedHeadline);

        // Follow one of its tags to the tag's page, which lists the story.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Tags" }).GetByRole(AriaRole.Link, new() { Name = "Harbour" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/tag/{content.Tag}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Harbour");
        var card = page.GetByRole(AriaRole.Region, new() { Name = "Harbour" }).GetByRole(AriaRole.Article)
            .Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = ReaderContent.LinkedHeadline }) });
        await Expect(card).ToHaveCountAsync(1);

        // Follow the story's byline to its author, whose page shows the bio and the story.
        await card.GetByRole(AriaRole.Link, new() { Name = ReaderContent.AuthorName }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/author/{content.Author}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(ReaderContent.AuthorName);
        await Expect(page.GetByText(ReaderContent.AuthorBio)).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = $"Articles by {ReaderContent.AuthorName}" })
            .GetByRole(AriaRole.Heading, new() { Name = ReaderContent.LinkedHeadline })).ToBeVisibleAsync();
    }
}
