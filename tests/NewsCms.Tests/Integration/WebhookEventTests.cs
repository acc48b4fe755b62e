using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.Webhooks;

namespace NewsCms.Tests.Integration;

/// <summary>
/// What the newsroom's changes write to the webhook outbox, in the same transaction: Ghost's events for each step of
/// an article's life, with Ghost's payloads ("current" the post as the APIs show it, "previous" what changed), and
/// nothing from an import. The delivery worker is off: the rows stay as written.
/// </summary>
public sealed class WebhookEventTests : IAsyncLifetime
{
    private NewsCmsAppFactory? app;
    private ClaimsPrincipal admin = default!;

    public ValueTask InitializeAsync() => StartAsync(null);

    /// <summary>Starts this test's site (again, with <paramref name="clock"/> and the scheduler's round left to the test).</summary>
    private async ValueTask StartAsync(FakeTimeProvider? clock)
    {
        if (app is not null) await app.DisposeAsync();
        app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Webhooks:AllowPrivateTargets"] = "true" });
        app.TestServices = services =>
        {
            services.Remove(services.Single(d => d.ImplementationType == typeof(WebhookDeliveryWorker)));
            if (clock is null) return;
            services.AddSingleton<TimeProvider>(clock);
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        };
        admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
    }

    public async ValueTask DisposeAsync() => await app!.DisposeAsync();

    private async Task SubscribeAsync(params string[] events)
    {
        var (integrationId, _, _) = await TestIntegrations.CreateAsync(app!.Services, NewsroomRoles.Editor, name: "Newsletter tool");
        await using var scope = app!.Services.CreateAsyncScope();
        var webhooks = scope.ServiceProvider.GetRequiredService<Webhooks>();
        foreach (var name in events)
        {
            var added = await webhooks.AddAsync(admin, integrationId, new WebhookInput { Event = name, TargetUrl = "http://127.0.0.1:9/hook", Name = name });
            Assert.True(added.Succeeded, added.Error);
        }
    }

    /// <summary>The events queued since <paramref name="afterId"/>, in order, with their payloads.</summary>
    private async Task<List<(string Event, JsonElement Payload, long Id)>> QueuedAsync(long afterId)
    {
        await using var db = await app!.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        var rows = await db.WebhookDeliveries.AsNoTracking().Where(d => d.Id > afterId).OrderBy(d => d.Id).ToListAsync();
        return [.. rows.Select(r => (r.Event, JsonDocument.Parse(r.Payload).RootElement.Clone(), r.Id))];
    }

    private static long Last(List<(string Event, JsonElement Payload, long Id)> rows, long before) => rows.Count == 0 ? before : rows[^1].Id;

    [Fact]
    public async Task A_save_that_only_adds_an_editorial_note_tells_readers_and_webhooks_nothing()
    {
        await SubscribeAsync(WebhookEvents.PostEdited, WebhookEvents.PostPublishedEdited, WebhookEvents.SiteChanged);
        await using var scope = app!.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        const string plain = "<p>The council voted 7–2 on Monday.</p>";
        var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Budget passes", BodyHtml = plain }, null, SaveKind.Manual);
        var published = await articles.Workflow.PublishAsync(admin, draft.Id, draft.Version);
        Assert.True(published.Succeeded, published.Error);
        var before = published.Value!;
        var seen = Last(await QueuedAsync(0), 0);

        // The editor saves the same text with a note's mark on two words, as "Add note" does.
        var marked = "<p>The council <span data-note=\"n-b1\" class=\"editorial-note\">voted 7–2</span> on Monday.</p>";
        var noted = await articles.Editing.SaveAsync(admin, draft.Id,
            new ArticleInput { Headline = "Budget passes", BodyHtml = marked, BodyCarriesNotes = true }, before.Version, SaveKind.Autosave);
        Assert.True(noted.Succeeded, noted.Error);

        Assert.Empty(await QueuedAsync(seen));
        var after = noted.Article!;
        Assert.NotEqual(before.Version, after.Version); // the newsroom's copy changed: another editor must not overwrite it
        Assert.Equal(before.UpdatedAt, after.UpdatedAt); // readers' dateModified stays
        Assert.Equal(marked, after.EditorBodyHtml);

        // A real edit afterwards still is one.
        var edited = await articles.Editing.SaveAsync(admin, draft.Id,
            new ArticleInput { Headline = "Budget passes narrowly", BodyHtml = marked, BodyCarriesNotes = true }, after.Version, SaveKind.Manual);
        Assert.True(edited.Succeeded, edited.Error);
        Assert.Equal(["post.edited", "post.published.edited", "site.changed"], (await QueuedAsync(seen)).Select(r => r.Event));
    }

