using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Corrections;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.Webhooks;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Corrections and updates: who may make them and on what, what each change writes (the revision, the article's time
/// of change, the audit log, webhooks), the article's end and JSON-LD, /corrections, feeds and the Content API, and
/// what each change evicts from the public cache.
/// </summary>
public sealed class CorrectionsTests(NewsroomFixture site) : IClassFixture<NewsroomFixture>
{
    private ClaimsPrincipal Admin => site.ByRole[NewsroomRoles.Administrator].Principal;
    private Member Editor => site.ByRole[NewsroomRoles.Editor];

    private async Task<(int Id, string Slug, string Headline)> PublishedAsync(Member owner, string headline)
    {
        await using var scope = site.App.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(Admin, null, new ArticleInput
        {
            Headline = headline + " " + Guid.NewGuid().ToString("N")[..6], BodyHtml = "<p>The council voted on Monday.</p>", AuthorIds = [owner.ProfileId],
        }, null, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        var published = await articles.Workflow.PublishAsync(Admin, saved.Id, saved.Version);
        Assert.True(published.Succeeded, published.Error);
        await using var db = await DbAsync();
        return (saved.Id, published.Value!.Slug, await db.Articles.Where(a => a.Id == saved.Id).Select(a => a.Headline).SingleAsync());
    }

    private async Task<T> CorrectionsAsync<T>(Func<ArticleCorrections, Task<T>> call)
    {
        await using var scope = site.App.Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<ArticleCorrections>());
    }

    private async Task<CorrectionView> AddAsync(int articleId, string text, CorrectionKind kind = CorrectionKind.Correction)
    {
        var added = await CorrectionsAsync(c => c.AddAsync(Editor.Principal, articleId, new CorrectionInput(kind, text)));
        Assert.True(added.Succeeded, added.Error);
        return added.Value!.Corrections[^1];
    }

    private Task<NewsCmsDbContext> DbAsync() => site.App.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();

    private async Task<string> HeadingAsync(CorrectionKind kind, DateTime utc) =>
        CorrectionRules.Heading(kind, utc, (await site.Service<SiteSettingsStore>().GetAsync()).TimeZone);

    [Fact]
    public async Task Only_editors_and_administrators_correct_and_only_published_articles()
    {
        var author = site.ByRole[NewsroomRoles.Author];
        var own = await PublishedAsync(author, "Bridge reopens");
        var input = new CorrectionInput(CorrectionKind.Correction, "The bridge reopened on Tuesday, not Monday.");

        // A writer does not correct in public, even their own story; the desk does.
        Assert.Equal(NewsroomActors.NotAllowed, (await CorrectionsAsync(c => c.AddAsync(author.Principal, own.Id, input))).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await CorrectionsAsync(c => c.AddAsync(site.ByRole[NewsroomRoles.Contributor].Principal, own.Id, input))).Error);
        Assert.Equal(NewsroomActors.SessionEnded, (await CorrectionsAsync(c => c.AddAsync(NewsroomFixture.Anonymous, own.Id, input))).Error);
        Assert.True((await CorrectionsAsync(c => c.AddAsync(Admin, own.Id, input))).Succeeded);
        // The author reads them in the editor, and is told they may not add any.
        var panel = (await CorrectionsAsync(c => c.GetAsync(author.Principal, own.Id))).Value!;
        Assert.False(panel.MayCorrect);
        Assert.Single(panel.Corrections);

        // Only on a published article.
        await using var scope = site.App.Services.CreateAsyncScope();
        var draft = await scope.ServiceProvider.NewsroomArticles().Editing.SaveAsync(Admin, null, new ArticleInput { Headline = "Unpublished draft " + Guid.NewGuid().ToString("N")[..6] }, null, SaveKind.Manual);
        Assert.Equal(CorrectionRules.NotPublished, (await CorrectionsAsync(c => c.AddAsync(Editor.Principal, draft.Id, input))).Error);
        Assert.Equal(NewsroomArticleAccess.ArticleNotFound, (await CorrectionsAsync(c => c.AddAsync(Editor.Principal, int.MaxValue, input))).Error);
        Assert.Equal("Write the update first.", (await CorrectionsAsync(c => c.AddAsync(Editor.Principal, own.Id, new CorrectionInput(CorrectionKind.Update, " \n ")))).Error);
        Assert.Equal("Choose Correction or Update.", (await CorrectionsAsync(c => c.AddAsync(Editor.Principal, own.Id, new CorrectionInput((CorrectionKind)7, "Text")))).Error);
    }

    [Fact]
    public async Task An_editor_adds_edits_and_withdraws_a_correction_each_change_kept_audited_and_sent_to_webhooks()
    {
        var (integrationId, _, _) = await TestIntegrations.CreateAsync(site.App.Services, NewsroomRoles.Editor, name: "Corrections hook");
        Assert.True((await site.Service<Webhooks>().AddAsync(Admin, integrationId, new WebhookInput
        {
            Event = WebhookEvents.PostPublishedEdited, TargetUrl = "https://hooks.example.test/corrections", Name = "corrections",
        })).Succeeded);
        var article = await PublishedAsync(site.OtherWriter, "Council vote");
        await using var db = await DbAsync();
        var deliveriesBefore = await db.WebhookDeliveries.AsNoTracking().MaxAsync(d => (long?)d.Id) ?? 0;
        var version = await db.Articles.AsNoTracking().Where(a => a.Id == article.Id).Select(a => a.Version).SingleAsync();

        var added = await AddAsync(article.Id, "An earlier version said the vote was on Monday. It was on Tuesday.");
        Assert.False(added.IsAmended);
        // Readers and search engines see the article changed; an editor open on it keeps its version.
        var stored = await db.Articles.AsNoTracking().Where(a => a.Id == article.Id).Select(a => new { a.UpdatedAt, a.Version }).SingleAsync();
        Assert.Equal((added.CreatedAt, version), (stored.UpdatedAt, stored.Version));
        var queued = await db.WebhookDeliveries.AsNoTracking().Where(d => d.Id > deliveriesBefore && d.Event == WebhookEvents.PostPublishedEdited).ToListAsync();
        var payload = JsonDocument.Parse(Assert.Single(queued, d => d.Payload.Contains($"\"id\":\"{article.Id}\"", StringComparison.Ordinal)).Payload).RootElement;
        // The post as the Admin API shows it (the body alone, as for live entries), with its new time of change.
        var updatedAt = payload.GetProperty("post").GetProperty("current").GetProperty("updated_at").GetDateTime().ToUniversalTime();
        Assert.Equal(added.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ss"), updatedAt.ToString("yyyy-MM-ddTHH:mm:ss"));

        // An edit keeps what it said before; a second editor still holding the old version is told, nothing is overwritten.
        var edited = await CorrectionsAsync(c => c.EditAsync(Admin, added.Id, added.Version, new CorrectionInput(CorrectionKind.Correction, "The vote was on Tuesday, not Monday.")));
        Assert.True(edited.Succeeded, edited.Error);
        var amended = Assert.Single(edited.Value!.Corrections);
        Assert.True(amended.IsAmended);
        var revision = Assert.Single(amended.Revisions);
        Assert.Equal(("An earlier version said the vote was on Monday. It was on Tuesday.", CorrectionKind.Correction), (revision.Text, revision.Kind));
        Assert.Equal(CorrectionRules.Changed, (await CorrectionsAsync(c => c.EditAsync(Editor.Principal, added.Id, added.Version, new CorrectionInput(CorrectionKind.Update, "Stale.")))).Error);
        Assert.Equal(CorrectionRules.Unchanged, (await CorrectionsAsync(c => c.EditAsync(Editor.Principal, added.Id, amended.Version, new CorrectionInput(CorrectionKind.Correction, "The vote was on Tuesday, not Monday.")))).Error);
        Assert.Equal(CorrectionRules.Changed, (await CorrectionsAsync(c => c.WithdrawAsync(Editor.Principal, added.Id, added.Version))).Error);

        var withdrawn = await CorrectionsAsync(c => c.WithdrawAsync(Editor.Principal, added.Id, amended.Version));
        Assert.True(withdrawn.Succeeded, withdrawn.Error);
        var gone = Assert.Single(withdrawn.Value!.Corrections);
        Assert.True(gone.IsWithdrawn);
        Assert.Equal(2, gone.Revisions.Count);
        Assert.Equal(CorrectionRules.Withdrawn, (await CorrectionsAsync(c => c.EditAsync(Editor.Principal, added.Id, gone.Version, new CorrectionInput(CorrectionKind.Update, "Back.")))).Error);
        Assert.Equal(3, await db.WebhookDeliveries.AsNoTracking().CountAsync(d => d.Id > deliveriesBefore && d.Event == WebhookEvents.PostPublishedEdited && d.Payload.Contains($"\"id\":\"{article.Id}\"")));

        var entries = await db.AuditEntries.AsNoTracking().Where(e => e.Target.Contains($"(#{article.Id})")).OrderBy(e => e.Id).ToListAsync();
        var add = Assert.Single(entries, e => e.Action == AuditActions.CorrectionAdded);
        Assert.Equal((Editor.UserId, $"{article.Headline} (#{article.Id}), correction #{added.Id}"), (add.ActorId, add.Target));
        var edit = Assert.Single(entries, e => e.Action == AuditActions.CorrectionEdited);
        Assert.Contains("Monday. It was on Tuesday.", edit.Details);
        Assert.Contains("not Monday.", edit.Details);
        Assert.Equal(Editor.UserId, Assert.Single(entries, e => e.Action == AuditActions.CorrectionWithdrawn).ActorId);
    }

    [Fact]
    public async Task The_article_ends_with_its_corrections_dated_and_carries_them_in_json_ld_and_each_change_evicts_its_page()
    {
        var article = await PublishedAsync(site.OtherWriter, "Harbour plan");
        using var reader = site.App.CreateClient(new() { HandleCookies = false });
        var url = ArticleUrls.ForSlug(article.Slug);
        Assert.DoesNotContain("corrections-heading", await reader.GetStringAsync(url));
        Assert.NotNull((await reader.GetAsync(url)).Headers.Age); // cached

        var first = await AddAsync(article.Id, "The plan costs 4 million euros, not 40 million.");
        var second = await AddAsync(article.Id, "The mayor has since replied.", CorrectionKind.Update);
        var fresh = await reader.GetAsync(url);
        Assert.Null(fresh.Headers.Age);
        var html = await fresh.Content.ReadAsStringAsync();
        var firstAt = html.IndexOf($"{await HeadingAsync(CorrectionKind.Correction, first.CreatedAt)}</time>:</strong>", StringComparison.Ordinal);
        var secondAt = html.IndexOf($"{await HeadingAsync(CorrectionKind.Update, second.CreatedAt)}</time>:</strong>", StringComparison.Ordinal);
        Assert.True(firstAt > html.IndexOf("The council voted on Monday.", StringComparison.Ordinal) && firstAt < secondAt, "after the body, in the order they were made");
        Assert.Contains("The plan costs 4 million euros, not 40 million.", html);
        Assert.Contains($"id=\"correction-{first.Id}\"", html);

        // JSON-LD: each as a CorrectionComment, and dateModified moved with the last one.
        var jsonLd = JsonDocument.Parse(JsonLd(html)).RootElement[0];
        var corrections = jsonLd.GetProperty("correction").EnumerateArray().ToList();
        Assert.Equal(2, corrections.Count);
        Assert.All(corrections, c => Assert.Equal("CorrectionComment", c.GetProperty("@type").GetString()));
        Assert.Equal("The plan costs 4 million euros, not 40 million.", corrections[0].GetProperty("text").GetString());
        Assert.Equal(first.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ"), corrections[0].GetProperty("datePublished").GetString());
        Assert.Equal(second.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ"), jsonLd.GetProperty("dateModified").GetString());

        // An edit shows amended; a withdrawal takes it off the page and out of the JSON-LD.
        var edited = await CorrectionsAsync(c => c.EditAsync(Editor.Principal, first.Id, first.Version, new CorrectionInput(CorrectionKind.Correction, "The plan costs 4.5 million euros.")));
        Assert.True(edited.Succeeded, edited.Error);
        html = await reader.GetStringAsync(url);
        Assert.Contains("The plan costs 4.5 million euros.", html);
        Assert.DoesNotContain("not 40 million", html);
        Assert.Contains("(amended", html);
        Assert.True((await CorrectionsAsync(c => c.WithdrawAsync(Editor.Principal, second.Id, second.Version))).Succeeded);
        html = await reader.GetStringAsync(url);
        Assert.DoesNotContain("The mayor has since replied.", html);
        Assert.Single(JsonDocument.Parse(JsonLd(html)).RootElement[0].GetProperty("correction").EnumerateArray());
    }

    [Fact]
    public async Task The_corrections_page_lists_every_correction_newest_first_with_links_and_is_cached_until_the_next_one()
    {
        var older = await PublishedAsync(site.OtherWriter, "Ferry timetable");
        var newer = await PublishedAsync(site.OtherWriter, "School budget");
        using var reader = site.App.CreateClient(new() { HandleCookies = false });
        await AddAsync(older.Id, "The first ferry leaves at 6:10.");
        var html = await reader.GetStringAsync("/corrections");
        Assert.Contains("<h1>Corrections</h1>", html);
        Assert.Contains($"href=\"{ArticleUrls.ForSlug(older.Slug)}#correction-", html);
        Assert.Contains("The first ferry leaves at 6:10.", html);
        Assert.NotNull((await reader.GetAsync("/corrections")).Headers.Age);

        await AddAsync(newer.Id, "The budget grows by 3 percent.", CorrectionKind.Update);
        var fresh = await reader.GetAsync("/corrections");
        Assert.Null(fresh.Headers.Age);
        html = await fresh.Content.ReadAsStringAsync();
        var newerAt = html.IndexOf(newer.Headline, StringComparison.Ordinal);
        Assert.True(newerAt > 0 && newerAt < html.IndexOf(older.Headline, StringComparison.Ordinal), "newest first");
        Assert.Contains("Update, ", html);

        // An article taken down takes its corrections off the list at once.
        await using (var scope = site.App.Services.CreateAsyncScope())
        {
            var articles = scope.ServiceProvider.NewsroomArticles();
            var current = (await articles.Reads.GetForEditAsync(Admin, newer.Id)).Value!;
            Assert.True((await articles.Workflow.UnpublishAsync(Admin, newer.Id, current.Version)).Succeeded);
        }
        Assert.DoesNotContain(newer.Headline, await reader.GetStringAsync("/corrections"));

        // Linked from every page's footer, listed in the sitemap; a page past the end is not found.
        Assert.Contains("<a href=\"/corrections\">Corrections</a>", await reader.GetStringAsync("/"));
        Assert.Contains("/corrections</loc>", await reader.GetStringAsync("/sitemaps/pages.xml"));
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/corrections?page=9999")).StatusCode);
    }

    [Fact]
    public async Task Feeds_and_the_content_api_carry_the_corrections_encoded_after_the_body_and_the_admin_api_does_not()
    {
        var article = await PublishedAsync(site.OtherWriter, "Water prices");
        using var reader = site.App.CreateClient(new() { HandleCookies = false });
        var post = $"/ghost/api/content/posts/{article.Id}/?key={site.Samples.ContentKey}";
        Assert.DoesNotContain("Correction, ", await reader.GetStringAsync(post)); // cached now, without corrections

        await AddAsync(article.Id, "Prices rise by <b>2%</b> & not 20%.");
        var feed = await reader.GetStringAsync("/feed.xml");
        // Stored as text: in the item's HTML it is encoded (and the XML encodes that HTML again).
        Assert.Contains("Prices rise by &amp;lt;b&amp;gt;2%&amp;lt;/b&amp;gt; &amp;amp; not 20%.", feed);
        var api = JsonDocument.Parse(await reader.GetStringAsync(post)).RootElement.GetProperty("posts")[0].GetProperty("html").GetString()!;
        Assert.True(api.IndexOf("The council voted on Monday.", StringComparison.Ordinal) < api.IndexOf("Correction, ", StringComparison.Ordinal));
        Assert.Contains("Prices rise by &lt;b&gt;2%&lt;/b&gt; &amp; not 20%.", api);

        await using var db = await DbAsync();
        var admin = await NewsCms.Web.Features.GhostApi.GhostShapes.PostsAsync(db, [article.Id],
            new NewsCms.Web.Features.GhostApi.GhostShapeOptions(true, true, Html: true, AdminFields: true), new Uri("https://news.example.test"), TestContext.Current.CancellationToken);
        Assert.DoesNotContain("Prices rise", Assert.Single(admin).Html);
    }

    private static string JsonLd(string html)
    {
        const string open = "<script type=\"application/ld+json\">";
        var start = html.IndexOf(open, StringComparison.Ordinal) + open.Length;
        return html[start..html.IndexOf("</script>", start, StringComparison.Ordinal)];
    }
}
