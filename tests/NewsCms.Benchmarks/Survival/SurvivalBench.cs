using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewsCms.Benchmarks.Seeding;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Readership;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.Benchmarks.Survival;

/// <summary>One change measured: the article pages cached before it, and which of them were still cache hits after.</summary>
public sealed record SurvivalChange(
    string Change, string Detail, int CachedBefore, int KeptAfter, double KeptShare,
    int Showing, int ShowingKept, int NotShowing, int NotShowingKept,
    IReadOnlyList<string> EvictedSample, IReadOnlyList<SeenChange> ChangesSeen, double Seconds);

/// <summary>A <see cref="PublicChange"/> the app raised between the check before and the check after.</summary>
public sealed record SeenChange(double AtSeconds, string What, int Tags, bool Everything, IReadOnlyList<string> TagSample);

public sealed record SurvivalResult(
    int Articles, int ArticlePages, double WarmSeconds, double WarmPagesPerSecond, int Warmed, long SizeLimitBytes, double RunSeconds,
    IReadOnlyList<SurvivalChange> Changes, string LoadAverageAtStart, string LoadAverageAtEnd, int Cores);

/// <summary>
/// <c>survival [--articles 1000] [--databases DIR] [--output DIR] [--connections 8]</c>: how much of the public cache
/// outlives one change. The app runs in this process (Production settings, its own pipeline and background services,
/// Kestrel on loopback) on a copy of the seeded database, with an output cache big enough for every page. Every article
/// page is requested (rendered and stored), then requested again: those answered from the cache (an <c>Age</c> header,
/// as the load drivers tell them) are the warm set. Then one article is published through the newsroom's workflow
/// service (a follow-up filed like an existing story: same section, tags and bylines), and every page of the warm set
/// is requested once more: the share still answered from the cache is the share kept (target ≥ 99 %). The same
/// again for a tag edited through the taxonomy service (its description): every page not showing the tag must be
/// kept. Every public change the app raised in between is recorded, so a loss is explained.
/// Writes survival-results.json and survival-results.md.
/// </summary>
public static class SurvivalBench
{
    public const string Usage = "Usage: dotnet run -c Release --project tests/NewsCms.Benchmarks -- survival [--articles 1000] [--databases DIR] [--output DIR] [--connections 8]";

    /// <summary>The output cache's size for the run: every article page of 100,000 fits.</summary>
    public const long SizeLimitMegabytes = 16_384;

    public static async Task<int> RunAsync(string[] args, TextWriter console, CancellationToken ct)
    {
        int articles = 1000, connections = 8;
        string? output = null, databases = null;
        var exit = await SubcommandOptions.ReadAsync(args, Usage, console, (name, option) =>
        {
            switch (name)
            {
                case "--articles": articles = option.Count(); break;
                case "--connections": connections = option.Count(); break;
                case "--output": output = option.Text(); break;
                case "--databases": databases = option.Text(); break;
                default: throw option.Unknown();
            }
        });
        if (exit is { } code) return code;
        var repository = Harness.FindRepository();
        var folder = SubcommandOptions.ResultsFolder(repository, output, "survival");
        var result = await MeasureAsync(repository, folder, databases, articles, connections, console, ct);
        await WriteAsync(folder, result, ct);
        await console.WriteLineAsync($"Wrote survival-results.json and survival-results.md to {folder}");
        return 0;
    }