    [Fact]
    public async Task Each_step_of_an_articles_life_queues_Ghosts_events_with_current_and_previous()
    {
        await SubscribeAsync(WebhookEvents.PostAdded, WebhookEvents.PostEdited, WebhookEvents.PostPublished, WebhookEvents.PostPublishedEdited,
            WebhookEvents.PostUnpublished, WebhookEvents.PostDeleted, WebhookEvents.SiteChanged, WebhookEvents.PageAdded);
        await using var scope = app!.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();

        var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Harbour reopens", BodyHtml = "<p>Ships are back.</p>" }, null, SaveKind.Manual);
        Assert.True(draft.Succeeded, draft.Error);
        var added = await QueuedAsync(0);
        var (name, payload, _) = Assert.Single(added);
        Assert.Equal("post.added", name);
        Assert.Equal(draft.Id.ToString(), payload.GetProperty("post").GetProperty("current").GetProperty("id").GetString());
        Assert.Equal("Harbour reopens", payload.GetProperty("post").GetProperty("current").GetProperty("title").GetString());
        Assert.Equal("draft", payload.GetProperty("post").GetProperty("current").GetProperty("status").GetString());
        Assert.Empty(payload.GetProperty("post").GetProperty("previous").EnumerateObject());
        var seen = Last(added, 0);

        var published = await articles.Workflow.PublishAsync(admin, draft.Id, draft.Version);
        Assert.True(published.Succeeded, published.Error);
        var onPublish = await QueuedAsync(seen);
        Assert.Equal(["post.edited", "post.published", "site.changed"], onPublish.Select(r => r.Event));
        var publishPayload = onPublish[1].Payload.GetProperty("post");
        Assert.Equal("published", publishPayload.GetProperty("current").GetProperty("status").GetString());
        Assert.Equal("draft", publishPayload.GetProperty("previous").GetProperty("status").GetString());
        Assert.StartsWith("https://news.example.test/news/", publishPayload.GetProperty("current").GetProperty("url").GetString());
        Assert.Equal("{}", onPublish[2].Payload.GetRawText());
        seen = Last(onPublish, seen);

        var edited = await articles.Editing.SaveAsync(admin, draft.Id, new ArticleInput { Headline = "Harbour reopens after the storm", BodyHtml = "<p>Ships are back.</p>" },
            published.Value!.Version, SaveKind.Manual);
        Assert.True(edited.Succeeded, edited.Error);
        var onEdit = await QueuedAsync(seen);
        Assert.Equal(["post.edited", "post.published.edited", "site.changed"], onEdit.Select(r => r.Event));
        var editPayload = onEdit[1].Payload.GetProperty("post");
        Assert.Equal("Harbour reopens after the storm", editPayload.GetProperty("current").GetProperty("title").GetString());
        // "previous" holds what changed, as it was: the title (and the time of the change), not the unchanged body.
        Assert.Equal("Harbour reopens", editPayload.GetProperty("previous").GetProperty("title").GetString());
        Assert.False(editPayload.GetProperty("previous").TryGetProperty("html", out _));
        seen = Last(onEdit, seen);

        var trashed = await articles.Workflow.TrashAsync(admin, draft.Id, edited.Version);
        Assert.True(trashed.Succeeded, trashed.Error);
        var onTrash = await QueuedAsync(seen);
        Assert.Equal(["post.unpublished", "post.deleted", "site.changed"], onTrash.Select(r => r.Event));
        var deletePayload = onTrash[1].Payload.GetProperty("post");
        Assert.Empty(deletePayload.GetProperty("current").EnumerateObject());
        Assert.Equal("Harbour reopens after the storm", deletePayload.GetProperty("previous").GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_change_nobody_listens_to_queues_nothing_and_a_page_fires_page_events()
    {
        await SubscribeAsync(WebhookEvents.PageAdded);
        await using var scope = app!.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var article = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Quiet story", BodyHtml = "<p>Text.</p>" }, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(admin, article.Id, article.Version)).Succeeded);
        Assert.Empty(await QueuedAsync(0));

        var page = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Kind = ArticleKind.Page, Headline = "About us", BodyHtml = "<p>Who we are.</p>" }, null, SaveKind.Manual);
        Assert.True(page.Succeeded, page.Error);
        var (name, payload, _) = Assert.Single(await QueuedAsync(0));
        Assert.Equal("page.added", name);
        Assert.Equal("About us", payload.GetProperty("page").GetProperty("current").GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_scheduler_fires_the_publish_events()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero));
        await StartAsync(clock);
        await SubscribeAsync(WebhookEvents.PostPublished, WebhookEvents.PostScheduled);
        await using var scope = app!.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Budget vote", BodyHtml = "<p>Tonight.</p>" }, null, SaveKind.Manual);
        var scheduled = await articles.Workflow.ScheduleAsync(admin, draft.Id, draft.Version, clock.GetUtcNow().UtcDateTime.AddHours(1));
        Assert.True(scheduled.Succeeded, scheduled.Error);
        Assert.Equal(["post.scheduled"], (await QueuedAsync(0)).Select(r => r.Event));

