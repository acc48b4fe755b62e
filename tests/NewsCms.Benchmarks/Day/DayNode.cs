using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewsCms.Benchmarks.Hosting;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.LiveBlogs;
using NewsCms.Web.Features.Users;

namespace NewsCms.Benchmarks.Day;

/// <summary>What the node tells the harness once it serves: its address, the live blog's id and its clock.</summary>
public sealed record DayNodeReady(string Url, int LiveArticleId, long StopwatchFrequency);

/// <summary>One live entry as the node posted it: its Seq, the Stopwatch timestamp before the post call, and the call's time.</summary>
public sealed record DayNodePost(long Seq, long PostedAt, double CallMs);

/// <summary>What the newsroom did during the day, as the node measured it (latencies in ms).</summary>
public sealed record DayNodeResult(List<double> Saves, int SaveErrors, List<double> Publishes, int PublishErrors, List<DayNodePost> Posts, int PostErrors,
    List<string> FirstErrors);

/// <summary>
/// <c>day-node</c> (started by <see cref="DayBench"/>, not by hand): the app as its own process, so that its working
/// set is its own and not the load generators'. It hosts the app's own Program (Production, Kestrel on loopback) on the
/// day's database and plays the newsroom inside it, where a newsroom's work runs: the server side of each editor's
/// autosave is <see cref="ArticleEditing.SaveAsync(ClaimsPrincipal, int?, ArticleInput, Guid?, SaveKind, CancellationToken)"/>
/// with <see cref="SaveKind.Autosave"/> (what the editor page's session calls over its circuit), a publish is a manual
/// save of a new article and <see cref="ArticleWorkflowService.PublishAsync"/> (the Publish button), a live entry is
/// <see cref="LiveBlogService.PostAsync"/> ("Post update"). The circuits themselves are not simulated.
/// Protocol on stdin/stdout: it prints <c>NEWSCMS_DAY ready {json}</c>, reads <c>start SECONDS</c>, runs the newsroom
/// that long, prints <c>NEWSCMS_DAY result {json}</c> and exits when stdin closes. Anything else it prints is the
/// app's log.
/// </summary>
public static class DayNode
{
    public const string Verb = "day-node";
    public const string Marker = "NEWSCMS_DAY ";
    public const string ProviderVariable = "NEWSCMS_DAY_PROVIDER";
    public const string ConnectionVariable = "NEWSCMS_DAY_CONNECTION";

    public static async Task<int> RunAsync(string[] args, TextWriter console, CancellationToken ct)
    {
        var settings = DaySettings.Default;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            var value = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            settings = args[i] switch
            {
                "--editors" => settings with { Editors = (int)value },
                "--autosave" => settings with { AutosaveSeconds = value },
                "--publish" => settings with { PublishSeconds = value },
                "--live" => settings with { LiveEntrySeconds = value },
                _ => throw new ArgumentException($"day-node: unknown option {args[i]}"),
            };
        }
        var provider = Environment.GetEnvironmentVariable(ProviderVariable) ?? throw new InvalidOperationException($"{ProviderVariable} is not set.");
        var connection = Environment.GetEnvironmentVariable(ConnectionVariable) ?? throw new InvalidOperationException($"{ConnectionVariable} is not set.");

        await using var app = new DayApp(Harness.FindRepository(), provider, connection);
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        var newsroom = await Newsroom.SetUpAsync(app.Services, settings, ct);
        await console.WriteLineAsync(Marker + "ready " + JsonSerializer.Serialize(new DayNodeReady(url, newsroom.LiveArticleId, Stopwatch.Frequency)));
        await console.FlushAsync(ct);

