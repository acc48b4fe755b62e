using System.Diagnostics;
using System.Text.RegularExpressions;
using NewsCms.Benchmarks.Seeding;
using NewsCms.Web.Features.Integrations;

namespace NewsCms.Benchmarks.Hosting;

/// <summary>
/// A Content API key for the benchmark site, made by the app's own <c>create-integration</c> verb: run by the published
/// app as a deploy script would (which also proves the verb works on a published build), or called in-process by the
/// builtin driver. The seeded site has no accounts, so the app is given a bootstrap administrator
/// (<see cref="Settings"/>) for the verb to act as.
/// </summary>
public static partial class ContentApiKey
{
    public const string IntegrationName = "Benchmark";

    /// <summary>
    /// Settings (configuration keys) the app runs with in the benchmark: the administrator the verb acts as, and a
    /// per-key rate limit high enough not to answer 429 under load (the limiter still runs on every fresh request).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["NewsCms:Bootstrap:AdminEmail"] = "benchmark-admin@example.com",
        ["NewsCms:Bootstrap:AdminPassword"] = "Benchmark-Admin-Password-2026!",
        ["NewsCms:ContentApi:RequestsPerKey"] = "1000000",
    };

    private static readonly string[] Arguments = [IntegrationCommandLine.Command, IntegrationName, "--role", "Editor"];

    /// <summary><c>dotnet NewsCms.Web.dll create-integration "Benchmark" --role Editor</c> on the database; returns the key it printed.</summary>
    public static async Task<string> CreateWithPublishedAppAsync(string appDll, BenchDatabase database, CancellationToken ct)
    {
        var start = new ProcessStartInfo(AppProcess.DotnetHost(), [appDll, .. Arguments])
        {
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (name, value) in AppProcess.AppEnvironment(database)) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the app's create-integration.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var printed = await output + await errors;
        if (process.ExitCode != 0) throw new InvalidOperationException($"create-integration exited with {process.ExitCode}:\n{printed}");
        return Parse(printed);
    }

    /// <summary>The same verb, run by the in-process app with its services.</summary>
    public static async Task<string> CreateInProcessAsync(IServiceProvider services, CancellationToken ct)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await IntegrationCommandLine.RunAsync(services, Arguments, output, error, ct);
        if (exit != 0) throw new InvalidOperationException($"create-integration exited with {exit}:\n{error}");
        return Parse(output.ToString());
    }

    /// <summary>The key from the verb's output line <c>Content API key: …</c>.</summary>
    public static string Parse(string output) => KeyLine().Match(output) is { Success: true } match
        ? match.Groups[1].Value
        : throw new InvalidOperationException($"create-integration printed no Content API key:\n{output}");

    [GeneratedRegex(@"^Content API key: ([0-9a-f]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex KeyLine();
}
