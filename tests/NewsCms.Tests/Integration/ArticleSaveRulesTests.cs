using System.Net;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>The article service's rules for slugs, restored revisions, related articles and database errors on save.</summary>
public class ArticleSaveRulesTests : IAsyncLifetime
{
    private NewsCmsAppFactory app = default!;
    private AsyncServiceScope scope;
    private NewsroomArticles articles = default!;

    public async ValueTask InitializeAsync()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        app.CreateClient().Dispose();
        scope = app.Services.CreateAsyncScope();
        articles = scope.ServiceProvider.NewsroomArticles();
    }

    public async ValueTask DisposeAsync()
    {
        await scope.DisposeAsync();
        await app.DisposeAsync();
    }

    private async Task<ClaimsPrincipal> AsAsync(string role, string? displayName = null)
    {
        var (_, email, _) = await app.CreateUserAsync(role, displayName: displayName);
        return await app.PrincipalForAsync(email);
    }

    private static ArticleInput Input(string headline, string body = "<p>Body text.</p>", string slug = "", bool follows = false) =>
        new() { Headline = headline, Standfirst = "The standfirst.", BodyHtml = body, Slug = slug, SlugFollowsHeadline = follows };

    /// <summary>What the editor sends before the writer touches the slug field: the headline's slug, marked as following it.</summary>
    private static ArticleInput AsTheEditorSends(string headline, string body = "<p>Body text.</p>") =>
        Input(headline, body, Slugs.From(headline), follows: true);

    private async Task<NewsCmsDbContext> DbAsync() =>
        await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();

    [Fact]
    public async Task A_new_or_draft_article_never_takes_over_a_slug_that_still_redirects_to_another_article()
    {
        var editor = await AsAsync(NewsroomRoles.Editor);
        using var reader = app.CreateBrowserlikeClient();
        var story = await articles.Editing.SaveAsync(editor, null, Input("Moving story"), null, SaveKind.Manual);
        var published = await articles.Workflow.PublishAsync(editor, story.Id, story.Version);
        var moved = await articles.Editing.SaveAsync(editor, story.Id, Input("Moving story", slug: "moved-story"), published.Value!.Version, SaveKind.Manual);
        Assert.True(moved.Succeeded, moved.Error);
        Assert.Equal("/news/moved-story", (await reader.GetAsync("/news/moving-story")).Headers.Location?.OriginalString);

        // A slug made from the headline skips the old address.
        var generated = await articles.Editing.SaveAsync(editor, null, Input("Moving story"), null, SaveKind.Manual);
        Assert.True(generated.Succeeded, generated.Error);
        Assert.Equal("moving-story-2", generated.Slug);
        var following = await articles.Editing.SaveAsync(editor, null, AsTheEditorSends("Moving story"), null, SaveKind.Autosave);
        Assert.True(following.Succeeded, following.Error);
        Assert.Equal("moving-story-3", following.Slug);

        // A slug typed by hand is refused, new article or draft, with a message that says whose old address it is.
        var typedNew = await articles.Editing.SaveAsync(editor, null, Input("Another story", slug: "moving-story"), null, SaveKind.Manual);
        Assert.False(typedNew.Succeeded);
        Assert.Equal("Slug", typedNew.Field);
        Assert.Contains("\"moving-story\"", typedNew.Error);
        Assert.Contains("\"Moving story\"", typedNew.Error);
        var typedDraft = await articles.Editing.SaveAsync(editor, generated.Id, Input("Moving story", slug: "moving-story"), generated.Version, SaveKind.Manual);
        Assert.Equal("Slug", typedDraft.Field);

        // The old link still answers 301 to the article that moved.
        var old = await reader.GetAsync("/news/moving-story");
        Assert.Equal(HttpStatusCode.MovedPermanently, old.StatusCode);
        Assert.Equal("/news/moved-story", old.Headers.Location!.OriginalString);

        // The article that moved may take its own old address back.
        var back = await articles.Editing.SaveAsync(editor, story.Id, Input("Moving story", slug: "moving-story"), moved.Version, SaveKind.Manual);
        Assert.True(back.Succeeded, back.Error);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/news/moving-story")).StatusCode);
    }

    [Fact]
    public async Task A_duplicate_headline_autosaves_with_a_suffix_until_the_slug_is_typed_by_hand()
    {
        var author = await AsAsync(NewsroomRoles.Author);
        var first = await articles.Editing.SaveAsync(author, null, AsTheEditorSends("Storm closes the bridge"), null, SaveKind.Autosave);
        Assert.True(first.Succeeded, first.Error);
        Assert.Equal("storm-closes-the-bridge", first.Slug);

        var second = await articles.Editing.SaveAsync(author, null, AsTheEditorSends("Storm closes the bridge"), null, SaveKind.Autosave);
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal("storm-closes-the-bridge-2", second.Slug);

        // Later autosaves still send the headline's slug: the article keeps its suffixed one.
        var again = await articles.Editing.SaveAsync(author, second.Id, AsTheEditorSends("Storm closes the bridge", "<p>More.</p>"), second.Version, SaveKind.Autosave);
        Assert.True(again.Succeeded, again.Error);
        Assert.Equal("storm-closes-the-bridge-2", again.Slug);

        // A new headline gives a new slug while the writer has not chosen one.
        var renamed = await articles.Editing.SaveAsync(author, second.Id, AsTheEditorSends("Storm reopens the bridge"), again.Version, SaveKind.Autosave);
        Assert.True(renamed.Succeeded, renamed.Error);
        Assert.Equal("storm-reopens-the-bridge", renamed.Slug);

        // Typed by hand, a taken slug gets the message where the writer typed it.
        var typed = await articles.Editing.SaveAsync(author, second.Id, Input("Storm reopens the bridge", slug: "storm-closes-the-bridge"), renamed.Version, SaveKind.Autosave);
        Assert.False(typed.Succeeded);
        Assert.Equal("Slug", typed.Field);
        Assert.Contains("already used by \"Storm closes the bridge\"", typed.Error);
    }

    [Fact]
    public async Task Restoring_a_revision_records_a_restore_of_its_own_and_never_relabels_someone_elses_revision()
    {
        var author = await AsAsync(NewsroomRoles.Author, "Rita Writer");
        var editor = await AsAsync(NewsroomRoles.Editor, "Eddie Desk");
        var created = await articles.Editing.SaveAsync(author, null, Input("History lesson", "<p>Author's text.</p>"), null, SaveKind.Manual);
        var edited = await articles.Editing.SaveAsync(editor, created.Id, Input("History lesson", "<p>Editor's text.</p>"), created.Version, SaveKind.Manual);
        Assert.True(edited.Succeeded, edited.Error);
        var before = (await articles.Reads.ListRevisionsAsync(author, created.Id)).Value!;
        var editorsRevision = Assert.Single(before, r => r.AuthorName == "Eddie Desk");
        Assert.Equal(RevisionKind.Saved, editorsRevision.Kind);

        // Bringing back the text that is already current changes no text, but the restore is still the author's act.
        var restored = await articles.Editing.RestoreRevisionAsync(author, created.Id, editorsRevision.Id, edited.Version);
        Assert.True(restored.Succeeded, restored.Error);

        var after = (await articles.Reads.ListRevisionsAsync(author, created.Id)).Value!;
        Assert.Equal(RevisionKind.Saved, Assert.Single(after, r => r.Id == editorsRevision.Id).Kind);
        Assert.Equal(RevisionKind.Restored, after[0].Kind);
        Assert.Equal("Rita Writer", after[0].AuthorName);
        Assert.Equal(before.Count + 1, after.Count);
    }

    [Fact]
    public async Task A_restore_that_fails_leaves_no_restore_behind()
    {
        var author = await AsAsync(NewsroomRoles.Author);
        var created = await articles.Editing.SaveAsync(author, null, Input("Stale restore", "<p>One.</p>"), null, SaveKind.Manual);
        var saved = await articles.Editing.SaveAsync(author, created.Id, Input("Stale restore", "<p>Two.</p>"), created.Version, SaveKind.Manual);
        var revisions = (await articles.Reads.ListRevisionsAsync(author, created.Id)).Value!;

        // Restoring from a version someone has since replaced is a conflict: the history stays as it was.
        var stale = await articles.Editing.RestoreRevisionAsync(author, created.Id, revisions[^1].Id, created.Version);
        Assert.False(stale.Succeeded);
        Assert.Equal(revisions.Select(r => (r.Id, r.Kind)), (await articles.Reads.ListRevisionsAsync(author, created.Id)).Value!.Select(r => (r.Id, r.Kind)));
        Assert.Equal("<p>Two.</p>", (await articles.Reads.GetForEditAsync(author, saved.Id)).Value!.BodyHtml);
    }

    [Fact]
    public async Task Only_the_unique_slug_index_is_reported_as_a_slug_conflict_other_constraint_errors_are_logged()
    {
        var author = await AsAsync(NewsroomRoles.Author);
        var saved = await articles.Editing.SaveAsync(author, null, Input("Constraint check"), null, SaveKind.Manual);
        await using (var db = await DbAsync())
        {
            if (db.Database.IsNpgsql())
            {
                // The same two triggers in PL/pgSQL; the forced failure is a check violation, as a broken check would be.
                await db.Database.ExecuteSqlRawAsync("""
                    CREATE FUNCTION test_forced_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                        IF NEW."Headline" = 'Forced failure' THEN RAISE EXCEPTION 'forced by the test' USING ERRCODE = '23514'; END IF;
                        RETURN NEW; END $$;
                    CREATE TRIGGER test_forced_failure BEFORE UPDATE ON "Articles" FOR EACH ROW EXECUTE FUNCTION test_forced_failure();
                    CREATE FUNCTION test_slug_race() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                        IF NEW."Headline" = 'Slug race' THEN
                            INSERT INTO "Articles" ("Headline", "Standfirst", "Slug", "BodyHtml", "BodyText", "WordCount", "ReadingMinutes", "Status", "CreatedAt", "UpdatedAt",
                                "CreatedById", "CreatedByName", "LastEditedById", "LastEditedByName", "IsFeatured", "Version")
                            VALUES ('Racer', '', NEW."Slug", '', '', 0, 0, 0, NEW."CreatedAt", NEW."UpdatedAt", '', '', '', '', false, NEW."Version");
                        END IF;
                        RETURN NEW; END $$;
                    CREATE TRIGGER test_slug_race BEFORE INSERT ON "Articles" FOR EACH ROW EXECUTE FUNCTION test_slug_race();
                    """);
            }
            else
            {
                // A constraint that is not the slug's fails the update (as a broken foreign key or check would).
                await db.Database.ExecuteSqlRawAsync("""
                    CREATE TRIGGER TestForcedFailure BEFORE UPDATE ON Articles WHEN NEW.Headline = 'Forced failure'
                    BEGIN SELECT RAISE(ABORT, 'forced by the test'); END;
                    """);
                // Another article takes the slug between the service's check and its insert.
                await db.Database.ExecuteSqlRawAsync("""
                    CREATE TRIGGER TestSlugRace BEFORE INSERT ON Articles WHEN NEW.Headline = 'Slug race'
                    BEGIN
                        INSERT INTO Articles (Headline, Standfirst, Slug, BodyHtml, BodyText, WordCount, ReadingMinutes, Status, CreatedAt, UpdatedAt,
                            CreatedById, CreatedByName, LastEditedById, LastEditedByName, IsFeatured, Version)
                        VALUES ('Racer', '', NEW.Slug, '', '', 0, 0, 0, NEW.CreatedAt, NEW.UpdatedAt, '', '', '', '', 0, NEW.Version);
                    END;
                    """);
            }

            }
        var failed = await articles.Editing.SaveAsync(author, saved.Id, Input("Forced failure"), saved.Version, SaveKind.Autosave);
        Assert.False(failed.Succeeded);
        Assert.Null(failed.Field);
        Assert.DoesNotContain("slug", failed.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(app.Logs.Lines, line => line.StartsWith("Error ", StringComparison.Ordinal) && line.Contains($"article {saved.Id}", StringComparison.Ordinal));

        var race = await articles.Editing.SaveAsync(author, null, Input("Slug race"), null, SaveKind.Manual);
        Assert.False(race.Succeeded);
        Assert.Equal("Slug", race.Field);
        Assert.Contains("\"slug-race\" was just taken", race.Error);
    }

    [Fact]
    public async Task Autosaves_of_a_published_article_rank_related_articles_only_when_what_ranking_reads_changed()
    {
        var editor = await AsAsync(NewsroomRoles.Editor);
        async Task<SaveOutcome> PublishedAsync(string headline)
        {
            var saved = await articles.Editing.SaveAsync(editor, null, Input(headline, "<p>Tide and harbour news.</p>"), null, SaveKind.Manual);
            var published = await articles.Workflow.PublishAsync(editor, saved.Id, saved.Version);
            Assert.True(published.Succeeded, published.Error);
            return saved with { Version = published.Value!.Version };
        }
        await PublishedAsync("Harbour tide tables change");
        await PublishedAsync("Harbour tide warning issued");
        var story = await PublishedAsync("Harbour tide record broken");

        async Task<int> StoredRelationsAsync()
        {
            await using var db = await DbAsync();
            return await db.ArticleRelations.CountAsync(r => r.ArticleId == story.Id);
        }
        async Task ForgetRelationsAsync()
        {
            await using var db = await DbAsync();
            await db.ArticleRelations.Where(r => r.ArticleId == story.Id).ExecuteDeleteAsync();
        }
        Assert.True(await StoredRelationsAsync() > 0);

        // Body-only autosaves change nothing ranking reads: the stored list (emptied here to see it) is left alone.
        await ForgetRelationsAsync();
        var body = await articles.Editing.SaveAsync(editor, story.Id, Input("Harbour tide record broken", "<p>Tide and harbour news, updated.</p>"), story.Version, SaveKind.Autosave);
        Assert.True(body.Succeeded, body.Error);
        Assert.Equal(0, await StoredRelationsAsync());

        // A new headline does: the list is ranked again.
        var headline = await articles.Editing.SaveAsync(editor, story.Id, Input("Harbour tide record broken again", "<p>Tide and harbour news, updated.</p>"), body.Version, SaveKind.Autosave);
        Assert.True(headline.Succeeded, headline.Error);
        Assert.True(await StoredRelationsAsync() > 0);

        // So does a manual save, whatever changed.
        await ForgetRelationsAsync();
        var manual = await articles.Editing.SaveAsync(editor, story.Id, Input("Harbour tide record broken again", "<p>Tide and harbour news, updated.</p>"), headline.Version, SaveKind.Manual);
        Assert.True(manual.Succeeded, manual.Error);
        Assert.True(await StoredRelationsAsync() > 0);
    }

    [Fact]
    public async Task The_public_rule_means_the_same_in_queries_in_raw_sql_and_on_a_loaded_article()
    {
        var editor = await AsAsync(NewsroomRoles.Editor);
        var ids = new List<int>();
        foreach (var (headline, publish, schedule, trash) in new[]
                 {
                     ("Rule draft", false, false, false), ("Rule published", true, false, false), ("Rule scheduled", false, true, false),
                     ("Rule published then trashed", true, false, true), ("Rule draft trashed", false, false, true),
                 })
        {
            var saved = await articles.Editing.SaveAsync(editor, null, Input(headline), null, SaveKind.Manual);
            var version = saved.Version;
            if (publish) version = (await articles.Workflow.PublishAsync(editor, saved.Id, version)).Value!.Version;
            if (schedule) version = (await articles.Workflow.ScheduleAsync(editor, saved.Id, version, DateTime.UtcNow.AddDays(1))).Value!.Version;
            if (trash) Assert.True((await articles.Workflow.TrashAsync(editor, saved.Id, version)).Succeeded);
            ids.Add(saved.Id);
        }

        await using var db = await DbAsync();
        var byQuery = await db.Articles.WherePublic().Where(a => ids.Contains(a.Id)).Select(a => a.Id).OrderBy(id => id).ToListAsync();
        var publicIds = "SELECT \"Id\" AS \"Value\" FROM \"Articles\" WHERE " + Article.PublicSql;
        var bySql = (await db.Database.SqlQueryRaw<int>(publicIds).ToListAsync())
            .Where(ids.Contains).Order().ToList();
        var loaded = (await db.Articles.AsNoTracking().Where(a => ids.Contains(a.Id)).ToListAsync()).Where(a => a.IsPublic).Select(a => a.Id).Order().ToList();
        Assert.Equal([ids[1]], byQuery);
        Assert.Equal(byQuery, bySql);
        Assert.Equal(byQuery, loaded);
    }
}
