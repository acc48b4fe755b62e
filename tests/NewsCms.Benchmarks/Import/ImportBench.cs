using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NewsCms.Benchmarks.Hosting;

namespace NewsCms.Benchmarks.Import;

/// <summary>
/// <c>import [--posts N] [--images M] [--output DIR]</c>: how long the published app's <c>import-wordpress</c> takes
/// for a generated export, and its peak memory, into a fresh SQLite site: the posts without images, then with them.
/// Memory is compared with a quarter-size export in the same run (flat in the file's size: a ratio near 1).
/// </summary>
public static partial class ImportBench
{
    public const string Usage = "Usage: dotnet run -c Release --project tests/NewsCms.Benchmarks -- import [--posts 10000] [--images 2000] [--output DIR]";

    public static async Task<int> RunAsync(string[] args, TextWriter console, CancellationToken ct)
    {
        int posts = 10_000, images = 2_000;
        string? output = null;
        var exit = await SubcommandOptions.ReadAsync(args, Usage, console, (name, option) =>
        {
            switch (name)
            {
                case "--posts": posts = option.Count(); break;
                case "--images": images = option.Count(); break;
                case "--output": output = option.Text(); break;
                default: throw option.Unknown();
            }
        });
        if (exit is { } code) return code;
        var repository = Harness.FindRepository();
        var folder = SubcommandOptions.ResultsFolder(repository, output, "import");
        var app = await AppProcess.PublishAsync(repository, Path.Combine(folder, "app"), console, ct);

        var quarter = Math.Max(1, posts / 4);
        var small = await ExportAsync(folder, quarter, 0, console, ct);
        var full = await ExportAsync(folder, posts, images, console, ct);
        var uploads = Path.Combine(folder, "uploads");
        var clock = Stopwatch.StartNew();
        await Generator(posts, images).WriteUploadsAsync(uploads, ct);
        await console.WriteLineAsync($"Uploads: {images:N0} JPEGs of 1200 × 800 written in {clock.Elapsed.TotalSeconds:N0} s.");

        var quarterRun = await ImportAsync(app, folder, "quarter", small, null, console, ct);
        var postsOnly = await ImportAsync(app, folder, "posts", full, null, console, ct);
        var withImages = images == 0 ? postsOnly : await ImportAsync(app, folder, "images", full, uploads, console, ct);

        var summary =
            $"""
            WordPress import, {posts:N0} posts ({new FileInfo(full).Length / 1e6:N1} MB export), SQLite, {Environment.ProcessorCount} cores
              posts, no images:          {postsOnly.Seconds,7:N1} s  ({posts / postsOnly.Seconds:N0} posts/s)  peak memory {postsOnly.PeakMegabytes} MB
              posts + {images:N0} images:    {withImages.Seconds,7:N1} s  ({images / Math.Max(0.1, withImages.Seconds - postsOnly.Seconds):N1} images/s over the posts-only run)  peak memory {withImages.PeakMegabytes} MB
              quarter size ({quarter:N0} posts): {quarterRun.Seconds,7:N1} s  peak memory {quarterRun.PeakMegabytes} MB
              time ratio full / quarter: {postsOnly.Seconds / quarterRun.Seconds:N2} (4 means linear)
              memory ratio full / quarter: {(double)postsOnly.PeakMegabytes / quarterRun.PeakMegabytes:N2} (1 means flat in the file's size)
            """;
        await console.WriteLineAsync(summary);
        await File.WriteAllTextAsync(Path.Combine(folder, "import-summary.txt"), summary + "\n", ct);
        return 0;
    }

    private static WordPress.WxrGenerator Generator(int posts, int images) =>
        new() { Posts = posts, Attachments = images, ImageWidth = 1200, ImageHeight = 800, Tags = 300, Authors = 20 };

    private static async Task<string> ExportAsync(string folder, int posts, int images, TextWriter console, CancellationToken ct)
    {
        var path = Path.Combine(folder, $"export-{posts}-{images}.xml");
        if (File.Exists(path)) return path;
        await using (var file = File.Create(path))
        {
            await Generator(posts, images).WriteAsync(file, ct);
        }
        await console.WriteLineAsync($"Export of {posts:N0} posts ({images:N0} with images): {new FileInfo(path).Length / 1e6:N1} MB.");
        return path;
    }

    private sealed record Measured(double Seconds, long PeakMegabytes);

    private static async Task<Measured> ImportAsync(string appDll, string folder, string name, string export, string? uploads, TextWriter console,
        CancellationToken ct)
    {
        var data = Path.Combine(folder, "site-" + name);
        if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
        Directory.CreateDirectory(data);
        List<string> args = [appDll, "import-wordpress", export];
        if (uploads is not null) args.AddRange(["--media", uploads]);
        args.AddRange(["--report", Path.Combine(folder, $"report-{name}.txt")]);
        var start = new ProcessStartInfo(AppProcess.DotnetHost(), args)
        {
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            Environment =
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__NewsCms"] = $"Data Source={Path.Combine(data, "newscms.db")}",
                ["NewsCms__Media__Root"] = Path.Combine(data, "media"),
                ["NewsCms__Bootstrap__AdminEmail"] = "bench-admin@bench.example",
                ["NewsCms__Bootstrap__AdminPassword"] = "Bench-admin-password-1",
                ["NewsCms__Site__BaseUrl"] = "http://127.0.0.1:5999",
            },
        };
        await console.WriteLineAsync($"Importing ({name}) ...");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the app.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var elapsed = clock.Elapsed.TotalSeconds;
        var text = await stdout;
        await File.WriteAllTextAsync(Path.Combine(folder, $"import-{name}.log"), text + await stderr, ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"import-wordpress ({name}) failed with {process.ExitCode}: {await stderr}");
        var peak = PeakMemory().Match(text);
        var took = Took().Match(text);
        await console.WriteLineAsync($"  {name}: {took.Value} (process {elapsed:N1} s)");
        return new Measured(double.Parse(took.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(peak.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"peak memory (\d+) MB")]
    private static partial Regex PeakMemory();

    [GeneratedRegex(@"Took ([\d.]+) s")]
    private static partial Regex Took();
}
