using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Benchmarks.Hosting;
using NewsCms.Benchmarks.Live;
using NewsCms.Benchmarks.Seeding;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.LiveBlogs;

namespace NewsCms.Benchmarks.Memory;

/// <summary>The app's working set (VmRSS) at one moment of the run, in bytes.</summary>
public sealed record MemoryStep(string Step, long WorkingSetBytes);

public sealed record MemoryResult(
    int Articles, int Circuits, int Readers, IReadOnlyList<MemoryStep> Steps,
    long CircuitsWorkingSetBytes, double BytesPerCircuit, double BytesPerReader, long PeakWorkingSetBytes,
    double OpenSeconds, string App, int Cores, string LoadAverageAtStart, string LoadAverageAtEnd);

/// <summary>
/// <c>memory [--articles 1000] [--databases DIR] [--output DIR] [--circuits 50] [--readers 500] [--app DLL]</c>: the
/// published app as its own process (published into the results folder unless <c>--app</c> names an app's dll), so
/// only its own memory is counted. Chromium (Playwright, Debian's /usr/bin/chromium) signs in once and opens
/// <c>--circuits</c> editors, each a tab with a different article at /admin/articles/{id} and its own interactive
/// circuit (waited for until the newsroom layout says it is ready). The app's working set is read from /proc before
/// and after (target: under 300 MB with 50 circuits open); then <c>--readers</c> Server-Sent-Events readers hold a
/// live blog's stream open (sockets in this process) and the growth per reader is read the same way. Writes
/// memory-results.json and memory-results.md.
/// </summary>
public static class MemoryBench
{
    public const string Usage = "Usage: dotnet run -c Release --project tests/NewsCms.Benchmarks -- memory [--articles 1000] [--databases DIR] [--output DIR] [--circuits 50] [--readers 500] [--app DLL] [--gcdump]";

    private const string Email = "memory-benchmark@newscms.invalid";

