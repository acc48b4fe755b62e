using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Integration;

/// <summary>
/// THE CRASH TEST (trait Category=Crash): the real app, as a process of its own, is killed with SIGKILL at a random
/// moment while it publishes articles, and restarted, several times. After every kill SQLite's integrity check must say
/// "ok" and every publish the app acknowledged must be in the database.
/// <para>
/// How articles get published: the newsroom publishes through its Blazor circuit, and there is no HTTP API for it, so the
/// test uses the app's own scheduled publishing. Before each start, this test process queues articles, scheduled and
/// already due, through the app's article services on the same database file. On start-up the child's ScheduledPublisher
/// publishes them one transaction after another and logs "Published scheduled article {id}" after each commit: that
/// line is the app's acknowledgement. The test kills the child after a random number of them plus a random few
/// milliseconds, i.e. in the middle of the publishing loop, with more commits on their way. Meanwhile this process keeps
/// saving drafts into the same file (two processes writing one WAL database, as when the backup command or a second
/// instance runs beside the site); each save that returned must survive the other process's death too.
/// </para>
/// Repeat a run with NEWSCMS_CRASH_SEED=&lt;the seed it printed&gt;.
/// </summary>
[Trait("Category", "Crash")]
public sealed partial class CrashSafetyTests
{
    private const int Rounds = 3;
    private const int ArticlesPerRound = 25;

    [Fact]
    public async Task Killing_the_app_while_it_publishes_loses_no_acknowledged_publish_and_leaves_an_intact_database()
    {
        var ct = TestContext.Current.CancellationToken;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("NEWSCMS_CRASH_SEED"), out var given) ? given : Random.Shared.Next();
        var random = new Random(seed);
        Log($"Crash test seed {seed} (NEWSCMS_CRASH_SEED={seed} repeats its choice of kill points).");

