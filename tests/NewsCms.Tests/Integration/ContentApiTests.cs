using System.Net;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.Tests.Integration;

/// <summary>
/// A site for the Content API's read tests: four public articles with tags, bylines, dates and one featured, a
/// draft and a page in draft that must never show, a published page, and a Content API key. Tests only read it.
/// </summary>
public sealed class ContentApiSite : IAsyncLifetime
{
    public NewsCmsAppFactory App { get; private set; } = default!;
    public HttpClient Client { get; private set; } = default!;
    public string Key { get; private set; } = "";
    public Dictionary<string, int> Ids { get; } = [];

    public async ValueTask InitializeAsync()
    {
        App = await NewsCmsAppFactory.CreateAsync();
        Client = App.CreateClient(new() { HandleCookies = false });
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var admin = await App.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var taxonomy = services.GetRequiredService<TaxonomyService>();
        async Task<int> TagAsync(string name) => (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = name })).Value!.Id;
        var ferries = await TagAsync("Ferries");
        var harbour = await TagAsync("Harbour");
        var zebra = await TagAsync("Zebra");
        var apple = await TagAsync("apple");
        await TagAsync("Unused");
        var authors = services.GetRequiredService<AuthorProfiles>();
        var ann = (await authors.CreateAsync(admin, new AuthorInput { DisplayName = "Ann Writer", Bio = "Covers the harbour." })).Value;
        var bob = (await authors.CreateAsync(admin, new AuthorInput { DisplayName = "Bob Byline" })).Value;

        var articles = services.NewsroomArticles();
        async Task<int> ArticleAsync(string headline, List<int> tags, List<int> bylines, DateTime? publishedAt, ArticleKind kind = ArticleKind.Article)
        {
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput
            {
                Kind = kind, Headline = headline, Standfirst = headline + " standfirst.", BodyHtml = $"<p>{headline} body <strong>text</strong>.</p>",
                TagIds = tags, AuthorIds = bylines,
            }, null, SaveKind.Manual);
            Assert.True(saved.Succeeded, saved.Error);
            if (publishedAt is not null) Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
            return saved.Id;
        }
        Ids["ferry"] = await ArticleAsync("Ferry timetable", [ferries, harbour], [ann], At(1, 10));
        Ids["harbour"] = await ArticleAsync("Harbour works", [harbour], [bob, ann], At(2, 10));
        Ids["council"] = await ArticleAsync("Council news", [], [bob], At(3, 10));
        Ids["zebra"] = await ArticleAsync("Zebra crossing", [zebra, apple], [ann], At(4, 10));
        Ids["draft"] = await ArticleAsync("Secret draft", [ferries], [ann], null);
        Ids["about"] = await ArticleAsync("About us", [], [], At(5, 1), ArticleKind.Page);
        Ids["draft-page"] = await ArticleAsync("Draft page", [], [], null, ArticleKind.Page);
        Ids["ann"] = ann;
        Ids["bob"] = bob;
        Ids["ferries"] = ferries;
        Ids["harbour-tag"] = harbour;

        // Dates and the featured flag set directly, so filters have known values (no request was made yet: nothing cached).
        await using var db = await services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        foreach (var (name, month) in new[] { ("ferry", 1), ("harbour", 2), ("council", 3), ("zebra", 4) })
        {
            var at = At(month, 10);
            await db.Articles.Where(a => a.Id == Ids[name]).ExecuteUpdateAsync(set => set.SetProperty(a => a.PublishedAt, at).SetProperty(a => a.IsFeatured, name == "ferry"));
        }
        (Key, _) = await ContentApiKeys.CreateAsync(App.Services);
    }

    public static DateTime At(int month, int day) => new(2024, month, day, 12, 0, 0, DateTimeKind.Utc);

    public async Task<(HttpStatusCode Status, JsonObject Body)> GetAsync(string pathAndQuery, bool withKey = true)
    {
        var url = withKey ? pathAndQuery + (pathAndQuery.Contains('?') ? "&" : "?") + "key=" + Key : pathAndQuery;
        using var response = await Client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}

public class ContentApiTests(ContentApiSite site) : IClassFixture<ContentApiSite>
{
    private const string Api = "/ghost/api/content";

    private static string[] Titles(JsonObject body, string collection = "posts") =>
        [.. body[collection]!.AsArray().Select(p => (string)p!["title"]!)];

    private static void AssertError(HttpStatusCode expectedStatus, string type, (HttpStatusCode Status, JsonObject Body) answer, string? contains = null)
    {
        Assert.Equal(expectedStatus, answer.Status);
        var error = answer.Body["errors"]!.AsArray().Single()!;
        Assert.Equal(type, (string)error["type"]!);
        Assert.NotNull((string?)error["message"]);
        if (contains is not null) Assert.Contains(contains, (string?)error["context"] + " " + (string)error["message"]!);
    }