    public static async Task<SurvivalResult> MeasureAsync(string repository, string folder, string? databases, int articles, int connections,
        TextWriter console, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var loadAtStart = Harness.LoadAverage();
        var path = await DatabaseCopyAsync(folder, databases, articles, console, ct);
        try
        {
            await using var app = new SurvivalApp(repository, path);
            app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            app.StartServer();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
            using var client = new HttpClient(new SocketsHttpHandler
            {
                AllowAutoRedirect = false, UseCookies = false, MaxConnectionsPerServer = connections, AutomaticDecompression = DecompressionMethods.None,
            }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };

            var pages = await ArticlePagesAsync(app, ct);
            await console.WriteLineAsync($"{pages.Count:N0} article pages at {address}; warming them all with {connections} connections ...");
            var warmClock = Stopwatch.StartNew();
            var warm = await PassAsync(client, pages, connections, ct);
            var warmSeconds = warmClock.Elapsed.TotalSeconds;
            await console.WriteLineAsync($"  warmed in {warmSeconds:N1} s ({pages.Count / warmSeconds:N0} pages/s), {warm.Count(h => h)} already hits");

            var seen = new ConcurrentQueue<SeenChange>();
            var clock = Stopwatch.StartNew();
            app.Services.GetRequiredService<PublicContent>().Changed += change => seen.Enqueue(new SeenChange(clock.Elapsed.TotalSeconds, change.What,
                change.Evicts.Count, change.EvictsEverything, [.. change.Evicts.Take(12)]));
            var admin = await Hosting.BenchAccounts.AdministratorAsync(app.Services, SurvivalApp.AdminEmail, SurvivalApp.AdminPassword);
            var changes = new List<SurvivalChange>();

            changes.Add(await MeasureChangeAsync("publish one article", client, pages, connections, seen, clock, console, async () =>
            {
                var (detail, showing) = await PublishFollowUpAsync(app, admin, ct);
                return (detail, showing);
            }, ct));
            changes.Add(await MeasureChangeAsync("edit one tag", client, pages, connections, seen, clock, console, async () =>
            {
                var (detail, showing) = await EditTagAsync(app, admin, articles, ct);
                return (detail, showing);
            }, ct));
            changes.Add(await MeasureChangeAsync("Most read list changes", client, pages, connections, seen, clock, console,
                () => MostReadChangesAsync(app, pages[0].Id, ct), ct));

            return new SurvivalResult(articles, pages.Count, warmSeconds, pages.Count / warmSeconds, warm.Length, SizeLimitMegabytes * 1024 * 1024,
                started.Elapsed.TotalSeconds, changes, loadAtStart, Harness.LoadAverage(), Environment.ProcessorCount);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            // The copy, its log and the seeder's lock and marker.
            foreach (var file in Directory.GetFiles(folder, Path.GetFileName(path) + "*")) File.Delete(file);
        }
    }

    /// <summary>
    /// Checks that the pages are cached (requesting each; a miss renders and stores it), makes the change, then
    /// requests the cached ones again. <paramref name="change"/> returns what it did and the article ids whose pages show it.
    /// </summary>
    private static async Task<SurvivalChange> MeasureChangeAsync(string name, HttpClient client, IReadOnlyList<(int Id, string Path)> pages, int connections,
        ConcurrentQueue<SeenChange> seen, Stopwatch clock, TextWriter console, Func<Task<(string Detail, IReadOnlySet<int> Showing)>> change, CancellationToken ct)
    {
        // Twice: the first pass stores whatever an earlier change evicted, the second finds the warm set.
        await PassAsync(client, pages, connections, ct);
        var before = await PassAsync(client, pages, connections, ct);
        var cached = pages.Where((_, i) => before[i]).ToList();
        seen.Clear();
        var changeStarted = clock.Elapsed.TotalSeconds;
        var (detail, showing) = await change();
        var after = await PassAsync(client, cached, connections, ct);
        var seconds = clock.Elapsed.TotalSeconds - changeStarted;
        var kept = after.Count(h => h);
        var showingPages = cached.Select((p, i) => (p, i)).Where(x => showing.Contains(x.p.Id)).ToList();
        var notShowing = cached.Select((p, i) => (p, i)).Where(x => !showing.Contains(x.p.Id)).ToList();
        var evicted = cached.Where((_, i) => !after[i]).Select(p => p.Path).Take(20).ToList();
        var result = new SurvivalChange(name, detail, cached.Count, kept, cached.Count == 0 ? 0 : kept / (double)cached.Count,
            showingPages.Count, showingPages.Count(x => after[x.i]), notShowing.Count, notShowing.Count(x => after[x.i]),
            evicted, [.. seen], seconds);
        await console.WriteLineAsync($"  {name} ({detail}): kept {kept:N0} of {cached.Count:N0} cached article pages ({result.KeptShare:P2}); " +
            $"not showing it: kept {result.NotShowingKept:N0} of {result.NotShowing:N0}; public changes seen: {string.Join("; ", result.ChangesSeen.Select(c => $"{c.What} ({c.Tags} tags)"))}");
        return result;
    }

