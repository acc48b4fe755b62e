using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>Scheduled publishing on a fake clock: nothing waits for real time.</summary>
public class SchedulingTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A site on <paramref name="clock"/> whose publishing rounds the test drives itself (the background one would race it).</summary>
    private static async Task<NewsCmsAppFactory> OnFakeClockAsync(FakeTimeProvider clock)
    {
        var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        };
        return app;
    }

    [Fact]
    public async Task A_scheduled_article_is_published_when_its_time_comes_and_not_before()
    {
        var clock = new FakeTimeProvider(Start);
        await using var app = await OnFakeClockAsync(clock);
        using var reader = app.CreateClient();
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var (_, email, _) = await app.CreateUserAsync(NewsroomRoles.Author);
        var author = await app.PrincipalForAsync(email);

        var draft = await articles.Editing.SaveAsync(author, null, new ArticleInput { Headline = "Embargoed report", BodyHtml = "<p>Numbers.</p>" }, null, SaveKind.Manual);
        Assert.Contains("in the future", (await articles.Workflow.ScheduleAsync(author, draft.Id, draft.Version, Start.UtcDateTime.AddMinutes(-1))).Error);
        var scheduled = await articles.Workflow.ScheduleAsync(author, draft.Id, draft.Version, Start.UtcDateTime.AddMinutes(30));
        Assert.True(scheduled.Succeeded, scheduled.Error);

        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await articles.Workflow.PublishDueAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/news/embargoed-report")).StatusCode);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await articles.Workflow.PublishDueAsync());
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/news/embargoed-report")).StatusCode);
        var published = (await articles.Reads.GetForEditAsync(author, draft.Id)).Value!;
        Assert.Equal(ArticleStatus.Published, published.Status);
        Assert.Equal(Start.UtcDateTime.AddMinutes(30), published.PublishedAt);
    }

    [Fact]
    public async Task A_round_that_fails_part_way_still_tells_the_public_caches_what_it_published()
    {
        var clock = new FakeTimeProvider(Start);
        await using var app = await OnFakeClockAsync(clock);
        using var reader = app.CreateClient();
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        foreach (var headline in new[] { "Harbour ferries resume", "Story the database refuses" })
        {
            var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline }, null, SaveKind.Manual);
            Assert.True((await articles.Workflow.ScheduleAsync(admin, draft.Id, draft.Version, Start.UtcDateTime.AddMinutes(5))).Succeeded);
        }
        Assert.DoesNotContain("Harbour ferries resume", await reader.GetStringAsync("/"));

        // The second publish of the round fails after the first committed (a database error, here a trigger).
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            await db.Database.ExecuteSqlRawAsync(db.Database.IsNpgsql()
                ? """
                  CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                      IF NEW."Headline" = 'Story the database refuses' THEN RAISE EXCEPTION 'refused by the test'; END IF;
                      RETURN NEW; END $$;
                  CREATE TRIGGER test_refuse BEFORE UPDATE ON "Articles" FOR EACH ROW EXECUTE FUNCTION test_refuse();
                  """
                : """
                  CREATE TRIGGER TestRefuse BEFORE UPDATE ON Articles WHEN NEW.Headline = 'Story the database refuses'
                  BEGIN SELECT RAISE(FAIL, 'refused by the test'); END;
                  """);
        }
        clock.Advance(TimeSpan.FromMinutes(6));
        await Assert.ThrowsAnyAsync<Exception>(() => articles.Workflow.PublishDueAsync());

        // What was published is on the cached home page at once, not when the cache entry expires.
        Assert.Contains("Harbour ferries resume", await reader.GetStringAsync("/"));
    }

    [Fact]
    public async Task The_background_publisher_picks_up_what_fell_due_while_the_app_was_down()
    {
        var clock = new FakeTimeProvider(Start);
        var database = await TestDatabase.NewAsync();
        var bootstrap = new Dictionary<string, string?>
        {
            ["NewsCms:Bootstrap:AdminEmail"] = NewsCmsAppFactory.AdminEmail,
            ["NewsCms:Bootstrap:AdminPassword"] = NewsCmsAppFactory.AdminPassword,
        };
        int id;
        await using (var before = NewsCmsAppFactory.OnDatabase(database, bootstrap))
        {
            before.TestServices = services => services.AddSingleton<TimeProvider>(clock);
            before.CreateClient().Dispose();
            await using var scope = before.Services.CreateAsyncScope();
            var articles = scope.ServiceProvider.NewsroomArticles();
            var admin = await before.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Overnight story" }, null, SaveKind.Manual);
            Assert.True((await articles.Workflow.ScheduleAsync(admin, draft.Id, draft.Version, Start.UtcDateTime.AddHours(8))).Succeeded);
            id = draft.Id;
        }

        // The app was down past the scheduled time; on restart the hosted publisher's first round publishes it.
        clock.Advance(TimeSpan.FromHours(9));
        await using var after = NewsCmsAppFactory.OnDatabase(database, bootstrap);
        after.TestServices = services => services.AddSingleton<TimeProvider>(clock);
        using var reader = after.CreateClient();
        await WaitUntilAsync(async () =>
        {
            await using var db = await after.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
            return await db.Articles.AnyAsync(a => a.Id == id && a.Status == ArticleStatus.Published);
        });
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/news/overnight-story")).StatusCode);
        await database.DropAsync();
    }

    [Fact]
    public async Task The_background_publisher_checks_again_every_interval()
    {
        var clock = new FakeTimeProvider(Start);
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.AddSingleton<TimeProvider>(clock);
        using var reader = app.CreateClient();
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var draft = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Timed story" }, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.ScheduleAsync(admin, draft.Id, draft.Version, Start.UtcDateTime.AddSeconds(20))).Succeeded);

        // Within 30 seconds of its time: the publisher ticks every ScheduledPublisher.Interval on the (fake) clock.
        Assert.True(ScheduledPublisher.Interval <= TimeSpan.FromSeconds(30));
        await WaitUntilAsync(async () =>
        {
            clock.Advance(ScheduledPublisher.Interval);
            return (await articles.Reads.GetForEditAsync(admin, draft.Id)).Value!.Status == ArticleStatus.Published;
        });
        Assert.True(clock.GetUtcNow() <= Start.AddSeconds(20) + TimeSpan.FromSeconds(30) + ScheduledPublisher.Interval * 20);
    }

    [Theory]
    [InlineData("unchanged")]
    [InlineData("signin-lockout")]
    [InlineData("locked")]
    [InlineData("demoted")]
    [InlineData("deleted")]
    public async Task At_publish_time_the_scheduler_checks_that_who_scheduled_the_article_may_still_publish_it(string change)
    {
        var clock = new FakeTimeProvider(Start);
        await using var app = await OnFakeClockAsync(clock);
        using var reader = app.CreateClient();
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var (_, writerEmail, _) = await app.CreateUserAsync(NewsroomRoles.Contributor);
        var writer = await app.PrincipalForAsync(writerEmail);
        var (editorId, editorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Editor, displayName: "Desk Editor");
        var editor = await app.PrincipalForAsync(editorEmail);

        var draft = await articles.Editing.SaveAsync(writer, null, new ArticleInput { Headline = "Lock-step story", BodyHtml = "<p>Text.</p>" }, null, SaveKind.Manual);
        var submitted = await articles.Workflow.SubmitAsync(writer, draft.Id, draft.Version);
        var scheduled = await articles.Workflow.ScheduleAsync(editor, draft.Id, submitted.Value!.Version, Start.UtcDateTime.AddHours(1));
        Assert.True(scheduled.Succeeded, scheduled.Error);

        if (change == "signin-lockout")
        {
            // Five wrong passwords just before the time comes lock new sign-ins for 15 minutes; anyone can cause
            // that, so it must not withdraw the editor's schedule (only an administrator's lock does).
            await using var lockDb = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
            var account = await lockDb.Users.SingleAsync(u => u.Id == editorId);
            account.LockoutEnd = Start.AddHours(1).AddMinutes(15);
            await lockDb.SaveChangesAsync();
        }
        var (changed, reason) = change switch
        {
            "locked" => (await users.LockAsync(admin, editorId), "locked"),
            "demoted" => (await users.UpdateAsync(admin, editorId, "Desk Editor", NewsroomRoles.Contributor), "may no longer publish"),
            "deleted" => (await users.DeleteAsync(admin, editorId), "no longer exists"),
            _ => (NewsCms.Web.Features.Hosting.ServiceResult.Ok, ""),
        };
        Assert.True(changed.Succeeded, changed.Error);

        clock.Advance(TimeSpan.FromHours(1));
        var published = await articles.Workflow.PublishDueAsync();
        var article = (await articles.Reads.GetForEditAsync(admin, draft.Id)).Value!;
        if (change is "unchanged" or "signin-lockout")
        {
            Assert.Equal(1, published);
            Assert.Equal(ArticleStatus.Published, article.Status);
            await SetupTests.AssertAuditedAsync(app, AuditActions.ArticlePublished, "Lock-step story");
            return;
        }

        Assert.Equal(0, published);
        Assert.Equal(ArticleStatus.InReview, article.Status);
        Assert.Null(article.ScheduledAt);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/news/lock-step-story")).StatusCode);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        var entry = Assert.Single(await db.AuditEntries.Where(e => e.Action == AuditActions.ArticleScheduleWithdrawn).ToListAsync());
        Assert.Contains("Lock-step story", entry.Target);
        Assert.Contains("Desk Editor", entry.Details);
        Assert.Contains(reason, entry.Details);
        Assert.False(await db.AuditEntries.AnyAsync(e => e.Action == AuditActions.ArticlePublished && e.Target.Contains("Lock-step story")));

        // Back in the queue, the desk can schedule or publish it again as usual.
        Assert.True((await articles.Workflow.PublishAsync(admin, draft.Id, article.Version)).Succeeded);
    }

