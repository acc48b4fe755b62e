using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Readership;

namespace NewsCms.BrowserTests;

/// <summary>A reader's views, counted on the server, as the desk sees them in the newsroom.</summary>
public sealed class ReadershipJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    /// <summary>A desktop browser's user agent: headless Chromium names itself, and robots are not counted.</summary>
    private const string Chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    [Fact]
    public async Task A_readers_views_show_on_the_readership_page_and_in_the_articles_stats_panel()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Readership:FlushSeconds"] = "300" }));
        int id;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var articles = scope.ServiceProvider.NewsroomArticles();
            var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Lighthouse keeper retires", BodyHtml = "<p>After forty years.</p>" }, null, SaveKind.Manual);
            Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
            id = saved.Id;
        }

        await using (var reader = await OpenAnotherSessionAsync())
        {
            await reader.Page.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["User-Agent"] = Chrome });
            Assert.Equal(200, (await reader.Page.GotoAsync("/news/lighthouse-keeper-retires"))!.Status);
            await reader.Page.ReloadAsync(); // a second view: from the output cache, or a 304 for the browser's copy
            Assert.Empty(await reader.Context.CookiesAsync());
        }
        await App.Services.GetRequiredService<ReadershipFlusher>().FlushAsync();

        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await page.GotoAsync("/admin");
        await Browser.WaitForCircuitAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Readership", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin/readership$"));
        var today = page.GetByTestId("top-1");
        await Expect(today.GetByRole(AriaRole.Row).Filter(new() { HasText = "Lighthouse keeper retires" })).ToContainTextAsync("2");

        await today.GetByRole(AriaRole.Link, new() { Name = "Lighthouse keeper retires" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/admin/articles/{id}$"));
        await Expect(page.GetByTestId("total-views")).ToHaveTextAsync("2");
    }
}
