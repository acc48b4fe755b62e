using NewsCms.Benchmarks;

namespace NewsCms.Tests.Benchmarks;

/// <summary>The harness subcommands' shared option reading: values, numbers, and a clear message for a bad one.</summary>
public sealed class SubcommandOptionsTests
{
    private static async Task<(int? Exit, string Printed)> ReadAsync(string[] args, Action<string, SubcommandOptions> read)
    {
        using var console = new StringWriter();
        var exit = await SubcommandOptions.ReadAsync(args, "Usage: verb [--n N]", console, read);
        return (exit, console.ToString());
    }

    [Fact]
    public async Task Options_are_read_in_order_with_their_values()
    {
        int count = 0;
        double number = 0;
        List<int> counts = [];
        string? text = null;
        var flag = false;
        var (exit, printed) = await ReadAsync(["verb", "--count", "100_000", "--number", "2.5", "--counts", "1000, 100_000", "--flag", "--text", "a b"], (name, option) =>
        {
            switch (name)
            {
                case "--count": count = option.Count(); break;
                case "--number": number = option.Number(); break;
                case "--counts": counts = option.Counts(); break;
                case "--flag": flag = true; break;
                case "--text": text = option.Text(); break;
                default: throw option.Unknown();
            }
        });
        Assert.Null(exit);
        Assert.Equal("", printed);
        Assert.Equal(100_000, count);
        Assert.Equal(2.5, number);
        Assert.Equal([1000, 100_000], counts);
        Assert.True(flag);
        Assert.Equal("a b", text);
    }

    [Theory]
    [InlineData(new[] { "verb", "--count" }, "--count needs a value.")]
    [InlineData(new[] { "verb", "--count", "many" }, "--count needs a number of at least 0, not 'many'.")]
    [InlineData(new[] { "verb", "--count", "-3" }, "--count needs a number of at least 0, not '-3'.")]
    [InlineData(new[] { "verb", "--count", "2.5" }, "--count needs a whole number.")]
    [InlineData(new[] { "verb", "--counts", "1000,lots" }, "--counts needs whole numbers separated by commas, not 'lots'.")]
    [InlineData(new[] { "verb", "--colour", "red" }, "Unknown option --colour.")]
    public async Task A_bad_option_stops_with_what_was_wrong_and_the_usage(string[] args, string message)
    {
        var (exit, printed) = await ReadAsync(args, (name, option) =>
        {
            switch (name)
            {
                case "--count": option.Count(); break;
                case "--counts": option.Counts(); break;
                default: throw option.Unknown();
            }
        });
        Assert.Equal(1, exit);
        Assert.Equal([message, "Usage: verb [--n N]"], printed.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Help_prints_the_usage_and_succeeds()
    {
        var (exit, printed) = await ReadAsync(["verb", "--help"], (_, option) => throw option.Unknown());
        Assert.Equal(0, exit);
        Assert.Equal("Usage: verb [--n N]", printed.Trim());
    }
}
