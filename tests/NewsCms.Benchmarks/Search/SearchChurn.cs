using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Benchmarks.Hosting;
using NewsCms.Benchmarks.Seeding;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Search;

namespace NewsCms.Benchmarks.Search;

/// <summary>
/// `search-churn`: searches in-process on a seeded SQLite database with a change to search between rounds, as a
/// newsroom publishing every few seconds makes: per query, the first search (its lists read), a repeat, and the first
/// search after each change (an article re-indexed and the change announced, as a publish does for search). One
/// connection, each search awaited; times in milliseconds, printed.
/// </summary>
public static class SearchChurn
{
    public const string Verb = "search-churn";
    public const string Usage = "Usage: dotnet run -c Release --project tests/NewsCms.Benchmarks -- search-churn --databases DIR [--articles 100000] [--rounds 5]";

    public static async Task<int> RunAsync(string[] args, TextWriter console, CancellationToken ct)
    {
        string? databases = null;
        int articles = 100_000, rounds = 5;
        var exit = await SubcommandOptions.ReadAsync(args, Usage, console, (name, option) =>
        {
            switch (name)
            {
                case "--databases": databases = option.Text(); break;
                case "--articles": articles = option.Count(); break;
                case "--rounds": rounds = option.Count(); break;
                default: throw option.Unknown();
            }
        });
        if (exit is { } code) return code;
        if (databases is null)
        {
            await console.WriteLineAsync("--databases is required.");
            await console.WriteLineAsync(Usage);
            return 1;
        }
        await using var database = BenchDatabase.SqliteFile(Path.Combine(databases, $"newscms-{articles}.db"));
        await using var app = new InProcessApp(Harness.FindRepository(), database);
        _ = app.Services;
        var search = app.Services.GetRequiredService<ArticleSearch>();
        var scores = app.Services.GetRequiredService<SearchScores>();
        var content = app.Services.GetRequiredService<PublicContent>();
        var factory = app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>();
        int[] changed;
        await using (var db = await factory.CreateDbContextAsync(ct))
            changed = await db.Articles.Where(a => a.Status == ArticleStatus.Published && a.TrashedAt == null).OrderByDescending(a => a.Id).Select(a => a.Id).Take(rounds).ToArrayAsync(ct);
        string[] queries = ["council", "government", "people police", "\"housing plan\"", "counc*"];

        async Task<double> Timed(string query)
        {
            var started = Stopwatch.GetTimestamp();
            await search.SearchAsync(query, 0, 20, ct);
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        await console.WriteLineAsync($"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        foreach (var query in queries)
        {
            var first = await Timed(query);
            var repeat = await Timed(query);
            await console.WriteLineAsync($"{query,-20} first {first,8:0.0} ms   repeat {repeat,6:0.0} ms");
        }
        var after = queries.ToDictionary(q => q, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            await using (var db = await factory.CreateDbContextAsync(ct))
                await ArticleSearch.SyncAsync(db, changed[round], ct);
            await content.NotifyChangedAsync(PublicChange.Articles([new ArticleChange(changed[round], ArticleFiling.None, ArticleFiling.None, [])]));
            foreach (var query in queries) after[query].Add(await Timed(query));
        }
        foreach (var (query, times) in after)
            await console.WriteLineAsync($"{query,-20} first after a change: {string.Join(", ", times.Select(t => t.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} ms");
        await console.WriteLineAsync($"lists read {scores.Counts.Reads}, updated {scores.Counts.Updates}; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }
}
