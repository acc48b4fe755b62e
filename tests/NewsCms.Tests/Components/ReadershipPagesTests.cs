using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Components.Admin.Readership;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Readership;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Components;

/// <summary>The newsroom's readership pages with bUnit over the real services, a real database and a fixed clock.</summary>
public class ReadershipPagesTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 5, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 5, 10);

    private NewsCmsAppFactory app = default!;
    private AsyncServiceScope scope;
    private readonly BunitContext context = new();

    public async ValueTask InitializeAsync()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        scope = app.Services.CreateAsyncScope();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<ReadershipReports>());
        context.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        context.Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
    }

    public async ValueTask DisposeAsync()
    {
        await context.DisposeAsync();
        await scope.DisposeAsync();
        await app.DisposeAsync();
    }

    private async Task<Task<AuthenticationState>> SignedInAsync(string email) =>
        Task.FromResult(new AuthenticationState(await app.PrincipalForAsync(email)));

    /// <summary>A published article by <paramref name="profileId"/> (or the Administrator's byline) with views on the given days ago.</summary>
    private async Task<int> ArticleWithViewsAsync(string headline, int? profileId, params (int DaysAgo, long Views)[] views)
    {
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var articles = scope.ServiceProvider.NewsroomArticles();
        var input = new ArticleInput { Headline = headline, BodyHtml = "<p>Text.</p>" };
        if (profileId is { } id) input.AuthorIds = [id];
        var saved = await articles.Editing.SaveAsync(admin, null, input, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        foreach (var (daysAgo, count) in views) db.ArticleViewDays.Add(new ArticleViewDay { ArticleId = saved.Id, Day = Today.AddDays(-daysAgo), Views = count });
        await db.SaveChangesAsync();
        return saved.Id;
    }

    [Fact]
    public async Task The_readership_page_shows_the_top_articles_per_period_with_links_and_the_daily_totals()
    {
        var old = await ArticleWithViewsAsync("Last week's story", null, (5, 40));
        var fresh = await ArticleWithViewsAsync("Today's story", null, (0, 12));
        var editor = await app.CreateUserAsync(NewsroomRoles.Editor);

        var signedIn = await SignedInAsync(editor.Email);
        var page = context.Render<ReadershipPage>(p => p.AddCascadingValue(signedIn));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=top-30]")), TimeSpan.FromSeconds(10));
        var today = page.Find("[data-testid=top-1]").TextContent;
        Assert.Contains("Today's story", today);
        Assert.DoesNotContain("Last week's story", today);
        var week = page.Find("[data-testid=top-7]");
        Assert.Contains("Last week's story", week.TextContent);
        Assert.True(week.TextContent.IndexOf("Last week's story", StringComparison.Ordinal) < week.TextContent.IndexOf("Today's story", StringComparison.Ordinal));
        Assert.Contains(page.FindAll("a"), a => a.GetAttribute("href") == $"/admin/articles/{old}");
        Assert.Contains(page.FindAll("a"), a => a.GetAttribute("href") == $"/admin/articles/{fresh}");
        Assert.Contains("52 views in 30 days", page.Find("[data-testid=total-30-days]").TextContent);
        Assert.NotNull(page.Find("[data-testid=site-views-chart]"));
    }

    [Fact]
    public async Task A_writer_reaching_the_readership_page_is_refused_by_the_service()
    {
        await ArticleWithViewsAsync("Secret story", null, (0, 3));
        var author = await app.CreateUserAsync(NewsroomRoles.Author);

        var signedIn = await SignedInAsync(author.Email);
        var page = context.Render<ReadershipPage>(p => p.AddCascadingValue(signedIn));

        page.WaitForAssertion(() => Assert.Contains(NewsroomActors.NotAllowed, page.Markup), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("Secret story", page.Markup);
    }

    [Fact]
    public async Task The_article_list_shows_each_articles_total_views()
    {
        var read = await ArticleWithViewsAsync("Much read story", null, (0, 1200), (3, 34));
        var unread = await ArticleWithViewsAsync("Unread story", null);
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<NewsroomArticleReads>());
        context.Services.AddSingleton(app.Services.GetRequiredService<ArticlePresence>());
        var signedIn = await SignedInAsync(NewsCmsAppFactory.AdminEmail);

        var list = context.Render<NewsCms.Web.Components.Admin.Articles.ArticleList>(p => p.AddCascadingValue(signedIn));

        list.WaitForAssertion(() => Assert.Equal(2, list.FindAll("tbody tr").Count), TimeSpan.FromSeconds(10));
        Assert.Contains(list.FindAll("th"), th => th.TextContent.Trim() == "Views");
        string ViewsOf(string headline) => list.FindAll("tbody tr").Single(r => r.TextContent.Contains(headline)).QuerySelector("[data-testid=views]")!.TextContent.Trim();
        Assert.Equal("1,234", ViewsOf("Much read story"));
        Assert.Equal("0", ViewsOf("Unread story"));
        _ = (read, unread);
    }

    [Fact]
    public async Task A_writer_sees_the_stats_of_their_own_article_and_not_of_anothers()
    {
        var author = await app.CreateUserAsync(NewsroomRoles.Author, displayName: "Wanda Writer");
        var profile = await scope.ServiceProvider.GetRequiredService<AuthorProfiles>().EnsureForAccountAsync(author.Id, "Wanda Writer");
        var own = await ArticleWithViewsAsync("Wanda's story", profile, (0, 4), (1, 6), (40, 100));
        var other = await ArticleWithViewsAsync("Someone else's story", null, (0, 9));
        var signedIn = await SignedInAsync(author.Email);

        var panel = context.Render<ArticleStatsPanel>(p => p.Add(x => x.ArticleId, own).AddCascadingValue(signedIn));
        panel.WaitForAssertion(() => Assert.Equal("110", panel.Find("[data-testid=total-views]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal("10", panel.Find("[data-testid=recent-views]").TextContent);
        Assert.Equal("4", panel.Find("[data-testid=today-views]").TextContent);
        Assert.NotNull(panel.Find("[data-testid=article-views-chart]"));

        var refused = context.Render<ArticleStatsPanel>(p => p.Add(x => x.ArticleId, other).AddCascadingValue(signedIn));
        refused.WaitForAssertion(() => Assert.Contains(NewsroomActors.NotAllowed, refused.Markup), TimeSpan.FromSeconds(10));
        Assert.Empty(refused.FindAll("[data-testid=total-views]"));
    }

    /// <summary>The dashboard with the real services it reads and listens to.</summary>
    private IRenderedComponent<NewsCms.Web.Components.Admin.Dashboard> RenderDashboard(Task<AuthenticationState> signedIn)
    {
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<UserAdministration>());
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<NewsCms.Web.Features.Dashboard.NewsroomDashboard>());
        context.Services.AddSingleton(app.Services.GetRequiredService<NewsCms.Web.Features.Notifications.NewsroomEvents>());
        context.Services.AddSingleton(app.Services.GetRequiredService<ArticlePresence>());
        context.Services.AddSingleton(app.Services.GetRequiredService<ReadershipUpdates>());
        context.Services.AddSingleton(app.Services.GetRequiredService<NewsCms.Web.Features.Settings.SiteSettingsStore>());
        context.Services.AddSingleton(app.Services.GetRequiredService<TimeProvider>());
        // Interactive, as in the newsroom: the dashboard then listens for changes.
        context.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        return context.Render<NewsCms.Web.Components.Admin.Dashboard>(p => p.AddCascadingValue(signedIn));
    }

    [Fact]
    public async Task The_desks_dashboard_lists_todays_most_read_articles_with_their_views_and_links()
    {
        var top = await ArticleWithViewsAsync("Bridge reopens", null, (0, 900), (1, 5000));
        var second = await ArticleWithViewsAsync("Market day", null, (0, 40));
        await ArticleWithViewsAsync("Yesterday's news", null, (1, 7000));
        var editor = await app.CreateUserAsync(NewsroomRoles.Editor);

        var dashboard = RenderDashboard(await SignedInAsync(editor.Email));

        dashboard.WaitForAssertion(() => Assert.NotNull(dashboard.Find("[data-testid=most-read-today]")), TimeSpan.FromSeconds(10));
        var card = dashboard.Find("[data-testid=most-read-today]");
        Assert.Equal(["Bridge reopens", "Market day"], card.QuerySelectorAll("li a").Select(a => a.TextContent.Trim()));
        Assert.Equal([$"/admin/articles/{top}", $"/admin/articles/{second}"], card.QuerySelectorAll("li a").Select(a => a.GetAttribute("href")));
        Assert.Contains("900 views", card.TextContent);
        Assert.Contains(card.QuerySelectorAll("a"), a => a.GetAttribute("href") == "/admin/readership");
    }

    [Fact]
    public async Task A_writers_dashboard_has_no_site_wide_most_read_card()
    {
        await ArticleWithViewsAsync("Bridge reopens", null, (0, 900));
        var author = await app.CreateUserAsync(NewsroomRoles.Author);

        var dashboard = RenderDashboard(await SignedInAsync(author.Email));

        dashboard.WaitForAssertion(() => Assert.Contains("Dashboard", dashboard.Markup), TimeSpan.FromSeconds(10));
        Assert.Empty(dashboard.FindAll("[data-testid=most-read-today]"));
        Assert.DoesNotContain("Bridge reopens", dashboard.Markup);
    }
}
