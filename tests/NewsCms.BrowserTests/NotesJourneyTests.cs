using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>Inline editorial notes between two editors on one article, and their absence from the published page.</summary>
public sealed class NotesJourneyTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static ILocator Body(IPage page) => page.GetByLabel("Body", new() { Exact = true });

    private static ILocator Button(ILocator scope, string name) => scope.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private static ILocator Thread(IPage page, string text) => page.GetByTestId("note-thread").Filter(new() { HasText = text });

    private static async Task OpenEditorAsync(BrowserSession session, string url)
    {
        await session.Page.GotoAsync(url);
        await session.WaitForCircuitAsync();
        await session.Page.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    [Fact]
    public async Task A_note_added_by_one_editor_appears_for_another_who_replies_and_resolves_and_readers_never_see_it()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Editor:AutosaveDelaySeconds"] = "120" }));
        await using var scope = App.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var draft = await articles.Editing.SaveAsync(admin, null,
            new ArticleInput { Headline = "Council budget vote", BodyHtml = "<p>The council voted seven to two on Monday.</p>" }, null, SaveKind.Manual);
        Assert.True(draft.Succeeded, draft.Error);
        var (_, firstEmail, firstPassword) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Fiona First");
        var (_, secondEmail, secondPassword) = await App.CreateUserAsync(NewsroomRoles.Editor, displayName: "Sam Second");
        var marker = "NOTEMARK" + Guid.NewGuid().ToString("N")[..8];

        await SignInAsync(page, firstEmail, firstPassword);
        await OpenEditorAsync(Browser, $"/admin/articles/{draft.Id}");
        await using var second = await OpenAnotherSessionAsync();
        await SignInAsync(second.Page, secondEmail, secondPassword);
        await OpenEditorAsync(second, $"/admin/articles/{draft.Id}");
        // Sam is held read-only by Fiona's soft lock: he can still read, reply and resolve.
        await Expect(second.Page.GetByTestId("presence")).ToContainTextAsync("Fiona First is editing this article");
        await Expect(second.Page.GetByTestId("notes-panel")).ToContainTextAsync("No open notes");

        // Fiona selects "voted seven to two" and adds a note on it.
        await Body(page).ClickAsync();
        await page.Keyboard.PressAsync("Control+Home");
        for (var i = 0; i < "The council ".Length; i++) await page.Keyboard.PressAsync("ArrowRight");
        for (var i = 0; i < "voted seven to two".Length; i++) await page.Keyboard.PressAsync("Shift+ArrowRight");
        await Button(page.Locator("body"), "Add note").ClickAsync();
        await page.GetByLabel("Note", new() { Exact = true }).FillAsync($"Was it really 7–2? {marker}");
        await Button(page.Locator("body"), "Save note").ClickAsync();

        var fionaThread = Thread(page, marker);
        await Expect(fionaThread).ToContainTextAsync("voted seven to two");
        await Expect(fionaThread).ToContainTextAsync("Fiona First");
        await Expect(Body(page).Locator("span.editorial-note")).ToHaveTextAsync("voted seven to two");
        await Expect(page.GetByTestId("save-state")).ToHaveTextAsync(new Regex("^Saved"));

        // Sam sees it without reloading, and replies.
        var samThread = Thread(second.Page, marker);
        await Expect(samThread).ToContainTextAsync("voted seven to two");
        await samThread.GetByLabel("Reply", new() { Exact = true }).FillAsync("The minutes say 7–2.");
        await Button(samThread, "Reply").ClickAsync();
        await Expect(samThread.GetByTestId("note-reply")).ToContainTextAsync("Sam Second");

        // Fiona sees the reply; clicking the marked text selects its thread.
        await Expect(fionaThread.GetByTestId("note-reply")).ToContainTextAsync("The minutes say 7–2.");
        await Body(page).Locator("span.editorial-note").ClickAsync();
        await Expect(fionaThread).ToHaveAttributeAsync("aria-current", "true");
        // The panel, the marked text and "Add note" pass axe (the rest of the editor page is other tests' business).
        var notesViolations = (await Axe.ViolationsAsync(page)).Where(line => line.Contains("note", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(notesViolations.Count == 0, string.Join('\n', notesViolations));

        // Sam resolves it: it moves to "Resolved" for both.
        await Button(samThread, "Resolve").ClickAsync();
        await Expect(page.GetByTestId("notes-resolved")).ToContainTextAsync(marker);
        await Expect(page.GetByTestId("notes-resolved")).ToContainTextAsync("Resolved by Sam Second");
        await Expect(second.Page.GetByTestId("notes-resolved")).ToContainTextAsync(marker);

        // Opened again, the stored body loads with its mark and is not taken for an edit (the mark round-trips byte for byte).
        await OpenEditorAsync(Browser, $"/admin/articles/{draft.Id}");
        await Expect(Body(page).Locator("span[data-note]")).ToHaveTextAsync("voted seven to two");
        await Expect(page.GetByTestId("save-state")).ToHaveTextAsync(new Regex("^Saved"));
        await Expect(page.GetByTestId("notes-resolved")).ToContainTextAsync(marker);

        // Published, the article's page carries the text and no trace of the note.
        var stored = (await articles.Reads.GetForEditAsync(admin, draft.Id)).Value!;
        Assert.Contains("data-note", stored.EditorBodyHtml);
        var published = await articles.Workflow.PublishAsync(admin, draft.Id, stored.Version);
        Assert.True(published.Succeeded, published.Error);
        await using var reader = await OpenAnotherSessionAsync();
        await reader.Page.GotoAsync(ArticleUrls.ForSlug(stored.Slug));
        await Expect(reader.Page.Locator("article")).ToContainTextAsync("The council voted seven to two on Monday.");
        var html = await reader.Page.ContentAsync();
        Assert.DoesNotContain(marker, html);
        Assert.DoesNotContain("data-note", html);
        Assert.DoesNotContain("editorial-note", html);
        Assert.DoesNotContain("The minutes say", html);
        await Expect(reader.Page.Locator("[data-note], .editorial-note")).ToHaveCountAsync(0);
    }
}
