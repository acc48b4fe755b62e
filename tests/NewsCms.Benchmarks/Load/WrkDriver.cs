using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace NewsCms.Benchmarks.Load;

/// <summary>
/// Runs wrk (Debian package <c>wrk</c>) with a Lua script the harness writes: it walks the scenario's paths if it has
/// several, counts responses without the output cache's Age header, and prints its results as one JSON line from
/// wrk's <c>done</c> hook (more robust than parsing wrk's text).
/// </summary>
public sealed class WrkDriver(string workFolder) : ILoadDriver
{
    public const string InstallHint = "wrk is not installed. Install it with: sudo apt-get install -y wrk";
    private const string Marker = "NEWSCMS_WRK ";

    private readonly Dictionary<string, long> cursors = [];

    public string Name => "wrk";

    public static bool IsInstalled()
    {
        try
        {
            using var wrk = Process.Start(new ProcessStartInfo("wrk", "--version") { RedirectStandardOutput = true, RedirectStandardError = true });
            wrk!.WaitForExit(5_000);
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public async Task<LoadResult> RunAsync(Uri baseUrl, Scenario scenario, int connections, TimeSpan duration, CancellationToken ct)
    {
        Directory.CreateDirectory(workFolder);
        var name = string.Concat(scenario.Name.Where(char.IsLetterOrDigit));
        string? pathFile = null;
        if (scenario.Paths is not null)
        {
            pathFile = Path.Combine(workFolder, name + ".paths");
            await File.WriteAllLinesAsync(pathFile, scenario.Paths, ct);
        }
        var script = Path.Combine(workFolder, name + ".lua");
        // A walk continues where the scenario's last run (its warm-up) stopped.
        var cursor = cursors.GetValueOrDefault(scenario.Name);
        await File.WriteAllTextAsync(script, Script(pathFile, scenario.BypassCache, scenario.CountsRendered, cursor, Threads(connections)), ct);

        var url = new Uri(baseUrl, scenario.Paths is null ? scenario.Path : "/");
        var json = await RunScriptAsync(script, url, connections, duration, Path.Combine(workFolder, name + ".out"), scenario.Name, ct);
        // Past every path this run sent, answered or still in flight when it stopped (the app may cache those too).
        cursors[scenario.Name] = cursor + (long)json.GetProperty("issued").GetDouble();
        return Result(json, scenario.CountsRendered);
    }

    private static int Threads(int connections) => Math.Min(Environment.ProcessorCount, connections);

    /// <summary>
    /// Runs wrk with a script made by <see cref="Compose"/> against <paramref name="url"/> and returns the JSON line its
    /// done hook printed; wrk's whole output is kept in <paramref name="outputFile"/>.
    /// </summary>
    public static async Task<JsonElement> RunScriptAsync(string script, Uri url, int connections, TimeSpan duration, string outputFile, string what,
        CancellationToken ct)
    {
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        var start = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            ArgumentList = { "-t", Threads(connections).ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                "-d", seconds.ToString(CultureInfo.InvariantCulture) + "s", "--timeout", "5s", "--latency", "-s", script, url.ToString() },
        };
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk.");
        using var kill = ct.Register(() => { try { wrk.Kill(); } catch (InvalidOperationException) { } });
        var output = wrk.StandardOutput.ReadToEndAsync(ct);
        var errors = wrk.StandardError.ReadToEndAsync(ct);
        await wrk.WaitForExitAsync(ct);
        var text = await output;
        await File.WriteAllTextAsync(outputFile, text + await errors, ct);
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no result for {what} (exit code {wrk.ExitCode}): {text}{await errors}");
        return JsonDocument.Parse(line[Marker.Length..]).RootElement.Clone();
    }

    /// <summary>What the done hook reported, as a load result (rendered and answered only when the script counted them).</summary>
    public static LoadResult Result(JsonElement json, bool countsRendered)
    {
        double Number(string property) => json.GetProperty(property).GetDouble();
        var errorCount = (long)(Number("connect") + Number("read") + Number("write") + Number("status") + Number("timeout"));
        return new LoadResult((long)Number("requests"), Number("duration_us") / 1e6, Number("p50_us") / 1000, Number("p99_us") / 1000, errorCount,
            countsRendered ? (long)Number("rendered") : null, countsRendered ? (long)Number("answered") : null);
    }

    /// <summary>A Lua string literal of <paramref name="text"/> (a file's path).</summary>
    public static string LuaString(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>
    /// A whole script around <paramref name="body"/> (its own locals, init and request): each thread is numbered
    /// (<c>tid</c>, from 0) in setup; with <paramref name="countRendered"/>, a response hook counts the answers without
    /// the output cache's Age header; done prints the totals as one JSON line. A body sets <c>n</c> and <c>first</c>
    /// when it walks a list, for the count of paths it issued.
    /// </summary>
    public static string Compose(string body, bool countRendered)
    {
        var lua = """
            -- Written by the NewsCms benchmark harness.
            local threads = {}

            function setup(thread)
              thread:set("tid", #threads)
              table.insert(threads, thread)
            end

            """ + "\n" + body;
        if (countRendered)
        {
            lua += """

                function response(status, headers, body)
                  answered = answered + 1
                  -- The output cache adds Age to the responses it serves; a rendered page has none.
                  if headers["Age"] == nil and headers["age"] == nil then rendered = rendered + 1 end
                end

                """;
        }
        lua += $$"""

            function done(summary, latency, requests)
              local r, a, issued = 0, 0, 0
              for _, t in ipairs(threads) do
                r = r + (t:get("rendered") or 0)
                a = a + (t:get("answered") or 0)
                issued = issued + (t:get("n") or 0) - (t:get("first") or 0)
              end
              local e = summary.errors
              io.write(string.format('{{Marker}}{"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f,"p50_us":%.0f,"p99_us":%.0f,"max_us":%.0f,"rendered":%.0f,"answered":%.0f,"issued":%.0f}\n',
                summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
                latency:percentile(50), latency:percentile(99), latency.max, r, a, issued))
            end

            """;
        return lua;
    }

    /// <summary>The script for one scenario (wrk runs one copy per thread, plus one for setup and done).</summary>
    public static string Script(string? pathFile, bool bypassCache, bool countRendered, long start, int threadCount) => Compose($$"""
        local pathFile = {{(pathFile is null ? "nil" : LuaString(pathFile))}}
        local bypass = {{(bypassCache ? "true" : "false")}}
        local bypassHeaders = { ["{{Scenario.BypassHeader.Name}}"] = "{{Scenario.BypassHeader.Value}}" }
        local start = {{start}}
        local threadCount = {{threadCount}}

        function init(args)
          rendered = 0
          answered = 0
          n = 0
          if pathFile then
            paths = {}
            for line in io.lines(pathFile) do paths[#paths + 1] = line end
            -- Each thread starts at its own place in the list.
            n = start + tid * math.floor(#paths / threadCount)
          end
          first = n
        end

        if pathFile then
          function request()
            n = n + 1
            local path = paths[(n % #paths) + 1]
            if bypass then
              -- The output cache neither looks up nor stores a request with an Authorization header: a fresh render.
              return wrk.format(nil, path, bypassHeaders)
            end
            return wrk.format(nil, path)
          end
        end

        """, countRendered);
}
