using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Integrations;
using NewsCms.Web.Features.Users;

namespace NewsCms.BrowserTests;

/// <summary>
/// The XSS corpus sent by an integration through the Ghost-compatible Admin API (?source=html and every text field of
/// posts, pages and tags), published, then rendered in Chromium on every public page type and the newsroom editor, read
/// back as feeds and sitemaps (well-formed XML) and through the Content API (valid JSON, sanitized html). Nothing runs.
/// </summary>
public sealed class ApiXssTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private static readonly string[] Vectors = XssCorpus.Vectors;

    private static List<string> Pack(int max) => XssCorpus.Pack(max);

    private static string Nth(List<string> texts, int index) => XssCorpus.Nth(texts, index);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Event-handler attributes, script URLs and inline scripts in a document (the same check as XssTests).</summary>
    private const string FindInjected = """
        const findInjected = (root) => {
            const found = [];
            for (const element of root.querySelectorAll('*')) {
                for (const attribute of element.attributes) {
                    const value = attribute.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
                    if (/^on/i.test(attribute.name)) found.push(`${element.tagName} ${attribute.name}="${attribute.value}"`);
                    else if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'srcdoc'].includes(attribute.name.toLowerCase())
                        && (value.startsWith('javascript:') || value.startsWith('vbscript:') || value.startsWith('data:text/html')))
                        found.push(`${element.tagName} ${attribute.name}="${attribute.value}"`);
                }
                if (['SCRIPT'].includes(element.tagName.toUpperCase()) && !element.src && element.type !== 'application/ld+json' && element.type !== 'importmap')
                    found.push(`inline script: ${element.textContent.slice(0, 80)}`);
            }
            return found;
        };
        """;

    /// <summary>What <see cref="FindInjected"/> finds in the live DOM, after every script on the page ran.</summary>
    private const string InjectedMarkup = "() => { " + FindInjected + " return findInjected(document); }";

    /// <summary>What it finds in HTML given as text (the APIs' and feeds' html), parsed by the browser as a page would.</summary>
    private const string InjectedInHtml = "(html) => { " + FindInjected + " return findInjected(new DOMParser().parseFromString(html, 'text/html')); }";

    private sealed class AdminApi(HttpClient http, string adminKey)
    {
        public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonObject? body)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(GhostAdminToken.Header(adminKey));
            if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await http.SendAsync(request, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
        }
    }

    private sealed record Sent(List<(string Id, string Path)> Posts, List<string> PagePaths, List<string> TagSlugs, string AuthorSlug);

    private async Task<Sent> SendVectorsAsync(AdminApi api)
    {
        var texts = Pack(1000);
        var shortTexts = Pack(100);
        var headlines = Pack(300);

        // The byline: authors are people of the newsroom, not made by the API; the API names them by their (hostile) name.
        string authorName = Nth(Pack(200), 4), authorSlug;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var authors = scope.ServiceProvider.GetRequiredService<AuthorProfiles>();
            var author = await authors.CreateAsync(admin, new AuthorInput { DisplayName = authorName, Bio = Nth(Pack(BioText.MaxLength), 0) });
            Assert.True(author.Succeeded, author.Error);
            authorSlug = (await authors.GetAsync(admin, author.Value)).Value!.Slug;
        }

        // Tags through tags/ add: vectors in names and descriptions.
        var tagNames = new List<string>();
        var tagSlugs = new List<string>();
        foreach (var name in shortTexts.Take(6))
        {
            var (status, body) = await api.SendAsync(HttpMethod.Post, "/ghost/api/admin/tags/",
                new JsonObject { ["tags"] = new JsonArray(new JsonObject { ["name"] = name, ["description"] = Nth(texts, tagNames.Count) }) });
            Assert.True(status == HttpStatusCode.Created, $"tags/ add: {status} {body}");
            tagNames.Add(name);
            tagSlugs.Add(body!["tags"]![0]!["slug"]!.GetValue<string>());
        }

        var count = Math.Max(3, headlines.Count);
        var posts = new List<(string Id, string Path)>();
        for (var i = 0; i < count; i++)
        {
            var html = string.Concat(Vectors.Skip(i * Vectors.Length / count).Take(Vectors.Length / count + 1).Select(v => "<p>" + v + "</p>"));
            var post = new JsonObject
            {
                ["title"] = Nth(headlines, i),
                ["html"] = html,
                ["custom_excerpt"] = Nth(texts, i),
                ["meta_title"] = Nth(headlines, i + 1),
                ["meta_description"] = Nth(Pack(500), i),
                ["canonical_url"] = "https://example.org/?q=\"><script>alert(1)</script>&x='onmouseover='alert(1)",
                // Not NewsCms fields; a client may send them, and they must not end up anywhere unsanitized either.
                ["og_title"] = Nth(headlines, i + 2), ["og_description"] = Nth(Pack(500), i + 1),
                ["twitter_title"] = Nth(headlines, i + 3), ["twitter_description"] = Nth(Pack(500), i + 2),
                ["tags"] = new JsonArray([.. tagNames.Select(n => (JsonNode)new JsonObject { ["name"] = n })]),
                ["authors"] = new JsonArray(new JsonObject { ["name"] = authorName }),
                ["featured"] = i == 0,
                ["status"] = "published",
            };
            // A hostile slug: made into a clean one, or refused (then sent again without it).
            post["slug"] = Vectors[i % Vectors.Length];
            var (status, body) = await api.SendAsync(HttpMethod.Post, "/ghost/api/admin/posts/?source=html&formats=html", new JsonObject { ["posts"] = new JsonArray(post.DeepClone()) });
            if (status == HttpStatusCode.UnprocessableEntity)
            {
                post.Remove("slug");
                (status, body) = await api.SendAsync(HttpMethod.Post, "/ghost/api/admin/posts/?source=html&formats=html", new JsonObject { ["posts"] = new JsonArray(post) });
            }
            Assert.True(status == HttpStatusCode.Created, $"posts/ add {i}: {status} {body}");
            var created = body!["posts"]![0]!;
            Assert.Equal("published", created["status"]!.GetValue<string>());
            posts.Add((created["id"]!.GetValue<string>(), new Uri(created["url"]!.GetValue<string>()).AbsolutePath));
        }

        var pagePaths = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var html = string.Concat(Vectors.Where((_, v) => v % 2 == i).Select(v => "<p>" + v + "</p>"));
            var page = new JsonObject
            {
                ["title"] = Nth(headlines, i + 5), ["html"] = html, ["custom_excerpt"] = Nth(texts, i + 3),
                ["meta_title"] = Nth(headlines, i + 6), ["meta_description"] = Nth(Pack(500), i + 3), ["status"] = "published",
            };
            var (status, body) = await api.SendAsync(HttpMethod.Post, "/ghost/api/admin/pages/?source=html&formats=html", new JsonObject { ["pages"] = new JsonArray(page) });
            Assert.True(status == HttpStatusCode.Created, $"pages/ add {i}: {status} {body}");
            pagePaths.Add(new Uri(body!["pages"]![0]!["url"]!.GetValue<string>()).AbsolutePath);
        }
        return new Sent(posts, pagePaths, tagSlugs, authorSlug);
    }

    [Fact]
    public async Task The_corpus_sent_through_the_Admin_API_runs_nowhere_and_feeds_sitemaps_and_the_Content_API_stay_well_formed()
    {
        var page = await StartAsync(await NewsCmsAppFactory.CreateAsync());
        CreatedIntegration integration;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var created = await scope.ServiceProvider.GetRequiredService<Integrations>().CreateAsync(admin, "Hostile tool", NewsroomRoles.Administrator, Ct);
            Assert.True(created.Succeeded, created.Error);
            integration = created.Value!;
        }
        using var http = new HttpClient { BaseAddress = BaseUrl };
        var sent = await SendVectorsAsync(new AdminApi(http, integration.AdminKey));

        var problems = new List<string>();
        var current = "";
        page.Dialog += async (_, dialog) =>
        {
            problems.Add($"{current}: a {dialog.Type} dialog opened: {dialog.Message}");
            await dialog.DismissAsync();
        };
        // The corpus loads from attacker hosts (evil.test and others): the page must never ask for anything off the site.
        page.Request += (_, request) =>
        {
            if (Uri.TryCreate(request.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host != BaseUrl.Host)
                problems.Add($"{current}: asked for {request.Url}");
        };
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("xss", StringComparison.OrdinalIgnoreCase)) problems.Add($"{current}: console: {message.Text}");
        };

        async Task CheckAsync(string url, bool newsroom = false, bool markup = true)
        {
            current = url;
            await page.GotoAsync(url);
            if (newsroom) await Expect(page.Locator("#newsroom-ready")).ToBeAttachedAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            if (await page.EvaluateAsync<bool>("() => window.__xss !== undefined")) problems.Add($"{url}: an injected script ran (window.__xss is set)");
            if (markup) problems.AddRange((await page.EvaluateAsync<string[]>(InjectedMarkup)).Select(found => $"{url}: {found}"));
        }

        var publicPages = new List<string> { "/", "/?page=2" };
        publicPages.AddRange(sent.Posts.Select(p => p.Path));
        publicPages.AddRange(sent.PagePaths);
        publicPages.AddRange(sent.TagSlugs.Take(3).Select(slug => $"/tag/{slug}"));
        publicPages.Add($"/author/{sent.AuthorSlug}");
        publicPages.AddRange(Vectors.Where((_, i) => i % 15 == 0).Select(term => "/search?q=" + Uri.EscapeDataString(term)));
        foreach (var url in publicPages) await CheckAsync(url);

        // Feeds and sitemaps: well-formed XML (every hostile text escaped), with no markup element smuggled in; opened in
        // Chromium too (an XHTML script in a feed would run there).
        var feeds = new List<string> { "/feed.xml", "/atom.xml", "/sitemap.xml", "/sitemaps/pages.xml", "/sitemaps/articles-1.xml", "/news-sitemap.xml" };
        feeds.AddRange(sent.TagSlugs.Take(2).SelectMany(slug => new[] { $"/tag/{slug}/feed.xml", $"/tag/{slug}/atom.xml" }));
        feeds.Add($"/author/{sent.AuthorSlug}/feed.xml");
        string[] markupNames = ["script", "img", "svg", "iframe", "body", "a", "object", "embed", "style", "math", "form"];
        foreach (var feed in feeds)
        {
            var text = await http.GetStringAsync(feed, Ct);
            XDocument document;
            try { document = XDocument.Parse(text); }
            catch (System.Xml.XmlException ex) { problems.Add($"{feed}: not well-formed XML: {ex.Message}"); continue; }
            problems.AddRange(document.Descendants().Where(e => markupNames.Contains(e.Name.LocalName, StringComparer.OrdinalIgnoreCase))
                .Select(e => $"{feed}: a <{e.Name}> element"));
            // HTML carried in the feed (RSS description, Atom content) is the sanitized body.
            // The feeds' HTML, as a feed reader renders it: RSS descriptions and content:encoded, Atom text constructs of type html.
            var rss = document.Root!.Name.LocalName == "rss";
            var htmlElements = document.Descendants().Where(e => rss
                ? e.Name.LocalName is "description" or "encoded"
                : e.Name.LocalName is "title" or "subtitle" or "summary" or "content" or "rights" && (string?)e.Attribute("type") is "html" or "xhtml");
            foreach (var element in htmlElements)
            {
                problems.AddRange((await page.EvaluateAsync<string[]>(InjectedInHtml, element.Value)).Select(found => $"{feed}: {element.Name.LocalName}: {found}"));
            }
            await CheckAsync(feed, markup: false);
        }

        // The Content API: valid JSON, and the html it serves is what the sanitizer left.
        foreach (var resource in new[] { "posts", "pages" })
        {
            var json = await http.GetStringAsync($"/ghost/api/content/{resource}/?key={integration.ContentKey}&limit=all&formats=html,plaintext&include=tags,authors", Ct);
            using var document = JsonDocument.Parse(json);
            var items = document.RootElement.GetProperty(resource).EnumerateArray().ToList();
            Assert.True(items.Count >= (resource == "posts" ? sent.Posts.Count : sent.PagePaths.Count), $"{resource}: {items.Count}");
            foreach (var item in items)
            {
                var html = item.GetProperty("html").GetString() ?? "";
                problems.AddRange((await page.EvaluateAsync<string[]>(InjectedInHtml, html)).Select(found => $"Content API {resource} {item.GetProperty("id")}: html: {found}"));
            }
        }
        using (var tags = JsonDocument.Parse(await http.GetStringAsync($"/ghost/api/content/tags/?key={integration.ContentKey}&limit=all", Ct)))
        {
            Assert.True(tags.RootElement.GetProperty("tags").GetArrayLength() >= sent.TagSlugs.Count);
        }

        // The newsroom: the editor of posts sent through the API.
        await SignInAsync(page, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        var newsroomPages = new List<string> { "/admin/articles", "/admin/tags", "/admin/integrations" };
        newsroomPages.AddRange(sent.Posts.Take(2).Select(p => $"/admin/articles/{p.Id}"));
        foreach (var url in newsroomPages) await CheckAsync(url, newsroom: true);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
