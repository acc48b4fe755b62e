using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Redirects;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Setup;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Walks every audited action the way the newsroom takes it (the services the pages call; HTTP where the action is a
/// request: sign-in, the password pages, setup) and finds its entry in the audit log: the action, who did it, what it
/// was done to, and when. Every constant of <see cref="AuditActions.All"/> must be checked by the walk, so a new
/// action cannot be added without its step.
/// </summary>
public sealed class AuditCompletenessTests
{
    /// <summary>Actions whose entry another test checks, because taking them here would be slow or need another site.</summary>
    private static readonly Dictionary<string, string> CheckedElsewhere = new()
    {
        // Drawing the demo pictures takes most of a minute.
        [AuditActions.DemoContentAdded] = $"{nameof(DemoContentTests)}.{nameof(DemoContentTests.Demo_fills_an_empty_site_that_readers_can_browse_and_a_second_run_changes_nothing)}",
        // A download builds a whole backup file; the backup tests check its entry.
        [AuditActions.BackupDownloaded] = "BackupTests.Only_an_administrator_downloads_a_backup_and_every_download_is_audited",
        // Needs a finished dry run of an uploaded export; the import run tests check its entry.
        [AuditActions.ImportStarted] = "WordPressImportRunTests.An_administrator_uploads_reads_the_dry_run_imports_and_downloads_the_report",
        // An export or an import reads or writes a whole site; the site export tests check their entries.
        [AuditActions.SiteExported] = $"{nameof(SiteExportTests)}.{nameof(SiteExportTests.Only_an_administrator_exports_from_the_settings_page_and_each_export_is_audited)}",
        [AuditActions.SiteImported] = $"{nameof(SiteExportTests)}.{nameof(SiteExportTests.A_site_exported_and_imported_into_an_empty_site_answers_every_public_address_with_the_same_content)}",
        // Webhooks need an integration and a receiver; the webhook tests check their entries (actor, target, details).
        [AuditActions.WebhookAdded] = Webhook(nameof(WebhookTests.An_integration_manages_its_own_webhooks_and_only_an_administrator_manages_every_integrations)),
        [AuditActions.WebhookEdited] = Webhook(nameof(WebhookTests.An_integration_manages_its_own_webhooks_and_only_an_administrator_manages_every_integrations)),
        [AuditActions.WebhookDeleted] = Webhook(nameof(WebhookTests.An_integration_manages_its_own_webhooks_and_only_an_administrator_manages_every_integrations)),
        [AuditActions.WebhookDisabled] = Webhook(nameof(WebhookTests.A_410_turns_the_webhook_off_and_cancels_what_it_still_had_waiting)),
        [AuditActions.WebhookResent] = Webhook(nameof(WebhookTests.A_delivery_that_failed_every_attempt_is_resent_as_a_copy_of_the_same_event)),
        // Needs the scheduler's clock moved past the publishing time.
        // Live coverage and the banner: their own tests check the entries.
        [AuditActions.LiveCoverageStarted] = Live(nameof(LiveBlogTests.Each_entry_change_takes_the_next_seq_keeps_the_old_text_and_is_sanitized_and_audited)),
        [AuditActions.LiveCoverageEnded] = Live(nameof(LiveBlogTests.Each_entry_change_takes_the_next_seq_keeps_the_old_text_and_is_sanitized_and_audited)),
        [AuditActions.LiveEntryPosted] = Live(nameof(LiveBlogTests.Each_entry_change_takes_the_next_seq_keeps_the_old_text_and_is_sanitized_and_audited)),
        [AuditActions.LiveEntryEdited] = Live(nameof(LiveBlogTests.Each_entry_change_takes_the_next_seq_keeps_the_old_text_and_is_sanitized_and_audited)),
        [AuditActions.LiveEntryDeleted] = Live(nameof(LiveBlogTests.Each_entry_change_takes_the_next_seq_keeps_the_old_text_and_is_sanitized_and_audited)),
        [AuditActions.BreakingSet] = $"{nameof(BreakingNewsTests)}.{nameof(BreakingNewsTests.The_desk_sets_a_banner_every_page_shows_and_pushes_and_only_the_desk_may)}",
        [AuditActions.BreakingCleared] = $"{nameof(BreakingNewsTests)}.{nameof(BreakingNewsTests.The_desk_sets_a_banner_every_page_shows_and_pushes_and_only_the_desk_may)}",
        [AuditActions.FrontPageArranged] = $"{nameof(FrontPageTests)}.{nameof(FrontPageTests.An_editor_arranges_the_front_page_readers_see_it_in_that_order_at_once_and_only_the_desk_may)}",
        // Corrections need a published article; their own test checks the entries (actor, target, the old and new text).
        [AuditActions.CorrectionAdded] = $"{nameof(CorrectionsTests)}.{nameof(CorrectionsTests.An_editor_adds_edits_and_withdraws_a_correction_each_change_kept_audited_and_sent_to_webhooks)}",
        [AuditActions.CorrectionEdited] = $"{nameof(CorrectionsTests)}.{nameof(CorrectionsTests.An_editor_adds_edits_and_withdraws_a_correction_each_change_kept_audited_and_sent_to_webhooks)}",
        [AuditActions.CorrectionWithdrawn] = $"{nameof(CorrectionsTests)}.{nameof(CorrectionsTests.An_editor_adds_edits_and_withdraws_a_correction_each_change_kept_audited_and_sent_to_webhooks)}",
        [AuditActions.ArticleScheduleWithdrawn] = $"{nameof(SchedulingTests)}.{nameof(SchedulingTests.At_publish_time_the_scheduler_checks_that_who_scheduled_the_article_may_still_publish_it)}",
    };

    private static string Live(string test) => $"{nameof(LiveBlogTests)}.{test}";

    private static string Webhook(string test) => $"{nameof(WebhookTests)}.{test}";

    [Fact]
    public async Task Every_action_leaves_an_entry_with_its_actor_target_and_time()
    {
        var walkStart = DateTime.UtcNow;
        await using var app = await NewsCmsAppFactory.CreateAsync(new()
        {
            // Low enough for the walk to reach the per-account throttle, high enough for the lockout before it.
            ["NewsCms:SignIn:AttemptsPerAccount"] = "7",
            ["NewsCms:SignIn:AttemptsPerAddress"] = "100",
        });
        var walk = new Walk(app);
        await using var scope = app.Services.CreateAsyncScope();
        T Service<T>() where T : notnull => scope.ServiceProvider.GetRequiredService<T>();
        var users = Service<UserAdministration>();
        var articles = Service<IServiceProvider>().NewsroomArticles();
        var taxonomy = Service<TaxonomyService>();
        var authors = Service<AuthorProfiles>();
        var media = Service<MediaLibrary>();

        var admin = await walk.AccountAsync(NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminName);
        var editor = await walk.NewAccountAsync(NewsroomRoles.Editor, "Edna Editor");
        var author = await walk.NewAccountAsync(NewsroomRoles.Author, "Arlo Author");
        var contributor = await walk.NewAccountAsync(NewsroomRoles.Contributor, "Cora Contributor");

        // Start-up and first run.
        await walk.StepAsync(AuditActions.BootstrapAdminCreated, () => walk.ExpectAsync(AuditActions.BootstrapAdminCreated, admin, NewsCmsAppFactory.AdminEmail, walkStart));
        await walk.StepAsync(AuditActions.SetupCompleted, async () =>
        {
            await using var fresh = await NewsCmsAppFactory.WithoutBootstrap();
            using var client = fresh.CreateBrowserlikeClient();
            var since = DateTime.UtcNow;
            var done = await FormPost.SubmitAsync(client, "/setup", "setup", new Dictionary<string, string>
            {
                ["Input.SetupCode"] = fresh.Services.GetRequiredService<FirstRunSetup>().Code!, ["Input.SiteTitle"] = "The Walk Times",
                ["Input.DisplayName"] = "Chief Walker", ["Input.Email"] = "chief@walk.test",
                ["Input.Password"] = "chief-password-1", ["Input.ConfirmPassword"] = "chief-password-1",
            });
            Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
            var chief = new Actor(await fresh.UserIdAsync("chief@walk.test"), "Chief Walker");
            await walk.ExpectAsync(AuditActions.SetupCompleted, chief, "chief@walk.test", since, on: fresh);
        });

        // Accounts, by an Administrator.
        string colleagueId = "";
        await walk.StepAsync(AuditActions.UserCreated, async () =>
        {
            var created = Value(await users.CreateAsync(admin.Principal, new NewUserInput { DisplayName = "Walk Colleague", Email = "colleague@walk.test", Role = NewsroomRoles.Contributor }));
            colleagueId = created.UserId;
            await walk.ExpectAsync(AuditActions.UserCreated, admin, "colleague@walk.test");
        });
        await walk.ActionAsync(AuditActions.UserUpdated, admin, "colleague@walk.test", async () => Ok(await users.UpdateAsync(admin.Principal, colleagueId, "Walk Colleague Renamed", NewsroomRoles.Contributor)));
        await walk.ActionAsync(AuditActions.RoleChanged, admin, "colleague@walk.test", async () => Ok(await users.UpdateAsync(admin.Principal, colleagueId, "Walk Colleague Renamed", NewsroomRoles.Author)));
        await walk.ActionAsync(AuditActions.UserLocked, admin, "colleague@walk.test", async () => Ok(await users.LockAsync(admin.Principal, colleagueId)));
        await walk.ActionAsync(AuditActions.UserUnlocked, admin, "colleague@walk.test", async () => Ok(await users.UnlockAsync(admin.Principal, colleagueId)));
        await walk.ActionAsync(AuditActions.PasswordReset, admin, "colleague@walk.test", async () => Value(await users.ResetPasswordAsync(admin.Principal, colleagueId)));
        await walk.ActionAsync(AuditActions.UserDeleted, admin, "colleague@walk.test", async () => Ok(await users.DeleteAsync(admin.Principal, colleagueId)));
        await walk.ActionAsync(AuditActions.SettingsChanged, admin, "Site settings", async () =>
            Ok(await Service<SiteSettingsService>().SaveAsync(admin.Principal, new SiteSettingsInput { Title = "The Walk Gazette" })));

        // Signing in and passwords, over HTTP as people do it.
        var forgetful = await walk.NewAccountAsync(NewsroomRoles.Author, "Fern Forgetful");
        await walk.StepAsync(AuditActions.PasswordReset + " (by link)", async () =>
        {
            using var client = app.CreateBrowserlikeClient();
            string token;
            await using (var tokens = app.Services.CreateAsyncScope())
            {
                var manager = tokens.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
                token = await manager.GeneratePasswordResetTokenAsync((await manager.FindByEmailAsync(forgetful.Email))!);
            }
            var since = DateTime.UtcNow;
            var reset = await FormPost.SubmitAsync(client, $"/Account/ResetPassword?code={WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token))}", "reset-password",
                new Dictionary<string, string>
                {
                    ["Input.Email"] = forgetful.Email, ["Input.Password"] = "remembered-password-1",
                    ["Input.ConfirmPassword"] = "remembered-password-1", ["Input.Code"] = token,
                });
            Assert.Contains("ResetPasswordConfirmation", reset.Headers.Location?.ToString());
            await walk.ExpectAsync(AuditActions.PasswordReset, forgetful, forgetful.Email, since);
        });
        await walk.ActionAsync(AuditActions.PasswordChanged, forgetful, forgetful.Email, async () =>
        {
            using var client = app.CreateBrowserlikeClient();
            Assert.Equal(HttpStatusCode.Redirect, (await FormPost.SignInAsync(client, forgetful.Email, "remembered-password-1")).StatusCode);
            var changed = await FormPost.SubmitAsync(client, "/Account/Manage/ChangePassword", "change-password", new Dictionary<string, string>
            {
                ["Input.OldPassword"] = "remembered-password-1", ["Input.NewPassword"] = "changed-password-1", ["Input.ConfirmPassword"] = "changed-password-1",
            });
            Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        });
        var target = await walk.NewAccountAsync(NewsroomRoles.Editor, "Tess Targeted");
        using (var attacker = app.CreateBrowserlikeClient())
        {
            await walk.ActionAsync(AuditActions.SignInFailed, target, target.Email, () => FormPost.SignInAsync(attacker, target.Email, "wrong-password"));
            await walk.StepAsync(AuditActions.SignInFailed + " (unknown account)", async () =>
            {
                var since = DateTime.UtcNow;
                await FormPost.SignInAsync(attacker, "nobody@walk.test", "wrong-password");
                await walk.ExpectAsync(AuditActions.SignInFailed, new Actor(null, "nobody@walk.test"), "nobody@walk.test", since);
            });
            // Four more wrong passwords make five: the account locks.
            await walk.ActionAsync(AuditActions.LockedOut, target, target.Email, async () =>
            {
                for (var attempt = 2; attempt <= 5; attempt++) await FormPost.SignInAsync(attacker, target.Email, "wrong-password");
            });
            // Two more attempts reach the account's limit of seven; the eighth is not even tried.
            await walk.ActionAsync(AuditActions.SignInThrottled, new Actor(null, target.Email), target.Email, async () =>
            {
                for (var attempt = 6; attempt <= 8; attempt++) await FormPost.SignInAsync(attacker, target.Email, "wrong-password");
            });
        }

        // Articles through their workflow.
        var headline = "Walk: bridge reopens";
        var draft = await articles.Editing.SaveAsync(contributor.Principal, null, new ArticleInput { Headline = headline, BodyHtml = "<p>The bridge reopens.</p>" }, null, SaveKind.Manual);
        Assert.True(draft.Succeeded, draft.Error);
        var story = (draft.Id, draft.Version);
        await walk.ActionAsync(AuditActions.ArticleSubmitted, contributor, headline, async () => story.Version = Value(await articles.Workflow.SubmitAsync(contributor.Principal, story.Id, story.Version)).Version);
        await walk.ActionAsync(AuditActions.ArticleWithdrawn, contributor, headline, async () => story.Version = Value(await articles.Workflow.WithdrawAsync(contributor.Principal, story.Id, story.Version)).Version);
        story.Version = Value(await articles.Workflow.SubmitAsync(contributor.Principal, story.Id, story.Version)).Version;
        await walk.ActionAsync(AuditActions.ArticleChangesRequested, editor, headline, async () =>
            story.Version = Value(await articles.Workflow.RequestChangesAsync(editor.Principal, story.Id, story.Version, "Add the mayor's quote.")).Version);
        story.Version = Value(await articles.Workflow.SubmitAsync(contributor.Principal, story.Id, story.Version)).Version;
        await walk.ActionAsync(AuditActions.ArticlePublished, editor, headline, async () => story.Version = Value(await articles.Workflow.PublishAsync(editor.Principal, story.Id, story.Version)).Version);
        await walk.ActionAsync(AuditActions.ArticleUnpublished, editor, headline, async () => story.Version = Value(await articles.Workflow.UnpublishAsync(editor.Principal, story.Id, story.Version)).Version);
        await walk.ActionAsync(AuditActions.ArticleScheduled, editor, headline, async () =>
            story.Version = Value(await articles.Workflow.ScheduleAsync(editor.Principal, story.Id, story.Version, DateTime.UtcNow.AddDays(1))).Version);
        await walk.ActionAsync(AuditActions.ArticleTrashed, editor, headline, async () => story.Version = Value(await articles.Workflow.TrashAsync(editor.Principal, story.Id, story.Version)).Version);
        await walk.ActionAsync(AuditActions.ArticleRestored, editor, headline, async () => story.Version = Value(await articles.Workflow.RestoreAsync(editor.Principal, story.Id, story.Version)).Version);

        var ownHeadline = "Walk: tide tables";
        var first = await articles.Editing.SaveAsync(author.Principal, null, new ArticleInput { Headline = ownHeadline, BodyHtml = "<p>First text.</p>" }, null, SaveKind.Manual);
        Assert.True(first.Succeeded, first.Error);
        var own = await articles.Editing.SaveAsync(author.Principal, first.Id, new ArticleInput { Headline = ownHeadline, BodyHtml = "<p>Second text.</p>" }, first.Version, SaveKind.Manual);
        Assert.True(own.Succeeded, own.Error);
        await walk.ActionAsync(AuditActions.ArticleTakenOver, editor, ownHeadline, async () => Ok(await articles.Editing.AuthorizeTakeOverAsync(editor.Principal, own.Id, author.DisplayName)));
        await walk.ActionAsync(AuditActions.RevisionRestored, author, ownHeadline, async () =>
        {
            var oldest = Value(await articles.Reads.ListRevisionsAsync(author.Principal, own.Id))[^1];
            var restored = await articles.Editing.RestoreRevisionAsync(author.Principal, own.Id, oldest.Id, own.Version);
            Assert.True(restored.Succeeded, restored.Error);
        });

        // Editorial notes on the writer's own article: the desk adds, the writer replies, resolves, reopens.
        var notes = Service<NewsCms.Web.Features.Notes.EditorialNotes>();
        NewsCms.Web.Features.Notes.NoteThread? thread = null;
        await walk.ActionAsync(AuditActions.NoteAdded, editor, ownHeadline, async () =>
            thread = Value(await notes.AddAsync(editor.Principal, own.Id, "walk-note", "Second text", "Check the date.")));
        await walk.ActionAsync(AuditActions.NoteReplied, author, ownHeadline, async () => Value(await notes.ReplyAsync(author.Principal, own.Id, thread!.Id, "Checked.")));
        await walk.ActionAsync(AuditActions.NoteResolved, author, ownHeadline, async () => Value(await notes.ResolveAsync(author.Principal, own.Id, thread!.Id)));
        await walk.ActionAsync(AuditActions.NoteReopened, editor, ownHeadline, async () => Value(await notes.ReopenAsync(editor.Principal, own.Id, thread!.Id)));

        // Images.
        MediaImage? image = null;
        await walk.ActionAsync(AuditActions.MediaUploaded, contributor, "walk-harbour.jpg", async () =>
        {
            using var picture = new MemoryStream(TestImages.Jpeg(64, 48));
            image = Value(await media.UploadAsync(contributor.Principal, picture, "walk-harbour.jpg", picture.Length));
        });
        await walk.ActionAsync(AuditActions.MediaUpdated, contributor, "walk-harbour.jpg", async () =>
            Value(await media.UpdateDetailsAsync(contributor.Principal, image!.Id, new MediaDetailsInput { AltText = "Boats in the harbour" })));
        await walk.ActionAsync(AuditActions.MediaDeleted, editor, "walk-harbour.jpg", async () => Ok(await media.DeleteAsync(editor.Principal, image!.Id)));

        // Tags and sections.
        TagSummary? tag = null, other = null;
        await walk.ActionAsync(AuditActions.TagCreated, author, "Walk tides", async () => tag = Value(await taxonomy.CreateTagAsync(author.Principal, new TaxonomyInput { Name = "Walk tides" })));
        await walk.ActionAsync(AuditActions.TagUpdated, editor, "Walk tides", async () => Ok(await taxonomy.UpdateTagAsync(editor.Principal, tag!.Id, new TaxonomyInput { Name = "Walk tide times" })));
        await walk.ActionAsync(AuditActions.TagsMerged, editor, "Walk tide times → Walk harbour", async () =>
        {
            other = Value(await taxonomy.CreateTagAsync(editor.Principal, new TaxonomyInput { Name = "Walk harbour" }));
            Ok(await taxonomy.MergeTagsAsync(editor.Principal, tag!.Id, other.Id));
        });
        await walk.ActionAsync(AuditActions.TagDeleted, editor, "Walk harbour", async () => Ok(await taxonomy.DeleteTagAsync(editor.Principal, other!.Id)));
        SectionSummary? section = null;
        await walk.ActionAsync(AuditActions.SectionCreated, editor, "Walk news", async () =>
        {
            Value(await taxonomy.CreateSectionAsync(editor.Principal, new TaxonomyInput { Name = "Walk sport" }));
            section = Value(await taxonomy.CreateSectionAsync(editor.Principal, new TaxonomyInput { Name = "Walk news" }));
        });
        await walk.ActionAsync(AuditActions.SectionUpdated, editor, "Walk news", async () => Ok(await taxonomy.UpdateSectionAsync(editor.Principal, section!.Id, new TaxonomyInput { Name = "Walk local news" })));
        await walk.ActionAsync(AuditActions.SectionMoved, editor, "Walk local news", async () => Ok(await taxonomy.MoveSectionAsync(editor.Principal, section!.Id, -1)));
        await walk.ActionAsync(AuditActions.SectionDeleted, editor, "Walk local news", async () => Ok(await taxonomy.DeleteSectionAsync(editor.Principal, section!.Id)));

        // Bylines.
        var guestId = 0;
        await walk.ActionAsync(AuditActions.AuthorCreated, editor, "Gus Guest", async () => guestId = Value(await authors.CreateAsync(editor.Principal, new AuthorInput { DisplayName = "Gus Guest" })));
        await walk.ActionAsync(AuditActions.AuthorUpdated, editor, "Gus Guest", async () =>
            Ok(await authors.UpdateAsync(editor.Principal, guestId, new AuthorInput { DisplayName = "Gus Guest", JobTitle = "Columnist" })));
        await walk.ActionAsync(AuditActions.AuthorDeleted, editor, "Gus Guest", async () => Ok(await authors.DeleteAsync(editor.Principal, guestId)));

        // Redirects.
        var redirects = Service<Redirects>();
        var redirectId = 0;
        await walk.ActionAsync(AuditActions.RedirectCreated, editor, "/walk-old → /walk-new", async () =>
            redirectId = Value(await redirects.AddAsync(editor.Principal, new RedirectInput { OldAddress = "/walk-old", NewAddress = "/walk-new" })));
        await walk.ActionAsync(AuditActions.RedirectUpdated, editor, "/walk-old → 410", async () =>
            Ok(await redirects.UpdateAsync(editor.Principal, redirectId, new RedirectInput { OldAddress = "/walk-old", Status = Redirects.Gone })));
        await walk.ActionAsync(AuditActions.RedirectDeleted, editor, "/walk-old", async () => Ok(await redirects.DeleteAsync(editor.Principal, redirectId)));

        // Integrations: an Administrator's, and never with a key in the entry.
        var integrations = Service<NewsCms.Web.Features.Integrations.Integrations>();
        NewsCms.Web.Features.Integrations.CreatedIntegration? integration = null;
        await walk.ActionAsync(AuditActions.IntegrationCreated, admin, "Walk wire", async () =>
            integration = Value(await integrations.CreateAsync(admin.Principal, "Walk wire", NewsroomRoles.Author)));
        await walk.ActionAsync(AuditActions.IntegrationRenamed, admin, "Walk wire desk", async () => Ok(await integrations.RenameAsync(admin.Principal, integration!.Id, "Walk wire desk")));
        await walk.ActionAsync(AuditActions.IntegrationRoleChanged, admin, "Walk wire desk", async () => Ok(await integrations.ChangeRoleAsync(admin.Principal, integration!.Id, NewsroomRoles.Editor)));
        await walk.ActionAsync(AuditActions.IntegrationKeyRegenerated, admin, "Walk wire desk", async () =>
            Value(await integrations.RegenerateKeyAsync(admin.Principal, integration!.Id, NewsCms.Web.Features.Integrations.IntegrationKeyKind.Admin)));
        await walk.ActionAsync(AuditActions.IntegrationKeyRevoked, admin, "Walk wire desk", async () =>
            Ok(await integrations.RevokeKeyAsync(admin.Principal, integration!.Id, NewsCms.Web.Features.Integrations.IntegrationKeyKind.Content)));
        await walk.ActionAsync(AuditActions.IntegrationDeleted, admin, "Walk wire desk", async () => Ok(await integrations.DeleteAsync(admin.Principal, integration!.Id)));
        await walk.StepAsync("integration keys stay out of the audit log", async () =>
        {
            await using var keyScope = app.Services.CreateAsyncScope();
            var texts = await keyScope.ServiceProvider.GetRequiredService<NewsCmsDbContext>().AuditEntries.AsNoTracking()
                .Select(e => e.Target + " " + e.Details).ToListAsync();
            Assert.DoesNotContain(texts, t => t.Contains(integration!.ContentKey, StringComparison.Ordinal) || t.Contains(integration.AdminKey.Split(':')[1], StringComparison.Ordinal));
        });

        var notWalked = AuditActions.All.Except(walk.Checked).Except(CheckedElsewhere.Keys).Select(a => $"{a}: no step of the walk checks it");
        var problems = walk.Failures.Concat(notWalked).ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Actions_checked_elsewhere_are_real_actions() =>
        Assert.All(CheckedElsewhere.Keys, action => Assert.Contains(action, AuditActions.All));

    private static T Value<T>(NewsCms.Web.Features.Hosting.ServiceResult<T> result)
    {
        Assert.True(result.Succeeded, result.Error);
        return result.Value!;
    }

    private static void Ok(NewsCms.Web.Features.Hosting.ServiceResult result) => Assert.True(result.Succeeded, result.Error);

    /// <summary>Who an entry should name: the account (null for sign-in attempts at no known account) and its name.</summary>
    private sealed record Actor(string? UserId, string DisplayName)
    {
        public ClaimsPrincipal Principal { get; init; } = new();
        public string Email { get; init; } = "";
    }

    /// <summary>Runs the steps, collecting failures so that one broken step does not hide the others.</summary>
    private sealed class Walk(NewsCmsAppFactory app)
    {
        public HashSet<string> Checked { get; } = [];
        public List<string> Failures { get; } = [];

        public async Task<Actor> AccountAsync(string email, string displayName) =>
            new(await app.UserIdAsync(email), displayName) { Principal = await app.PrincipalForAsync(email), Email = email };

        public async Task<Actor> NewAccountAsync(string role, string displayName)
        {
            var (_, email, _) = await app.CreateUserAsync(role, displayName: displayName);
            return await AccountAsync(email, displayName);
        }

        /// <summary>Takes an action and expects its entry, naming the actor and a target containing <paramref name="target"/>.</summary>
        public Task ActionAsync(string action, Actor actor, string target, Func<Task> act) => StepAsync(action, async () =>
        {
            var since = DateTime.UtcNow;
            await act();
            await ExpectAsync(action, actor, target, since);
        });

        public async Task StepAsync(string title, Func<Task> step)
        {
            try
            {
                await step();
            }
            catch (Exception ex)
            {
                Failures.Add($"{title}: {ex.Message.ReplaceLineEndings(" ")}");
            }
        }

        /// <summary>Asserts the entry in this walk's app, or in <paramref name="on"/> for an action taken on another site.</summary>
        public async Task ExpectAsync(string action, Actor actor, string target, DateTime? since = null, NewsCmsAppFactory? on = null)
        {
            Checked.Add(action);
            var until = DateTime.UtcNow;
            await using var scope = (on ?? app).Services.CreateAsyncScope();
            var entries = await scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>().AuditEntries.AsNoTracking()
                .Where(e => e.Action == action).ToListAsync();
            var found = entries.Any(e => e.ActorName == actor.DisplayName && e.ActorId == actor.UserId && e.Target.Contains(target, StringComparison.Ordinal)
                && e.At >= (since ?? DateTime.MinValue) && e.At <= until);
            Assert.True(found, $"no {action} entry by {actor.DisplayName} on \"{target}\" between {since:O} and {until:O}; entries of that action: "
                + string.Join("; ", entries.Select(e => $"{e.At:O} {e.ActorName} ({e.ActorId ?? "no account"}) on \"{e.Target}\"")));
        }
    }
}
