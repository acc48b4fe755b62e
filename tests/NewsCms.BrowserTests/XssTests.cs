using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.BrowserTests;

/// <summary>
/// Every injection attempt of the corpus, saved through the services in every field a person can fill (headline,
/// standfirst, body, SEO fields, tag and section names, author names and bios, image alt/caption/credit, site settings)
/// and typed into search, is rendered by every public page type and the newsroom's pages in Chromium. Many vectors go
/// into each record, so each page loads a handful of times, not once per vector.
/// </summary>
public sealed class XssTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static readonly string[] Vectors = XssCorpus.Vectors;

    private static List<string> Pack(int max) => XssCorpus.Pack(max);

    private static string Nth(List<string> texts, int index) => XssCorpus.Nth(texts, index);

    private sealed record Seeded(List<string> ArticleSlugs, List<int> ArticleIds, List<string> TagSlugs, string SectionSlug, string AuthorSlug, int AuthorId);

    private static async Task<Seeded> SeedAsync(NewsCmsAppFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        static void Ok(bool succeeded, string? error) => Assert.True(succeeded, error);

        var texts = Pack(1000);
        var shortTexts = Pack(100);
        var settings = await services.GetRequiredService<SiteSettingsService>().SaveAsync(admin, new SiteSettingsInput
        {
            Title = Nth(Pack(200), 0), Tagline = Nth(Pack(300), 1), FooterText = Nth(texts, 2), Language = "en", TimeZone = "UTC",
            PublicationName = Nth(Pack(200), 3),
            FollowLinks = [.. Pack(60).Take(4).Select((label, i) => new FollowLink(label, $"https://follow.example.org/{i}?x=\"><script>alert(1)</script>"))],
            Navigation = [.. Pack(40).Take(3).Select(label => new NavigationInput(null, label, "/about?q=<script>alert(1)</script>"))],
        });
        Ok(settings.Succeeded, settings.Error);

        var media = services.GetRequiredService<MediaLibrary>();
        var imageIds = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var bytes = TestImages.Jpeg(800, 500);
            var uploaded = await media.UploadAsync(admin, new MemoryStream(bytes), $"x{i}\"><img src=x onerror=alert(1)>.jpg", bytes.Length);
            Ok(uploaded.Succeeded, uploaded.Error);
            var described = await media.UpdateDetailsAsync(admin, uploaded.Value!.Id, new MediaDetailsInput
            {
                AltText = Nth(Pack(MediaDetailsInput.AltTextMaxLength), i), Caption = Nth(texts, i + 4), Credit = Nth(Pack(MediaDetailsInput.CreditMaxLength), i + 5),
            });
            Ok(described.Succeeded, described.Error);
            imageIds.Add(uploaded.Value.Id);
        }

        var taxonomy = services.GetRequiredService<TaxonomyService>();
        var section = await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = Nth(shortTexts, 0), Description = Nth(texts, 6) });
        Ok(section.Succeeded, section.Error);
        var tags = new List<TagSummary>();
        foreach (var name in shortTexts.Take(6))
        {
            var tag = await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = name, Description = Nth(texts, tags.Count) });
            Ok(tag.Succeeded, tag.Error);
            tags.Add(tag.Value!);
        }

        var authors = services.GetRequiredService<AuthorProfiles>();
        var author = await authors.CreateAsync(admin, new AuthorInput
        {
            DisplayName = Nth(Pack(200), 4), JobTitle = Nth(Pack(200), 5), Bio = Nth(Pack(BioText.MaxLength), 0), AvatarId = imageIds[2],
        });
        Ok(author.Succeeded, author.Error);
        var authorSlug = (await authors.GetAsync(admin, author.Value)).Value!.Slug;

        // Every vector in a body (HTML), and, packed, in headlines, standfirsts and SEO fields (text).
        var articles = services.NewsroomArticles();
        var headlines = Pack(300);
        var count = Math.Max(3, headlines.Count);
        var slugs = new List<string>();
        var ids = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var body = string.Concat(Vectors.Skip(i * Vectors.Length / count).Take(Vectors.Length / count + 1).Select(v => "<p>" + v + "</p>"));
            if (ids.Count > 0) body += $"<aside class=\"see-also\" data-article-id=\"{ids[0]}\"><span class=\"see-also__label\">See also:</span> <a href=\"/news/{slugs[0]}\">x</a></aside>";
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput
            {
                Headline = Nth(headlines, i), Standfirst = Nth(texts, i), BodyHtml = body, Slug = $"xss-{i}",
                SeoTitle = Nth(headlines, i + 1), MetaDescription = Nth(Pack(500), i), SectionId = section.Value!.Id,
                TagIds = [.. tags.Select(t => t.Id)], AuthorIds = [author.Value], FeaturedImageId = imageIds[i % 2], IsFeatured = i == 0,
            }, null, SaveKind.Manual);
            Ok(saved.Succeeded, saved.Error);
            var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
            Ok(published.Succeeded, published.Error);
            slugs.Add(saved.Slug);
            ids.Add(saved.Id);
        }
        return new Seeded(slugs, ids, [.. tags.Select(t => t.Slug)], section.Value!.Slug, authorSlug, author.Value);
    }

    /// <summary>Event-handler attributes and script URLs in the live DOM (after every script on the page ran).</summary>
    private const string InjectedMarkup = """
        () => {
            const found = [];
            for (const element of document.querySelectorAll('*')) {
                for (const attribute of element.attributes) {
                    const value = attribute.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
                    if (/^on/i.test(attribute.name)) found.push(`${element.tagName} ${attribute.name}="${attribute.value}"`);
                    else if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'srcdoc'].includes(attribute.name.toLowerCase())
                        && (value.startsWith('javascript:') || value.startsWith('vbscript:') || value.startsWith('data:text/html')))
                        found.push(`${element.tagName} ${attribute.name}="${attribute.value}"`);
                }
                if (['SCRIPT'].includes(element.tagName) && !element.src && element.type !== 'application/ld+json' && element.type !== 'importmap')
                    found.push(`inline script: ${element.textContent.slice(0, 80)}`);
            }
            return found;
        }
        """;

    [Fact]
    public async Task No_injected_script_runs_and_no_handler_reaches_the_DOM_on_any_public_or_newsroom_page()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        var seeded = await SeedAsync(App);
        Assert.True(Vectors.Length >= 100, $"{Vectors.Length} vectors");

        var problems = new List<string>();
        var current = "";
        page.Dialog += async (_, dialog) =>
        {
            problems.Add($"{current}: a {dialog.Type} dialog opened: {dialog.Message}");
            await dialog.DismissAsync();
        };

        async Task CheckAsync(string url, bool newsroom = false)
        {
            current = url;
            await page.GotoAsync(url);
            if (newsroom) await Expect(page.Locator("#newsroom-ready")).ToBeAttachedAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            if (await page.EvaluateAsync<bool>("() => window.__xss !== undefined")) problems.Add($"{url}: an injected script ran (window.__xss is set)");
            var injected = await page.EvaluateAsync<string[]>(InjectedMarkup);
            problems.AddRange(injected.Select(found => $"{url}: {found}"));
        }

        var searchTerms = Vectors.Where((_, i) => i % 10 == 0).ToList();
        var publicPages = new List<string> { "/", "/?page=2" };
        publicPages.AddRange(seeded.ArticleSlugs.Select(ArticleUrls.ForSlug));
        publicPages.AddRange(seeded.TagSlugs.Take(3).Select(slug => $"/tag/{slug}"));
        publicPages.Add($"/section/{seeded.SectionSlug}");
        publicPages.Add($"/author/{seeded.AuthorSlug}");
        publicPages.AddRange(searchTerms.Select(term => "/search?q=" + Uri.EscapeDataString(term)));
        publicPages.Add("/search?q=" + Uri.EscapeDataString(string.Join(' ', Vectors.Take(8))));
        publicPages.Add("/news/" + Uri.EscapeDataString("<script>alert(1)</script>"));
        publicPages.Add("/tag/" + Uri.EscapeDataString("\"><img src=x onerror=alert(1)>"));
        foreach (var url in publicPages) await CheckAsync(url);

        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        var newsroomPages = new List<string>
        {
            "/admin", "/admin/articles", "/admin/tags", "/admin/sections", "/admin/authors", $"/admin/authors/{seeded.AuthorId}",
            "/admin/media", "/admin/settings", "/admin/audit", "/admin/users", "/admin/review",
        };
        newsroomPages.AddRange(seeded.ArticleIds.Take(3).Select(id => $"/admin/articles/{id}"));
        foreach (var url in newsroomPages) await CheckAsync(url, newsroom: true);
        // The editor's preview is the public article view, rendered statically for the newsroom.
        foreach (var id in seeded.ArticleIds.Take(2)) await CheckAsync($"/admin/articles/{id}/preview");

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(publicPages.Count + newsroomPages.Count >= 25, "every page type was visited");
    }
}