        // A migrated copy of the template: the app's own first run, done once per test run.
        var databasePath = await TestDatabase.NewFileAsync();
        var folder = Path.GetDirectoryName(databasePath)!;
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["ConnectionStrings:NewsCms"] = $"Data Source={databasePath}",
                ["NewsCms:Bootstrap:AdminEmail"] = NewsCmsAppFactory.AdminEmail,
                ["NewsCms:Bootstrap:AdminPassword"] = NewsCmsAppFactory.AdminPassword,
                ["NewsCms:Bootstrap:AdminName"] = NewsCmsAppFactory.AdminName,
                // The restarted app is read at http://127.0.0.1:<port>: the site answers only for its own host.
                ["NewsCms:Site:BaseUrl"] = "http://127.0.0.1",
            };

            // The queueing side: the app's services in this process. Its clock runs an hour behind, so that "scheduled for a
            // minute from now" is already due for the child, which reads the real clock. Its own publisher is off: only the
            // child publishes.
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
            await using var queue = NewsCmsAppFactory.OnEmptyPath(databasePath, settings.ToDictionary(s => s.Key, s => (string?)s.Value));
            queue.TestServices = services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
            };
            queue.CreateClient().Dispose();
            var admin = await queue.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var queued = new ConcurrentDictionary<int, string>();

            async Task QueueAsync(int round)
            {
                await using var scope = queue.Services.CreateAsyncScope();
                var articles = scope.ServiceProvider.NewsroomArticles();
                for (var i = 0; i < ArticlesPerRound; i++)
                {
                    var draft = await articles.Editing.SaveAsync(admin, null,
                        new ArticleInput { Headline = $"Round {round} story {i}", BodyHtml = $"<p>Story {i} of round {round}.</p>" }, null, SaveKind.Manual, ct);
                    Assert.True(draft.Succeeded, draft.Error);
                    var scheduled = await articles.Workflow.ScheduleAsync(admin, draft.Id, draft.Version, clock.GetUtcNow().UtcDateTime.AddMinutes(1), ct);
                    Assert.True(scheduled.Succeeded, scheduled.Error);
                    queued[draft.Id] = draft.Slug;
                }
            }

            // Drafts saved while the child publishes: the second writer.
            var drafts = new ConcurrentDictionary<int, string>();
            async Task SaveDraftsUntilAsync(CancellationToken stop)
            {
                await using var scope = queue.Services.CreateAsyncScope();
                var articles = scope.ServiceProvider.NewsroomArticles();
                // Not cancelled mid-save: a save that started finishes, so every returned one is known.
                while (!stop.IsCancellationRequested)
                {
                    var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = $"Draft {drafts.Count}" }, null, SaveKind.Manual, ct);
                    Assert.True(draft.Succeeded, draft.Error);
                    drafts[draft.Id] = draft.Slug;
                }
            }

            var acknowledged = new ConcurrentDictionary<int, bool>();
            for (var round = 1; round <= Rounds; round++)
            {
                // Queued while no child runs, so that at least this many are due when it starts.
                await QueueAsync(round);
                var killAfter = random.Next(1, ArticlesPerRound);
                var extraMilliseconds = random.Next(0, 30);
                var acknowledgedThisRun = 0;
                var publishing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var killPoint = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                void OnLine(string line)
                {
                    if (Acknowledgement().Match(line) is not { Success: true } match) return;
                    acknowledged[int.Parse(match.Groups[1].Value)] = true;
                    var count = Interlocked.Increment(ref acknowledgedThisRun);
                    publishing.TrySetResult();
                    if (count == killAfter) killPoint.TrySetResult();
                }

                using var stopDrafts = new CancellationTokenSource();
                var app = AppProcess.Run(folder, settings);
                await using (app)
                {
                    app.LineWritten += OnLine;
                    var deadline = Task.Delay(TimeSpan.FromSeconds(30), ct);
                    Assert.True(await Task.WhenAny(publishing.Task, deadline) == publishing.Task,
                        $"Round {round}: the app did not start publishing in time.\n{app.Output}");
                    // From the first publish to the kill, this process writes too. On a thread of its own: SQLite's calls
                    // complete synchronously, so the loop would otherwise never hand back.
                    var saving = Task.Run(() => SaveDraftsUntilAsync(stopDrafts.Token), ct);
                    try
                    {
                        Assert.True(await Task.WhenAny(killPoint.Task, deadline) == killPoint.Task,
                            $"Round {round}: the app did not acknowledge {killAfter} publishes in time.\n{app.Output}");
                        // The random moment: a few milliseconds after the chosen acknowledgement, while later publishes commit.
                        await Task.Delay(extraMilliseconds, ct);
                        app.Kill();
                        await app.WaitForExitAsync(ct);
                    }
                    finally
                    {
                        stopDrafts.Cancel();
                        await saving;
                    }
                }
                Log($"Round {round}: killed after {acknowledgedThisRun} acknowledged publishes (chosen: {killAfter} + {extraMilliseconds} ms); {drafts.Count} drafts saved so far.");

                await AssertIntactAsync(databasePath, queue, queued.Keys.Concat(drafts.Keys).ToList(), acknowledged.Keys, ct);
            }

            // Once more, to the end: the restarted app publishes what is left and serves every acknowledged article.
            await using (var app = await AppProcess.StartSiteAsync(folder, settings, ct))
            {
                await WaitUntilAllPublishedAsync(queue, queued.Keys, app, ct);
                using var reader = new HttpClient { BaseAddress = app.BaseAddress };
                var sitemap = await reader.GetStringAsync("/sitemaps/articles-1.xml", ct);
                Assert.All(acknowledged.Keys, id => Assert.Contains($"/news/{queued[id]}</loc>", sitemap));
            }
            await AssertIntactAsync(databasePath, queue, queued.Keys.Concat(drafts.Keys).ToList(), acknowledged.Keys, ct);
            Log($"{acknowledged.Count} publishes acknowledged over {Rounds} kills; all {queued.Count} queued articles published in the end.");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The checks after a kill: the integrity check on a fresh connection (which also recovers the WAL the dead process
    /// left), every acknowledged publish there, every article whose save returned there, and no publish half done (the
    /// status and the publication's revision commit together).
    /// </summary>
    private static async Task AssertIntactAsync(string databasePath, NewsCmsAppFactory queue, IReadOnlyList<int> saved,
        ICollection<int> acknowledged, CancellationToken ct)
    {
        await using (var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False"))
        {
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", await command.ExecuteScalarAsync(ct));
        }

        await using var db = await queue.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(ct);
        var articles = await db.Articles.AsNoTracking()
            .Select(a => new { a.Id, a.Status, a.PublishedAt, Revision = a.Revisions.Any(r => r.Kind == RevisionKind.Published) })
            .ToDictionaryAsync(a => a.Id, ct);
        Assert.All(saved, id => Assert.True(articles.ContainsKey(id), $"Article {id}, whose save returned, is missing."));
        Assert.All(acknowledged, id => Assert.True(articles[id].Status == ArticleStatus.Published && articles[id].PublishedAt is not null,
            $"Article {id} was acknowledged as published but is {articles[id].Status}."));
        Assert.All(articles.Values, a => Assert.Equal(a.Status == ArticleStatus.Published, a.Revision));
    }

    private static async Task WaitUntilAllPublishedAsync(NewsCmsAppFactory queue, ICollection<int> ids, AppProcess app, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await using var db = await queue.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(ct);
            if (await db.Articles.CountAsync(a => ids.Contains(a.Id) && a.Status == ArticleStatus.Published, ct) == ids.Count) return;
            Assert.True(DateTime.UtcNow < deadline, $"The restarted app did not publish every due article.\n{app.Output}");
            await Task.Delay(100, ct);
        }
    }

    private static void Log(string message) => TestContext.Current.TestOutputHelper?.WriteLine(message);

    [GeneratedRegex(@"Published scheduled article (\d+) ")]
    private static partial Regex Acknowledgement();
}
