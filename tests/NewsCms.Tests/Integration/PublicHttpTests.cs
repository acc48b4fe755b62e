using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;

namespace NewsCms.Tests.Integration;

/// <summary>The public pipeline on an app of each test's own: renders racing changes, hosts, error pages.</summary>
public class PublicHttpTests
{
    private static async Task<(int Id, Guid Version, string Slug)> PublishAsync(NewsCmsAppFactory app, string headline, int? imageId = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>Text.</p>", FeaturedImageId = imageId }, null, SaveKind.Manual);
        var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
        Assert.True(published.Succeeded, published.Error);
        return (saved.Id, published.Value!.Version, saved.Slug);
    }

    private static async Task<int> UploadAsync(NewsCmsAppFactory app)
    {
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var scope = app.Services.CreateAsyncScope();
        var media = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        using var picture = new MemoryStream(TestImages.Jpeg(64, 48));
        var id = (await media.UploadAsync(admin, picture, "pier.jpg", picture.Length)).Value!.Id;
        Assert.True((await media.UpdateDetailsAsync(admin, id, new MediaDetailsInput { AltText = "The pier" })).Succeeded);
        return id;
    }

    [Fact]
    public async Task A_render_that_overlaps_an_unpublish_is_not_served_after_it()
    {
        var gate = new CommandGate();
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(gate);
        using var reader = app.CreateClient(new() { HandleCookies = false });
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var imageId = await UploadAsync(app);
        var (id, version, slug) = await PublishAsync(app, "Pier closes for repairs", imageId);

        // The article page reads the article, then its images: hold the render there, with the article already read.
        gate.HoldNext("\"MediaItems\"");
        var held = reader.GetAsync($"/news/{slug}", TestContext.Current.CancellationToken);
        await gate.Held.Task.WaitAsync(TestContext.Current.CancellationToken);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var unpublished = await scope.ServiceProvider.NewsroomArticles().Workflow.UnpublishAsync(admin, id, version);
            Assert.True(unpublished.Succeeded, unpublished.Error);
        }
        gate.Release.SetResult();
        var old = await held;
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);

        var next = await reader.GetAsync($"/news/{slug}");
        Assert.NotEqual(HttpStatusCode.OK, next.StatusCode);
        Assert.DoesNotContain("Pier closes for repairs", await next.Content.ReadAsStringAsync());

        // The old copy's validators are those of the version it was rendered from: revalidating it gets the new state.
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, $"/news/{slug}");
        revalidate.Headers.IfNoneMatch.Add(old.Headers.ETag!);
        Assert.NotEqual(HttpStatusCode.NotModified, (await reader.SendAsync(revalidate)).StatusCode);
    }

    [Fact]
    public async Task A_render_that_overlaps_a_publish_does_not_hide_the_new_article()
    {
        var gate = new CommandGate();
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(gate);
        using var reader = app.CreateClient(new() { HandleCookies = false });
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var imageId = await UploadAsync(app);
        await PublishAsync(app, "Pier closes for repairs", imageId);

        // The home page reads its lists, then the cards' images: hold it there.
        gate.HoldNext("\"MediaItems\"");
        var held = reader.GetAsync("/", TestContext.Current.CancellationToken);
        await gate.Held.Task.WaitAsync(TestContext.Current.CancellationToken);
        await PublishAsync(app, "Pier reopens early");
        gate.Release.SetResult();
        Assert.DoesNotContain("Pier reopens early", await (await held).Content.ReadAsStringAsync());

        Assert.Contains("Pier reopens early", await reader.GetStringAsync("/"));
    }

    /// <summary>The app's output cache store, with evictions held until the test lets them through.</summary>
    private sealed class HeldEvictions(IOutputCacheStore inner) : IOutputCacheStore
    {
        public TaskCompletionSource? Gate { get; set; }

        public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
        {
            if (Gate is { } gate) await gate.Task;
            await inner.EvictByTagAsync(tag, cancellationToken);
        }

        public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken) =>
            inner.SetAsync(key, value, tags, validFor, cancellationToken);
    }

    [Fact]
    public async Task A_copy_from_before_a_change_is_not_served_while_the_eviction_is_still_under_way()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        HeldEvictions? store = null;
        app.TestServices = services =>
        {
            var framework = services.Last(d => d.ServiceType == typeof(IOutputCacheStore));
            services.Remove(framework);
            services.AddSingleton<IOutputCacheStore>(provider => store = new HeldEvictions((IOutputCacheStore)framework.ImplementationFactory!(provider)));
        };
        using var reader = app.CreateClient(new() { HandleCookies = false });
        await PublishAsync(app, "Ferry strike called off");
        await reader.GetAsync("/");
        var cached = await reader.GetAsync("/");
        Assert.NotNull(cached.Headers.Age);

        var gate = store!.Gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            // Published: the version has moved on, the old entry is still in the store.
            await PublishAsync(app, "Ferry strike back on");
            var after = await reader.GetAsync("/");
            Assert.Contains("Ferry strike back on", await after.Content.ReadAsStringAsync());
            Assert.NotEqual(cached.Headers.ETag, after.Headers.ETag);
        }
        finally
        {
            gate.SetResult();
        }
    }

    [Fact]
    public async Task Only_the_sites_hosts_are_answered_and_a_wrong_host_is_never_cached()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Site:AdditionalHosts:0"] = "www.example.test" });
        await PublishAsync(app, "Host story");

        foreach (var host in new[] { "evil.example", "news.example.test.evil.example", "127.0.0.1" })
        {
            using var stranger = app.CreateClient(new() { HandleCookies = false, BaseAddress = new Uri($"https://{host}") });
            foreach (var url in new[] { "/", "/news/host-story", "/feed.xml", "/Account/Login" })
            {
                var first = await stranger.GetAsync(url);
                var second = await stranger.GetAsync(url);
                Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
                Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
                Assert.Null(second.Headers.Age);
            }
        }
        foreach (var host in new[] { "news.example.test", "NEWS.example.test:8443", "www.example.test" })
        {
            using var client = app.CreateClient(new() { HandleCookies = false, BaseAddress = new Uri($"https://{host}") });
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/news/host-story")).StatusCode);
        }

        // An empty Host header is refused too (it answered 500).
        var empty = await app.Server.SendAsync(context =>
        {
            context.Request.Method = "GET";
            context.Request.Path = "/";
            context.Request.Host = new HostString("");
        });
        Assert.Equal(StatusCodes.Status400BadRequest, empty.Response.StatusCode);

        // Health probes call the app by its address, not by the site's name.
        using var probe = app.CreateClient(new() { HandleCookies = false, BaseAddress = new Uri("http://10.0.0.7:8080") });
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Error_and_status_code_pages_are_never_cached_and_keep_their_status()
    {
        var gate = new CommandGate();
        await using var factory = await NewsCmsAppFactory.CreateAsync();
        factory.TestServices = services => services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(gate);
        await using var app = factory.WithWebHostBuilder(web => web.UseEnvironment("Production"));
        using var reader = app.CreateClient(new() { HandleCookies = false, BaseAddress = new Uri("https://localhost") });
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/")).StatusCode);

        // Someone (a crawler) asks for the error and not-found pages themselves.
        foreach (var url in new[] { "/Error", "/not-found" })
        {
            await reader.GetAsync(url);
            Assert.Null((await reader.GetAsync(url)).Headers.Age);
        }

        gate.FailNext("\"Articles\"");
        var failed = await reader.GetAsync("/feed.xml");
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Null(failed.Headers.Age);
        Assert.Contains("Something went wrong", await failed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/feed.xml")).StatusCode);

        var missing = await reader.GetAsync("/tag/no-such-tag/feed.xml");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Null(missing.Headers.Age);
        Assert.Contains("Page not found", await missing.Content.ReadAsStringAsync());
    }
}
