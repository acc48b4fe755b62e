using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;

namespace NewsCms.BrowserTests;

/// <summary>
/// A browser test: runs the real app on Kestrel (127.0.0.1, a free port) and opens a fresh browser context on it.
/// On failure it leaves a screenshot, the page's HTML, the browser console and the app's log under
/// bin/.../browser-artifacts/&lt;test&gt;/. The context closes before the app stops.
/// </summary>
public abstract class BrowserTest(ChromiumFixture chromium) : IAsyncLifetime
{
    private NewsCmsAppFactory? app;
    private BrowserSession? session;

    protected NewsCmsAppFactory App => app ?? throw new InvalidOperationException("Call StartAsync first.");
    protected BrowserSession Browser => session ?? throw new InvalidOperationException("Call StartAsync first.");
    protected IPage Page => Browser.Page;
    protected Uri BaseUrl { get; private set; } = default!;

    /// <summary>Serves <paramref name="factory"/> over real HTTP and opens a page on it.</summary>
    protected async Task<IPage> StartAsync(NewsCmsAppFactory factory)
    {
        if (app is not null) throw new InvalidOperationException("One app per test.");
        app = factory;
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var addresses = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        // "localhost", not 127.0.0.1: a secure context, and a valid WebAuthn domain for the sign-in page's passkey script.
        BaseUrl = new UriBuilder(addresses.Single()) { Host = "localhost" }.Uri;
        session = await chromium.NewSessionAsync(BaseUrl);
        return session.Page;
    }

    /// <summary>
    /// Stops the app and serves <paramref name="next"/> on the same port (a browser keeps its storage per origin), while the
    /// browser stays open: what a writer sees when the server goes away under them and comes back.
    /// </summary>
    protected async Task RestartAsync(NewsCmsAppFactory next)
    {
        var port = BaseUrl.Port;
        await App.DisposeAsync();
        app = next;
        next.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        next.StartServer();
    }

    /// <summary>
    /// Serves <paramref name="factory"/> over real HTTP as another node of the same site (same database, same Redis
    /// configuration) and opens a browser context pinned to it: another person whose requests this node answers.
    /// </summary>
    protected async Task<BrowserSession> StartAnotherNodeAsync(NewsCmsAppFactory factory)
    {
        otherNodes.Add(factory);
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return await chromium.NewSessionAsync(new UriBuilder(address) { Host = "localhost" }.Uri);
    }

    private readonly List<NewsCmsAppFactory> otherNodes = [];

    /// <summary>A second, independent browser context (another person) on the same app.</summary>
    protected Task<BrowserSession> OpenAnotherSessionAsync() => chromium.NewSessionAsync(BaseUrl);

    /// <summary>Signs in through the real sign-in page and waits for the newsroom's dashboard.</summary>
    protected static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin$"));
    }

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
    protected static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (session is not null)
        {
            if (TestContext.Current.TestState?.Result == TestResult.Failed)
            {
                await SaveFailureArtifactsAsync(session);
            }
            await session.DisposeAsync();
        }
        foreach (var node in otherNodes) await node.DisposeAsync();
        if (app is not null) await app.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private async Task SaveFailureArtifactsAsync(BrowserSession failed)
    {
        var name = string.Concat((TestContext.Current.Test?.TestDisplayName ?? "test").Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        var folder = Path.Combine(AppContext.BaseDirectory, "browser-artifacts", name);
        try
        {
            await failed.SaveArtifactsAsync(folder);
            if (app is not null) await File.WriteAllLinesAsync(Path.Combine(folder, "app.log"), app.Logs.Lines);
            TestContext.Current.TestOutputHelper?.WriteLine($"Browser artifacts (screenshot, HTML, console, app log): {folder}");
        }
        catch (Exception ex) when (ex is PlaywrightException or IOException)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"Could not save browser artifacts to {folder}: {ex.Message}");
        }
    }
}