    [Fact]
    public async Task Browsing_posts_lists_the_public_articles_newest_first_with_ghosts_pagination()
    {
        var (status, body) = await site.GetAsync($"{Api}/posts/");
        Assert.Equal(HttpStatusCode.OK, status);
        // No draft, no page.
        Assert.Equal(["Zebra crossing", "Council news", "Harbour works", "Ferry timetable"], Titles(body));
        Assert.Equal("""{"page":1,"limit":15,"pages":1,"total":4,"next":null,"prev":null}""", body["meta"]!["pagination"]!.ToJsonString());
        var post = body["posts"]![3]!.AsObject();
        Assert.Equal(site.Ids["ferry"].ToString(), (string)post["id"]!);
        Assert.Equal("ferry-timetable", (string)post["slug"]!);
        Assert.Equal("https://news.example.test/news/ferry-timetable", (string)post["url"]!);
        Assert.Equal("2024-01-10T12:00:00.000+00:00", (string)post["published_at"]!);
        Assert.True((bool)post["featured"]!);
        Assert.Equal("Ferry timetable standfirst.", (string)post["excerpt"]!);
        Assert.Contains("<strong>text</strong>", (string)post["html"]!);
        Assert.False(post.ContainsKey("plaintext"));
        Assert.False(post.ContainsKey("tags"));
        Assert.False(post.ContainsKey("status"));
        Assert.True(post.ContainsKey("feature_image") && post["feature_image"] is null);
    }

    [Fact]
    public async Task Limit_and_page_walk_through_the_posts()
    {
        var (_, first) = await site.GetAsync($"{Api}/posts/?limit=3");
        Assert.Equal(["Zebra crossing", "Council news", "Harbour works"], Titles(first));
        Assert.Equal("""{"page":1,"limit":3,"pages":2,"total":4,"next":2,"prev":null}""", first["meta"]!["pagination"]!.ToJsonString());
        var (_, second) = await site.GetAsync($"{Api}/posts/?limit=3&page=2");
        Assert.Equal(["Ferry timetable"], Titles(second));
        Assert.Equal("""{"page":2,"limit":3,"pages":2,"total":4,"next":null,"prev":1}""", second["meta"]!["pagination"]!.ToJsonString());
        var (_, beyond) = await site.GetAsync($"{Api}/posts/?limit=3&page=9");
        Assert.Empty(Titles(beyond));

        var (_, all) = await site.GetAsync($"{Api}/posts/?limit=all");
        Assert.Equal(4, Titles(all).Length);
        Assert.Equal(1000, (int)all["meta"]!["pagination"]!["limit"]!);
        var (_, capped) = await site.GetAsync($"{Api}/posts/?limit=500");
        Assert.Equal(100, (int)capped["meta"]!["pagination"]!["limit"]!);
    }

