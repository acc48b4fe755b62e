using System.Diagnostics;

namespace NewsCms.Benchmarks.Seeding;

/// <summary>
/// "[#######.............]  35,000/100,000 articles  2,950/s  ETA 22 s" on one terminal line; when the output is not a
/// terminal (a log file, a test), one line per tenth instead.
/// </summary>
public sealed class ProgressBar(TextWriter console, string what, int total)
{
    private const int Width = 30;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly bool terminal = ReferenceEquals(console, Console.Out) && !Console.IsOutputRedirected;
    private int lastTenth = -1;
    private TimeSpan lastDrawn = TimeSpan.MinValue;

    public void Report(int done)
    {
        var elapsed = clock.Elapsed;
        var rate = done / Math.Max(elapsed.TotalSeconds, 1e-3);
        if (terminal)
        {
            if (done < total && elapsed - lastDrawn < TimeSpan.FromMilliseconds(200)) return;
            lastDrawn = elapsed;
            var filled = total == 0 ? Width : (int)((long)Width * done / total);
            var eta = rate > 0 ? (total - done) / rate : 0;
            console.Write($"\r  [{new string('#', filled)}{new string('.', Width - filled)}] {done,9:N0}/{total:N0} {what}  {rate,8:N0}/s  ETA {eta,4:N0} s ");
            return;
        }
        var tenth = total == 0 ? 10 : (int)(10L * done / total);
        if (tenth == lastTenth) return;
        lastTenth = tenth;
        console.WriteLine($"  {done:N0}/{total:N0} {what} ({rate:N0}/s)");
    }

    /// <summary>Ends the line with the final count and rate.</summary>
    public void Done()
    {
        var seconds = clock.Elapsed.TotalSeconds;
        if (terminal) console.WriteLine();
        console.WriteLine($"  {total:N0} {what} in {seconds:N1} s ({total / Math.Max(seconds, 1e-3):N0}/s)");
    }
}
