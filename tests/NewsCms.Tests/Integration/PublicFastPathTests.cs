using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Redirects;

namespace NewsCms.Tests.Integration;

/// <summary>
/// The fast path for readers' cache hits (PublicFastPath): the same answer as the whole pipeline's output cache hit,
/// header for header, and every rule of that pipeline kept. Each test checks that the fast path did answer (its
/// count), so it fails when the fast path is broken or bypassed, and checks the answer against the pipeline's own:
/// a request with a sign-in cookie that does not sign anyone in takes the whole pipeline and gets its cache hit.
/// </summary>
public sealed class PublicFastPathTests : IAsyncDisposable
{
    private const string Chrome = ReadershipTests.Chrome;
    private readonly List<NewsCmsAppFactory> apps = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var app in Enumerable.Reverse(apps)) await app.DisposeAsync();
    }

    private async Task<NewsCmsAppFactory> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? [])
        {
            ["NewsCms:Readership:FlushSeconds"] = "300",
            ["NewsCms:Readership:MostReadRefreshSeconds"] = "3600",
        };
        var app = await NewsCmsAppFactory.CreateAsync(all);
        apps.Add(app);
        _ = app.Services;
        return app;
    }

    private static HttpClient Reader(NewsCmsAppFactory app) => app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });

    private static long Served(NewsCmsAppFactory app) => app.Services.GetRequiredService<PublicFastPath>().Served;

    private static HttpRequestMessage Get(string url, string? acceptEncoding = null, bool throughPipeline = false, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, url);
        request.Headers.UserAgent.ParseAdd(Chrome);
        if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        // A sign-in cookie that signs nobody in: the fast path leaves it to the pipeline, which treats it as a reader.
        if (throughPipeline) request.Headers.TryAddWithoutValidation("Cookie", "NewsCms.Auth=not-a-ticket");
        return request;
    }

    /// <summary>Renders the page, then lets the pipeline serve it from the output cache (the fast path learns it there).</summary>
    private static async Task WarmAsync(HttpClient reader, string url, HttpMethod? method = null)
    {
        var rendered = await reader.SendAsync(Get(url, method: method));
        Assert.Equal(HttpStatusCode.OK, rendered.StatusCode);
        Assert.Null(rendered.Headers.Age);
        var hit = await reader.SendAsync(Get(url, method: method));
        Assert.NotNull(hit.Headers.Age);
    }

    private static async Task<byte[]> BodyAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var encoding = response.Content.Headers.ContentEncoding.SingleOrDefault();
        Stream? decoder = encoding switch
        {
            "br" => new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress),
            "gzip" => new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress),
            null => null,
            _ => throw new InvalidOperationException("Unexpected encoding " + encoding),
        };
        if (decoder is null) return bytes;
        using var plain = new MemoryStream();
        await decoder.CopyToAsync(plain);
        await decoder.DisposeAsync();
        return plain.ToArray();
    }

    /// <summary>Every header (name and values) but the server's Date, Content-Length (bodies compressed once differ in size) and Age's value.</summary>
    private static List<string> Headers(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key is not ("Date" or "Content-Length"))
            .Select(h => h.Key == "Age" ? "Age: (present)" : $"{h.Key}: {string.Join(" | ", h.Value)}")
            .Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData(null)]
    [InlineData("gzip, deflate, br, zstd")]
    [InlineData("gzip")]
    [InlineData("br;q=0.5, gzip;q=1")]
    [InlineData("identity")]
    public async Task A_fast_hit_sends_the_headers_and_the_page_the_pipeline_sends(string? acceptEncoding)
    {
        var app = await StartAsync();
        var (_, slug) = await ReadershipTests.PublishAsync(app, "Fast story");
        using var reader = Reader(app);
        foreach (var url in new[] { $"/news/{slug}", "/", "/feed.xml" })
        {
            await WarmAsync(reader, url);

            var before = Served(app);
            var fast = await reader.SendAsync(Get(url, acceptEncoding));
            Assert.Equal(before + 1, Served(app));
            var pipeline = await reader.SendAsync(Get(url, acceptEncoding, throughPipeline: true));
            Assert.Equal(before + 1, Served(app));

            Assert.Equal(HttpStatusCode.OK, fast.StatusCode);
            Assert.Equal(HttpStatusCode.OK, pipeline.StatusCode);
            Assert.NotNull(pipeline.Headers.Age);
            Assert.Equal(Headers(pipeline), Headers(fast));
            Assert.Equal(await BodyAsync(pipeline), await BodyAsync(fast));
            var body = await fast.Content.ReadAsByteArrayAsync();
            Assert.Equal(body.Length, fast.Content.Headers.ContentLength);
        }
    }

    [Fact]
    public async Task A_current_copy_gets_the_pipelines_304_and_both_count_the_view()
    {
        var app = await StartAsync();
        var (id, slug) = await ReadershipTests.PublishAsync(app, "Revalidated story");
        using var reader = Reader(app);
        var url = $"/news/{slug}";
        await WarmAsync(reader, url);
        var page = await reader.SendAsync(Get(url));

        var before = Served(app);
        var fast = Get(url);
        fast.Headers.IfNoneMatch.Add(page.Headers.ETag!);
        var fastAnswer = await reader.SendAsync(fast);
        Assert.Equal(before + 1, Served(app));
        var pipeline = Get(url, throughPipeline: true);
        pipeline.Headers.IfNoneMatch.Add(page.Headers.ETag!);
        var pipelineAnswer = await reader.SendAsync(pipeline);

        Assert.Equal(HttpStatusCode.NotModified, fastAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, pipelineAnswer.StatusCode);
        Assert.Equal(Headers(pipelineAnswer), Headers(fastAnswer));

        var since = Get(url);
        since.Headers.IfModifiedSince = page.Content.Headers.LastModified;
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(since)).StatusCode);
        Assert.Equal(before + 2, Served(app));

        // Rendered, served by the pipeline's cache, by the fast path (one page, three times) and revalidated three times.
        await ReadershipTests.FlushAsync(app);
        Assert.Equal(6, await ReadershipTests.ViewsAsync(app, id));
    }

    [Fact]
    public async Task A_fast_hit_counts_a_readers_view_but_not_a_robots()
    {
        var app = await StartAsync();
        var (id, slug) = await ReadershipTests.PublishAsync(app, "Counted fast story");
        using var reader = Reader(app);
        var url = $"/news/{slug}";
        await WarmAsync(reader, url);

        var before = Served(app);
        await reader.SendAsync(Get(url));
        var robot = new HttpRequestMessage(HttpMethod.Get, url);
        robot.Headers.UserAgent.ParseAdd("Googlebot/2.1 (+http://www.google.com/bot.html)");
        Assert.NotNull((await reader.SendAsync(robot)).Headers.Age);
        Assert.Equal(before + 2, Served(app));

        await ReadershipTests.FlushAsync(app);
        Assert.Equal(3, await ReadershipTests.ViewsAsync(app, id)); // two while warming, one fast
    }

    [Fact]
    public async Task A_HEAD_gets_the_pipelines_answer()
    {
        var app = await StartAsync();
        var (_, slug) = await ReadershipTests.PublishAsync(app, "Headed story");
        using var reader = Reader(app);
        var url = $"/news/{slug}";
        await WarmAsync(reader, url);
        await reader.SendAsync(Get(url, method: HttpMethod.Head));

        var before = Served(app);
        var head = await reader.SendAsync(Get(url, method: HttpMethod.Head));
        var pipeline = await reader.SendAsync(Get(url, method: HttpMethod.Head, throughPipeline: true));
        Assert.Equal(pipeline.StatusCode, head.StatusCode);
        Assert.Equal(Headers(pipeline), Headers(head));
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        // The GET's copy answered the HEAD (the pipeline answers a HEAD as its GET).
        Assert.Equal(before + 1, Served(app));
    }

    [Fact]
    public async Task Signed_in_staff_and_requests_with_credentials_never_get_a_cached_page()
    {
        var app = await StartAsync();
        var (_, slug) = await ReadershipTests.PublishAsync(app, "Staff story");
        using var reader = Reader(app);
        var url = $"/news/{slug}";
        await WarmAsync(reader, url);
        var before = Served(app);

        using var staff = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(staff, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        var signedIn = await staff.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Null(signedIn.Headers.Age);
        Assert.Null(signedIn.Headers.ETag);

        var bearer = Get(url);
        bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "fresh-render");
        Assert.Null((await reader.SendAsync(bearer)).Headers.Age);
        Assert.Equal(before, Served(app));

        Assert.NotNull((await reader.SendAsync(Get(url))).Headers.Age);
        Assert.Equal(before + 1, Served(app));
    }

    [Fact]
    public async Task The_host_check_and_redirects_come_before_a_fast_copy()
    {
        var app = await StartAsync();
        var (_, target) = await ReadershipTests.PublishAsync(app, "Where it went");
        using var reader = Reader(app);
        // An old WordPress address on "/": the home page (which reads no "p") until a redirect claims it.
        const string url = "/?p=123";
        await WarmAsync(reader, url);
        var before = Served(app);
        Assert.NotNull((await reader.SendAsync(Get(url))).Headers.Age);
        Assert.Equal(before + 1, Served(app));

        var foreign = Get(url);
        foreign.Headers.Host = "evil.example.org";
        Assert.Equal(HttpStatusCode.BadRequest, (await reader.SendAsync(foreign)).StatusCode);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var added = await scope.ServiceProvider.GetRequiredService<Redirects>().AddAsync(
                await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), new RedirectInput { OldAddress = url, NewAddress = $"/news/{target}", Status = 301 });
            Assert.True(added.Succeeded, added.Error);
        }
        var moved = await reader.SendAsync(Get(url));
        Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
        Assert.Equal($"/news/{target}", moved.Headers.Location?.OriginalString);
        Assert.Equal(before + 1, Served(app));
    }

    [Fact]
    public async Task A_change_to_what_a_page_shows_ends_its_fast_copy_at_once()
    {
        var app = await StartAsync();
        await ReadershipTests.PublishAsync(app, "Older story");
        using var reader = Reader(app);
        await WarmAsync(reader, "/");
        var before = Served(app);
        Assert.DoesNotContain("Newer story", await (await reader.SendAsync(Get("/"))).Content.ReadAsStringAsync());
        Assert.Equal(before + 1, Served(app));

        await ReadershipTests.PublishAsync(app, "Newer story");
        var after = await reader.SendAsync(Get("/"));
        Assert.Contains("Newer story", await after.Content.ReadAsStringAsync());
        Assert.Null(after.Headers.Age);
        Assert.Equal(before + 1, Served(app));

        // Learned again from the pipeline's next cache hit.
        Assert.NotNull((await reader.SendAsync(Get("/"))).Headers.Age);
        Assert.Contains("Newer story", await (await reader.SendAsync(Get("/"))).Content.ReadAsStringAsync());
        Assert.Equal(before + 2, Served(app));
    }

    [Fact]
    public async Task The_cache_size_comes_from_the_setting_and_a_bad_one_stops_start_up()
    {
        var app = await StartAsync(new() { ["NewsCms:PublicCache:SizeLimitMB"] = "64" });
        Assert.Equal(32L * 1024 * 1024, app.Services.GetRequiredService<IOptions<OutputCacheOptions>>().Value.SizeLimit);

        var bad = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:PublicCache:SizeLimitMB"] = "0" });
        apps.Add(bad);
        var error = Assert.ThrowsAny<Exception>(() => bad.Services);
        Assert.Contains("NewsCms:PublicCache:SizeLimitMB", error.ToString());
    }

    [Fact]
    public async Task With_the_fast_path_off_the_pipeline_serves_every_hit()
    {
        var app = await StartAsync(new() { ["NewsCms:PublicCache:FastPath"] = "false" });
        var (_, slug) = await ReadershipTests.PublishAsync(app, "Slow story");
        using var reader = Reader(app);
        await WarmAsync(reader, $"/news/{slug}");
        Assert.NotNull((await reader.SendAsync(Get($"/news/{slug}"))).Headers.Age);
        Assert.Equal(0, Served(app));
    }
}
