using System.Reflection;
using System.Security.Claims;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Import;
using NewsCms.Web.Features.Breaking;
using NewsCms.Web.Features.FrontPage;
using NewsCms.Web.Features.Corrections;
using NewsCms.Web.Features.LiveBlogs;
using NewsCms.Web.Features.Redirects;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.Webhooks;
using static NewsCms.Web.Features.Users.Capabilities;

namespace NewsCms.Tests.Integration;

/// <summary>
/// What the newsroom does over the circuit is not a route: pages call services, which check the acting user. This
/// matrix finds every public service method that takes the acting user (by reflection), calls it as anonymous and as
/// each role, on the caller's own article, image or byline and on someone else's, and checks that it goes through
/// exactly when its rule says so, and that a refused call changes nothing in the database.
/// </summary>
public sealed class ServiceAuthorizationMatrixTests(NewsroomFixture site) : IClassFixture<NewsroomFixture>
{
    /// <summary>Who may call: the roles of <paramref name="Own"/> on the caller's own thing, of <paramref name="Any"/> on anyone else's.</summary>
    private sealed record Rule(string Own, string Any)
    {
        public bool Allows(string? role, bool own) => role is not null && Capabilities.Allows(role, own ? Own : Any);
    }

    private static Rule Can(string capability) => new(capability, capability);

    private static Rule OwnOr(string own, string any) => new(own, any);

    /// <summary>Only on the caller's own thing: no role may on anyone else's.</summary>
    private static Rule OwnOnly(string own) => new(own, "NobodyElses");

    /// <summary>A call ready to make as any principal; answers null when it went through, otherwise why not.</summary>
    private delegate Task<string?> Call(ClaimsPrincipal acting);

    /// <summary>
    /// One way of calling a service method. <paramref name="Arrange"/> makes fresh things for every call (the given
    /// member's own, or someone else's when null), so each call starts from the same state. <paramref name="Owned"/>
    /// cases are tried both on the caller's own thing and on someone else's.
    /// </summary>
    private sealed record Case(string Method, Rule Rule, bool Owned, Func<Desk, Member?, Task<Call>> Arrange, string Variant = "")
    {
        public override string ToString() => Method + Variant;
    }