    /// <summary>Requests every path once; true where the answer came from the output cache (an Age header).</summary>
    internal static async Task<bool[]> PassAsync(HttpClient client, IReadOnlyList<(int Id, string Path)> pages, int connections, CancellationToken ct)
    {
        var hits = new bool[pages.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, pages.Count), new ParallelOptions { MaxDegreeOfParallelism = connections, CancellationToken = ct }, async (i, token) =>
        {
            using var response = await client.GetAsync(pages[i].Path, HttpCompletionOption.ResponseContentRead, token);
            if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{pages[i].Path} answered {(int)response.StatusCode}.");
            hits[i] = response.Headers.Age is not null;
        });
        return hits;
    }

    /// <summary>Every public article's page, oldest first.</summary>
    private static async Task<List<(int Id, string Path)>> ArticlePagesAsync(SurvivalApp app, CancellationToken ct)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(ct);
        var rows = await db.Articles.AsNoTracking().WherePublic().Where(a => a.Kind == ArticleKind.Article)
            .OrderBy(a => a.Id).Select(a => new { a.Id, a.Slug }).ToListAsync(ct);
        return [.. rows.Select(r => (r.Id, ArticleUrls.ForSlug(r.Slug)))];
    }

    /// <summary>
    /// A follow-up to the newest story: the same section, tags and bylines, published through the workflow service.
    /// The pages showing it: the newest story's (its new "next") and those whose Related lists now name it (read after).
    /// </summary>
    private static async Task<(string, IReadOnlySet<int>)> PublishFollowUpAsync(SurvivalApp app, ClaimsPrincipal admin, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(ct);
        var newest = await db.Articles.AsNoTracking().WherePublic().Where(a => a.Kind == ArticleKind.Article).OrderByDescending(a => a.PublishedAt)
            .Select(a => new { a.Id, a.SectionId, a.Headline }).FirstAsync(ct);
        var tags = await db.ArticleTags.AsNoTracking().Where(t => t.ArticleId == newest.Id).Select(t => t.TagId).ToListAsync(ct);
        var authors = await db.ArticleAuthors.AsNoTracking().Where(x => x.ArticleId == newest.Id).Select(x => x.AuthorProfileId).ToListAsync(ct);
        var input = new ArticleInput
        {
            Headline = "Follow-up: " + newest.Headline, SlugFollowsHeadline = true, Standfirst = "Published by the cache-survival benchmark.",
            BodyHtml = "<p>What happened next, as a follow-up story.</p>", SectionId = newest.SectionId, TagIds = tags, AuthorIds = authors,
        };
        var saved = await scope.ServiceProvider.GetRequiredService<ArticleEditing>().SaveAsync(admin, null, input, null, SaveKind.Manual, ct);
        if (saved.Error is not null) throw new InvalidOperationException($"Saving the follow-up failed: {saved.Error}");
        var published = await scope.ServiceProvider.GetRequiredService<ArticleWorkflowService>().PublishAsync(admin, saved.Id, saved.Version, ct);
        if (!published.Succeeded) throw new InvalidOperationException($"Publishing failed: {published.Error}");
        // The stories it relates to are ranked again in the background; their pages go when their lists change.
        await app.Services.GetRequiredService<RelatedBackfill>().RankedAgainAsync(ct);
        var naming = await db.ArticleRelations.AsNoTracking().Where(r => r.RelatedArticleId == saved.Id).Select(r => r.ArticleId).ToListAsync(ct);
        return ($"#{saved.Id} after #{newest.Id}, {tags.Count} tags", naming.Append(newest.Id).ToHashSet());
    }

    /// <summary>A tag on about one article in a hundred gets a new description; the pages showing it are its articles' own.</summary>
    private static async Task<(string, IReadOnlySet<int>)> EditTagAsync(SurvivalApp app, ClaimsPrincipal admin, int articles, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(ct);
        var counts = await db.ArticleTags.AsNoTracking().GroupBy(t => t.TagId).Select(g => new { TagId = g.Key, Count = g.Count() }).ToListAsync(ct);
        var wanted = Math.Max(1, articles / 100);
        var pick = counts.OrderBy(c => Math.Abs(c.Count - wanted)).ThenBy(c => c.TagId).First();
        var tag = await db.Tags.AsNoTracking().FirstAsync(t => t.Id == pick.TagId, ct);
        var edited = await scope.ServiceProvider.GetRequiredService<TaxonomyService>().UpdateTagAsync(admin, tag.Id,
            new TaxonomyInput { Name = tag.Name, Slug = tag.Slug, Description = "Edited by the cache-survival benchmark." }, ct);
        if (!edited.Succeeded) throw new InvalidOperationException($"Editing the tag failed: {edited.Error}");
        var tagged = await db.ArticleTags.AsNoTracking().Where(t => t.TagId == tag.Id).Select(t => t.ArticleId).ToListAsync(ct);
        return ($"\"{tag.Name}\" (#{tag.Id}) on {tagged.Count} articles", tagged.ToHashSet());
    }

    /// <summary>
    /// Readers make the oldest story the most read today (its views counted, written and the list worked out again,
    /// as the app does every few minutes). Only the home page and the story's own page would show the difference
    /// if article pages did not carry the list: their own page is the one "showing it".
    /// </summary>
    private static async Task<(string, IReadOnlySet<int>)> MostReadChangesAsync(SurvivalApp app, int articleId, CancellationToken ct)
    {
        var flusher = app.Services.GetRequiredService<ReadershipFlusher>();
        await flusher.FlushAsync(ct);
        var counter = app.Services.GetRequiredService<ViewCounter>();
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(ct))
        {
            var since = counter.Today.AddDays(-1);
            var views = await db.ArticleViewDays.AsNoTracking().Where(v => v.Day >= since).GroupBy(v => v.ArticleId)
                .Select(g => new { g.Key, Views = g.Sum(v => v.Views) }).ToListAsync(ct);
            var top = views.Count == 0 ? 0 : views.Max(v => v.Views);
            var own = views.FirstOrDefault(v => v.Key == articleId)?.Views ?? 0;
            for (var n = own; n <= top; n++) counter.Count(articleId);
        }
        await flusher.FlushAsync(ct);
        await app.Services.GetRequiredService<MostRead>().RefreshAsync(ct);
        var first = app.Services.GetRequiredService<MostRead>().Current.FirstOrDefault()?.ArticleId;
        if (first != articleId) throw new InvalidOperationException($"Article #{articleId} did not top the Most read list (#{first} does).");
        return ($"#{articleId} now the most read", new HashSet<int> { articleId });
    }

    /// <summary>
    /// A copy of the seeded database of this size (seeded first when <paramref name="databases"/> has none), so the run's
    /// publish and tag edit leave the reusable one as it was; without <paramref name="databases"/>, a fresh seed in the results folder.
    /// </summary>
    private static async Task<string> DatabaseCopyAsync(string folder, string? databases, int articles, TextWriter console, CancellationToken ct)
    {
        var copy = Path.Combine(folder, $"survival-{articles}.db");
        foreach (var file in new[] { copy, copy + "-wal", copy + "-shm" }) File.Delete(file);
        if (databases is null)
        {
            await using var fresh = BenchDatabase.SqliteFile(copy);
            await new Seeder(new ContentGenerator(), console).SeedAsync(fresh, articles, reuse: false, ct);
            return copy;
        }
        var seeded = Path.Combine(Path.GetFullPath(databases), $"newscms-{articles}.db");
        await using (var database = BenchDatabase.SqliteFile(seeded))
        {
            await new Seeder(new ContentGenerator(), console).SeedAsync(database, articles, reuse: true, ct);
        }
        SqliteConnection.ClearAllPools();
        // The database with its write-ahead log (the seed's last writes may still be there).
        File.Copy(seeded, copy);
        if (File.Exists(seeded + "-wal")) File.Copy(seeded + "-wal", copy + "-wal");
        return copy;
    }

    private static async Task WriteAsync(string folder, SurvivalResult result, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(folder, "survival-results.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }), ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "survival-results.md"), Markdown(result), ct);
    }

    internal static string Markdown(SurvivalResult result)
    {
        var md = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# Cache survival at {result.Articles:N0} articles")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{result.ArticlePages:N0} article pages warmed in {result.WarmSeconds:N1} s ({result.WarmPagesPerSecond:N0} pages/s); " +
                $"output cache limit {result.SizeLimitBytes / (1024 * 1024):N0} MB; {result.Cores} cores; load average {result.LoadAverageAtStart} at the start, {result.LoadAverageAtEnd} at the end; whole run {result.RunSeconds:N0} s.")
            .AppendLine()
            .AppendLine("| change | cached before | kept after | share kept | pages showing it: kept | pages not showing it: kept | public changes raised |")
            .AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var c in result.Changes)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {c.Change}: {c.Detail} | {c.CachedBefore:N0} | {c.KeptAfter:N0} | {c.KeptShare * 100:0.00} % | " +
                $"{c.ShowingKept:N0} of {c.Showing:N0} | {c.NotShowingKept:N0} of {c.NotShowing:N0} | {string.Join("; ", c.ChangesSeen.Select(s => $"{s.What} ({(s.Everything ? "everything" : s.Tags + " tags")})"))} |");
        }
        md.AppendLine()
            .AppendLine("A page is kept when it is still answered from the output cache (an `Age` header) after the change. \"Showing it\": for the publish, ")
            .AppendLine("the newest story (now followed by the new one) and the pages whose Related lists name the new one; for the tag, the pages of its articles;")
            .AppendLine("for the Most read list, the new leader's own page (article pages show the list as it was when they were rendered).")
            .AppendLine("Targets: ≥ 99 % kept on publish; every page not showing the tag kept.");
        return md.ToString();
    }
}

/// <summary>The app in this process on the run's database copy, with an Administrator bootstrapped and a cache that holds every page.</summary>
internal sealed class SurvivalApp(string repository, string databasePath) : WebApplicationFactory<Program>
{
    public const string AdminEmail = "survival-benchmark@newscms.invalid";
    public static readonly string AdminPassword = "Survival-" + Guid.NewGuid().ToString("N")[..16] + "-Aa1!";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseContentRoot(Path.Combine(repository, "src", "NewsCms.Web"));
        builder.UseSetting("ConnectionStrings:NewsCms", $"Data Source={databasePath}");
        builder.UseSetting("NewsCms:Site:BaseUrl", "http://127.0.0.1");
        builder.UseSetting("NewsCms:Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("NewsCms:Bootstrap:AdminPassword", AdminPassword);
        // Room for every page: half of it for the output cache, half for the fast path's ready-to-send copies.
        builder.UseSetting("NewsCms:PublicCache:SizeLimitMB", SurvivalBench.SizeLimitMegabytes.ToString(CultureInfo.InvariantCulture));
        builder.ConfigureLogging(logging => logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning));
    }
}
