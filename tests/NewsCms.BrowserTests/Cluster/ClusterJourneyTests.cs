using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace NewsCms.BrowserTests.Cluster;

/// <summary>
/// The loopback cluster (two nodes on PostgreSQL and Redis behind nginx) in Chromium: what readers and editors see
/// when a node dies. On its own: dotnet test tests/NewsCms.BrowserTests --filter Category=Cluster
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ClusterJourneyTests(ChromiumFixture chromium)
{
    private static ILocator Body(IPage page) => page.GetByLabel("Body", new() { Exact = true });

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    [Fact]
    public async Task After_a_node_is_killed_readers_still_get_pages_and_an_editor_on_it_gets_their_unsaved_text_back_on_the_other()
    {
        // Long enough that nothing autosaves: the editor's last words exist only in the page and the browser's backup.
        await using var cluster = await LoopbackCluster.UpAsync(nodes: 2, new Dictionary<string, string> { ["Editor:AutosaveDelaySeconds"] = "120" });
        await using var editor = await chromium.NewSessionAsync(LoopbackCluster.Proxy);
        var page = editor.Page;

        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(LoopbackCluster.AdminEmail);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(LoopbackCluster.AdminPassword);
        await Button(page, "Sign in").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin$"));

        await page.GotoAsync("/admin/articles/new");
        await editor.WaitForCircuitAsync();
        await page.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.GetByLabel("Headline", new() { Exact = true }).FillAsync("Ferry timetable changes");
        await Button(page, "Save draft").ClickAsync();
        await Assertions.Expect(page.GetByText("Saved.", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/admin/articles/\d+$"));
        await page.Locator("[data-editor-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Body(page).ClickAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync("Words typed just before the crash.");
        await Assertions.Expect(Body(page)).ToContainTextAsync("Words typed just before the crash.");
        await Assertions.Expect(page.GetByTestId("save-state")).ToHaveTextAsync("Unsaved changes");

        // The node holding the editor's circuit dies.
        var doomed = cluster.NodeOfLastCircuit();
        cluster.Kill(doomed);

        // Readers through nginx keep getting pages, from the other node.
        using (var reader = new HttpClient { BaseAddress = LoopbackCluster.Proxy })
        {
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(i % 2 == 0 ? "/" : "/feed.xml")).StatusCode);
            }
        }

        // The editor reloads: nginx sends them to the surviving node, where their sign-in still holds (one key ring in
        // the database) and the browser's backup offers the words the dead node never saved.
        var url = page.Url;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await page.GotoAsync(url);
                break;
            }
            catch (PlaywrightException ex) when (attempt < 3 && ex.Message.Contains("ERR_ABORTED", StringComparison.Ordinal))
            {
                // Blazor's reconnection, refused by the surviving node (the circuit died with its node), reloads the
                // page itself: the same reload, at the same moment as this one.
            }
        }
        await editor.WaitForCircuitAsync();
        Assert.NotEqual(doomed, cluster.NodeOfLastCircuit());
        await Assertions.Expect(page.GetByTestId("backup-offer")).ToBeVisibleAsync();
        await Button(page, "Restore unsaved text").ClickAsync();
        await Assertions.Expect(Body(page)).ToContainTextAsync("Words typed just before the crash.");
        await Button(page, "Save draft").ClickAsync();
        await Assertions.Expect(page.GetByText("Saved.", new() { Exact = true })).ToBeVisibleAsync();
    }
}
