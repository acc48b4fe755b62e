using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>Writers and editors at work in the article editor, and readers seeing the result.</summary>
public sealed class ArticleJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    /// <summary>Publishes an article through the service, as another member of the newsroom would have.</summary>
    private async Task<int> PublishedArticleAsync(string headline, string body = "<p>Earlier reporting.</p>")
    {
        await using var scope = App.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = body }, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
        return saved.Id;
    }

    private static ILocator Body(IPage page) => page.GetByLabel("Body", new() { Exact = true });

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private async Task OpenEditorAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await Browser.WaitForCircuitAsync();
        await page.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    [Fact]
    public async Task After_a_new_articles_first_save_what_is_typed_next_is_unsaved_until_it_is_saved()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Editor:AutosaveDelaySeconds"] = "120" }));
        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await OpenEditorAsync(page, "/admin/articles/new");
        await page.GetByLabel("Headline", new() { Exact = true }).FillAsync("Ferry timetable changes");
        await Button(page, "Save draft").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/admin/articles/\d+$"));
        await Expect(page.GetByTestId("save-state")).ToContainTextAsync("Saved");

        await Body(page).ClickAsync();
        await page.Keyboard.TypeAsync("The second paragraph.");
        await Expect(page.GetByTestId("save-state")).ToHaveTextAsync("Unsaved changes");
        await Button(page, "Save draft").ClickAsync();
        await Expect(page.GetByTestId("save-state")).ToContainTextAsync("Saved");
        var id = int.Parse(Regex.Match(page.Url, @"(\d+)$").Value);
        await using var scope = App.Services.CreateAsyncScope();
        var saved = (await scope.ServiceProvider.NewsroomArticles().Reads.GetForEditAsync(await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), id)).Value!;
        Assert.Contains("The second paragraph.", saved.BodyHtml);
    }

    [Fact]
    public async Task An_author_writes_and_publishes_a_formatted_article_that_readers_see_exactly()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        await PublishedArticleAsync("Earlier storm coverage");
        var (_, email, password) = await App.CreateUserAsync(NewsroomRoles.Author, displayName: "Ava Author");
        await SignInAsync(page, email, password);
        await OpenEditorAsync(page, "/admin/articles/new");

        await page.GetByLabel("Headline", new() { Exact = true }).FillAsync("Harbour reopens after the storm");
        await Expect(page.GetByLabel("Slug", new() { Exact = true })).ToHaveValueAsync("harbour-reopens-after-the-storm");
        await page.GetByLabel("Standfirst", new() { Exact = true }).FillAsync("Ferries and fishing boats are back two weeks early.");

        var body = Body(page);
        await body.ClickAsync();
        await Button(page, "Heading 2").ClickAsync();
        await page.Keyboard.TypeAsync("What happened");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.TypeAsync("The harbour ");
        await page.Keyboard.PressAsync("Control+b");
        await page.Keyboard.TypeAsync("reopened");
        await page.Keyboard.PressAsync("Control+b");
        await page.Keyboard.TypeAsync(" today. The notice: ");
        await Button(page, "Link").ClickAsync();
        await page.GetByLabel("URL", new() { Exact = true }).FillAsync("https://example.org/harbour-notice");
        await Button(page, "Apply").ClickAsync();
        await body.ClickAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.PressAsync("Enter");
        await Button(page, "Bulleted list").ClickAsync();
        await page.Keyboard.TypeAsync("Ferries run again");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.TypeAsync("Fishing resumes");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Enter");
        await Button(page, "Quote").ClickAsync();
        await page.Keyboard.TypeAsync("We are open again, said the harbour master.");
        await Expect(page.GetByTestId("word-count")).ToContainTextAsync("words");

        await page.GetByLabel("See also", new() { Exact = true }).FillAsync("Earlier storm");
        await page.GetByText("Earlier storm coverage", new() { Exact = true }).ClickAsync();
        await Expect(body.Locator("aside.see-also")).ToContainTextAsync("Earlier storm coverage");

        await Button(page, "Publish").ClickAsync();
        await Expect(page.GetByTestId("article-status")).ToHaveTextAsync("Published");

        // A reader, in a browser of their own, sees exactly that formatting.
        await using var reader = await OpenAnotherSessionAsync();
        var response = await reader.Page.GotoAsync("/news/harbour-reopens-after-the-storm");
        Assert.Equal(200, response!.Status);
        var article = reader.Page.Locator("article.article");
        await Expect(article.Locator("h1")).ToHaveTextAsync("Harbour reopens after the storm");
        await Expect(article.Locator(".article__standfirst")).ToHaveTextAsync("Ferries and fishing boats are back two weeks early.");
        await Expect(article.Locator(".article__byline")).ToContainTextAsync("Ava Author");
        await Expect(article.Locator(".article__body h2")).ToHaveTextAsync("What happened");
        await Expect(article.Locator(".article__body strong")).ToHaveTextAsync("reopened");
        await Expect(article.Locator(".article__body a[href='https://example.org/harbour-notice']")).ToHaveAttributeAsync("rel", "noopener noreferrer");
        await Expect(article.Locator(".article__body ul > li")).ToHaveTextAsync(["Ferries run again", "Fishing resumes"]);
        await Expect(article.Locator(".article__body blockquote")).ToHaveTextAsync("We are open again, said the harbour master.");
        var seeAlso = article.Locator(".article__body aside.see-also");
        await Expect(seeAlso).ToContainTextAsync("See also:");
        await Expect(seeAlso.Locator("a")).ToHaveAttributeAsync("href", "/news/earlier-storm-coverage");
        await seeAlso.Locator("a").ClickAsync();
        await Expect(reader.Page.Locator("article h1")).ToHaveTextAsync("Earlier storm coverage");
    }

    [Fact]
    public async Task A_contributor_sees_no_publish_button_and_a_direct_publish_is_refused()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var (_, email, password) = await App.CreateUserAsync(NewsroomRoles.Contributor);
        await SignInAsync(page, email, password);
        await OpenEditorAsync(page, "/admin/articles/new");

        await page.GetByLabel("Headline", new() { Exact = true }).FillAsync("Contributor's first draft");
        await Body(page).ClickAsync();
        await page.Keyboard.TypeAsync("Some copy for the desk.");
        await Button(page, "Save draft").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/admin/articles/\d+$"));
        await Expect(Button(page, "Submit for review")).ToBeVisibleAsync();
        await Expect(Button(page, "Publish")).ToHaveCountAsync(0);
        await Expect(Button(page, "Schedule")).ToHaveCountAsync(0);
        await Expect(Button(page, "Unpublish")).ToHaveCountAsync(0);

        // The service refuses a publish attempt made directly with the contributor's identity.
        var id = int.Parse(Regex.Match(page.Url, @"(\d+)$").Value);
        await using var scope = App.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var contributor = await App.PrincipalForAsync(email);
        var current = (await articles.Reads.GetForEditAsync(contributor, id)).Value!;
        var attempt = await articles.Workflow.PublishAsync(contributor, id, current.Version);
        Assert.False(attempt.Succeeded);
        Assert.Contains("not allowed to publish", attempt.Error);

        await Button(page, "Submit for review").ClickAsync();
        await Expect(page.GetByTestId("article-status")).ToHaveTextAsync("In review");
        await Expect(Button(page, "Save draft")).ToHaveCountAsync(0);
        await Expect(Body(page)).ToHaveAttributeAsync("contenteditable", "false");
    }

    [Fact]
    public async Task Two_editors_see_each_others_presence_and_a_take_over_turns_the_first_read_only()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        await using var setup = App.Services.CreateAsyncScope();
        var articles = setup.ServiceProvider.NewsroomArticles();
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Shared story", BodyHtml = "<p>Start.</p>" }, null, SaveKind.Manual);

        var (_, firstEmail, firstPassword) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Fiona First");
        var (_, secondEmail, secondPassword) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Sam Second");
        await SignInAsync(page, firstEmail, firstPassword);
        await OpenEditorAsync(page, $"/admin/articles/{draft.Id}");
        await Body(page).ClickAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync(" Fiona's unsaved words.");

        await using var second = await OpenAnotherSessionAsync();
        await SignInAsync(second.Page, secondEmail, secondPassword);
        await second.Page.GotoAsync("/admin/articles");
        await second.WaitForCircuitAsync();
        await Expect(second.Page.GetByTestId("editing-now")).ToHaveTextAsync("Fiona First is editing");

        await second.Page.GotoAsync($"/admin/articles/{draft.Id}");
        await second.WaitForCircuitAsync();
        await Expect(second.Page.GetByTestId("presence")).ToContainTextAsync("Fiona First is editing");
        await Expect(Body(second.Page)).ToHaveAttributeAsync("contenteditable", "false");
        await Expect(page.GetByTestId("presence")).ToContainTextAsync("Sam Second is also looking");

        await Button(second.Page, "Take over").ClickAsync();
        await Expect(page.GetByTestId("presence")).ToContainTextAsync("Sam Second took over");
        await Expect(Body(page)).ToHaveAttributeAsync("contenteditable", "false");
        await Expect(Body(page)).ToContainTextAsync("Fiona's unsaved words.");
        await Expect(Body(second.Page)).ToHaveAttributeAsync("contenteditable", "true");

        // When Sam leaves, Fiona (still on the page) holds the article again, and the list says so.
        await second.Page.GotoAsync("/admin/articles");
        await second.WaitForCircuitAsync();
        await Expect(second.Page.GetByTestId("editing-now")).ToHaveTextAsync("Fiona First is editing");
    }

    [Fact]
    public async Task Text_typed_when_the_server_dies_is_offered_back_after_it_restarts()
    {
        var path = await TestDatabase.NewFileAsync();
        var settings = new Dictionary<string, string?>
        {
            ["NewsCms:Bootstrap:AdminEmail"] = NewsCmsAppFactory.AdminEmail,
            ["NewsCms:Bootstrap:AdminPassword"] = NewsCmsAppFactory.AdminPassword,
            // Long enough that the server is gone before an autosave: this test is about text the server never got.
            ["NewsCms:Editor:AutosaveDelaySeconds"] = "120",
        };
        var page = await StartAsync(NewsCmsAppFactory.OnEmptyPath(path, settings));
        var id = await PublishedArticleAsync("Late night vote", "<p>The vote was close.</p>");
        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await OpenEditorAsync(page, $"/admin/articles/{id}");
        await Body(page).ClickAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync(" Councillors will meet again on Friday.");
        await page.GetByLabel("Headline", new() { Exact = true }).FillAsync("Late night vote: council split");

        await RestartAsync(NewsCmsAppFactory.OnEmptyPath(path, settings));
        await page.ReloadAsync();
        await Browser.WaitForCircuitAsync();
        await Expect(page.GetByTestId("backup-offer")).ToBeVisibleAsync();
        await Expect(Body(page)).Not.ToContainTextAsync("Friday");

        await Button(page, "Restore unsaved text").ClickAsync();
        await Expect(Body(page)).ToContainTextAsync("Councillors will meet again on Friday.");
        await Expect(page.GetByLabel("Headline", new() { Exact = true })).ToHaveValueAsync("Late night vote: council split");
        await Expect(page.GetByTestId("save-state")).ToContainTextAsync("Saved");
        File.Delete(path);
    }

    [Theory]
    [InlineData("word.html")]
    [InlineData("google-docs.html")]
    public async Task Pasting_from_word_processors_keeps_structure_and_drops_styling(string sample)
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await OpenEditorAsync(page, "/admin/articles/new");
        var html = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "src", "NewsCms.Web", "Editor", "samples", sample));

        await Body(page).ClickAsync();
        await page.EvaluateAsync(@"html => {
            const data = new DataTransfer();
            data.setData('text/html', html);
            data.setData('text/plain', 'plain fallback');
            document.querySelector('.newsroom-editor__content')
                .dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
        }", html);

        var body = Body(page);
        await Expect(body.Locator("h2").First).ToBeVisibleAsync();
        await Expect(body.Locator("ul li").First).ToBeVisibleAsync();
        await Expect(body.Locator("ol li").First).ToBeVisibleAsync();
        await Expect(body.Locator("strong").First).ToBeVisibleAsync();
        await Expect(body.Locator("em").First).ToBeVisibleAsync();
        await Expect(body.Locator("a[href^='https://example.org/']").First).ToBeVisibleAsync();
        var pasted = await body.InnerHTMLAsync();
        Assert.DoesNotContain("mso-", pasted);
        Assert.DoesNotContain("style=", pasted);
        Assert.DoesNotContain("docs-internal", pasted);
        Assert.DoesNotContain("<span", pasted);
        Assert.DoesNotContain("o:p", pasted);
        Assert.DoesNotContain("plain fallback", pasted);
    }

    [Fact]
    public async Task A_stale_save_opens_the_conflict_dialog_and_keeping_mine_loses_nothing()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Editor:AutosaveDelaySeconds"] = "120" }));
        await using var scope = App.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var (_, email, password) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Edna Editor");
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Budget row", BodyHtml = "<p>First take.</p>" }, null, SaveKind.Manual);

        await SignInAsync(page, email, password);
        await OpenEditorAsync(page, $"/admin/articles/{draft.Id}");
        await Body(page).ClickAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync(" Edna's addition.");

        // Meanwhile the article is saved elsewhere (by the administrator, outside this editor).
        var theirs = await articles.Editing.SaveAsync(admin, draft.Id, new ArticleInput { Headline = "Budget row deepens", BodyHtml = "<p>Admin's rewrite.</p>" }, draft.Version, SaveKind.Manual);
        Assert.True(theirs.Succeeded);

        await Button(page, "Save draft").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("Someone else saved this article");
        await Expect(page.GetByTestId("conflict-mine")).ToContainTextAsync("Edna's addition.");
        await Expect(page.GetByTestId("conflict-theirs")).ToContainTextAsync("Admin's rewrite.");
        await Button(page, "Keep mine").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("save-state")).ToContainTextAsync("Saved");

        var saved = (await articles.Reads.GetForEditAsync(admin, draft.Id)).Value!;
        Assert.Contains("Edna's addition.", saved.BodyHtml);
        var history = (await articles.Reads.ListRevisionsAsync(admin, draft.Id)).Value!;
        Assert.Contains(history, r => r.Kind == RevisionKind.ConflictCopy && r.Headline == "Budget row deepens");

        // History shows what changed since a revision, and restoring one adds a revision.
        await Button(page, "History").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByText("kept from a conflict").ClickAsync();
        var diff = page.GetByTestId("revision-diff");
        await Expect(diff.Locator("del", new() { HasText = "deepens" })).ToBeVisibleAsync();
        await Expect(diff.Locator("ins", new() { HasText = "addition" })).ToBeVisibleAsync();
        await Button(page, "Restore").ClickAsync();
        await Expect(Body(page)).ToContainTextAsync("Admin's rewrite.");
        await Expect(page.GetByLabel("Headline", new() { Exact = true })).ToHaveValueAsync("Budget row deepens");
        Assert.Equal(RevisionKind.Restored, (await articles.Reads.ListRevisionsAsync(admin, draft.Id)).Value![0].Kind);
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "NewsCms.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("NewsCms.sln not found above the test folder.");
    }
}
