using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.Routing;
using NewsCms.Tests.Infrastructure;

namespace NewsCms.Tests.Integration;

/// <summary>
/// What readers' requests can carry, on every public route (found in the app's own endpoint table, so a new public
/// route is covered without touching this file): no cookie from a cached page, the cache keyed by what a page reads,
/// paging that answers 404 rather than failing, and nothing that answers 500.
/// </summary>
public class PublicInputTests(NewsroomFixture site) : IClassFixture<NewsroomFixture>
{
    /// <summary>The anonymous GET routes: pages, feeds, sitemaps, media, health (not the account pages or Blazor's plumbing).</summary>
    private IReadOnlyList<(RouteEndpoint Endpoint, string Url)> PublicRoutes()
    {
        var routes = new List<(RouteEndpoint, string)>();
        foreach (var endpoint in RouteRules.Endpoints(site.App.Services))
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            if (RouteRules.For(endpoint) is not { } rule || rule == RouteRules.StaticAssets || rule.Access != Access.Anyone) continue;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            if (methods is not null && !methods.Contains("GET")) continue;
            if (pattern.StartsWith("/Account", StringComparison.Ordinal) || pattern.StartsWith("/_", StringComparison.Ordinal)
                || pattern is "/setup" or "{**path:file}") continue;
            routes.Add((endpoint, rule.UrlFor(site.Samples, pattern)));
        }
        Assert.Contains(routes, r => r.Item2 == "/feed.xml");
        Assert.Contains(routes, r => r.Item2.StartsWith("/news/", StringComparison.Ordinal));
        return routes;
    }

    /// <summary>The query keys a page reads ([SupplyParameterFromQuery]); none for minimal-API endpoints.</summary>
    private static IReadOnlySet<string> QueryKeys(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<ComponentTypeMetadata>()?.Type
            .GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(p => p.GetCustomAttribute<SupplyParameterFromQueryAttribute>() is { } q ? q.Name ?? p.Name : null)
            .OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];

    private static bool IsCached(Endpoint endpoint) => endpoint.Metadata.GetMetadata<OutputCacheAttribute>() is { NoStore: false };

    [Fact]
    public async Task Cached_public_responses_never_set_a_cookie_on_a_hit_either()
    {
        using var reader = site.App.CreateClient(new() { HandleCookies = false });
        var cached = PublicRoutes().Where(r => IsCached(r.Endpoint)).ToList();
        Assert.Contains(cached, r => r.Url == "/");
        foreach (var (_, url) in cached)
        {
            var first = await reader.GetAsync(url);
            var second = await reader.GetAsync(url);
            if (second.StatusCode != HttpStatusCode.OK) continue;
            Assert.False(first.Headers.Contains("Set-Cookie"), $"{url} sets a cookie: {string.Join(", ", first.Headers.TryGetValues("Set-Cookie", out var a) ? a : [])}");
            Assert.False(second.Headers.Contains("Set-Cookie"), $"{url} sets a cookie from the cache: {string.Join(", ", second.Headers.TryGetValues("Set-Cookie", out var b) ? b : [])}");
        }
        // The listings and the article were served from the cache on the second request.
        foreach (var url in new[] { "/", $"/news/{site.Samples.ArticleSlug}", $"/section/{site.Samples.SectionSlug}", $"/tag/{site.Samples.TagSlug}", "/search?q=ferry", "/feed.xml" })
        {
            var hit = await reader.GetAsync(url);
            Assert.NotNull(hit.Headers.Age);
            Assert.False(hit.Headers.Contains("Set-Cookie"), $"{url} sets a cookie from the cache");
        }
    }

    [Fact]
    public async Task Only_the_query_keys_a_page_reads_make_a_new_cache_entry()
    {
        using var reader = site.App.CreateClient(new() { HandleCookies = false });
        var article = $"/news/{site.Samples.ArticleSlug}";
        var section = $"/section/{site.Samples.SectionSlug}";
        foreach (var (plain, variant) in new[]
                 {
                     (article, article + "?page=7"), (article, article + "?q=x&utm_source=y"),
                     ("/feed.xml", "/feed.xml?page=3"), ("/", "/?q=ferry&fbclid=1"), (section, section + "?q=x"),
                     ("/search?q=ferry", "/search?q=ferry&utm_medium=z"),
                 })
        {
            await reader.GetAsync(plain);
            var response = await reader.GetAsync(variant);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.Age is not null, $"{variant} was rendered again instead of served as {plain}");
        }
        // The keys a page does read still tell pages apart.
        await reader.GetAsync("/search?q=ferry");
        Assert.Null((await reader.GetAsync("/search?q=timetable")).Headers.Age);
    }

    [Fact]
    public async Task An_empty_page_value_is_the_first_page_whether_or_not_the_first_page_is_cached()
    {
        using var reader = site.App.CreateClient(new() { HandleCookies = false });
        foreach (var url in PublicRoutes().Where(r => QueryKeys(r.Endpoint).Contains("page")).Select(r => r.Url))
        {
            var address = url + (url.Contains('?') ? "&" : "?") + "page=";
            var response = await reader.GetAsync(address);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{address} answered {(int)response.StatusCode}");
        }
    }

    public static TheoryData<string> BadPages => ["abc", "1e5", "2147483648", "99999999999999999999", "0", "-1", "+2", "2.0", " 2", "0x10", "1&page=2", "2&page=2", "5000"];

    [Theory, MemberData(nameof(BadPages))]
    public async Task A_page_number_that_is_not_a_page_of_the_list_answers_404(string page)
    {
        using var reader = site.App.CreateClient(new() { HandleCookies = false });
        var listings = PublicRoutes().Where(r => QueryKeys(r.Endpoint).Contains("page")).Select(r => r.Url).ToList();
        Assert.Contains("/", listings);
        Assert.Contains("/search?q=ferry", listings);
        foreach (var url in listings)
        {
            var address = url + (url.Contains('?') ? "&" : "?") + "page=" + page;
            var response = await reader.GetAsync(address);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{address} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task The_first_page_of_each_listing_is_there_by_number_too()
    {
        using var reader = site.App.CreateClient(new() { HandleCookies = false });
        foreach (var url in new[] { "/?page=1", $"/section/{site.Samples.SectionSlug}?page=1", $"/tag/{site.Samples.TagSlug}?page=1", "/search?q=ferry&page=1" })
        {
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(url)).StatusCode);
        }
    }

    [Fact]
    public async Task Nothing_a_request_carries_answers_500_on_any_public_route()
    {
        var routes = PublicRoutes();
        using var reader = site.App.CreateClient(new() { HandleCookies = false, AllowAutoRedirect = false });
        string[] queries =
        [
            "?page=abc", "?page=1e5", "?page=2147483648", "?page=-2147483649", "?page=1&page=2", "?page=%00", "?page=%FF%FE",
            "?q=%FF%FE%00", "?q=" + new string('x', 4000), "?q=\"unterminated", "?q=*", "?q=NEAR(a b)", "?%%%=1", "?=&&=", "?page[]=1",
            "?q=a&q=b", "?" + string.Join("&", Enumerable.Range(0, 200).Select(i => $"k{i}={i}")),
        ];
        (string Name, string Value)[][] headers =
        [
            [("If-None-Match", "garbage")], [("If-None-Match", "W/\"")], [("If-None-Match", "*")],
            [("If-Modified-Since", "not a date")], [("If-Modified-Since", "Mon, 01 Jan 10000 00:00:00 GMT")],
            [("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")], [("Accept-Encoding", "br;q=abc, *;q=-1, gzip;q=2")],
            [("Accept-Encoding", "identity;q=0, *;q=0")], [("Accept", "\u0001/\u0002")], [("Accept-Language", "((((")],
            [("Range", "bytes=9999999999-")], [("Cookie", ".AspNetCore.Antiforgery.x=junk; .AspNetCore.Identity.Application=junk")],
        ];
        var failures = new List<string>();
        async Task Try(HttpMethod method, string address, (string Name, string Value)[]? extra = null, int? expected = null)
        {
            using var request = new HttpRequestMessage(method, address);
            foreach (var (name, value) in extra ?? []) request.Headers.TryAddWithoutValidation(name, value);
            // Headers only: an event stream (/live/.../events) never ends; its status is the answer.
            using var response = await reader.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var status = (int)response.StatusCode;
            if (status >= 500 || (expected is { } wanted && status != wanted))
            {
                failures.Add($"{method} {address} {string.Join(" ", (extra ?? []).Select(h => $"[{h.Name}: {h.Value}]"))} → {status}{(expected is null ? "" : $", expected {expected}")}");
            }
        }
        async Task TryHost(string url, string host)
        {
            var target = new Uri(new Uri("https://localhost"), url);
            var context = await site.App.Server.SendAsync(c =>
            {
                c.Request.Method = "GET";
                c.Request.Path = PathString.FromUriComponent(target);
                c.Request.QueryString = QueryString.FromUriComponent(target);
                c.Request.Host = new HostString(host);
            });
            var expected = url == "/healthz" ? 200 : 400;
            if (context.Response.StatusCode != expected) failures.Add($"GET {url} [Host: {host}] → {context.Response.StatusCode}, expected {expected}");
        }

        foreach (var (endpoint, url) in routes)
        {
            var separator = url.Contains('?') ? "&" : "?";
            // A page that reads "page" answers 404 for what is not one of its pages; the others ignore it.
            var paged = QueryKeys(endpoint).Contains("page");
            foreach (var query in queries) await Try(HttpMethod.Get, url + separator + query[1..], expected: paged && query.StartsWith("?page=", StringComparison.Ordinal) ? 404 : null);
            await TryHost(url, "");
            await TryHost(url, "evil.example");
            foreach (var extra in headers) await Try(HttpMethod.Get, url, extra);
            await Try(HttpMethod.Head, url);
            await Try(HttpMethod.Head, url + separator + "page=abc");
            if (endpoint.RoutePattern.Parameters.Count > 0)
            {
                var prefix = url[..(url.IndexOf('/', 1) + 1)];
                foreach (var junk in new[] { new string('a', 3000), "%ZZ", "%C0%AE%C0%AE", "..%2F..%2Fetc", "a%20b", "%F0%9F%92%A9", "-", "Ünïcode" })
                {
                    await Try(HttpMethod.Get, prefix + junk + (url.EndsWith(".xml", StringComparison.Ordinal) ? "/feed.xml" : ""));
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var errors = site.App.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