    public static async Task<int> RunAsync(string[] args, TextWriter console, CancellationToken ct)
    {
        int articles = 1000, circuits = 50, readers = 500;
        string? output = null, databases = null, app = null;
        var gcdump = false;
        var exit = await SubcommandOptions.ReadAsync(args, Usage, console, (name, option) =>
        {
            switch (name)
            {
                case "--articles": articles = option.Count(); break;
                case "--circuits": circuits = option.Count(); break;
                case "--readers": readers = option.Count(); break;
                case "--output": output = option.Text(); break;
                case "--databases": databases = option.Text(); break;
                case "--app": app = option.FullPath(); break;
                case "--gcdump": gcdump = true; break;
                default: throw option.Unknown();
            }
        });
        if (exit is { } code) return code;
        var repository = Harness.FindRepository();
        var folder = SubcommandOptions.ResultsFolder(repository, output, "memory");
        app ??= await AppProcess.PublishAsync(repository, Path.Combine(folder, "app"), console, ct);
        var result = await MeasureAsync(repository, app, folder, databases, articles, circuits, readers, console, ct, gcdump);
        await File.WriteAllTextAsync(Path.Combine(folder, "memory-results.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }), ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "memory-results.md"), Markdown(result), ct);
        await console.WriteLineAsync($"Wrote memory-results.json and memory-results.md to {folder}");
        return 0;
    }

    /// <param name="gcdump">With the editors open, also a heap dump of the app (dotnet-gcdump, a local tool) and its report by type.</param>
    public static async Task<MemoryResult> MeasureAsync(string repository, string appDll, string folder, string? databases, int articles, int circuits, int readers,
        TextWriter console, CancellationToken ct, bool gcdump = false)
    {
        var loadAtStart = Harness.LoadAverage();
        var dbFolder = Path.GetFullPath(databases ?? Path.Combine(folder, "db"));
        await using var database = BenchDatabase.SqliteFile(Path.Combine(dbFolder, $"newscms-{articles}.db"));
        var password = "Memory-" + Guid.NewGuid().ToString("N")[..16] + "-Aa1!";
        try
        {
            await new Seeder(new ContentGenerator(), console).SeedAsync(database, articles, reuse: databases is not null, ct);
            // The account, the articles to open and a live blog, through the app's own services before it runs alone.
            List<int> ids;
            int liveBlog;
            await using (var setup = new InProcessApp(repository, database))
            {
                var admin = await BenchAccounts.AdministratorAsync(setup.Services, Email, password, resetPassword: true);
                await using var db = await setup.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(ct);
                ids = await db.Articles.AsNoTracking().WherePublic().Where(a => a.Kind == ArticleKind.Article).OrderByDescending(a => a.Id)
                    .Select(a => a.Id).Take(circuits).ToListAsync(ct);
                liveBlog = ids[0];
                await using var scope = setup.Services.CreateAsyncScope();
                var on = await scope.ServiceProvider.GetRequiredService<LiveBlogService>().SetCoverageAsync(admin, liveBlog, true, ct);
                if (!on.Succeeded) throw new InvalidOperationException(on.Error);
            }
            SqliteConnection.ClearAllPools();

            // A build output (no published wwwroot beside it) serves the framework's scripts only in Development, as
            // under dotnet run; the smoke test runs one. A published app runs in Production, as measured.
            var published = Directory.Exists(Path.Combine(Path.GetDirectoryName(appDll)!, "wwwroot"));
            await using var app = await AppProcess.StartAsync(appDll, database, Path.Combine(folder, $"app-memory-{articles}.log"), ct,
                published ? null : new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["DOTNET_ENVIRONMENT"] = "Development" });
            var steps = new List<MemoryStep>();
            using (var http = new HttpClient { BaseAddress = app.BaseUrl })
            {
                // The public side once, as a running site has: its first renders are not what a circuit costs.
                (await http.GetAsync("/", ct)).EnsureSuccessStatusCode();
            }

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Environment.GetEnvironmentVariable("NEWSCMS_CHROMIUM") is { Length: > 0 } chromium ? chromium : "/usr/bin/chromium",
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
                Timeout = 120_000,
            });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl.ToString().TrimEnd('/') });
            context.SetDefaultTimeout(120_000);
            context.SetDefaultNavigationTimeout(120_000);
            var signIn = await context.NewPageAsync();
            await signIn.GotoAsync("/Account/Login");
            await signIn.GetByLabel("Email", new() { Exact = true }).FillAsync(Email);
            await signIn.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
            await signIn.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await signIn.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/admin$"));
            await signIn.Locator("#newsroom-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            // The dashboard's circuit goes: only the editors' circuits are counted.
            await signIn.CloseAsync();
            var before = await SettledAsync(app, ct);
            steps.Add(new MemoryStep("signed in, no circuit open", before));
            await console.WriteLineAsync($"App {app.BaseUrl} (pid {app.ProcessId}): working set {before / 1048576.0:N0} MB; opening {circuits} editors ...");

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var pages = new List<IPage>();
            foreach (var id in ids)
            {
                var page = await context.NewPageAsync();
                pages.Add(page);
                await page.GotoAsync($"/admin/articles/{id}");
                await page.Locator("#newsroom-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            }
            var openSeconds = clock.Elapsed.TotalSeconds;
            var withCircuits = await SettledAsync(app, ct);
            steps.Add(new MemoryStep($"{pages.Count} editors open", withCircuits));
            await console.WriteLineAsync($"  {pages.Count} editors open in {openSeconds:N0} s: working set {withCircuits / 1048576.0:N0} MB " +
                $"({(withCircuits - before) / (double)pages.Count / 1024:N0} KB per circuit)");

            if (gcdump) await GcDumpAsync(repository, app.ProcessId, Path.Combine(folder, "circuits.gcdump"), console, ct);

            var server = new IPEndPoint(IPAddress.Loopback, app.BaseUrl.Port);
            var sse = new List<SseSocketReader>(readers);
            long withReaders;
            try
            {
                for (var i = 0; i < readers; i++)
                {
                    var reader = new SseSocketReader();
                    sse.Add(reader);
                    await reader.OpenAsync(server, $"/live/{liveBlog}/events?after=0", ct);
                }
                await Task.WhenAll(sse.Select(r => r.Connected)).WaitAsync(TimeSpan.FromMinutes(2), ct);
                withReaders = await SettledAsync(app, ct);
                steps.Add(new MemoryStep($"and {readers} live-blog readers", withReaders));
                await console.WriteLineAsync($"  {readers} SSE readers: working set {withReaders / 1048576.0:N0} MB ({(withReaders - withCircuits) / (double)Math.Max(1, readers) / 1024:N1} KB per reader)");
            }
            finally
            {
                foreach (var reader in sse) await reader.DisposeAsync();
            }
            await context.CloseAsync();
            var peak = app.Memory()?.Peak ?? 0;
            return new MemoryResult(articles, pages.Count, readers, steps, withCircuits, (withCircuits - before) / (double)pages.Count,
                (withReaders - withCircuits) / (double)Math.Max(1, readers), peak, openSeconds, appDll, Environment.ProcessorCount, loadAtStart, Harness.LoadAverage());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (databases is null && Directory.Exists(dbFolder)) Directory.Delete(dbFolder, recursive: true);
        }
    }

    /// <summary>dotnet-gcdump collect, then its report (the heap by type) beside it as .txt.</summary>
    private static async Task GcDumpAsync(string repository, int processId, string file, TextWriter console, CancellationToken ct)
    {
        async Task<string> Tool(params string[] arguments)
        {
            var start = new System.Diagnostics.ProcessStartInfo(AppProcess.DotnetHost(), ["dotnet-gcdump", .. arguments])
            {
                WorkingDirectory = repository, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var tool = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet-gcdump.");
            var output = tool.StandardOutput.ReadToEndAsync(ct);
            var errors = tool.StandardError.ReadToEndAsync(ct);
            await tool.WaitForExitAsync(ct);
            return await output + await errors;
        }
        await Tool("collect", "-p", processId.ToString(CultureInfo.InvariantCulture), "-o", file);
        await File.WriteAllTextAsync(Path.ChangeExtension(file, ".txt"), await Tool("report", file), ct);
        await console.WriteLineAsync($"  heap dump with the editors open: {file} (report by type: {Path.ChangeExtension(file, ".txt")})");
    }

    /// <summary>The app's working set once it has stopped moving (two readings a second apart within 1 MB, or 15 s).</summary>
    private static async Task<long> SettledAsync(AppProcess app, CancellationToken ct)
    {
        var last = app.Memory()?.Current ?? 0;
        for (var i = 0; i < 15; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var now = app.Memory()?.Current ?? 0;
            if (Math.Abs(now - last) < 1024 * 1024) return now;
            last = now;
        }
        return last;
    }

    internal static string Markdown(MemoryResult result)
    {
        var md = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# Memory: {result.Circuits} editor circuits and {result.Readers} live-blog readers")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"The published app as its own process ({result.App}), Production, SQLite with {result.Articles:N0} articles, {result.Cores} cores; " +
                $"load average {result.LoadAverageAtStart} at the start, {result.LoadAverageAtEnd} at the end. Editors: Chromium tabs at /admin/articles/{{id}}, {result.OpenSeconds:N0} s to open them all.")
            .AppendLine()
            .AppendLine("| step | app working set MB |")
            .AppendLine("| --- | ---: |");
        foreach (var step in result.Steps) md.AppendLine(CultureInfo.InvariantCulture, $"| {step.Step} | {step.WorkingSetBytes / 1048576.0:N1} |");
        md.AppendLine()
            .AppendLine("| measure | value |")
            .AppendLine("| --- | ---: |")
            .AppendLine(CultureInfo.InvariantCulture, $"| working set with {result.Circuits} circuits (target < 300 MB) | {result.CircuitsWorkingSetBytes / 1048576.0:N1} MB |")
            .AppendLine(CultureInfo.InvariantCulture, $"| per circuit | {result.BytesPerCircuit / 1024:N0} KB |")
            .AppendLine(CultureInfo.InvariantCulture, $"| per SSE reader | {result.BytesPerReader / 1024:N1} KB |")
            .AppendLine(CultureInfo.InvariantCulture, $"| peak working set (VmHWM) | {result.PeakWorkingSetBytes / 1048576.0:N1} MB |")
            .AppendLine()
            .AppendLine("Working set: the app process's VmRSS, read once it stops moving. Per circuit and per reader: the growth over the step before, divided by their number (the server's side only; Chromium and the reader sockets run in other processes or in the harness).");
        return md.ToString();
    }
}