        var command = await Console.In.ReadLineAsync(ct);
        if (command is null || !command.StartsWith("start ", StringComparison.Ordinal)) return 0;
        var seconds = double.Parse(command["start ".Length..], CultureInfo.InvariantCulture);
        var result = await newsroom.RunAsync(TimeSpan.FromSeconds(seconds), ct);
        await console.WriteLineAsync(Marker + "result " + JsonSerializer.Serialize(result));
        await console.FlushAsync(ct);
        // Serves on (the readers' last entries, the harness's last samples) until the harness closes stdin.
        while (await Console.In.ReadLineAsync(ct) is not null) { }
        return 0;
    }

    /// <summary>The newsroom's people and their work in the node: editors with a draft open each, a desk that publishes, a live blog.</summary>
    private sealed class Newsroom
    {
        private readonly IServiceProvider services;
        private readonly DaySettings settings;
        private readonly List<(ClaimsPrincipal User, int Draft, Guid Version)> editors;
        private readonly ClaimsPrincipal desk;
        private readonly int sectionId;
        private readonly List<int> tagIds;
        private readonly List<string> errors = [];

        private Newsroom(IServiceProvider services, DaySettings settings, List<(ClaimsPrincipal, int, Guid)> editors, ClaimsPrincipal desk, int sectionId,
            List<int> tagIds, int liveArticleId)
        {
            this.services = services;
            this.settings = settings;
            this.editors = editors;
            this.desk = desk;
            this.sectionId = sectionId;
            this.tagIds = tagIds;
            LiveArticleId = liveArticleId;
        }

        public int LiveArticleId { get; }

        public static async Task<Newsroom> SetUpAsync(IServiceProvider services, DaySettings settings, CancellationToken ct)
        {
            int sectionId;
            List<int> tagIds;
            await using (var scope = services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();
                sectionId = await db.Sections.OrderBy(s => s.Id).Select(s => s.Id).FirstAsync(ct);
                tagIds = await db.Tags.OrderBy(t => t.Id).Select(t => t.Id).Take(50).ToListAsync(ct);
            }
            // Editors are people of their own (role Editor), made once per database.
            var people = new List<ClaimsPrincipal>();
            for (var n = 1; n <= Math.Max(1, settings.Editors); n++) people.Add(await EditorAsync(services, n, ct));
            var editors = new List<(ClaimsPrincipal, int, Guid)>();
            for (var n = 0; n < settings.Editors; n++)
            {
                await using var scope = services.CreateAsyncScope();
                var input = Story($"Day draft by editor {n + 1} ({DateTime.UtcNow:HH:mm:ss})", sectionId, [], paragraphs: 3, seed: n);
                var saved = await scope.ServiceProvider.GetRequiredService<ArticleEditing>().SaveAsync(people[n], null, input, null, SaveKind.Manual, ct);
                if (!saved.Succeeded) throw new InvalidOperationException($"Editor {n + 1}'s draft: {saved.Error}");
                editors.Add((people[n], saved.Id, saved.Version));
            }
            var live = await LiveBlogAsync(services, people[0], sectionId, ct);
            return new Newsroom(services, settings, editors, people[0], sectionId, tagIds, live);
        }

        public async Task<DayNodeResult> RunAsync(TimeSpan duration, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            var saves = new List<double>();
            var publishes = new List<double>();
            var posts = new List<DayNodePost>();
            int saveErrors = 0, publishErrors = 0, postErrors = 0;
            var tasks = new List<Task>();
            for (var e = 0; e < editors.Count; e++)
            {
                var index = e;
                // Staggered, as people are: editor k autosaves k/n of an interval after the first.
                var offset = TimeSpan.FromSeconds(settings.AutosaveSeconds * index / editors.Count);
                tasks.Add(EveryAsync(TimeSpan.FromSeconds(settings.AutosaveSeconds), offset, clock, duration, "autosave", () => Interlocked.Increment(ref saveErrors), async n =>
                {
                    var (user, draft, version) = editors[index];
                    var input = Story($"Day draft by editor {index + 1}", sectionId, [], paragraphs: 3 + n % 20, seed: n);
                    await using var scope = services.CreateAsyncScope();
                    var started = Stopwatch.GetTimestamp();
                    var saved = await scope.ServiceProvider.GetRequiredService<ArticleEditing>().SaveAsync(user, draft, input, version, SaveKind.Autosave, ct);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    lock (saves)
                    {
                        saves.Add(ms);
                        if (saved.Succeeded) editors[index] = (user, draft, saved.Version);
                        else Note(ref saveErrors, $"autosave: {saved.Error ?? "conflict"}");
                    }
                }));
            }
            tasks.Add(EveryAsync(TimeSpan.FromSeconds(settings.PublishSeconds), TimeSpan.FromSeconds(1), clock, duration, "publish", () => Interlocked.Increment(ref publishErrors), async n =>
            {
                // As an editor does it: the story is saved, then published from the editor.
                var input = Story($"Day story {n + 1} {Guid.NewGuid():N}"[..40], sectionId, [.. tagIds.Skip(n % Math.Max(1, tagIds.Count)).Take(2)], paragraphs: 8, seed: n);
                await using var scope = services.CreateAsyncScope();
                var started = Stopwatch.GetTimestamp();
                var saved = await scope.ServiceProvider.GetRequiredService<ArticleEditing>().SaveAsync(desk, null, input, null, SaveKind.Manual, ct);
                var published = saved.Succeeded ? await scope.ServiceProvider.GetRequiredService<ArticleWorkflowService>().PublishAsync(desk, saved.Id, saved.Version, ct) : null;
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (publishes)
                {
                    publishes.Add(ms);
                    if (published is not { Succeeded: true }) Note(ref publishErrors, $"publish: {saved.Error ?? published?.Error}");
                }
            }));
            tasks.Add(EveryAsync(TimeSpan.FromSeconds(settings.LiveEntrySeconds), TimeSpan.FromSeconds(0.5), clock, duration, "live entry", () => Interlocked.Increment(ref postErrors), async n =>
            {
                await using var scope = services.CreateAsyncScope();
                var started = Stopwatch.GetTimestamp();
                var posted = await scope.ServiceProvider.GetRequiredService<LiveBlogService>().PostAsync(desk, LiveArticleId,
                    new LiveEntryInput($"<p>Update {n + 1} from the newsroom's day: {Words(n, 30)}</p>", null, n % 5 == 0, false), ct);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (posts)
                {
                    if (posted.Value is { } entry) posts.Add(new DayNodePost(entry.Seq, started, ms));
                    else Note(ref postErrors, $"live entry: {posted.Error}");
                }
            }));
            await Task.WhenAll(tasks);
            return new DayNodeResult(saves, saveErrors, publishes, publishErrors, posts, postErrors, [.. errors]);
        }

        private void Note(ref int count, string error)
        {
            Interlocked.Increment(ref count);
            lock (errors) if (errors.Count < 20) errors.Add(error);
        }

        /// <summary>
        /// Runs <paramref name="work"/> every <paramref name="interval"/> from <paramref name="offset"/> until the day ends; a
        /// slow call delays the next, as a person would. An exception is that call's error (<paramref name="failed"/>); the day goes on.
        /// </summary>
        private async Task EveryAsync(TimeSpan interval, TimeSpan offset, Stopwatch clock, TimeSpan duration, string kind, Action failed, Func<int, Task> work)
        {
            for (var n = 0; ; n++)
            {
                var due = offset + interval * n;
                if (due >= duration) return;
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
                try
                {
                    await work(n);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failed();
                    lock (errors) if (errors.Count < 20) errors.Add($"{kind}: {ex.GetType().Name}: {(ex.InnerException ?? ex).Message}");
                }
            }
        }
    }

    private static ArticleInput Story(string headline, int sectionId, List<int> tags, int paragraphs, int seed) => new()
    {
        Headline = headline,
        SlugFollowsHeadline = true,
        Standfirst = "Written during the newsroom's day benchmark.",
        BodyHtml = string.Concat(Enumerable.Range(0, paragraphs).Select(p => $"<p>{Words(seed + p, 60)}</p>")),
        BodyCarriesNotes = true, // the editor's body, as the editor sends it
        SectionId = sectionId,
        TagIds = tags,
    };

    private static readonly string[] Vocabulary = ["council", "budget", "river", "school", "vote", "mayor", "storm", "harbour", "market", "festival",
        "transport", "hospital", "court", "housing", "league", "station", "bridge", "museum", "police", "election"];

    private static string Words(int seed, int count)
    {
        var random = new Random(seed);
        return string.Join(' ', Enumerable.Range(0, count).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]));
    }

    private static async Task<ClaimsPrincipal> EditorAsync(IServiceProvider services, int n, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var email = $"day-editor-{n}@newscms.invalid";
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = $"Day Editor {n}" };
            var created = await users.CreateAsync(user, "Day-" + Guid.NewGuid().ToString("N")[..16] + "-Aa1!");
            if (!created.Succeeded) throw new InvalidOperationException($"Creating {email}: {string.Join("; ", created.Errors.Select(e => e.Description))}");
            await users.AddToRoleAsync(user, NewsroomRoles.Editor);
        }
        ct.ThrowIfCancellationRequested();
        return await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>().CreateAsync(user);
    }

    private static async Task<int> LiveBlogAsync(IServiceProvider services, ClaimsPrincipal editor, int sectionId, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var saved = await scope.ServiceProvider.GetRequiredService<ArticleEditing>().SaveAsync(editor, null,
            Story($"Live: the newsroom's day {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}", sectionId, [], paragraphs: 1, seed: 1), null, SaveKind.Manual, ct);
        if (!saved.Succeeded) throw new InvalidOperationException($"Live blog draft: {saved.Error}");
        var published = await scope.ServiceProvider.GetRequiredService<ArticleWorkflowService>().PublishAsync(editor, saved.Id, saved.Version, ct);
        if (!published.Succeeded) throw new InvalidOperationException($"Live blog publish: {published.Error}");
        var on = await scope.ServiceProvider.GetRequiredService<LiveBlogService>().SetCoverageAsync(editor, saved.Id, true);
        if (!on.Succeeded) throw new InvalidOperationException($"Live coverage: {on.Error}");
        return saved.Id;
    }

    /// <summary>The app on the day's database, with the benchmark's settings (<see cref="ContentApiKey.Settings"/>) and warnings only in its log.</summary>
    private sealed class DayApp(string repository, string provider, string connection) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseContentRoot(Path.Combine(repository, "src", "NewsCms.Web"));
            builder.UseSetting("NewsCms:Database:Provider", provider);
            builder.UseSetting("ConnectionStrings:NewsCms", connection);
            builder.UseSetting("NewsCms:Site:BaseUrl", "http://127.0.0.1");
            foreach (var (key, value) in ContentApiKey.Settings) builder.UseSetting(key, value);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.ConfigureLogging(logging => logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning));
        }
    }
}