    [Theory]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("page=0", "page")]
    [InlineData("page=x", "page")]
    [InlineData("formats=mobiledoc", "formats")]
    [InlineData("order=title;drop", "order")]
    public async Task Malformed_options_are_ghosts_validation_errors(string query, string option)
    {
        var answer = await site.GetAsync($"{Api}/posts/?{query}");
        AssertError(HttpStatusCode.UnprocessableEntity, "ValidationError", answer, $"failed for {option}");
    }

    [Fact]
    public async Task Order_takes_known_fields_and_refuses_others()
    {
        var (_, byTitle) = await site.GetAsync($"{Api}/posts/?order=title%20asc");
        Assert.Equal(["Council news", "Ferry timetable", "Harbour works", "Zebra crossing"], Titles(byTitle));
        var (_, oldest) = await site.GetAsync($"{Api}/posts/?order=published_at%20asc");
        Assert.Equal("Ferry timetable", Titles(oldest)[0]);
        var (_, featuredFirst) = await site.GetAsync($"{Api}/posts/?order=featured%20desc,published_at%20asc");
        Assert.Equal(["Ferry timetable", "Harbour works", "Council news", "Zebra crossing"], Titles(featuredFirst));

        AssertError(HttpStatusCode.BadRequest, "BadRequestError", await site.GetAsync($"{Api}/posts/?order=body%20asc"), "body");
        AssertError(HttpStatusCode.BadRequest, "BadRequestError", await site.GetAsync($"{Api}/posts/?order=title%20sideways"), "title sideways");
    }

    [Fact]
    public async Task Reading_by_id_and_slug_gives_one_post_without_meta_and_404_for_what_is_not_public()
    {
        var (status, byId) = await site.GetAsync($"{Api}/posts/{site.Ids["harbour"]}/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["Harbour works"], Titles(byId));
        Assert.False(byId.ContainsKey("meta"));
        var (_, bySlug) = await site.GetAsync($"{Api}/posts/slug/harbour-works/");
        Assert.Equal(["Harbour works"], Titles(bySlug));
        // A read takes no paging, filter or order: they are ignored, as Ghost does.
        var (ignoring, _) = await site.GetAsync($"{Api}/posts/slug/harbour-works/?limit=abc&filter=nope:x&order=nope");
        Assert.Equal(HttpStatusCode.OK, ignoring);

        AssertError(HttpStatusCode.NotFound, "NotFoundError", await site.GetAsync($"{Api}/posts/{site.Ids["draft"]}/"), "Post not found");
        AssertError(HttpStatusCode.NotFound, "NotFoundError", await site.GetAsync($"{Api}/posts/slug/secret-draft/"));
        AssertError(HttpStatusCode.NotFound, "NotFoundError", await site.GetAsync($"{Api}/posts/slug/about-us/"));
        AssertError(HttpStatusCode.NotFound, "NotFoundError", await site.GetAsync($"{Api}/posts/{site.Ids["about"]}/"));
        AssertError(HttpStatusCode.NotFound, "NotFoundError", await site.GetAsync($"{Api}/posts/not-an-id/"));
        AssertError(HttpStatusCode.NotFound, "NotFoundError", await site.GetAsync($"{Api}/nothing-here/"));
    }

    [Fact]
    public async Task Pages_are_apart_from_posts()
    {
        var (_, pages) = await site.GetAsync($"{Api}/pages/");
        Assert.Equal(["About us"], Titles(pages, "pages"));
        Assert.Equal(1, (int)pages["meta"]!["pagination"]!["total"]!);
        Assert.Equal("https://news.example.test/about-us", (string)pages["pages"]![0]!["url"]!);
        var (_, bySlug) = await site.GetAsync($"{Api}/pages/slug/about-us/");
        Assert.Equal(["About us"], Titles(bySlug, "pages"));
        var (_, byId) = await site.GetAsync($"{Api}/pages/{site.Ids["about"]}/");
        Assert.Equal(["About us"], Titles(byId, "pages"));
        AssertError(HttpStatusCode.NotFound, "NotFoundError", await site.GetAsync($"{Api}/pages/slug/draft-page/"), "Page not found");
        AssertError(HttpStatusCode.NotFound, "NotFoundError", await site.GetAsync($"{Api}/pages/slug/ferry-timetable/"));
    }

    [Fact]
    public async Task Without_a_key_or_with_an_unknown_one_the_answer_is_ghosts_401()
    {
        var missing = await site.GetAsync($"{Api}/posts/", withKey: false);
        AssertError(HttpStatusCode.Unauthorized, "UnauthorizedError", missing, "Unable to determine the authenticated member or integration");
        Assert.Equal("Authorization failed", (string)missing.Body["errors"]![0]!["message"]!);
        var unknown = await site.GetAsync($"{Api}/posts/?key=0123456789abcdef0123456789", withKey: false);
        AssertError(HttpStatusCode.Unauthorized, "UnauthorizedError", unknown, "Unknown Content API Key");
        AssertError(HttpStatusCode.Unauthorized, "UnauthorizedError", await site.GetAsync($"{Api}/settings/?key=nonsense", withKey: false));
    }

    [Fact]
    public async Task Fields_formats_and_include_shape_each_item()
    {
        var (_, fields) = await site.GetAsync($"{Api}/posts/?fields=title,url&limit=1");
        Assert.Equal(["title", "url"], fields["posts"]![0]!.AsObject().Select(p => p.Key).Order());
        Assert.NotNull(fields["meta"]);

        var (_, plain) = await site.GetAsync($"{Api}/posts/slug/ferry-timetable/?formats=plaintext");
        Assert.False(plain["posts"]![0]!.AsObject().ContainsKey("html"));
        Assert.Contains("Ferry timetable body text.", (string)plain["posts"]![0]!["plaintext"]!);
        var (_, both) = await site.GetAsync($"{Api}/posts/slug/ferry-timetable/?formats=html,plaintext");
        Assert.NotNull(both["posts"]![0]!["html"]);
        Assert.NotNull(both["posts"]![0]!["plaintext"]);

        var (_, included) = await site.GetAsync($"{Api}/posts/slug/harbour-works/?include=tags,authors,unknown");
        var post = included["posts"]![0]!;
        Assert.Equal(["harbour"], post["tags"]!.AsArray().Select(t => (string)t!["slug"]!));
        Assert.Equal(["bob-byline", "ann-writer"], post["authors"]!.AsArray().Select(a => (string)a!["slug"]!));
        Assert.Equal("bob-byline", (string)post["primary_author"]!["slug"]!);
        Assert.Equal("harbour", (string)post["primary_tag"]!["slug"]!);
        Assert.Equal("https://news.example.test/tag/harbour", (string)post["primary_tag"]!["url"]!);

        // The primary tag is the first by name, whatever the case: "apple" before "Zebra".
        var (_, zebra) = await site.GetAsync($"{Api}/posts/slug/zebra-crossing/?include=tags");
        Assert.Equal("apple", (string)zebra["posts"]![0]!["primary_tag"]!["slug"]!);
        Assert.Equal(["apple", "zebra"], zebra["posts"]![0]!["tags"]!.AsArray().Select(t => (string)t!["slug"]!));
        Assert.False(zebra["posts"]![0]!.AsObject().ContainsKey("authors"));
    }

    public static TheoryData<string, string[]> Filters => new()
    {
        { "tag:ferries", ["Ferry timetable"] },
        { "tags:[ferries,zebra]", ["Zebra crossing", "Ferry timetable"] },
        { "tags.slug:harbour", ["Harbour works", "Ferry timetable"] },
        { "tag:-harbour", ["Zebra crossing", "Council news"] },
        { "tag:null", ["Council news"] },
        { "author:bob-byline", ["Council news", "Harbour works"] },
        { "authors:[ann-writer]", ["Zebra crossing", "Harbour works", "Ferry timetable"] },
        { "authors:-[ann-writer]", ["Council news"] },
        { "primary_tag:harbour", ["Harbour works"] },
        { "primary_tag:apple", ["Zebra crossing"] },
        { "primary_tag:zebra", [] },
        { "primary_tag:-harbour", ["Zebra crossing", "Council news", "Ferry timetable"] },
        { "primary_author:ann-writer", ["Zebra crossing", "Ferry timetable"] },
        { "featured:true", ["Ferry timetable"] },
        { "featured:false", ["Zebra crossing", "Council news", "Harbour works"] },
        { "published_at:<'2024-02-01'", ["Ferry timetable"] },
        { "published_at:>'2024-02-10'", ["Zebra crossing", "Council news", "Harbour works"] },
        { "published_at:>='2024-03-10T12:00:00Z'", ["Zebra crossing", "Council news"] },
        { "published_at:<='2024-03-10T12:00:00.000+00:00'", ["Council news", "Harbour works", "Ferry timetable"] },
        { "slug:[ferry-timetable,council-news]", ["Council news", "Ferry timetable"] },
        { "-slug:council-news", ["Zebra crossing", "Harbour works", "Ferry timetable"] },
        { "slug:-council-news", ["Zebra crossing", "Harbour works", "Ferry timetable"] },
        { "tag:harbour+author:ann-writer", ["Harbour works", "Ferry timetable"] },
        { "tag:ferries,author:bob-byline+featured:false", ["Council news", "Harbour works", "Ferry timetable"] },
        { "(tag:ferries,author:bob-byline)+featured:false", ["Council news", "Harbour works"] },
        { "-(tag:harbour,tag:zebra)", ["Council news"] },
        { "title:~'HARBOUR'", ["Harbour works"] },
        { "visibility:public+status:published", ["Zebra crossing", "Council news", "Harbour works", "Ferry timetable"] },
        { "tag:no-such-tag", [] },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Filters_answer_exactly_on_the_database(string filter, string[] expected)
    {
        var (status, body) = await site.GetAsync($"{Api}/posts/?filter={Uri.EscapeDataString(filter)}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, Titles(body));
        Assert.Equal(expected.Length, (int)body["meta"]!["pagination"]!["total"]!);
    }

    [Fact]
    public async Task The_longest_filters_allowed_are_answered_quickly_and_longer_ones_refused()
    {
        foreach (var filter in new[]
        {
            string.Join(",", Enumerable.Range(0, 220).Select(i => $"tag:t{i}")),
            string.Join("+", Enumerable.Range(0, 110).Select(i => $"-primary_tag:t{i}")),
            new string('(', 30) + "author:ann-writer" + new string(')', 30),
        })
        {
            Assert.True(filter.Length <= 2000, filter.Length.ToString());
            var started = System.Diagnostics.Stopwatch.StartNew();
            var (status, _) = await site.GetAsync($"{Api}/posts/?filter={Uri.EscapeDataString(filter)}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(1), $"{started.Elapsed} for a filter of {filter.Length} characters");
        }
        AssertError(HttpStatusCode.BadRequest, "BadRequestError", await site.GetAsync($"{Api}/posts/?filter={new string('-', 2001)}"), "longer than");
    }

    [Fact]
    public async Task Filter_by_id_uses_the_apis_ids()
    {
        var (_, body) = await site.GetAsync($"{Api}/posts/?filter=id:[{site.Ids["ferry"]},{site.Ids["draft"]}]");
        Assert.Equal(["Ferry timetable"], Titles(body));
    }

    [Theory]
    [InlineData("nope:x", "nope")]
    [InlineData("tag:", "a value")]
    [InlineData("featured:maybe", "true or false")]
    [InlineData("published_at:>'yesterday'", "takes a date")]
    [InlineData("tag:>x", "not supported")]
    [InlineData("(tag:a", "\")\"")]
    public async Task Unsupported_filters_are_400s_that_say_why(string filter, string why)
    {
        var answer = await site.GetAsync($"{Api}/posts/?filter={Uri.EscapeDataString(filter)}");
        AssertError(HttpStatusCode.BadRequest, "BadRequestError", answer, why);
        Assert.Equal("Error parsing filter", (string)answer.Body["errors"]![0]!["message"]!);
    }

    [Fact]
    public async Task Tags_list_all_tags_with_counts_of_public_posts_only()
    {
        var (_, body) = await site.GetAsync($"{Api}/tags/?include=count.posts&filter=slug:[ferries,harbour,unused]");
        var tags = body["tags"]!.AsArray().ToDictionary(t => (string)t!["slug"]!, t => (int)t!["count"]!["posts"]!);
        Assert.Equal(new Dictionary<string, int> { ["ferries"] = 1, ["harbour"] = 2, ["unused"] = 0 }, tags);
        Assert.Equal(["Ferries", "Harbour", "Unused"], body["tags"]!.AsArray().Select(t => (string)t!["name"]!));

        var (_, byCount) = await site.GetAsync($"{Api}/tags/?order=count.posts%20desc&limit=1");
        Assert.Equal("harbour", (string)byCount["tags"]![0]!["slug"]!);
        Assert.False(byCount["tags"]![0]!.AsObject().ContainsKey("count"));

        var (_, one) = await site.GetAsync($"{Api}/tags/slug/harbour/?include=count.posts");
        Assert.Equal(2, (int)one["tags"]![0]!["count"]!["posts"]!);
        Assert.False(one.ContainsKey("meta"));
        var (_, byId) = await site.GetAsync($"{Api}/tags/{site.Ids["ferries"]}/");
        Assert.Equal("Ferries", (string)byId["tags"]![0]!["name"]!);
        AssertError(HttpStatusCode.NotFound, "NotFoundError", await site.GetAsync($"{Api}/tags/slug/nope/"), "Tag not found");
        AssertError(HttpStatusCode.BadRequest, "BadRequestError", await site.GetAsync($"{Api}/tags/?filter=featured:true"), "featured");
    }

    [Fact]
    public async Task Authors_list_with_counts_and_read_by_slug_and_id()
    {
        var (_, body) = await site.GetAsync($"{Api}/authors/?include=count.posts&filter=slug:[ann-writer,bob-byline]");
        Assert.Equal(["Ann Writer", "Bob Byline"], body["authors"]!.AsArray().Select(a => (string)a!["name"]!));
        Assert.Equal([3, 2], body["authors"]!.AsArray().Select(a => (int)a!["count"]!["posts"]!));
        Assert.Equal("Covers the harbour.", (string)body["authors"]![0]!["bio"]!);
        Assert.Equal("https://news.example.test/author/ann-writer", (string)body["authors"]![0]!["url"]!);

        var (_, one) = await site.GetAsync($"{Api}/authors/slug/bob-byline/");
        Assert.Equal("Bob Byline", (string)one["authors"]![0]!["name"]!);
        var (_, byId) = await site.GetAsync($"{Api}/authors/{site.Ids["ann"]}/");
        Assert.Equal("ann-writer", (string)byId["authors"]![0]!["slug"]!);
        AssertError(HttpStatusCode.NotFound, "NotFoundError", await site.GetAsync($"{Api}/authors/slug/nobody/"), "Author not found");
    }

    [Fact]
    public async Task Settings_give_the_sites_public_settings_in_ghosts_shape()
    {
        var (status, body) = await site.GetAsync($"{Api}/settings/");
        Assert.Equal(HttpStatusCode.OK, status);
        var settings = body["settings"]!.AsObject();
        Assert.False(string.IsNullOrEmpty((string?)settings["title"]));
        Assert.Equal("https://news.example.test/", (string)settings["url"]!);
        Assert.Equal("Home", (string)settings["navigation"]![0]!["label"]!);
        Assert.Equal("/", (string)settings["navigation"]![0]!["url"]!);
        foreach (var name in new[] { "description", "logo", "icon", "accent_color", "cover_image", "facebook", "twitter", "lang", "locale", "timezone",
            "codeinjection_head", "codeinjection_foot", "secondary_navigation", "meta_title", "meta_description" })
        {
            Assert.True(settings.ContainsKey(name), name);
        }
        Assert.Null(settings["codeinjection_head"]);
        Assert.Equal("{}", body["meta"]!.ToJsonString());
    }

    [Fact]
    public async Task Answers_allow_any_origin_and_preflights_are_answered()
    {
        using var answer = await site.Client.GetAsync($"{Api}/posts/?key={site.Key}");
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(answer.Headers.Contains("Set-Cookie"));
        using var refused = await site.Client.GetAsync($"{Api}/posts/");
        Assert.Equal("*", refused.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"{Api}/posts/?key={site.Key}");
        preflight.Headers.Add("Origin", "https://app.example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "accept-version");
        using var preflightAnswer = await site.Client.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, preflightAnswer.StatusCode);
        Assert.Equal("*", preflightAnswer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("accept-version", preflightAnswer.Headers.GetValues("Access-Control-Allow-Headers").Single());
    }

    [Fact]
    public async Task The_versioned_prefixes_and_addresses_without_the_trailing_slash_answer_the_same()
    {
        var (_, plain) = await site.GetAsync($"{Api}/posts/?limit=2");
        foreach (var url in new[] { "/ghost/api/v4/content/posts/?limit=2", "/ghost/api/v3/content/posts?limit=2", "/ghost/api/canary/content/posts/?limit=2", $"{Api}/posts?limit=2" })
        {
            var (status, body) = await site.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(Titles(plain), Titles(body));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await site.Client.GetAsync($"/ghost/api/v9/content/posts/?key={site.Key}")).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_is_public_and_describes_only_the_apis()
    {
        using var anonymous = site.App.CreateClient(new() { HandleCookies = false, AllowAutoRedirect = false });
        using var answer = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var document = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!.AsObject();
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        // The document writes the paths without the trailing slash; both forms are answered.
        foreach (var path in new[] { "/ghost/api/content/posts", "/ghost/api/content/posts/{id}", "/ghost/api/content/posts/slug/{slug}",
            "/ghost/api/content/pages", "/ghost/api/content/tags", "/ghost/api/content/authors/slug/{slug}", "/ghost/api/content/settings" })
        {
            Assert.Contains(path, paths);
        }
        Assert.All(paths, p => Assert.StartsWith("/ghost/api/", p));
        Assert.DoesNotContain(paths, p => p.Contains("{version", StringComparison.Ordinal));

        var browse = document["paths"]!["/ghost/api/content/posts"]!["get"]!;
        Assert.Contains("filter", browse["parameters"]!.AsArray().Select(p => (string)p!["name"]!));
        var read = document["paths"]!["/ghost/api/content/posts/slug/{slug}"]!["get"]!;
        Assert.Equal(["fields", "formats", "include", "key", "slug"], read["parameters"]!.AsArray().Select(p => (string)p!["name"]!).Order());
        foreach (var code in new[] { "200", "400", "401", "422", "429" }) Assert.NotNull(browse["responses"]![code]);
        var schemas = document["components"]!["schemas"]!.AsObject();
        Assert.True(schemas["GhostPost"]!["properties"]!.AsObject().ContainsKey("feature_image"));
        Assert.True(schemas["GhostErrorBody"]!["properties"]!.AsObject().ContainsKey("errors"));
    }
}

/// <summary>Caching, eviction, revoked keys and the rate limit: each on a site of its own.</summary>
public class ContentApiCacheTests
{
    private static async Task<(int Id, Guid Version)> PublishAsync(NewsCmsAppFactory app, string headline)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>Text.</p>" }, null, SaveKind.Manual);
        var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
        Assert.True(published.Succeeded, published.Error);
        return (saved.Id, published.Value!.Version);
    }

    [Fact]
    public async Task A_second_identical_request_is_a_cache_hit_and_publishing_or_editing_evicts_it()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (id, version) = await PublishAsync(app, "First story");
        var (key, _) = await ContentApiKeys.CreateAsync(app.Services);
        using var client = app.CreateClient(new() { HandleCookies = false });
        var list = $"/ghost/api/content/posts/?key={key}";
        var read = $"/ghost/api/content/posts/{id}/?key={key}";

        foreach (var url in new[] { list, read, $"/ghost/api/content/settings/?key={key}" })
        {
            using var first = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Null(first.Headers.Age);
            using var second = await client.GetAsync(url);
            Assert.NotNull(second.Headers.Age); // the output cache answered
            Assert.Equal("*", second.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        }
        // Another query string is another entry.
        using (var other = await client.GetAsync(list + "&limit=1")) Assert.Null(other.Headers.Age);
        // Query values are part of the key as they are: a filter differing only in case is not served the other's answer.
        Assert.Contains("First story", await client.GetStringAsync(list + "&filter=slug:first-story"));
        Assert.DoesNotContain("First story", await client.GetStringAsync(list + "&filter=slug:FIRST-STORY"));

        await PublishAsync(app, "Second story");
        using (var afterPublish = await client.GetAsync(list))
        {
            Assert.Null(afterPublish.Headers.Age);
            Assert.Contains("Second story", await afterPublish.Content.ReadAsStringAsync());
        }

        // Editing the article evicts its own read.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var articles = scope.ServiceProvider.NewsroomArticles();
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var saved = await articles.Editing.SaveAsync(admin, id, new ArticleInput { Headline = "First story, updated", Slug = "first-story", BodyHtml = "<p>Text.</p>" },
                version, SaveKind.Manual);
            Assert.True(saved.Succeeded, saved.Error);
        }
        using var afterEdit = await client.GetAsync(read);
        Assert.Contains("First story, updated", await afterEdit.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_new_tag_or_author_appears_in_cached_lists_at_once()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (key, _) = await ContentApiKeys.CreateAsync(app.Services);
        using var client = app.CreateClient(new() { HandleCookies = false });
        var tags = $"/ghost/api/content/tags/?key={key}";
        var authors = $"/ghost/api/content/authors/?key={key}";
        Assert.DoesNotContain("Lighthouses", await client.GetStringAsync(tags));
        Assert.DoesNotContain("Nora Newcomer", await client.GetStringAsync(authors));
        Assert.NotNull((await client.GetAsync(tags)).Headers.Age);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            Assert.True((await scope.ServiceProvider.GetRequiredService<TaxonomyService>().CreateTagAsync(admin, new TaxonomyInput { Name = "Lighthouses" })).Succeeded);
            Assert.True((await scope.ServiceProvider.GetRequiredService<AuthorProfiles>().CreateAsync(admin, new AuthorInput { DisplayName = "Nora Newcomer" })).Succeeded);
        }
        Assert.Contains("Lighthouses", await client.GetStringAsync(tags));
        Assert.Contains("Nora Newcomer", await client.GetStringAsync(authors));
    }

    [Fact]
    public async Task A_revoked_key_gets_401_even_for_an_answer_that_was_cached()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await PublishAsync(app, "Some story");
        var (key, keyId) = await ContentApiKeys.CreateAsync(app.Services);
        using var client = app.CreateClient(new() { HandleCookies = false });
        var url = $"/ghost/api/content/posts/?key={key}";
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(url)).StatusCode);
        Assert.NotNull((await client.GetAsync(url)).Headers.Age);

        await ContentApiKeys.RevokeAsync(app.Services, keyId);
        using var after = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("Unknown Content API Key", await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Too_many_requests_with_one_key_get_ghosts_429_and_other_keys_go_on()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:ContentApi:RequestsPerKey"] = "3" });
        var (busy, _) = await ContentApiKeys.CreateAsync(app.Services, "Busy app");
        var (calm, _) = await ContentApiKeys.CreateAsync(app.Services, "Calm app");
        using var client = app.CreateClient(new() { HandleCookies = false });
        for (var i = 1; i <= 3; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/ghost/api/content/posts/?key={busy}&page={i}")).StatusCode);
        // A cached answer costs nothing and is not counted.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/ghost/api/content/posts/?key={busy}&page=1")).StatusCode);

        using var refused = await client.GetAsync($"/ghost/api/content/posts/?key={busy}&page=4");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]![0]!;
        Assert.Equal("TooManyRequestsError", (string)error["type"]!);
        Assert.Contains("more than 3 requests", (string)error["context"]!);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/ghost/api/content/posts/?key={calm}")).StatusCode);
    }

    [Fact]
    public async Task The_content_api_limits_rows_only_in_a_defined_order()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.ConfigureDbContext<NewsCmsDbContext>(options =>
            options.ConfigureWarnings(warnings => warnings.Throw(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.RowLimitingOperationWithoutOrderByWarning)));
        var (id, _) = await PublishAsync(app, "Ordered story");
        var (key, _) = await ContentApiKeys.CreateAsync(app.Services);
        using var client = app.CreateClient(new() { HandleCookies = false });
        foreach (var path in new[] { "posts/?include=tags,authors&filter=primary_tag:x,primary_author:y", $"posts/{id}/", "posts/slug/ordered-story/", "pages/?limit=2&page=2",
            "tags/?include=count.posts", "tags/slug/x/", "authors/?limit=1", "authors/slug/x/", "settings/" })
        {
            var response = await client.GetAsync($"/ghost/api/content/{path}{(path.Contains('?') ? '&' : '?')}key={key}");
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{path} answered {(int)response.StatusCode}");
        }
    }

    /// <summary>A site whose queries <paramref name="counter"/> counts, with no scheduler polling beside them.</summary>
    private static async Task<NewsCmsAppFactory> CountingQueriesAsync(CommandCounter counter)
    {
        var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services =>
        {
            services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(counter);
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        };
        return app;
    }

    [Fact]
    public async Task Answers_make_the_same_few_queries_however_many_posts_tags_and_authors_they_show()
    {
        // Only the answers' own queries: the app's background work after the publishes (webhook deliveries, rankings,
        // readership) runs outside any request and once was counted in the first browse.
        var counter = new CommandCounter(duringRequestsOnly: true);
        await using var app = await CountingQueriesAsync(counter);
        using var client = app.CreateClient(new() { HandleCookies = false });
        var (key, _) = await ContentApiKeys.CreateAsync(app.Services);
        await using var scope = app.Services.CreateAsyncScope();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var articles = scope.ServiceProvider.NewsroomArticles();
        var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        var authors = scope.ServiceProvider.GetRequiredService<AuthorProfiles>();
        var tags = new List<int>();
        for (var i = 0; i < 10; i++) tags.Add((await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = $"Tag {i}" })).Value!.Id);
        var bylines = new List<int>();
        for (var i = 0; i < 5; i++) bylines.Add((await authors.CreateAsync(admin, new AuthorInput { DisplayName = $"Writer {i}" })).Value);
        async Task Publish(string headline, List<int> tagIds, List<int> authorIds)
        {
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>x</p>", TagIds = tagIds, AuthorIds = authorIds }, null, SaveKind.Manual);
            Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
            // The stories it relates to are ranked again in the background: their queries are not the answers' own.
            await app.RelatedRankedAgainAsync();
        }
        await Publish("Small article", [tags[0]], [bylines[0]]);
        await Publish("Big article", tags, bylines);

        var store = app.Services.GetRequiredService<Microsoft.AspNetCore.OutputCaching.IOutputCacheStore>();
        async Task<int> QueriesFor(string path)
        {
            var url = $"/ghost/api/content/{path}{(path.Contains('?') ? '&' : '?')}key={key}";
            await store.EvictByTagAsync(NewsCms.Web.Features.Hosting.PublicCache.Tag, default);
            counter.Reset();
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return counter.Count;
        }

        Assert.Equal(await QueriesFor("posts/slug/small-article/?include=tags,authors"), await QueriesFor("posts/slug/big-article/?include=tags,authors"));
        var browse = await QueriesFor("posts/?include=tags,authors");
        // Posts, total, tags and authors, live-blog entries, corrections: one query each, whatever the page holds.
        Assert.InRange(browse, 1, 6);
        var tagList = await QueriesFor("tags/?include=count.posts");
        var authorList = await QueriesFor("authors/?include=count.posts");
        for (var i = 0; i < 12; i++) await Publish($"More news {i}", [.. tags.Take(3)], [.. bylines.Take(2)]);
        Assert.Equal(browse, await QueriesFor("posts/?include=tags,authors"));
        Assert.Equal(tagList, await QueriesFor("tags/?include=count.posts"));
        Assert.Equal(authorList, await QueriesFor("authors/?include=count.posts"));
        Assert.InRange(tagList, 1, 2);
        Assert.InRange(authorList, 1, 3);
    }

    [Fact]
    public async Task A_lists_total_is_counted_once_for_all_its_pages_until_what_readers_see_changes()
    {
        var counter = new CommandCounter(duringRequestsOnly: true);
        await using var app = await CountingQueriesAsync(counter);
        using var client = app.CreateClient(new() { HandleCookies = false });
        var (key, _) = await ContentApiKeys.CreateAsync(app.Services);
        await using var scope = app.Services.CreateAsyncScope();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var articles = scope.ServiceProvider.NewsroomArticles();
        var harbour = (await scope.ServiceProvider.GetRequiredService<TaxonomyService>().CreateTagAsync(admin, new TaxonomyInput { Name = "Harbour" })).Value!.Id;
        async Task<(int Id, Guid Version)> Publish(string headline, List<int> tagIds)
        {
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>x</p>", TagIds = tagIds }, null, SaveKind.Manual);
            var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
            Assert.True(published.Succeeded, published.Error);
            await app.RelatedRankedAgainAsync();
            return (saved.Id, published.Value!.Version);
        }
        await Publish("Ferry one", [harbour]);
        await Publish("Ferry two", []);
        var (third, thirdVersion) = await Publish("Ferry three", [harbour]);

        // Each page is another URL, so the output cache answers none of them: the total is what is kept.
        async Task<(int Total, int Queries)> Page(int page, string filter = "")
        {
            counter.Reset();
            var body = JsonNode.Parse(await client.GetStringAsync($"/ghost/api/content/posts/?key={key}&limit=1&page={page}{filter}"))!;
            return ((int)body["meta"]!["pagination"]!["total"]!, counter.Count);
        }
        var first = await Page(1);
        Assert.Equal(3, first.Total);
        var second = await Page(2);
        Assert.Equal(3, second.Total);
        Assert.Equal(first.Queries - 1, second.Queries); // not counted again
        Assert.Equal(2, (await Page(1, "&filter=tag:harbour")).Total); // a filtered list has a total of its own

        await Publish("Ferry four", [harbour]);
        var afterPublish = await Page(3);
        Assert.Equal(4, afterPublish.Total);
        Assert.Equal(first.Queries, afterPublish.Queries); // counted again
        Assert.Equal(3, (await Page(2, "&filter=tag:harbour")).Total);

        Assert.True((await articles.Workflow.UnpublishAsync(admin, third, thirdVersion)).Succeeded);
        Assert.Equal(3, (await Page(4)).Total);
        Assert.Equal(2, (await Page(3, "&filter=tag:harbour")).Total);
    }

    [Fact]
    public async Task A_bad_rate_limit_setting_stops_start_up_with_its_name()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:ContentApi:RequestsPerKey"] = "0" });
        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("RequestsPerKey", ex.ToString());
    }
}

