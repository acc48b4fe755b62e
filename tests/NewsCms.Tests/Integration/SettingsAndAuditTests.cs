using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

public class SettingsAndAuditTests
{
    [Fact]
    public async Task An_administrator_changes_the_site_title_and_readers_see_it_at_once()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var reader = app.CreateClient();
        Assert.Contains("<title>NewsCms</title>", await reader.GetStringAsync("/"));

        await using var scope = app.Services.CreateAsyncScope();
        var settings = scope.ServiceProvider.GetRequiredService<SiteSettingsService>();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var saved = await settings.SaveAsync(admin, new SiteSettingsInput { Title = "The Morning Post", Tagline = "News at dawn", FooterText = "Printed daily" });
        Assert.True(saved.Succeeded, saved.Error);

        var home = await reader.GetStringAsync("/");
        Assert.Contains("<title>The Morning Post</title>", home);
        Assert.Contains("News at dawn", home);
        Assert.Contains("Printed daily", home);
        await SetupTests.AssertAuditedAsync(app, AuditActions.SettingsChanged, "Site settings");
    }

    [Fact]
    public async Task Settings_refuse_other_roles_and_bad_input()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var store = app.Services.GetRequiredService<SiteSettingsStore>();
        var settings = scope.ServiceProvider.GetRequiredService<SiteSettingsService>();
        var (_, editorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Editor);

        var refused = await settings.SaveAsync(await app.PrincipalForAsync(editorEmail), new SiteSettingsInput { Title = "Hijacked" });
        Assert.Equal(NewsroomActors.NotAllowed, refused.Error);
        var empty = await settings.SaveAsync(await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), new SiteSettingsInput { Title = " " });
        Assert.Equal("Enter the site title.", empty.Error);
        Assert.Equal("NewsCms", (await store.GetAsync()).Title);
    }

    [Fact]
    public async Task The_audit_log_filters_by_user_action_and_date_and_pages_newest_first()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        for (var i = 0; i < 30; i++)
        {
            await audit.WriteAsync("u1", "Uma User", AuditActions.UserUpdated, $"Target {i:00}");
        }
        await audit.WriteAsync("u2", "Otto Other", AuditActions.UserLocked, "Someone");

        var first = await audit.SearchAsync(new AuditQuery(User: "uma", PageSize: 25));
        Assert.Equal(30, first.Total);
        Assert.Equal("Target 29", first.Items[0].Target);
        var second = await audit.SearchAsync(new AuditQuery(User: "uma", Page: 1, PageSize: 25));
        Assert.Equal(5, second.Items.Count);

        var locked = await audit.SearchAsync(new AuditQuery(Action: AuditActions.UserLocked));
        Assert.Equal("Otto Other", Assert.Single(locked.Items).ActorName);

        var tomorrow = DateTime.UtcNow.Date.AddDays(1);
        Assert.Equal(0, (await audit.SearchAsync(new AuditQuery(FromUtc: tomorrow))).Total);
        Assert.True((await audit.SearchAsync(new AuditQuery(ToUtc: tomorrow))).Total >= 31);
    }

    [Fact]
    public void The_audit_log_offers_no_way_to_change_or_remove_entries()
    {
        var methods = typeof(AuditLog).GetMethods().Where(m => m.DeclaringType == typeof(AuditLog)).Select(m => m.Name).Distinct().Order();
        // Only the retention job (AuditRetention, after NewsCms:Audit:RetentionDays) deletes entries.
        Assert.Equal(["ExportAsync", "SearchAsync", "WriteAsync"], methods);
    }

    [Fact]
    public async Task Language_time_zone_publication_name_and_follow_links_show_on_the_public_site()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var settings = scope.ServiceProvider.GetRequiredService<SiteSettingsService>();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

        var input = new SiteSettingsInput
        {
            Title = "Le Quotidien", Language = "fr", TimeZone = "Europe/Paris", PublicationName = "Le Quotidien Local",
            FollowLinks = [new FollowLink("Google News", "https://news.google.com/publications/x"), new FollowLink("WhatsApp", "javascript:alert(1)")],
        };
        Assert.Contains("full http(s) address", (await settings.SaveAsync(admin, input)).Error);
        input.FollowLinks[1] = new FollowLink("WhatsApp", "https://whatsapp.com/channel/x");
        input.TimeZone = "Mars/Olympus";
        Assert.Contains("not a time zone", (await settings.SaveAsync(admin, input)).Error);
        input.TimeZone = "Europe/Paris";
        Assert.True((await settings.SaveAsync(admin, input)).Succeeded);

        var articles = scope.ServiceProvider.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new NewsCms.Web.Features.Articles.ArticleInput { Headline = "Bonjour", BodyHtml = "<p>x</p>" }, null, NewsCms.Web.Features.Articles.SaveKind.Manual);
        await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);

        using var reader = app.CreateClient();
        var page = await reader.GetStringAsync("/news/bonjour");
        Assert.Contains("<html lang=\"fr\">", page);
        Assert.Contains("Follow us", page);
        Assert.Contains("href=\"https://news.google.com/publications/x\"", page);
        Assert.Contains("WhatsApp", page);
        Assert.Contains("(Europe/Paris)", page);
        var news = await reader.GetStringAsync("/news-sitemap.xml");
        Assert.Contains("<news:name>Le Quotidien Local</news:name>", news);
        Assert.Contains("<news:language>fr</news:language>", news);
    }
}
