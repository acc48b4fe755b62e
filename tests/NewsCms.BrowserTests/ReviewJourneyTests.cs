using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>The review queue between two people: a submission alerts the desk, "Request changes" alerts the writer, both live.</summary>
public sealed class ReviewJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    [Fact]
    public async Task A_submission_alerts_an_editor_on_another_page_and_request_changes_alerts_the_writer_in_the_editor()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Editor:AutosaveDelaySeconds"] = "120" }));
        var (_, editorEmail, editorPassword) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Edna Editor");
        var (_, writerEmail, writerPassword) = await App.CreateUserAsync(NewsroomRoles.Contributor, displayName: "Carl Contributor");
        int draftId;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var writer = await App.PrincipalForAsync(writerEmail);
            var profile = await scope.ServiceProvider.GetRequiredService<AuthorProfiles>().GetOwnAsync(writer);
            var draft = await scope.ServiceProvider.NewsroomArticles().Editing.SaveAsync(writer, null,
                new ArticleInput { Headline = "Lifeboat crew rescues swimmers", BodyHtml = "<p>Two swimmers were brought ashore.</p>", AuthorIds = [profile.Value!.Id] },
                null, SaveKind.Manual);
            Assert.True(draft.Succeeded, draft.Error);
            draftId = draft.Id;
        }

        // The editor is on the dashboard: nothing waits yet.
        await SignInAsync(page, editorEmail, editorPassword);
        await Browser.WaitForCircuitAsync();
        await Expect(page.GetByTestId("review-queue-count")).ToHaveCountAsync(0);

        // The writer submits from the editor.
        await using var writerSession = await OpenAnotherSessionAsync();
        var writerPage = writerSession.Page;
        await SignInAsync(writerPage, writerEmail, writerPassword);
        await writerPage.GotoAsync($"/admin/articles/{draftId}");
        await writerSession.WaitForCircuitAsync();
        await writerPage.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Button(writerPage, "Submit for review").ClickAsync();
        await Expect(writerPage.GetByTestId("article-status")).ToHaveTextAsync("In review");
        await Expect(Button(writerPage, "Withdraw")).ToBeVisibleAsync();

        // The editor hears of it without reloading: a snackbar, the Review queue's count and the bell's.
        await Expect(page.GetByText("Carl Contributor submitted “Lifeboat crew rescues swimmers” for review.")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("review-queue-count")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("notifications-unread")).ToHaveTextAsync("1", new() { UseInnerText = false });
        await Expect(page.GetByTestId("review-queue")).ToContainTextAsync("Review queue: 1");

        // The editor sends it back from the queue with a message.
        await page.GetByRole(AriaRole.Link, new() { Name = "Review queue" }).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin/review$"));
        var item = page.GetByTestId("review-item");
        await Expect(item).ToContainTextAsync("Submitted by Carl Contributor");
        await item.GetByLabel("Message").FillAsync("Name the lifeboat station, please.");
        await Button(page, "Request changes").ClickAsync();
        await Expect(page.GetByTestId("review-queue-empty")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("review-queue-count")).ToHaveCountAsync(0);

        // The writer, still in the editor, is told and sees the message; the article is their draft again.
        await Expect(writerPage.GetByText("Edna Editor asked for changes to “Lifeboat crew rescues swimmers”: Name the lifeboat station, please.")).ToBeVisibleAsync();
        await Expect(writerPage.GetByTestId("changes-requested-message")).ToHaveTextAsync("Name the lifeboat station, please.");
        await Expect(writerPage.GetByTestId("article-status")).ToHaveTextAsync("Draft");
        await Expect(Button(writerPage, "Submit for review")).ToBeVisibleAsync();
    }
}
