using System.Diagnostics;
using Microsoft.Playwright;

namespace NewsCms.BrowserTests;

/// <summary>
/// One Chromium for the test assembly: Debian's (or the one NEWSCMS_CHROMIUM names), never a browser build that
/// Playwright downloads. Each test opens a fresh context of its own with <see cref="NewSessionAsync"/>.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string NotFound = "Chromium not found: install it with `apt-get install -y chromium` or set NEWSCMS_CHROMIUM";

    /// <summary>How long Playwright's actions and assertions wait: generous, a cold Blazor circuit on 2 cores is slow.</summary>
    public const float Timeout = 20_000;

    private static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? playwright;
    private IBrowser? browser;

    public string ExecutablePath { get; private set; } = "";

    public IBrowser Browser => browser ?? throw new InvalidOperationException("Chromium has not started.");

    public async ValueTask InitializeAsync()
    {
        ExecutablePath = ChromiumLocator.FindOrInstall();
        Assertions.SetDefaultExpectTimeout(Timeout);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Args,
            Timeout = 60_000,
        });
    }

    /// <summary>A fresh context (no cookies, no storage) with one page, its relative URLs resolved against the app.</summary>
    public async Task<BrowserSession> NewSessionAsync(Uri baseUrl)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString().TrimEnd('/'),
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(Timeout);
        context.SetDefaultNavigationTimeout(Timeout);
        var page = await context.NewPageAsync();
        return new BrowserSession(context, page);
    }

    public async ValueTask DisposeAsync()
    {
        if (browser is not null) await browser.CloseAsync();
        playwright?.Dispose();
    }
}

/// <summary>Finds Chromium; on a Debian machine where the tests run as root it installs Debian's package once.</summary>
public static class ChromiumLocator
{
    public const string EnvironmentVariable = "NEWSCMS_CHROMIUM";
    private const string DebianChromium = "/usr/bin/chromium";
    private static readonly string LockPath = Path.Combine(Path.GetTempPath(), "newscms-chromium-install.lock");

    public static string FindOrInstall()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"{EnvironmentVariable} is {configured}, which does not exist. {ChromiumFixture.NotFound}");
        }

        if (Find() is { } found) return found;

        var aptGet = OnPath("apt-get");
        if (aptGet is null || !Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(ChromiumFixture.NotFound);
        }
        return InstallWithApt(aptGet);
    }

    private static string? Find() =>
        File.Exists(DebianChromium) ? DebianChromium : OnPath("chromium") ?? OnPath("chromium-browser") ?? OnPath("google-chrome");

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);

    private static string InstallWithApt(string aptGet)
    {
        // Several test processes (or a CI step) may get here at once: one installs, the others wait and then find it.
        using var installLock = AcquireLock();
        if (Find() is { } installedMeanwhile) return installedMeanwhile;

        Say("Chromium not found: installing Debian's chromium package (apt-get update; apt-get install -y chromium) for the browser tests...");
        Run(aptGet, "update");
        Run(aptGet, "install -y -o DPkg::Lock::Timeout=300 chromium");
        var installed = Find() ?? throw new InvalidOperationException($"`apt-get install -y chromium` finished but Chromium is still missing. {ChromiumFixture.NotFound}");
        Say($"Installed Chromium at {installed}.");
        return installed;
    }

    private static FileStream AcquireLock()
    {
        var deadline = DateTime.UtcNow.AddMinutes(20);
        while (true)
        {
            try
            {
                return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }
        }
    }

    private static void Run(string aptGet, string arguments)
    {
        var start = new ProcessStartInfo(aptGet, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {aptGet}. {ChromiumFixture.NotFound}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Say(stdout.Result + stderr.Result);
            throw new InvalidOperationException($"`apt-get {arguments}` failed with exit code {process.ExitCode}. {ChromiumFixture.NotFound}");
        }
    }

    private static void Say(string message)
    {
        Console.WriteLine(message);
        TestContext.Current.SendDiagnosticMessage(message);
    }
}
