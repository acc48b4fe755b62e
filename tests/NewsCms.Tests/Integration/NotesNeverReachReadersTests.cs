using System.IO.Compression;
using System.Net;
using Microsoft.EntityFrameworkCore;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Feeds;
using NewsCms.Web.Features.Integrations;
using NewsCms.Web.Features.Notes;
using NewsCms.Web.Features.SiteExport;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Editorial notes are the newsroom's: an article published with marks in its body and notes on it shows no trace of
/// them (the note text, the anchor id, the mark's attribute or class) in anything that leaves the newsroom.
/// </summary>
public sealed class NotesNeverReachReadersTests(NewsroomFixture site) : IClassFixture<NewsroomFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_published_article_with_notes_shows_no_trace_of_them_in_any_public_output()
    {
        var admin = site.ByRole[NewsroomRoles.Administrator];
        var marker = "NOTELEAK" + Guid.NewGuid().ToString("N")[..10];
        var anchor = "leak" + Guid.NewGuid().ToString("N")[..10];
        var headline = "Dredging the harbour " + Guid.NewGuid().ToString("N")[..6];
        int sectionId;
        await using (var db = await site.Service<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(Ct))
        {
            sectionId = await db.Sections.Where(s => s.Slug == site.Samples.SectionSlug).Select(s => s.Id).FirstAsync(Ct);
        }

        var articles = site.Service<IServiceProvider>().NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin.Principal, null, new ArticleInput
        {
            Headline = headline, Standfirst = "The port starts dredging.",
            BodyHtml = $"<p>Harbour dredging <span data-note=\"{anchor}\" class=\"editorial-note\">costs four million</span> this year.</p>",
            BodyCarriesNotes = true, SectionId = sectionId, TagIds = [site.Samples.TagId], AuthorIds = [site.Samples.AuthorId],
        }, null, SaveKind.Manual, Ct);
        Assert.True(saved.Succeeded, saved.Error);
        var notes = site.Service<EditorialNotes>();
        var thread = await notes.AddAsync(admin.Principal, saved.Id, anchor, "costs four million", $"Check this figure {marker}", Ct);
        Assert.True(thread.Succeeded, thread.Error);
        Assert.True((await notes.ReplyAsync(admin.Principal, saved.Id, thread.Value!.Id, $"Confirmed {marker}", Ct)).Succeeded);
        var second = await notes.AddAsync(admin.Principal, saved.Id, anchor + "b", "Harbour", $"Resolved one {marker}", Ct);
        Assert.True((await notes.ResolveAsync(admin.Principal, saved.Id, second.Value!.Id, Ct)).Succeeded);
        var published = await articles.Workflow.PublishAsync(admin.Principal, saved.Id, saved.Version, Ct);
        Assert.True(published.Succeeded, published.Error);
        // The newsroom still has the marks: the test is not passing because they were never stored.
        Assert.Contains(anchor, (await articles.Reads.GetForEditAsync(admin.Principal, saved.Id, Ct)).Value!.EditorBodyHtml);

        var slug = saved.Slug;
        var reader = await site.ClientAsync(null);
        var outputs = new Dictionary<string, string>();
        async Task GetAsync(string name, string url, HttpClient? client = null, string? authorization = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var response = await (client ?? reader).SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name} ({url}): {(int)response.StatusCode}");
            outputs[name] = await response.Content.ReadAsStringAsync(Ct);
        }

        await GetAsync("article page", ArticleUrls.ForSlug(slug));
        await GetAsync("home", "/");
        await GetAsync("section page", $"/section/{site.Samples.SectionSlug}");
        await GetAsync("tag page", $"/tag/{site.Samples.TagSlug}");
        await GetAsync("author page", $"/author/{site.Samples.AuthorSlug}");
        await GetAsync("RSS", FeedPaths.SiteRss);
        await GetAsync("Atom", FeedPaths.SiteAtom);
        foreach (var kind in new[] { ("section", site.Samples.SectionSlug), ("tag", site.Samples.TagSlug), ("author", site.Samples.AuthorSlug) })
        {
            await GetAsync($"{kind.Item1} RSS", $"/{kind.Item1}/{kind.Item2}/feed.xml");
            await GetAsync($"{kind.Item1} Atom", $"/{kind.Item1}/{kind.Item2}/atom.xml");
        }
        await GetAsync("sitemap index", "/sitemap.xml");
        await GetAsync("article sitemap", "/sitemaps/articles-1.xml");
        await GetAsync("news sitemap", "/news-sitemap.xml");
        await GetAsync("search", "/search?q=dredging");
        var key = site.Samples.ContentKey;
        await GetAsync("Content API posts", $"/ghost/api/content/posts/?key={key}&formats=html,plaintext&limit=all");
        await GetAsync("Content API post", $"/ghost/api/content/posts/slug/{slug}/?key={key}&formats=html,plaintext");
        var integration = (await site.Service<Integrations>().CreateAsync(admin.Principal, "Leak check " + marker[^4..], NewsroomRoles.Editor, Ct)).Value!;
        await GetAsync("Admin API posts", "/ghost/api/admin/posts/?formats=html,plaintext&limit=all", authorization: GhostAdminToken.Header(integration.AdminKey));
        await GetAsync("Admin API post", $"/ghost/api/admin/posts/{saved.Id}/?formats=html,plaintext", authorization: GhostAdminToken.Header(integration.AdminKey));
        await GetAsync("preview", $"/admin/articles/{saved.Id}/preview", await site.ClientAsync(NewsroomRoles.Administrator));

        using (var archive = new MemoryStream())
        {
            var exported = await site.Service<SiteExporter>().ExportAsync(admin.Principal, archive, "site.zip", Ct);
            Assert.True(exported.Succeeded, exported.Error);
            archive.Position = 0;
            using var zip = new ZipArchive(archive, ZipArchiveMode.Read);
            foreach (var entry in zip.Entries.Where(e => !e.FullName.StartsWith("media/", StringComparison.Ordinal)))
            {
                using var text = new StreamReader(entry.Open());
                outputs[$"site export {entry.FullName}"] = await text.ReadToEndAsync(Ct);
            }
        }

        // Each output must show the article (or the check proves nothing), and none a trace of the notes.
        foreach (var name in new[] { "article page", "home", "section page", "tag page", "author page", "RSS", "Atom", "search", "Content API posts",
                     "Content API post", "Admin API posts", "Admin API post", "preview" })
        {
            Assert.True(outputs[name].Contains(headline, StringComparison.Ordinal), $"{name} does not show the article");
        }
        foreach (var name in new[] { "article page", "RSS", "Content API post", "Admin API post", "preview" })
        {
            Assert.True(outputs[name].Contains("costs four million", StringComparison.Ordinal), $"{name} does not show the article's text");
        }
        Assert.Contains(outputs, o => o.Key.StartsWith("site export", StringComparison.Ordinal) && o.Value.Contains("costs four million", StringComparison.Ordinal));
        var leaks = outputs
            .SelectMany(o => new[] { marker, anchor, "data-note", "editorial-note" }
                .Where(trace => o.Value.Contains(trace, StringComparison.OrdinalIgnoreCase)).Select(trace => $"{o.Key}: {trace}"))
            .ToList();
        Assert.True(leaks.Count == 0, "notes reached readers:\n" + string.Join('\n', leaks));
    }
}
