using System.Diagnostics;
using System.Text.Json;

namespace NewsCms.BrowserTests.Validation;

/// <summary>One message of the checker: an error or a warning, where it is and what it says.</summary>
public sealed record NuMessage(string Type, string File, int? Line, int? Column, string Message, string Extract)
{
    public bool IsError => Type is "error" or "non-document-error";

    /// <summary>"home.html (/), line 31, column 141: Duplicate ID “main”." and the checker's extract of the source.</summary>
    public string Describe(string? url = null) =>
        File + (string.IsNullOrEmpty(url) ? "" : $" ({url})")
        + (Line is { } line ? $", line {line}" : "") + (Column is { } column ? $", column {column}" : "") + $": {Message}"
        + (string.IsNullOrWhiteSpace(Extract) ? "" : $"\n    {Extract.ReplaceLineEndings(" ").Trim()}");

    public override string ToString() => Describe();
}

/// <summary>
/// The Nu HTML Checker (npm vnu-jar, pinned in this project's package-lock.json and copied next to the tests as
/// vnu-jar/vnu.jar), run by Java from Debian's default-jre-headless. It refuses to fetch loopback addresses, so the
/// tests save the pages and check the files; all of them in one run, as the JVM is slow to start.
/// </summary>
public static class NuHtmlChecker
{
    public const string JavaEnvironmentVariable = "NEWSCMS_JAVA";
    public const string JavaNotFound =
        $"Java not found: the HTML validation test runs the Nu HTML Checker on Java. Install it with `apt-get install -y default-jre-headless` or set {JavaEnvironmentVariable} to a java executable.";

    public static string JarPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "vnu-jar", "vnu.jar");
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"{path} is missing: build the test project (its TestToolsNpmCi target runs npm ci for vnu-jar).");
        }
    }

    /// <summary>The java to run: <see cref="JavaEnvironmentVariable"/> when set, else the first on PATH.</summary>
    public static string FindJava()
    {
        var configured = Environment.GetEnvironmentVariable(JavaEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"{JavaEnvironmentVariable} is {configured}, which does not exist. {JavaNotFound}");
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "java"))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(JavaNotFound);
    }

    /// <summary>Checks every file (HTML or CSS by its extension, .html or .css) in one run of the checker.</summary>
    public static async Task<IReadOnlyList<NuMessage>> CheckAsync(IReadOnlyList<string> files, CancellationToken ct)
    {
        var start = new ProcessStartInfo(FindJava())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // A larger thread stack, as the checker's documentation advises for deeply nested documents.
        foreach (var argument in (string[])["-Xss2m", "-jar", JarPath, "--format", "json", "--stdout", "--exit-zero-always", "--also-check-css"])
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var file in files) start.ArgumentList.Add(file);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var output = await stdout;
        if (process.ExitCode != 0 || string.IsNullOrWhiteSpace(output))
        {
            throw new InvalidOperationException($"The Nu HTML Checker failed (exit code {process.ExitCode}):\n{await stderr}\n{output}");
        }
        return Parse(output);
    }

    /// <summary>vnu's JSON: {"messages":[{"type":"error"|"info"|"non-document-error", "subType":"warning", "url", "lastLine", ...}]}.</summary>
    public static IReadOnlyList<NuMessage> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var messages = new List<NuMessage>();
        foreach (var message in document.RootElement.GetProperty("messages").EnumerateArray())
        {
            var type = String(message, "type");
            if (type == "info" && String(message, "subType") == "warning") type = "warning";
            var url = String(message, "url");
            // file:/tmp/.../home.html
            var file = url[(url.LastIndexOf('/') + 1)..];
            messages.Add(new NuMessage(type, file, Number(message, "lastLine"), Number(message, "firstColumn") ?? Number(message, "lastColumn"),
                String(message, "message"), String(message, "extract")));
        }
        return messages;

        static string String(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

        static int? Number(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
    }
}
