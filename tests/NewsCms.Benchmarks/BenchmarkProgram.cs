using System.Globalization;

namespace NewsCms.Benchmarks;

/// <summary>Entry point (a named class: the app's own top-level Program must stay the only global one).</summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (args.Length > 0 && args[0] == "import")
        {
            return await Import.ImportBench.RunAsync(args, Console.Out, CancellationToken.None);
        }
        if (args.Length > 0 && args[0] == "live")
        {
            return await Live.LiveBench.RunAsync(args, Console.Out, CancellationToken.None);
        }
        if (args.Length > 0 && args[0] == Day.DayBench.Verb)
        {
            return await Day.DayBench.RunAsync(args, Console.Out, CancellationToken.None);
        }
        if (args.Length > 0 && args[0] == Day.DayNode.Verb)
        {
            return await Day.DayNode.RunAsync(args, Console.Out, CancellationToken.None);
        }
        if (args.Length > 0 && args[0] == Search.SearchChurn.Verb)
        {
            return await Search.SearchChurn.RunAsync(args, Console.Out, CancellationToken.None);
        }
        if (args.Length > 0 && args[0] == Cluster.CeilingBehindNginx.Verb)
        {
            return await Cluster.CeilingBehindNginx.ServeAsync(args, Console.Out);
        }
        if (args.Length > 0 && args[0] == "render")
        {
            return await Render.RenderBench.RunAsync(args, Console.Out, CancellationToken.None);
        }
        if (args.Length > 0 && args[0] == "memory")
        {
            return await Memory.MemoryBench.RunAsync(args, Console.Out, CancellationToken.None);
        }
        if (args.Length > 0 && args[0] == "startup")
        {
            return await Startup.StartupBench.RunAsync(args, Console.Out, CancellationToken.None);
        }
        if (args.Length > 0 && args[0] == Full.FullBench.Verb)
        {
            return await Full.FullBench.RunAsync(args, Console.Out, CancellationToken.None);
        }
        if (args.Length > 0 && args[0] == "survival")
        {
            return await Survival.SurvivalBench.RunAsync(args, Console.Out, CancellationToken.None);
        }
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(BenchmarkOptions.Usage);
            return 0;
        }
        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(BenchmarkOptions.Usage);
            return 1;
        }

        // Ctrl+C stops the run cleanly: the app and wrk are killed on the way out.
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            Console.WriteLine("Stopping ...");
            stop.Cancel();
        };
        try
        {
            return (await new Harness(options, Console.Out).RunAsync(stop.Token)).ExitCode;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 130;
        }
    }
}