        // The scheduler's round, once the time has come.
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await articles.Workflow.PublishDueAsync());
        Assert.Equal(["post.scheduled", "post.published"], (await QueuedAsync(0)).Select(r => r.Event));
    }

    [Fact]
    public async Task Saving_the_site_settings_fires_site_changed_and_saving_them_unchanged_does_not()
    {
        await SubscribeAsync(WebhookEvents.SiteChanged);
        await using var scope = app!.Services.CreateAsyncScope();
        var settings = scope.ServiceProvider.GetRequiredService<SiteSettingsService>();
        var input = new SiteSettingsInput { Title = "Harbour Gazette", Tagline = "News from the quay", Language = "en", TimeZone = "UTC" };
        Assert.True((await settings.SaveAsync(admin, input)).Succeeded);
        var (name, payload, id) = Assert.Single(await QueuedAsync(0));
        Assert.Equal("site.changed", name);
        Assert.Equal("{}", payload.GetRawText());

        Assert.True((await settings.SaveAsync(admin, input)).Succeeded);
        Assert.Empty(await QueuedAsync(id));
    }

    [Fact]
    public async Task Adding_editing_merging_and_deleting_tags_fires_the_tag_events()
    {
        await SubscribeAsync(WebhookEvents.TagAdded, WebhookEvents.TagEdited, WebhookEvents.TagDeleted);
        await using var scope = app!.Services.CreateAsyncScope();
        var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        var storms = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Storms" })).Value!;
        var weather = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Weather" })).Value!;
        var added = await QueuedAsync(0);
        Assert.Equal(["tag.added", "tag.added"], added.Select(r => r.Event));
        Assert.Equal("storms", added[0].Payload.GetProperty("tag").GetProperty("current").GetProperty("slug").GetString());
        Assert.Equal("https://news.example.test/tag/storms", added[0].Payload.GetProperty("tag").GetProperty("current").GetProperty("url").GetString());

        Assert.True((await taxonomy.UpdateTagAsync(admin, storms.Id, new TaxonomyInput { Name = "Winter storms", Slug = "storms" })).Succeeded);
        var (name, payload, id) = Assert.Single(await QueuedAsync(added[^1].Id));
        Assert.Equal("tag.edited", name);
        Assert.Equal("Winter storms", payload.GetProperty("tag").GetProperty("current").GetProperty("name").GetString());
        Assert.Equal("Storms", payload.GetProperty("tag").GetProperty("previous").GetProperty("name").GetString());
        Assert.False(payload.GetProperty("tag").GetProperty("previous").TryGetProperty("slug", out _));

        Assert.True((await taxonomy.MergeTagsAsync(admin, storms.Id, weather.Id)).Succeeded);
        Assert.True((await taxonomy.DeleteTagAsync(admin, weather.Id)).Succeeded);
        var removed = await QueuedAsync(id);
        Assert.Equal(["tag.deleted", "tag.deleted"], removed.Select(r => r.Event));
        Assert.Equal("Winter storms", removed[0].Payload.GetProperty("tag").GetProperty("previous").GetProperty("name").GetString());
        Assert.Empty(removed[1].Payload.GetProperty("tag").GetProperty("current").EnumerateObject());
        Assert.Equal("weather", removed[1].Payload.GetProperty("tag").GetProperty("previous").GetProperty("slug").GetString());
    }
}