    private static readonly IReadOnlyList<Case> Cases =
    [
        // Articles: writers touch the articles they are an author of; the desk (EditAnyArticle) touches any.
        new("NewsroomArticleReads.GetForEditAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            return async p => (await d.Articles.Reads.GetForEditAsync(p, a.Id)).Error;
        }),
        new("ArticleEditing.SaveAsync", Can(AccessNewsroom), false, (d, _) =>
            Task.FromResult<Call>(async p => Refusal(await d.Articles.Editing.SaveAsync(p, null, Desk.Text("New story"), null, SaveKind.Manual))), " (new)"),
        new("ArticleEditing.SaveAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            return async p => Refusal(await d.Articles.Editing.SaveAsync(p, a.Id, Desk.Text("Edited draft"), a.Version, SaveKind.Manual));
        }, " (draft)"),
        // Once submitted, a Contributor's article is the desk's: only those who publish may still change it.
        new("ArticleEditing.SaveAsync", OwnOr(PublishArticles, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.InReviewAsync(owner);
            return async p => Refusal(await d.Articles.Editing.SaveAsync(p, a.Id, Desk.Text("Edited in review"), a.Version, SaveKind.Manual));
        }, " (in review)"),
        new("ArticleEditing.ResolveConflictAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            return async p => Refusal(await d.Articles.Editing.ResolveConflictAsync(p, a.Id, Desk.Text("My side"), a.Version, keepMine: false));
        }),
        new("ArticleWorkflowService.SubmitAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            return async p => (await d.Articles.Workflow.SubmitAsync(p, a.Id, a.Version)).Error;
        }),
        new("ArticleWorkflowService.PublishAsync", OwnOr(PublishArticles, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            return async p => (await d.Articles.Workflow.PublishAsync(p, a.Id, a.Version)).Error;
        }),
        new("ArticleWorkflowService.ScheduleAsync", OwnOr(PublishArticles, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            return async p => (await d.Articles.Workflow.ScheduleAsync(p, a.Id, a.Version, DateTime.UtcNow.AddDays(1))).Error;
        }),
        new("ArticleWorkflowService.UnpublishAsync", OwnOr(PublishArticles, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.PublishedAsync(owner);
            return async p => (await d.Articles.Workflow.UnpublishAsync(p, a.Id, a.Version)).Error;
        }),
        new("ArticleWorkflowService.TrashAsync", Can(EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            return async p => (await d.Articles.Workflow.TrashAsync(p, a.Id, a.Version)).Error;
        }),
        // The review queue: the desk sends submissions back; a writer withdraws only their own, before review starts.
        new("ArticleWorkflowService.RequestChangesAsync", Can(EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.InReviewAsync(owner);
            return async p => (await d.Articles.Workflow.RequestChangesAsync(p, a.Id, a.Version, "Check the figures.")).Error;
        }),
        new("ArticleWorkflowService.WithdrawAsync", OwnOnly(AccessNewsroom), true, async (d, owner) =>
        {
            var a = await d.InReviewAsync(owner);
            return async p => (await d.Articles.Workflow.WithdrawAsync(p, a.Id, a.Version)).Error;
        }),
        new("ArticleWorkflowService.StartReviewAsync", Can(EditAnyArticle), false, async (d, _) =>
        {
            var a = await d.InReviewAsync(null);
            return async p => (await d.Articles.Workflow.StartReviewAsync(p, a.Id)).Error;
        }),
        new("NewsroomDashboard.GetAsync", Can(AccessNewsroom), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Dashboard.GetAsync(p)).Error)),
        new("NewsroomDashboard.ReviewQueueAsync", Can(EditAnyArticle), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Dashboard.ReviewQueueAsync(p)).Error)),
        new("NewsroomDashboard.ReviewQueueCountAsync", Can(EditAnyArticle), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Dashboard.ReviewQueueCountAsync(p)).Error)),
        // Notifications: each person reads and marks only their own.
        new("Notifications.ListAsync", Can(AccessNewsroom), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Notifications.ListAsync(p)).Error)),
        new("Notifications.MarkReadAsync", OwnOnly(AccessNewsroom), true, async (d, owner) =>
        {
            var id = await d.NotificationAsync(owner);
            return async p => (await d.Notifications.MarkReadAsync(p, id)).Error;
        }),
        new("Notifications.MarkAllReadAsync", Can(AccessNewsroom), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Notifications.MarkAllReadAsync(p)).Error)),
        new("ArticleWorkflowService.RestoreAsync", Can(EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.TrashedAsync(owner);
            return async p => (await d.Articles.Workflow.RestoreAsync(p, a.Id, a.Version)).Error;
        }),
        new("ArticleEditing.AuthorizeTakeOverAsync", Can(EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            return async p => (await d.Articles.Editing.AuthorizeTakeOverAsync(p, a.Id, "Someone")).Error;
        }),
        new("NewsroomArticleReads.ListRevisionsAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            return async p => (await d.Articles.Reads.ListRevisionsAsync(p, a.Id)).Error;
        }),
        new("NewsroomArticleReads.GetRevisionAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            var revision = await d.FirstRevisionAsync(a.Id);
            return async p => (await d.Articles.Reads.GetRevisionAsync(p, a.Id, revision)).Error;
        }),
        new("ArticleEditing.RestoreRevisionAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            var revision = await d.FirstRevisionAsync(a.Id);
            return async p => Refusal(await d.Articles.Editing.RestoreRevisionAsync(p, a.Id, revision, a.Version));
        }),
        // Editorial notes: read by whoever may open the article, written by whoever may edit it (the workflow's Edit rule).
        new("EditorialNotes.ListAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.InReviewAsync(owner);
            return async p => (await d.Notes.ListAsync(p, a.Id)).Error;
        }),
        new("EditorialNotes.AddAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            return async p => (await d.Notes.AddAsync(p, a.Id, "n" + Guid.NewGuid().ToString("N")[..8], "Text", "Check this.")).Error;
        }, " (draft)"),
        new("EditorialNotes.AddAsync", OwnOr(PublishArticles, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.InReviewAsync(owner);
            return async p => (await d.Notes.AddAsync(p, a.Id, "n" + Guid.NewGuid().ToString("N")[..8], "Text", "Check this.")).Error;
        }, " (in review)"),
        new("EditorialNotes.ReplyAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var (a, thread) = await d.NoteAsync(owner);
            return async p => (await d.Notes.ReplyAsync(p, a, thread, "Done.")).Error;
        }),
        new("EditorialNotes.ResolveAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var (a, thread) = await d.NoteAsync(owner);
            return async p => (await d.Notes.ResolveAsync(p, a, thread)).Error;
        }),
        new("EditorialNotes.ReopenAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var (a, thread) = await d.NoteAsync(owner);
            Assert.True((await d.Notes.ResolveAsync(d.Admin, a, thread)).Succeeded);
            return async p => (await d.Notes.ReopenAsync(p, a, thread)).Error;
        }),
        new("NewsroomArticleReads.PreviewAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            return async p => (await d.Articles.Reads.PreviewAsync(p, a.Id)).Error;
        }),
        // Listing is open to the newsroom, but writers see only their own articles in it.
        new("NewsroomArticleReads.ListAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var headline = Desk.Unique("Listed");
            var a = await d.DraftAsync(owner, headline);
            return async p => (await d.Articles.Reads.ListAsync(p, new ArticleListQuery(Search: headline))) is { Succeeded: true } list
                ? Found(list.Value!.Items, i => i.Id == a.Id) : "refused";
        }),
        new("NewsroomArticleReads.CountByStatusAsync", Can(AccessNewsroom), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Articles.Reads.CountByStatusAsync(p)).Error)),
        new("NewsroomArticleReads.FindPublishedAsync", Can(AccessNewsroom), false, async (d, _) =>
        {
            var headline = Desk.Unique("Published");
            var a = await d.PublishedAsync(null, headline);
            return async p => Found(await d.Articles.Reads.FindPublishedAsync(p, headline, excludeId: 0), l => l.Id == a.Id);
        }),

        // Tags and sections: Authors may add a tag while writing; the rest is the desk's.
        new("TaxonomyService.ListTagsAsync", Can(AccessNewsroom), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Taxonomy.ListTagsAsync(p, null, 0, 10)).Error)),
        new("TaxonomyService.FindTagsAsync", Can(AccessNewsroom), false, async (d, _) =>
        {
            var tag = await d.TagAsync();
            return async p => Found(await d.Taxonomy.FindTagsAsync(p, tag.Name), t => t.Id == tag.Id);
        }),
        new("TaxonomyService.CreateTagAsync", Can(CreateTags), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Taxonomy.CreateTagAsync(p, new TaxonomyInput { Name = Desk.Unique("Tag") })).Error)),
        new("TaxonomyService.UpdateTagAsync", Can(ManageTaxonomy), false, async (d, _) =>
        {
            var tag = await d.TagAsync();
            return async p => (await d.Taxonomy.UpdateTagAsync(p, tag.Id, new TaxonomyInput { Name = Desk.Unique("Renamed tag") })).Error;
        }),
        new("TaxonomyService.DeleteTagAsync", Can(ManageTaxonomy), false, async (d, _) =>
        {
            var tag = await d.TagAsync();
            return async p => (await d.Taxonomy.DeleteTagAsync(p, tag.Id)).Error;
        }),
        new("TaxonomyService.MergeTagsAsync", Can(ManageTaxonomy), false, async (d, _) =>
        {
            var (source, target) = (await d.TagAsync(), await d.TagAsync());
            return async p => (await d.Taxonomy.MergeTagsAsync(p, source.Id, target.Id)).Error;
        }),
        new("TaxonomyService.CreateSectionAsync", Can(ManageTaxonomy), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Taxonomy.CreateSectionAsync(p, new TaxonomyInput { Name = Desk.Unique("Section") })).Error)),
        new("TaxonomyService.UpdateSectionAsync", Can(ManageTaxonomy), false, async (d, _) =>
        {
            var section = await d.SectionAsync();
            return async p => (await d.Taxonomy.UpdateSectionAsync(p, section.Id, new TaxonomyInput { Name = Desk.Unique("Renamed section") })).Error;
        }),
        new("TaxonomyService.MoveSectionAsync", Can(ManageTaxonomy), false, async (d, _) =>
        {
            var section = await d.SectionAsync();
            return async p => (await d.Taxonomy.MoveSectionAsync(p, section.Id, -1)).Error;
        }),
        new("TaxonomyService.DeleteSectionAsync", Can(ManageTaxonomy), false, async (d, _) =>
        {
            var section = await d.SectionAsync();
            return async p => (await d.Taxonomy.DeleteSectionAsync(p, section.Id)).Error;
        }),

        // Bylines: everyone edits their own; the desk (ManageAuthors) adds, edits and deletes any.
        new("AuthorProfiles.ListAsync", Can(AccessNewsroom), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Authors.ListAsync(p, null, 0, 10)).Error)),
        new("AuthorProfiles.FindAsync", Can(AccessNewsroom), false, async (d, _) =>
        {
            var guest = await d.GuestAuthorAsync();
            return async p => Found(await d.Authors.FindAsync(p, guest.DisplayName), a => a.Id == guest.Id);
        }),
        new("AuthorProfiles.GetAsync", Can(AccessNewsroom), false, async (d, _) =>
        {
            var guest = await d.GuestAuthorAsync();
            return async p => (await d.Authors.GetAsync(p, guest.Id)).Error;
        }),
        new("AuthorProfiles.GetOwnAsync", Can(AccessNewsroom), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Authors.GetOwnAsync(p)).Error)),
        new("AuthorProfiles.CreateAsync", Can(ManageAuthors), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Authors.CreateAsync(p, new AuthorInput { DisplayName = Desk.Unique("Guest") })).Error)),
        new("AuthorProfiles.UpdateAsync", OwnOr(AccessNewsroom, ManageAuthors), true, async (d, owner) =>
        {
            var profile = owner is null ? await d.GuestAuthorAsync() : (await d.Authors.GetAsync(d.Admin, owner.ProfileId)).Value!;
            var input = AuthorInput.From(profile);
            input.JobTitle = Desk.Unique("Reporter");
            return async p => (await d.Authors.UpdateAsync(p, profile.Id, input)).Error;
        }),
        new("AuthorProfiles.DeleteAsync", Can(ManageAuthors), false, async (d, _) =>
        {
            var guest = await d.GuestAuthorAsync();
            return async p => (await d.Authors.DeleteAsync(p, guest.Id)).Error;
        }),

        // Redirects: the desk's.
        // Imports: Administrators only. Only the authorization answer counts here: the runs arranged have no files, so an
        // allowed call stops at "upload it again", and nothing starts.
        new("ImportRuns.StartWordPressAsync", Can(ImportContent), false, (d, _) =>
            Task.FromResult<Call>(async p => Denied((await d.Imports.StartWordPressAsync(p, new MemoryStream([1]), "export.docx", null, null, false)).Error))),
        new("ImportRuns.ListAsync", Can(ImportContent), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Imports.ListAsync(p)).Error)),
        new("ImportRuns.GetAsync", Can(ImportContent), false, async (d, _) =>
        {
            var id = await d.ImportRunAsync(ImportRunStatus.DryRun);
            return async p => (await d.Imports.GetAsync(p, id)).Error;
        }),
        new("ImportRuns.ImportAsync", Can(ImportContent), false, async (d, _) =>
        {
            var id = await d.ImportRunAsync(ImportRunStatus.DryRun);
            return async p => Denied((await d.Imports.ImportAsync(p, id)).Error);
        }),
        new("ImportRuns.ResumeAsync", Can(ImportContent), false, async (d, _) =>
        {
            var id = await d.ImportRunAsync(ImportRunStatus.Interrupted);
            return async p => Denied((await d.Imports.ResumeAsync(p, id)).Error);
        }),
        // Live blogs: the composer reads as the editor does; running coverage and its entries is publishing (own or any).
        new("LiveBlogService.GetAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.PublishedAsync(owner);
            return async p => (await d.Live.GetAsync(p, a.Id)).Error;
        }),
        new("LiveBlogService.SetCoverageAsync", OwnOr(PublishArticles, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.PublishedAsync(owner);
            return async p => (await d.Live.SetCoverageAsync(p, a.Id, true)).Error;
        }),
        new("LiveBlogService.PostAsync", OwnOr(PublishArticles, EditAnyArticle), true, async (d, owner) =>
        {
            var id = await d.LiveBlogAsync(owner);
            return async p => (await d.Live.PostAsync(p, id, new LiveEntryInput("<p>Update.</p>"))).Error;
        }),
        new("LiveBlogService.EditAsync", OwnOr(PublishArticles, EditAnyArticle), true, async (d, owner) =>
        {
            var entry = await d.LiveEntryAsync(owner);
            return async p => (await d.Live.EditAsync(p, entry.Id, entry.Version, new LiveEntryInput("<p>Edited.</p>"))).Error;
        }),
        new("LiveBlogService.DeleteAsync", OwnOr(PublishArticles, EditAnyArticle), true, async (d, owner) =>
        {
            var entry = await d.LiveEntryAsync(owner);
            return async p => (await d.Live.DeleteAsync(p, entry.Id, entry.Version)).Error;
        }),
        // Corrections and updates: the editor's panel reads as the editor does; adding, editing and withdrawing one is
        // the desk's public statement (CorrectArticles), even on a writer's own article.
        new("ArticleCorrections.GetAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.PublishedAsync(owner);
            return async p => (await d.Corrections.GetAsync(p, a.Id)).Error;
        }),
        new("ArticleCorrections.AddAsync", Can(CorrectArticles), true, async (d, owner) =>
        {
            var a = await d.PublishedAsync(owner);
            return async p => (await d.Corrections.AddAsync(p, a.Id, new CorrectionInput(CorrectionKind.Correction, "An earlier version misspelt the mayor's name."))).Error;
        }),
        new("ArticleCorrections.EditAsync", Can(CorrectArticles), true, async (d, owner) =>
        {
            var c = await d.CorrectionAsync(owner);
            return async p => (await d.Corrections.EditAsync(p, c.Id, c.Version, new CorrectionInput(CorrectionKind.Update, "The council has since replied."))).Error;
        }),
        new("ArticleCorrections.WithdrawAsync", Can(CorrectArticles), true, async (d, owner) =>
        {
            var c = await d.CorrectionAsync(owner);
            return async p => (await d.Corrections.WithdrawAsync(p, c.Id, c.Version)).Error;
        }),
        // The breaking-news banner: the desk only.
        new("BreakingNews.GetAsync", Can(ManageBreakingNews), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Breaking.GetAsync(p)).Error)),
        new("BreakingNews.FindArticlesAsync", Can(ManageBreakingNews), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Breaking.FindArticlesAsync(p, "")).Error)),
        new("BreakingNews.SetAsync", Can(ManageBreakingNews), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Breaking.SetAsync(p, new BannerInput(Desk.Unique("Breaking"), null, DateTime.UtcNow.AddHours(1)))).Error)),
        new("BreakingNews.ClearAsync", Can(ManageBreakingNews), false, async (d, _) =>
        {
            Assert.True((await d.Breaking.SetAsync(d.Admin, new BannerInput(Desk.Unique("Breaking"), null, DateTime.UtcNow.AddHours(1)))).Succeeded);
            return async p => (await d.Breaking.ClearAsync(p)).Error;
        }),
        // The curated front page: the desk only. Saving no pins is the page as it is without curation.
        new("FrontPageDesk.GetAsync", Can(ArrangeFrontPage), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.FrontPage.GetAsync(p)).Error)),
        new("FrontPageDesk.FindStoriesAsync", Can(ArrangeFrontPage), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.FrontPage.FindStoriesAsync(p, "")).Error)),
        new("FrontPageDesk.SaveAsync", Can(ArrangeFrontPage), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.FrontPage.SaveAsync(p, [], "")).Error)),
        new("Redirects.ListAsync", Can(ManageRedirects), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Redirects.ListAsync(p, null, 0, 10)).Error)),
        new("Redirects.ListRenamesAsync", Can(ManageRedirects), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Redirects.ListRenamesAsync(p, null, 0, 10)).Error)),
        new("Redirects.AddAsync", Can(ManageRedirects), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Redirects.AddAsync(p, new RedirectInput { OldAddress = "/" + Desk.Unique("old").Replace(' ', '-'), NewAddress = "/new" })).Error)),
        new("Redirects.UpdateAsync", Can(ManageRedirects), false, async (d, _) =>
        {
            var id = await d.RedirectAsync();
            return async p => (await d.Redirects.UpdateAsync(p, id, new RedirectInput { OldAddress = "/" + Desk.Unique("moved").Replace(' ', '-'), Status = Redirects.Gone })).Error;
        }),
        new("Redirects.DeleteAsync", Can(ManageRedirects), false, async (d, _) =>
        {
            var id = await d.RedirectAsync();
            return async p => (await d.Redirects.DeleteAsync(p, id)).Error;
        }),

        // Webhooks of integrations: in the newsroom, Administrators only. (An integration's own account manages its own
        // integration's webhooks and no other's: WebhookTests.) The webhooks arranged are off, so nothing is delivered.
        new("Webhooks.ListAsync", Can(ManageIntegrations), false, async (d, _) =>
        {
            var integration = await d.IntegrationAsync();
            return async p => (await d.Webhooks.ListAsync(p, integration)).Error;
        }),
        new("Webhooks.ListDeliveriesAsync", Can(ManageIntegrations), false, async (d, _) =>
        {
            var integration = await d.IntegrationAsync();
            return async p => (await d.Webhooks.ListDeliveriesAsync(p, integration, 0, 10)).Error;
        }),
        new("Webhooks.AddAsync", Can(ManageIntegrations), false, async (d, _) =>
        {
            var integration = await d.IntegrationAsync();
            return async p => (await d.Webhooks.AddAsync(p, integration, Desk.OffWebhook())).Error;
        }),
        new("Webhooks.EditAsync", Can(ManageIntegrations), false, async (d, _) =>
        {
            var (integration, webhook) = await d.WebhookAsync();
            return async p => (await d.Webhooks.EditAsync(p, integration, webhook, new WebhookInput { Name = Desk.Unique("Renamed hook") })).Error;
        }),
        new("Webhooks.DeleteAsync", Can(ManageIntegrations), false, async (d, _) =>
        {
            var (integration, webhook) = await d.WebhookAsync();
            return async p => (await d.Webhooks.DeleteAsync(p, integration, webhook)).Error;
        }),
        // Only the authorization answer counts: the webhook is off, so an allowed resend stops at "turn it on".
        new("Webhooks.ResendAsync", Can(ManageIntegrations), false, async (d, _) =>
        {
            var delivery = await d.FailedDeliveryAsync();
            return async p => Denied((await d.Webhooks.ResendAsync(p, delivery)).Error);
        }),

        // Images: anyone in the newsroom uploads; the uploader and the desk describe and delete.
        new("MediaLibrary.UploadAsync", Can(AccessNewsroom), false, (d, _) => Task.FromResult<Call>(async p =>
        {
            using var picture = new MemoryStream(Desk.Picture);
            return (await d.Media.UploadAsync(p, picture, "matrix.jpg", picture.Length)).Error;
        })),
        new("MediaLibrary.ListAsync", Can(AccessNewsroom), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Media.ListAsync(p, null, 0, 10)).Error)),
        new("MediaLibrary.GetAsync", Can(AccessNewsroom), false, async (d, _) =>
        {
            var image = await d.ImageAsync(null);
            return async p => (await d.Media.GetAsync(p, image.Id)).Error;
        }),
        new("MediaLibrary.UpdateDetailsAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var image = await d.ImageAsync(owner);
            return async p => (await d.Media.UpdateDetailsAsync(p, image.Id, new MediaDetailsInput { AltText = Desk.Unique("A harbour") })).Error;
        }),
        new("MediaLibrary.DeleteAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var image = await d.ImageAsync(owner);
            return async p => (await d.Media.DeleteAsync(p, image.Id)).Error;
        }),

        // Accounts: Administrators only, except the dashboard's head count.
        new("UserAdministration.ListAsync", Can(ManageUsers), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Users.ListAsync(p, null, 0, 10)).Error)),
        new("UserAdministration.GetAsync", Can(ManageUsers), false, async (d, _) =>
        {
            var id = await d.AccountAsync();
            return async p => (await d.Users.GetAsync(p, id)).Error;
        }),
        new("UserAdministration.CountByRoleAsync", Can(AccessNewsroom), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Users.CountByRoleAsync(p)).Error)),
        new("UserAdministration.CreateAsync", Can(ManageUsers), false, (d, _) => Task.FromResult<Call>(async p =>
            (await d.Users.CreateAsync(p, new NewUserInput { DisplayName = "New Colleague", Email = $"new-{Guid.NewGuid():N}@newsroom.test" })).Error)),
        new("UserAdministration.UpdateAsync", Can(ManageUsers), false, async (d, _) =>
        {
            var id = await d.AccountAsync();
            return async p => (await d.Users.UpdateAsync(p, id, "Promoted Colleague", NewsroomRoles.Author)).Error;
        }),
        new("UserAdministration.LockAsync", Can(ManageUsers), false, async (d, _) =>
        {
            var id = await d.AccountAsync();
            return async p => (await d.Users.LockAsync(p, id)).Error;
        }),
        new("UserAdministration.UnlockAsync", Can(ManageUsers), false, async (d, _) =>
        {
            var id = await d.AccountAsync();
            Assert.True((await d.Users.LockAsync(d.Admin, id)).Succeeded);
            return async p => (await d.Users.UnlockAsync(p, id)).Error;
        }),
        new("UserAdministration.ResetPasswordAsync", Can(ManageUsers), false, async (d, _) =>
        {
            var id = await d.AccountAsync();
            return async p => (await d.Users.ResetPasswordAsync(p, id)).Error;
        }),
        new("UserAdministration.DeleteAsync", Can(ManageUsers), false, async (d, _) =>
        {
            var id = await d.AccountAsync();
            return async p => (await d.Users.DeleteAsync(p, id)).Error;
        }),

        new("SiteSettingsService.SaveAsync", Can(ManageSettings), false, (d, _) => Task.FromResult<Call>(async p =>
            (await d.Settings.SaveAsync(p, new SiteSettingsInput { Title = Desk.Unique("Matrix Gazette") })).Error)),

        // The whole site out and in: Administrators only.
        new("SiteExporter.ExportAsync", Can(ManageSettings), false, (d, _) => Task.FromResult<Call>(async p =>
            (await d.Exporter.ExportAsync(p, Stream.Null, "matrix.zip")).Error)),
        new("SiteImporter.ImportAsync", Can(ManageSettings), false, (d, _) => Task.FromResult<Call>(async p =>
        {
            var file = Desk.ForeignArchive();
            try
            {
                return (await d.Importer.ImportAsync(p, file)).Error;
            }
            finally
            {
                File.Delete(file);
            }
        })),

        // Integrations and their keys: Administrators only.
        new("Integrations.ListAsync", Can(ManageIntegrations), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Integrations.ListAsync(p)).Error)),
        new("Integrations.GetAsync", Can(ManageIntegrations), false, async (d, _) =>
        {
            var id = await d.NewIntegrationAsync();
            return async p => (await d.Integrations.GetAsync(p, id)).Error;
        }),
        new("Integrations.CreateAsync", Can(ManageIntegrations), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Integrations.CreateAsync(p, Desk.Unique("Matrix app"), NewsroomRoles.Contributor)).Error)),
        new("Integrations.RenameAsync", Can(ManageIntegrations), false, async (d, _) =>
        {
            var id = await d.NewIntegrationAsync();
            return async p => (await d.Integrations.RenameAsync(p, id, Desk.Unique("Renamed app"))).Error;
        }),
        new("Integrations.ChangeRoleAsync", Can(ManageIntegrations), false, async (d, _) =>
        {
            var id = await d.NewIntegrationAsync();
            return async p => (await d.Integrations.ChangeRoleAsync(p, id, NewsroomRoles.Editor)).Error;
        }),
        new("Integrations.RegenerateKeyAsync", Can(ManageIntegrations), false, async (d, _) =>
        {
            var id = await d.NewIntegrationAsync();
            return async p => (await d.Integrations.RegenerateKeyAsync(p, id, NewsCms.Web.Features.Integrations.IntegrationKeyKind.Admin)).Error;
        }),
        new("Integrations.RevokeKeyAsync", Can(ManageIntegrations), false, async (d, _) =>
        {
            var id = await d.NewIntegrationAsync();
            return async p => (await d.Integrations.RevokeKeyAsync(p, id, NewsCms.Web.Features.Integrations.IntegrationKeyKind.Content)).Error;
        }),
        new("Integrations.DeleteAsync", Can(ManageIntegrations), false, async (d, _) =>
        {
            var id = await d.NewIntegrationAsync();
            return async p => (await d.Integrations.DeleteAsync(p, id)).Error;
        }),

        // Readership: site-wide figures for the desk; an article's figures for whoever may open it.
        new("ReadershipReports.MostReadTodayAsync", Can(ViewReadership), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Readership.MostReadTodayAsync(p, 5)).Error)),
        new("ReadershipReports.TopAsync", Can(ViewReadership), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Readership.TopAsync(p, 7, 10)).Error)),
        new("ReadershipReports.DailyTotalsAsync", Can(ViewReadership), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Readership.DailyTotalsAsync(p, 30)).Error)),
        new("ReadershipReports.ArticleStatsAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.DraftAsync(owner);
            return async p => (await d.Readership.ArticleStatsAsync(p, a.Id, 30)).Error;
        }),
        // Open to the newsroom, but writers get only their own articles' totals.
        new("ReadershipReports.TotalsAsync", OwnOr(AccessNewsroom, EditAnyArticle), true, async (d, owner) =>
        {
            var a = await d.ViewedDraftAsync(owner);
            return async p => (await d.Readership.TotalsAsync(p, [a])) is { Succeeded: true } totals
                ? totals.Value!.ContainsKey(a) ? null : "not among the results" : "refused";
        }),

        // The check the services themselves use: every newsroom role is someone, anonymous is no one.
        new("NewsroomActors.ResolveAsync", Can(AccessNewsroom), false, (d, _) =>
            Task.FromResult<Call>(async p => (await d.Actors.ResolveAsync(p)).Error)),
    ];

    /// <summary>Public methods of those services that take no acting user, and why none is needed.</summary>
    private static readonly IReadOnlyDictionary<string, string> WithoutActingUser = new Dictionary<string, string>
    {
        ["ArticleWorkflowService.PublishDueAsync"] = "the scheduler publishes what someone allowed to publish scheduled",
        ["AuthorProfiles.EnsureForAccountAsync"] = "makes the byline of an account being made by setup or an Administrator",
        ["AuthorProfiles.BackfillAsync"] = "runs at start-up",
        ["MediaLibrary.GetByIdsAsync"] = "reads images for rendering; their files are public",
        ["BreakingNews.ShownAsync"] = "the banner every public page shows",
        ["TaxonomyService.ListSectionsAsync"] = "sections are public: they are the site's navigation",
    };

    [Fact]
    public void Every_service_method_has_a_rule()
    {
        var (withActor, withoutActor) = ServiceMethods();
        var ruled = Cases.Select(c => c.Method).ToHashSet();
        var problems = withActor.Except(ruled).Select(m => $"no rule for {m} (add a Case)")
            .Concat(ruled.Except(withActor).Select(m => $"a rule for {m}, which is not a public method taking the acting user"))
            .Concat(withoutActor.Except(WithoutActingUser.Keys).Select(m => $"{m} takes no acting user: say why in WithoutActingUser, or give it one"))
            .Concat(WithoutActingUser.Keys.Except(withoutActor).Select(m => $"{m} is listed in WithoutActingUser but is not such a method"))
            .ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    /// <summary>
    /// The check and the audit are the service's own business: it takes them from its constructor, so no caller can
    /// leave them out or hand in others.
    /// </summary>
    [Fact]
    public void No_public_method_takes_the_actor_check_or_the_audit_log_as_a_parameter()
    {
        var passed = typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m.GetParameters().Any(p => p.ParameterType == typeof(NewsroomActors) || p.ParameterType == typeof(AuditLog)))
                .Select(m => $"{t.Name}.{m.Name}"))
            .ToList();
        Assert.True(passed.Count == 0, "inject these by the constructor instead: " + string.Join(", ", passed));
    }

    [Fact]
    public async Task Each_call_goes_through_exactly_for_the_principals_its_rule_names()
    {
        var desk = new Desk(site);
        var failures = new List<string>();
        var calls = 0;
        foreach (var @case in Cases)
        {
            foreach (var (role, own) in Callers(@case.Owned))
            {
                var member = role is null ? null : site.ByRole[role];
                var call = await @case.Arrange(desk, own ? member : null);
                var allowed = @case.Rule.Allows(role, own);
                // A publish in an arrangement (or an allowed call before) has stories ranked again in the background:
                // done before the snapshot, so what a refused call changed is its own.
                await site.App.RelatedRankedAgainAsync();
                var before = allowed ? null : await DatabaseSnapshot.TakeAsync(site.App.Database);
                var who = $"{@case} as {role ?? "anonymous"}{(@case.Owned ? own ? " on their own" : " on someone else's" : "")}";
                calls++;
                var refusal = await call(member?.Principal ?? NewsroomFixture.Anonymous);
                if (allowed && refusal is not null) failures.Add($"{who}: refused (\"{refusal}\"), expected to go through");
                if (!allowed && refusal is null) failures.Add($"{who}: went through, expected a refusal");
                if (before is not null && (await DatabaseSnapshot.TakeAsync(site.App.Database)).ChangedSince(before) is { Count: > 0 } changed)
                {
                    failures.Add($"{who}: refused, yet changed {string.Join(", ", changed)}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {calls} calls broke their rule:\n" + string.Join('\n', failures));
    }

    /// <summary>Anonymous, then each role on someone else's thing and, for owned things, on their own.</summary>
    private static IEnumerable<(string? Role, bool Own)> Callers(bool owned)
    {
        yield return (null, false);
        foreach (var role in NewsroomRoles.All)
        {
            yield return (role, false);
            if (owned) yield return (role, true);
        }
    }

    /// <summary>
    /// Public methods of the app's services, named Type.Method: those whose first parameter is the acting user, and
    /// the others of the same types. A type is a service when at least one of its methods takes the acting user.
    /// </summary>
    private static (HashSet<string> WithActor, HashSet<string> WithoutActor) ServiceMethods()
    {
        static bool TakesActor(MethodInfo m) => m.GetParameters() is [var first, ..] && first.ParameterType == typeof(ClaimsPrincipal);
        var methods = typeof(Program).Assembly.GetTypes()
            .Select(t => (Type: t, Methods: t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => !m.IsSpecialName).ToList()))
            .Where(t => t.Methods.Any(TakesActor))
            .SelectMany(t => t.Methods.Select(m => (Name: $"{t.Type.Name}.{m.Name}", Actor: TakesActor(m))))
            .ToList();
        return (methods.Where(m => m.Actor).Select(m => m.Name).ToHashSet(), methods.Where(m => !m.Actor).Select(m => m.Name).ToHashSet());
    }

    /// <summary>The error when it is an authorization refusal; another (a validation message) means the call got past the check.</summary>
    private static string? Denied(string? error) => error is NewsroomActors.NotAllowed or NewsroomActors.SessionEnded ? error : null;

    private static string? Refusal(SaveOutcome outcome) => outcome.Succeeded ? null : outcome.Error ?? "a conflict";

    private static string? Found<T>(IEnumerable<T> items, Func<T, bool> match) => items.Any(match) ? null : "not among the results";

    /// <summary>The services and a way to make fresh things on the shared site, as its Administrator.</summary>
    private sealed class Desk(NewsroomFixture site)
    {
        public static readonly byte[] Picture = TestImages.Jpeg(32, 24);

        public NewsroomArticles Articles => site.Service<IServiceProvider>().NewsroomArticles();
        public TaxonomyService Taxonomy => site.Service<TaxonomyService>();
        public AuthorProfiles Authors => site.Service<AuthorProfiles>();
        public MediaLibrary Media => site.Service<MediaLibrary>();
        public UserAdministration Users => site.Service<UserAdministration>();
        public SiteSettingsService Settings => site.Service<SiteSettingsService>();
        public NewsroomActors Actors => site.Service<NewsroomActors>();
        public Redirects Redirects => site.Service<Redirects>();
        public ImportRuns Imports => site.Service<ImportRuns>();
        public Webhooks Webhooks => site.Service<Webhooks>();
        public NewsCms.Web.Features.Notifications.Notifications Notifications => site.Service<NewsCms.Web.Features.Notifications.Notifications>();
        public NewsCms.Web.Features.Dashboard.NewsroomDashboard Dashboard => site.Service<NewsCms.Web.Features.Dashboard.NewsroomDashboard>();

        /// <summary>An unread notification for the owner, or for the other writer.</summary>
        public async Task<long> NotificationAsync(Member? owner)
        {
            await using var db = await site.Service<Microsoft.EntityFrameworkCore.IDbContextFactory<NewsCms.Web.Data.NewsCmsDbContext>>().CreateDbContextAsync();
            var row = new NewsCms.Web.Features.Notifications.Notification
            {
                UserId = (owner ?? site.OtherWriter).UserId, Kind = NewsCms.Web.Features.Notifications.NotificationKind.Published,
                ArticleHeadline = "Matrix story", CreatedAt = DateTime.UtcNow,
            };
            db.Notifications.Add(row);
            await db.SaveChangesAsync();
            return row.Id;
        }

        public NewsCms.Web.Features.Readership.ReadershipReports Readership => site.Service<NewsCms.Web.Features.Readership.ReadershipReports>();

        /// <summary>A draft with views counted (as if it had been public for a while).</summary>
        public async Task<int> ViewedDraftAsync(Member? owner)
        {
            var (id, _) = await DraftAsync(owner);
            await using var db = await site.Service<Microsoft.EntityFrameworkCore.IDbContextFactory<NewsCms.Web.Data.NewsCmsDbContext>>().CreateDbContextAsync();
            db.ArticleViewDays.Add(new NewsCms.Web.Features.Readership.ArticleViewDay { ArticleId = id, Day = new DateOnly(2026, 1, 1), Views = 3 });
            await db.SaveChangesAsync();
            return id;
        }

        public NewsCms.Web.Features.Notes.EditorialNotes Notes => site.Service<NewsCms.Web.Features.Notes.EditorialNotes>();

        /// <summary>A draft (the owner's, or the other writer's) with one note thread on it, added by the Administrator.</summary>
        public async Task<(int Article, long Thread)> NoteAsync(Member? owner)
        {
            var a = await DraftAsync(owner);
            var added = await Notes.AddAsync(Admin, a.Id, "n" + Guid.NewGuid().ToString("N")[..8], "Text", "Check this.");
            Assert.True(added.Succeeded, added.Error);
            return (a.Id, added.Value!.Id);
        }

        private int? integrationId;

        /// <summary>An integration (its own account is an Editor's), made once per test.</summary>
        public async Task<int> IntegrationAsync() =>
            integrationId ??= (await TestIntegrations.CreateAsync(site.App.Services, NewsroomRoles.Editor, name: "Matrix integration")).Id;

        /// <summary>A webhook that is off (so nothing is ever sent to its made-up address).</summary>
        public static WebhookInput OffWebhook() =>
            new() { Event = WebhookEvents.TagAdded, TargetUrl = $"https://hooks.example.com/{Guid.NewGuid():N}", Active = false };

        public async Task<(int Integration, int Webhook)> WebhookAsync()
        {
            var integration = await IntegrationAsync();
            return (integration, Value(await Webhooks.AddAsync(Admin, integration, OffWebhook())).Id);
        }

        /// <summary>A delivery that failed, of a webhook that is off.</summary>
        public async Task<long> FailedDeliveryAsync()
        {
            var (_, webhook) = await WebhookAsync();
            await using var db = await site.Service<Microsoft.EntityFrameworkCore.IDbContextFactory<NewsCms.Web.Data.NewsCmsDbContext>>().CreateDbContextAsync();
            var delivery = new WebhookDelivery
            {
                EventId = Guid.NewGuid(), WebhookId = webhook, Event = WebhookEvents.TagAdded, Payload = "{}", Status = WebhookDeliveryStatus.Failed,
                Attempts = WebhookSender.MaxAttempts, CreatedAt = DateTime.UtcNow, NextAttemptAt = DateTime.UtcNow,
            };
            db.WebhookDeliveries.Add(delivery);
            await db.SaveChangesAsync();
            return delivery.Id;
        }

        public NewsCms.Web.Features.Integrations.Integrations Integrations => site.Service<NewsCms.Web.Features.Integrations.Integrations>();

        /// <summary>A fresh integration (Contributor), added by the Administrator.</summary>
        public async Task<int> NewIntegrationAsync() => Value(await Integrations.CreateAsync(Admin, Unique("Matrix integration"), NewsroomRoles.Contributor)).Id;

        /// <summary>A run as a dry run or a restart leaves it, without its files (so nothing can start it).</summary>
        public async Task<Guid> ImportRunAsync(ImportRunStatus status)
        {
            var id = Guid.NewGuid();
            await using var db = await site.Service<Microsoft.EntityFrameworkCore.IDbContextFactory<NewsCms.Web.Data.NewsCmsDbContext>>().CreateDbContextAsync();
            db.ImportRuns.Add(new ImportRun
            {
                Id = id, Status = status, IsDryRun = status == ImportRunStatus.DryRun, FileName = "export.xml",
                WorkFolder = Path.Combine(Path.GetTempPath(), "no-such-import-" + id.ToString("N")),
                StartedById = site.ByRole[NewsroomRoles.Administrator].UserId, StartedByName = "Matrix Administrator",
                StartedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
            return id;
        }

        public NewsCms.Web.Features.SiteExport.SiteExporter Exporter => site.Service<NewsCms.Web.Features.SiteExport.SiteExporter>();
        public NewsCms.Web.Features.SiteExport.SiteImporter Importer => site.Service<NewsCms.Web.Features.SiteExport.SiteImporter>();

        /// <summary>A site export of another site (its own id) holding one tag, in a temporary file.</summary>
        public static string ForeignArchive()
        {
            var file = Path.Combine(Path.GetTempPath(), $"newscms-matrix-{Guid.NewGuid():N}.zip");
            using var zip = System.IO.Compression.ZipFile.Open(file, System.IO.Compression.ZipArchiveMode.Create);
            using var entry = new StreamWriter(zip.CreateEntry("site.json").Open());
            entry.Write($$"""
                {"format": "newscms-site", "version": 1, "site": {"id": "{{Guid.NewGuid():N}}", "title": "Elsewhere", "baseUrl": "https://elsewhere.example/",
                 "exportedAt": "2026-01-01T00:00:00Z", "appVersion": "1"},
                 "tags": [{"id": 1, "name": "{{Unique("Imported")}}", "slug": "", "description": "", "createdAt": "2026-01-01T00:00:00Z", "oldSlugs": []}]}
                """);
            return file;
        }
        public ClaimsPrincipal Admin => site.ByRole[NewsroomRoles.Administrator].Principal;

        public static string Unique(string text) => $"{text} {Guid.NewGuid().ToString("N")[..8]}";

        public static ArticleInput Text(string headline) => new() { Headline = Unique(headline), BodyHtml = "<p>Text of the story.</p>" };

        /// <summary>A draft with the owner's byline, or the other writer's.</summary>
        public async Task<(int Id, Guid Version)> DraftAsync(Member? owner, string? headline = null)
        {
            var input = Text("Draft");
            if (headline is not null) input.Headline = headline;
            input.AuthorIds = [(owner ?? site.OtherWriter).ProfileId];
            var saved = await Articles.Editing.SaveAsync(Admin, null, input, null, SaveKind.Manual);
            Assert.True(saved.Succeeded, saved.Error);
            return (saved.Id, saved.Version);
        }

        public async Task<(int Id, Guid Version)> InReviewAsync(Member? owner) =>
            await ThenAsync(await DraftAsync(owner), (id, version) => Articles.Workflow.SubmitAsync(Admin, id, version));

        public async Task<(int Id, Guid Version)> PublishedAsync(Member? owner, string? headline = null) =>
            await ThenAsync(await DraftAsync(owner, headline), (id, version) => Articles.Workflow.PublishAsync(Admin, id, version));

        public async Task<(int Id, Guid Version)> TrashedAsync(Member? owner) =>
            await ThenAsync(await DraftAsync(owner), (id, version) => Articles.Workflow.TrashAsync(Admin, id, version));

        public LiveBlogService Live => site.Service<LiveBlogService>();
        public BreakingNews Breaking => site.Service<BreakingNews>();
        public FrontPageDesk FrontPage => site.Service<FrontPageDesk>();
        public ArticleCorrections Corrections => site.Service<ArticleCorrections>();

        /// <summary>A correction the Administrator added to a published article (the owner's, or the other writer's).</summary>
        public async Task<CorrectionView> CorrectionAsync(Member? owner)
        {
            var a = await PublishedAsync(owner);
            return Value(await Corrections.AddAsync(Admin, a.Id, new CorrectionInput(CorrectionKind.Correction, Unique("A date was wrong")))).Corrections[^1];
        }

        /// <summary>A published article of the owner's (or the other writer's) with live coverage on.</summary>
        public async Task<int> LiveBlogAsync(Member? owner)
        {
            var a = await PublishedAsync(owner);
            Value(await Live.SetCoverageAsync(Admin, a.Id, true));
            return a.Id;
        }

        public async Task<LiveEntryView> LiveEntryAsync(Member? owner) =>
            Value(await Live.PostAsync(Admin, await LiveBlogAsync(owner), new LiveEntryInput("<p>First update.</p>")));

        public async Task<long> FirstRevisionAsync(int articleId) => (await Articles.Reads.ListRevisionsAsync(Admin, articleId)).Value![^1].Id;

        /// <summary>An image uploaded by the owner, or by the other writer.</summary>
        public async Task<MediaImage> ImageAsync(Member? owner)
        {
            using var picture = new MemoryStream(Picture);
            var uploaded = await Media.UploadAsync((owner ?? site.OtherWriter).Principal, picture, "owned.jpg", picture.Length);
            Assert.True(uploaded.Succeeded, uploaded.Error);
            return uploaded.Value!;
        }

        public async Task<TagSummary> TagAsync() => Value(await Taxonomy.CreateTagAsync(Admin, new TaxonomyInput { Name = Unique("Tag") }));

        public async Task<SectionSummary> SectionAsync() => Value(await Taxonomy.CreateSectionAsync(Admin, new TaxonomyInput { Name = Unique("Section") }));

        /// <summary>A byline without an account.</summary>
        public async Task<int> RedirectAsync() =>
            Value(await Redirects.AddAsync(Admin, new RedirectInput { OldAddress = "/" + Unique("old").Replace(' ', '-'), NewAddress = "/new" }));

        public async Task<AuthorDetails> GuestAuthorAsync()
        {
            var id = Value(await Authors.CreateAsync(Admin, new AuthorInput { DisplayName = Unique("Guest") }));
            return Value(await Authors.GetAsync(Admin, id));
        }

        /// <summary>A fresh Contributor account, for the Administrator's actions.</summary>
        public async Task<string> AccountAsync() => (await site.App.CreateUserAsync(NewsroomRoles.Contributor)).Id;

        private static async Task<(int Id, Guid Version)> ThenAsync((int Id, Guid Version) article, Func<int, Guid, Task<ServiceResult<ArticleForEdit>>> step) =>
            (article.Id, Value(await step(article.Id, article.Version)).Version);

        private static T Value<T>(ServiceResult<T> result)
        {
            Assert.True(result.Succeeded, result.Error);
            return result.Value!;
        }
    }
}