#if !NEWSCMS_POSTGRESQL
    // A SQLite site's upgrade path (PostgreSQL sites start from a migration that already has the column).
    [Fact]
    public async Task Upgrading_records_who_scheduled_the_articles_already_scheduled_from_the_audit_log()
    {
        var path = await TestDatabase.NewFileAsync();
        await using (var db = new NewsCmsDbContext(NewsCmsDbContext.StandaloneOptions(path)))
        {
            var migrator = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>();
            await migrator.MigrateAsync("ArticleVisibilityIndexes");
            foreach (var (id, headline, status) in new[] { (41, "Scheduled with a record", 2), (42, "Scheduled without one", 2), (43, "A draft", 0) })
            {
                await db.Database.ExecuteSqlRawAsync("""
                    INSERT INTO Articles (Id, Headline, Standfirst, Slug, BodyHtml, BodyText, WordCount, ReadingMinutes, Status, CreatedAt, UpdatedAt,
                        CreatedById, CreatedByName, LastEditedById, LastEditedByName, IsFeatured, Version)
                    VALUES ({0}, {1}, '', {2}, '', '', 0, 0, {3}, '2026-11-01 09:00:00', '2026-11-01 09:00:00', '', '', '', '', 0, {4})
                    """, id, headline, $"story-{id}", status, Guid.NewGuid());
            }
            foreach (var (actorId, actorName, target) in new[] { ("u-old", "Earlier Editor", "Scheduled with a record (#41)"),
                         ("u-new", "Later Editor", "Scheduled with a record (#41)"), ("u-other", "Other Editor", "Something else (#141)"),
                         ("u-draft", "Draft Editor", "A draft (#43)") })
            {
                await db.Database.ExecuteSqlRawAsync("""
                    INSERT INTO AuditEntries (At, ActorId, ActorName, Action, Target) VALUES ('2026-11-01 10:00:00', {0}, {1}, 'article.scheduled', {2})
                    """, actorId, actorName, target);
            }
            await migrator.MigrateAsync();
            var rows = await db.Articles.AsNoTracking().OrderBy(a => a.Id).Select(a => new { a.Id, a.ScheduledById, a.ScheduledByName }).ToListAsync();
            Assert.Equal([(41, "u-new", "Later Editor"), (42, null, null), (43, null, null)],
                rows.Select(r => (r.Id, r.ScheduledById, r.ScheduledByName)));
        }
        SqliteConnection.ClearAllPools();
        File.Delete(path);
    }
#endif

    /// <summary>Waits for a condition the app reaches on its own (a background service), failing after 15 s.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition was not reached in time.");
            await Task.Delay(50);
        }
    }
}
