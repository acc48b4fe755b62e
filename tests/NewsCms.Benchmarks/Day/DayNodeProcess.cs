using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NewsCms.Benchmarks.Hosting;
using NewsCms.Benchmarks.Seeding;

namespace NewsCms.Benchmarks.Day;

/// <summary>
/// The harness's side of <see cref="DayNode"/>: this same binary started again as the app's process (<c>dotnet
/// NewsCms.Benchmarks.dll day-node</c>), its log written to a file, its protocol lines picked out, its memory read
/// from /proc. Killed when disposed.
/// </summary>
public sealed class DayNodeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;
    private readonly TaskCompletionSource<DayNodeReady> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<DayNodeResult> result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DayNodeProcess(Process process, StreamWriter log)
    {
        this.process = process;
        this.log = log;
    }

    public int ProcessId => process.Id;
    public DayNodeReady Ready { get; private set; } = null!;

    public static async Task<DayNodeProcess> StartAsync(BenchDatabase database, DaySettings settings, string logPath, CancellationToken ct)
    {
        var harness = typeof(DayNode).Assembly.Location;
        var start = new ProcessStartInfo(AppProcess.DotnetHost(), [harness, DayNode.Verb,
            "--editors", settings.Editors.ToString(CultureInfo.InvariantCulture),
            "--autosave", settings.AutosaveSeconds.ToString(CultureInfo.InvariantCulture),
            "--publish", settings.PublishSeconds.ToString(CultureInfo.InvariantCulture),
            "--live", settings.LiveEntrySeconds.ToString(CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = Path.GetDirectoryName(harness)!,
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment[DayNode.ProviderVariable] = database.Provider;
        start.Environment[DayNode.ConnectionVariable] = database.ConnectionString;
        // The app's own server GC, as the published app runs (the harness's runtimeconfig says the same).
        start.Environment["DOTNET_gcServer"] = "1";
        if (settings.CacheSizeMB is { } cacheMb) start.Environment["NewsCms__PublicCache__SizeLimitMB"] = cacheMb.ToString(CultureInfo.InvariantCulture);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the day's app process.");
        var node = new DayNodeProcess(process, new StreamWriter(logPath) { AutoFlush = true });
        process.OutputDataReceived += (_, e) => node.Line(e.Data);
        process.ErrorDataReceived += (_, e) => node.Line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var exited = process.WaitForExitAsync(ct);
            // Start-up includes migrating a reused database and, on first use, the newsroom's accounts.
            var first = await Task.WhenAny(node.ready.Task, exited).WaitAsync(TimeSpan.FromMinutes(5), ct);
            if (first != node.ready.Task) throw new InvalidOperationException($"The day's app process exited with code {process.ExitCode} while starting; see {logPath}.");
            node.Ready = await node.ready.Task;
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the newsroom for <paramref name="duration"/>; completes with what it measured.</summary>
    public async Task<DayNodeResult> RunNewsroomAsync(TimeSpan duration, CancellationToken ct)
    {
        await process.StandardInput.WriteLineAsync("start " + duration.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));
        await process.StandardInput.FlushAsync(ct);
        return await result.Task.WaitAsync(duration + TimeSpan.FromMinutes(2), ct);
    }

    /// <summary>The app's peak and current resident memory (VmHWM and VmRSS), in bytes; null off Linux.</summary>
    public (long Peak, long Current)? Memory()
    {
        var status = $"/proc/{process.Id}/status";
        try
        {
            long Read(string key) => File.ReadLines(status).Where(l => l.StartsWith(key + ":", StringComparison.Ordinal))
                .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).FirstOrDefault();
            return (Read("VmHWM"), Read("VmRSS"));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private void Line(string? line)
    {
        if (line is null) return;
        if (line.StartsWith(DayNode.Marker + "ready ", StringComparison.Ordinal))
        {
            ready.TrySetResult(JsonSerializer.Deserialize<DayNodeReady>(line[(DayNode.Marker.Length + "ready ".Length)..])!);
            return;
        }
        if (line.StartsWith(DayNode.Marker + "result ", StringComparison.Ordinal))
        {
            result.TrySetResult(JsonSerializer.Deserialize<DayNodeResult>(line[(DayNode.Marker.Length + "result ".Length)..])!);
            return;
        }
        lock (log) if (log.BaseStream is not null) log.WriteLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Closing stdin ends the node; killed if it does not go.
            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException)
        {
        }
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
        await process.WaitForExitAsync();
        process.Dispose();
        lock (log) log.Dispose();
    }
}
