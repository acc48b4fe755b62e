using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Two NewsCms nodes in one test: two apps on one PostgreSQL database and one Redis configuration (real servers),
/// as two machines behind a load balancer would be (the public cache across nodes: ClusterPublicCacheTests, on both
/// providers). On its own: dotnet test tests/NewsCms.Tests.PostgreSql --filter Category=Cluster
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ClusterTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private TestDatabaseInstance database = null!;
    private string redis = null!;
    private readonly List<NewsCmsAppFactory> nodes = [];

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.NewAsync();
        redis = await TestRedis.NewConfigurationAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes) await node.DisposeAsync();
        await database.DropAsync();
    }

    private NewsCmsAppFactory Node(Action<IServiceCollection>? services = null)
    {
        var node = NewsCmsAppFactory.OnDatabase(database, new()
        {
            ["NewsCms:Redis:Configuration"] = redis,
            ["NewsCms:Bootstrap:AdminEmail"] = NewsCmsAppFactory.AdminEmail,
            ["NewsCms:Bootstrap:AdminPassword"] = NewsCmsAppFactory.AdminPassword,
            ["NewsCms:Bootstrap:AdminName"] = NewsCmsAppFactory.AdminName,
        });
        node.TestServices = services;
        node.CreateClient().Dispose();
        nodes.Add(node);
        return node;
    }

    [Fact]
    public async Task A_sign_in_cookie_and_a_form_token_from_one_node_are_accepted_by_the_other()
    {
        var a = Node();
        var b = Node();
        var cookies = new CookieContainer();
        using var onA = a.CreateDefaultClient(new Uri("https://localhost"), new SharedCookies(cookies));
        using var onB = b.CreateDefaultClient(new Uri("https://localhost"), new SharedCookies(cookies));

        // The sign-in form comes from A (its antiforgery token and cookie made with A's keys) and is posted to B.
        var form = await onA.GetStringAsync("/Account/Login");
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var signIn = await onB.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["_handler"] = "login",
            ["Input.Email"] = NewsCmsAppFactory.AdminEmail,
            ["Input.Password"] = NewsCmsAppFactory.AdminPassword,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        // The sign-in cookie B issued opens the newsroom on A, and the other way round.
        Assert.Equal(HttpStatusCode.OK, (await onA.GetAsync("/admin/articles")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/admin/articles")).StatusCode);
    }

    [Fact]
    public async Task With_two_nodes_running_the_scheduler_a_due_article_is_published_exactly_once()
    {
        var clock = new FakeTimeProvider(Start);
        var a = Node(services => services.AddSingleton<TimeProvider>(clock));
        var b = Node(services => services.AddSingleton<TimeProvider>(clock));
        int id;
        await using (var scope = a.Services.CreateAsyncScope())
        {
            var articles = scope.ServiceProvider.NewsroomArticles();
            var admin = await a.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Council budget vote" }, null, SaveKind.Manual);
            Assert.True((await articles.Workflow.ScheduleAsync(admin, draft.Id, draft.Version, Start.UtcDateTime.AddMinutes(5))).Succeeded);
            id = draft.Id;
        }

        // Every change that reaches the public caches, from either node, as node A hears it.
        var changes = new List<string>();
        a.Services.GetRequiredService<MessageBus>().Subscribe(PublicContent.Channel, message => { lock (changes) changes.Add(message.Payload); });

        // Both nodes' schedulers wake on every tick; only the lease holder does the round.
        for (var tick = 0; tick < 40; tick++)
        {
            clock.Advance(ScheduledPublisher.Interval);
            await Task.Delay(50);
        }
        await using var db = await a.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await db.Articles.AnyAsync(x => x.Id == id && x.Status == ArticleStatus.Published))
        {
            Assert.True(DateTime.UtcNow < deadline, "The scheduled article was not published.");
            await Task.Delay(50);
        }
        await Task.Delay(500);
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == AuditActions.ArticlePublished && e.Target.Contains("Council budget vote")));
        Assert.Single(await db.NodeLeases.Where(l => l.Name == "scheduler").ToListAsync());
        lock (changes) Assert.Single(changes);
    }

    /// <summary>One cookie jar for clients of different nodes, as one browser behind a load balancer has.</summary>
    private sealed class SharedCookies(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var header = cookies.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0) request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
            {
                foreach (var cookie in set) cookies.SetCookies(request.RequestUri!, cookie);
            }
            return response;
        }
    }
}