/// <summary>The Content API's per-key limit counted in a real Redis server, shared by the nodes of a site.</summary>
public sealed class ContentApiClusterLimitTests : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> disposables = [];

    private async Task<NewsCms.Web.Features.GhostApi.ContentApiLimiter> NodeAsync(string configuration)
    {
        var settings = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [NewsCms.Web.Features.Cluster.ClusterSetup.RedisSetting] = configuration }).Build();
        var redis = new NewsCms.Web.Features.Cluster.RedisConnection(settings, Microsoft.Extensions.Logging.Abstractions.NullLogger<NewsCms.Web.Features.Cluster.RedisConnection>.Instance);
        await redis.ConnectAsync();
        disposables.Add(redis);
        return new(Microsoft.Extensions.Options.Options.Create(new NewsCms.Web.Features.GhostApi.ContentApiOptions { RequestsPerKey = 3, Window = TimeSpan.FromMinutes(5) }),
            redis, Microsoft.Extensions.Logging.Abstractions.NullLogger<NewsCms.Web.Features.GhostApi.ContentApiLimiter>.Instance);
    }

    [Fact]
    public async Task Two_nodes_together_allow_what_one_node_allows_per_key()
    {
        var configuration = await TestRedis.NewConfigurationAsync();
        using var a = await NodeAsync(configuration);
        using var b = await NodeAsync(configuration);
        Assert.Null(await a.TakeAsync(7));
        Assert.Null(await b.TakeAsync(7));
        Assert.Null(await a.TakeAsync(7));
        var wait = await b.TakeAsync(7);
        Assert.NotNull(wait);
        Assert.InRange(wait.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5));
        Assert.NotNull(await a.TakeAsync(7));
        // Another key has its own count.
        Assert.Null(await b.TakeAsync(8));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in disposables) await disposable.DisposeAsync();
    }
}
