using System.Net;
using NewsCms.Tests.Infrastructure;

namespace NewsCms.Tests.Integration;

/// <summary>
/// HEAD is answered as the GET it stands for, without the body (HeadRequests): link checkers, monitors and link
/// previews ask with HEAD, and pages and endpoints are mapped for GET only.
/// </summary>
public sealed class HeadRequestTests : IAsyncDisposable
{
    private readonly List<NewsCmsAppFactory> apps = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var app in Enumerable.Reverse(apps)) await app.DisposeAsync();
    }

    private async Task<NewsCmsAppFactory> StartAsync(bool fastPath = true)
    {
        var app = await NewsCmsAppFactory.CreateAsync(new()
        {
            ["NewsCms:Readership:FlushSeconds"] = "300",
            ["NewsCms:Readership:MostReadRefreshSeconds"] = "3600",
            ["NewsCms:PublicCache:FastPath"] = fastPath ? "true" : "false",
        });
        apps.Add(app);
        return app;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.UserAgent.ParseAdd(ReadershipTests.Chrome);
        return await client.SendAsync(request);
    }

    private static readonly string[] Compared = ["Content-Type", "Cache-Control", "Vary", "Content-Security-Policy", "X-Content-Type-Options", "Location"];

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_HEAD_gets_the_GETs_status_and_headers_and_its_length_without_the_body(bool fastPath)
    {
        var app = await StartAsync(fastPath);
        var (_, slug) = await ReadershipTests.PublishAsync(app, "Harbour wall rebuilt");
        using var reader = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        string[] urls = ["/", $"/news/{slug}", "/feed.xml", "/sitemap.xml", "/robots.txt", "/search?q=harbour", "/healthz", "/ghost/api/content/posts/?key=nope"];
        foreach (var url in urls)
        {
            // The HEAD comes first, on a cold page: the pipeline answers it as a GET.
            var head = await SendAsync(reader, HttpMethod.Head, url);
            var get = await SendAsync(reader, HttpMethod.Get, url);
            var body = await get.Content.ReadAsByteArrayAsync();
            Assert.True(get.StatusCode == head.StatusCode, $"HEAD {url}: {head.StatusCode}, GET: {get.StatusCode}");
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
            Assert.True(body.Length == head.Content.Headers.ContentLength, $"HEAD {url}: Content-Length {head.Content.Headers.ContentLength}, GET's body {body.Length} bytes");
            foreach (var name in Compared) Assert.True(Header(get, name) == Header(head, name), $"HEAD {url}: {name} '{Header(head, name)}', GET's '{Header(get, name)}'");

            // And again, now that the page is cached (on the fast path when it is on).
            var cached = await SendAsync(reader, HttpMethod.Head, url);
            Assert.Equal(get.StatusCode, cached.StatusCode);
            Assert.Empty(await cached.Content.ReadAsByteArrayAsync());
            Assert.Equal(body.Length, cached.Content.Headers.ContentLength);
            Assert.Equal(Header(get, "Content-Type"), Header(cached, "Content-Type"));
        }
        // The article's cached copy answers a HEAD (the output cache's Age says so).
        var again = await SendAsync(reader, HttpMethod.Head, $"/news/{slug}");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.NotNull(again.Headers.Age);
    }

    [Fact]
    public async Task A_HEAD_of_a_missing_page_is_a_404_and_of_a_newsroom_page_the_same_sign_in_redirect_as_a_GET()
    {
        var app = await StartAsync();
        using var reader = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });

        var missing = await SendAsync(reader, HttpMethod.Head, "/news/no-such-story");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Empty(await missing.Content.ReadAsByteArrayAsync());

        var get = await SendAsync(reader, HttpMethod.Get, "/admin/articles");
        var head = await SendAsync(reader, HttpMethod.Head, "/admin/articles");
        Assert.Equal(HttpStatusCode.Redirect, get.StatusCode);
        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Headers.Location, head.Headers.Location);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_HEAD_answered_as_a_GET_is_not_a_readers_view(bool fastPath)
    {
        var app = await StartAsync(fastPath);
        var (id, slug) = await ReadershipTests.PublishAsync(app, "Counted story");
        using var reader = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        foreach (var _ in Enumerable.Range(0, 3)) Assert.Equal(HttpStatusCode.OK, (await SendAsync(reader, HttpMethod.Head, $"/news/{slug}")).StatusCode);
        await ReadershipTests.FlushAsync(app);
        Assert.Equal(0, await ReadershipTests.ViewsAsync(app, id));

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(reader, HttpMethod.Get, $"/news/{slug}")).StatusCode);
        await ReadershipTests.FlushAsync(app);
        Assert.Equal(1, await ReadershipTests.ViewsAsync(app, id));
    }

    [Fact]
    public async Task A_HEAD_of_a_live_stream_gets_its_headers_at_once()
    {
        var app = await StartAsync();
        using var reader = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var request = new HttpRequestMessage(HttpMethod.Head, "/live/events");
        var head = await reader.SendAsync(request, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("text/event-stream", head.Content.Headers.ContentType?.MediaType);
    }
}
