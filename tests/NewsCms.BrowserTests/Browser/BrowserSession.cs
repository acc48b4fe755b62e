using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace NewsCms.BrowserTests;

/// <summary>One test's browser context and page; keeps what the page said on its console, for failure reports.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> console = new();

    public BrowserSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) => console.Enqueue($"[{message.Type}] {message.Text}");
        page.PageError += (_, error) => console.Enqueue($"[pageerror] {error}");
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public IReadOnlyCollection<string> ConsoleLines => console;

    /// <summary>Admin pages are interactive: wait until the circuit has rendered (the layout's hidden marker) before clicking.</summary>
    public Task WaitForCircuitAsync() =>
        Page.Locator("#newsroom-ready").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

    /// <summary>A screenshot, the page's HTML and its console, in <paramref name="folder"/>.</summary>
    public async Task SaveArtifactsAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "url.txt"), Page.Url);
        await File.WriteAllLinesAsync(Path.Combine(folder, "console.txt"), console);
        await File.WriteAllTextAsync(Path.Combine(folder, "page.html"), await Page.ContentAsync());
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "page.png"), FullPage = true });
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
