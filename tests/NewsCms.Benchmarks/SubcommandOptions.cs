using System.Globalization;

namespace NewsCms.Benchmarks;

/// <summary>
/// A subcommand's "--name value" options, read in order. Each subcommand says what its options mean; the reading, the
/// number format (100_000 allowed), the results folder's default and the message for a missing or bad value are here once.
/// </summary>
public sealed class SubcommandOptions
{
    private readonly string[] args;
    private int at; // args[0] is the verb

    private SubcommandOptions(string[] args) => this.args = args;

    /// <summary>
    /// Reads every option with <paramref name="read"/> (which throws <see cref="Unknown"/> for a name it does not
    /// know): null when all were good, else the exit code, after printing what was wrong and <paramref name="usage"/>.
    /// </summary>
    public static async Task<int?> ReadAsync(string[] args, string usage, TextWriter console, Action<string, SubcommandOptions> read)
    {
        var options = new SubcommandOptions(args);
        try
        {
            while (++options.at < args.Length)
            {
                var name = args[options.at];
                if (name is "--help" or "-h")
                {
                    await console.WriteLineAsync(usage);
                    return 0;
                }
                read(name, options);
            }
            return null;
        }
        catch (ArgumentException ex)
        {
            await console.WriteLineAsync(ex.Message);
            await console.WriteLineAsync(usage);
            return 1;
        }
    }

    private string Name => args[at];

    /// <summary>The option's value as given.</summary>
    public string Text() => at + 1 < args.Length ? args[++at] : throw new ArgumentException($"{Name} needs a value.");

    /// <summary>The option's value as a full path.</summary>
    public string FullPath() => Path.GetFullPath(Text());

    /// <summary>A number ≥ 0.</summary>
    public double Number()
    {
        var name = Name;
        var text = Text();
        return double.TryParse(text.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n : throw new ArgumentException($"{name} needs a number of at least 0, not '{text}'.");
    }

    /// <summary>A whole number ≥ 0.</summary>
    public int Count()
    {
        var name = Name;
        var number = Number();
        return number == Math.Floor(number) && number <= int.MaxValue ? (int)number : throw new ArgumentException($"{name} needs a whole number.");
    }

    /// <summary>Whole numbers separated by commas (1000,100000).</summary>
    public List<int> Counts()
    {
        var name = Name;
        return [.. Text().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
            int.TryParse(part.Replace("_", ""), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                : throw new ArgumentException($"{name} needs whole numbers separated by commas, not '{part}'."))];
    }

    /// <summary>The error for an option the subcommand does not know.</summary>
    public ArgumentException Unknown() => new($"Unknown option {Name}.");

    /// <summary>The results folder: the one given with --output, else benchmark-results/&lt;name&gt;-&lt;UTC time&gt; in the repository; created.</summary>
    public static string ResultsFolder(string repository, string? output, string name)
    {
        var folder = Path.GetFullPath(output ?? Path.Combine(repository, "benchmark-results",
            name + "-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        Directory.CreateDirectory(folder);
        return folder;
    }
}
