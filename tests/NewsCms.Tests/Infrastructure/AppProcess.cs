using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace NewsCms.Tests.Infrastructure;

/// <summary>
/// The built app as a process of its own (<c>dotnet NewsCms.Web.dll</c>), as it runs in production: Production
/// environment, 127.0.0.1 on a port of its choosing, the given settings as environment variables. Every line it writes
/// is kept and can be waited for. <see cref="Kill"/> is SIGKILL on Linux: no shutdown code runs.
/// </summary>
public sealed partial class AppProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> lines = new();
    private readonly List<(Func<string, bool> Matches, TaskCompletionSource Seen)> waiters = [];

    private AppProcess(Process process) => this.process = process;

    public Uri BaseAddress { get; private set; } = default!;
    public IReadOnlyCollection<string> Lines => lines;
    public bool HasExited => process.HasExited;

    /// <summary>Called for every line the app writes (standard output and error), on a reader thread.</summary>
    public event Action<string>? LineWritten;

    /// <summary>
    /// The app's assembly as the build put it next to the tests (with its runtimeconfig.json and deps.json), so the test
    /// runs exactly what was built.
    /// </summary>
    public static string AppAssemblyPath
    {
        get
        {
            var path = typeof(Program).Assembly.Location;
            var runtimeConfig = Path.ChangeExtension(path, ".runtimeconfig.json");
            Assert.True(File.Exists(runtimeConfig), $"{runtimeConfig} is missing: the app cannot run as a process of its own from {Path.GetDirectoryName(path)}.");
            return path;
        }
    }

    /// <summary>Runs <c>dotnet NewsCms.Web.dll</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static AppProcess Run(string workingDirectory, IDictionary<string, string> settings, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AppAssemblyPath);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;

        var app = new AppProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        app.process.OutputDataReceived += (_, e) => app.OnLine(e.Data);
        app.process.ErrorDataReceived += (_, e) => app.OnLine(e.Data);
        app.process.Start();
        app.process.BeginOutputReadLine();
        app.process.BeginErrorReadLine();
        return app;
    }

    /// <summary>Starts the site and waits until it listens and <c>/healthz</c> answers.</summary>
    public static async Task<AppProcess> StartSiteAsync(string workingDirectory, IDictionary<string, string> settings, CancellationToken ct)
    {
        var app = Run(workingDirectory, settings);
        var listening = await app.WaitForLineAsync(line => ListeningLine().IsMatch(line), TimeSpan.FromSeconds(60), ct);
        app.BaseAddress = new Uri(ListeningLine().Match(listening).Groups[1].Value);
        using var client = new HttpClient { BaseAddress = app.BaseAddress };
        var health = await client.GetAsync("/healthz", ct);
        Assert.True(health.IsSuccessStatusCode, $"/healthz answered {(int)health.StatusCode}.\n{app.Output}");
        return app;
    }

    /// <summary>The first line (already written or still to come) that matches; fails after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> matches, TimeSpan timeout, CancellationToken ct)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (waiters) waiters.Add((matches, seen));
        if (lines.Any(matches)) seen.TrySetResult();
        var exited = process.WaitForExitAsync(ct);
        var finished = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout, ct));
        // An exit may race the last lines: look once more.
        if (lines.FirstOrDefault(matches) is { } line) return line;
        Assert.Fail(finished == exited
            ? $"The app exited (code {process.ExitCode}) before writing the line waited for.\n{Output}"
            : $"The app did not write the line waited for within {timeout.TotalSeconds:0} s.\n{Output}");
        return "";
    }

    public async Task<int> WaitForExitAsync(CancellationToken ct)
    {
        await process.WaitForExitAsync(ct);
        return process.ExitCode;
    }

    /// <summary>SIGKILL: the process ends at once, wherever it is.</summary>
    public void Kill() => process.Kill();

    /// <summary>The last lines, for failure messages.</summary>
    public string Output => string.Join('\n', lines.TakeLast(60));

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lines.Enqueue(line);
        LineWritten?.Invoke(line);
        lock (waiters)
        {
            foreach (var (matches, seen) in waiters.Where(w => !w.Seen.Task.IsCompleted && w.Matches(line))) seen.TrySetResult();
        }
    }

    /// <summary>The dotnet host the tests run under (set by the SDK), else the one on PATH.</summary>
    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
