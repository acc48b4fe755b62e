using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Tests.Integration;

public class PublicCacheTests
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
    public async Task A_second_anonymous_request_is_served_from_the_cache_and_public_pages_set_no_cookie()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await PublishAsync(app, "Cached story");
        using var reader = app.CreateClient(new() { HandleCookies = false });

        foreach (var url in new[] { "/", "/news/cached-story" })
        {
            var first = await reader.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.False(first.Headers.Contains("Set-Cookie"), $"{url} sets a cookie");
            Assert.Null(first.Headers.Age);

            var second = await reader.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.NotNull(second.Headers.Age); // the output cache answered
            Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Publishing_evicts_the_cache_so_readers_see_it_at_once()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await PublishAsync(app, "First story");
        using var reader = app.CreateClient(new() { HandleCookies = false });
        Assert.DoesNotContain("Second story", await reader.GetStringAsync("/"));
        Assert.NotNull((await reader.GetAsync("/")).Headers.Age);

        await PublishAsync(app, "Second story");
        Assert.Contains("Second story", await reader.GetStringAsync("/"));

        await using var scope = app.Services.CreateAsyncScope();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await scope.ServiceProvider.GetRequiredService<SiteSettingsService>().SaveAsync(admin, new SiteSettingsInput { Title = "Renamed Gazette" });
        Assert.Contains("Renamed Gazette", await reader.GetStringAsync("/news/first-story"));
    }

    [Fact]
    public async Task A_matching_etag_gets_304_until_something_changes()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await PublishAsync(app, "Tagged story");
        using var reader = app.CreateClient(new() { HandleCookies = false });

        var page = await reader.GetAsync("/news/tagged-story");
        var etag = page.Headers.ETag;
        Assert.NotNull(etag);
        Assert.Equal("no-cache", page.Headers.CacheControl?.ToString());

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/news/tagged-story");
        revalidate.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(revalidate)).StatusCode);

        await PublishAsync(app, "Another story");
        using var after = new HttpRequestMessage(HttpMethod.Get, "/news/tagged-story");
        after.Headers.IfNoneMatch.Add(etag);
        var fresh = await reader.SendAsync(after);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.NotEqual(etag, fresh.Headers.ETag);
    }

    [Fact]
    public async Task Last_modified_gets_304_until_something_changes_and_an_etag_wins_over_it()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await PublishAsync(app, "Dated story");
        using var reader = app.CreateClient(new() { HandleCookies = false });

        var page = await reader.GetAsync("/news/dated-story");
        var lastModified = page.Content.Headers.LastModified;
        Assert.NotNull(lastModified);
        // A page served from the output cache carries the same validators.
        var cached = await reader.GetAsync("/news/dated-story");
        Assert.NotNull(cached.Headers.Age);
        Assert.Equal(lastModified, cached.Content.Headers.LastModified);
        Assert.Equal(page.Headers.ETag, cached.Headers.ETag);
        Assert.Equal("no-cache", cached.Headers.CacheControl?.ToString());

        HttpRequestMessage Since(DateTimeOffset? date, string? etag = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/news/dated-story");
            request.Headers.IfModifiedSince = date;
            if (etag is not null) request.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue(etag, isWeak: true));
            return request;
        }
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(Since(lastModified))).StatusCode);
        // A copy from before the last change is not current (the date is rounded up to a whole second after the change).
        Assert.Equal(HttpStatusCode.OK, (await reader.SendAsync(Since(lastModified!.Value.AddSeconds(-10)))).StatusCode);
        // If-None-Match is asked first: a stale tag means a fresh page whatever the date says.
        Assert.Equal(HttpStatusCode.OK, (await reader.SendAsync(Since(lastModified, "\"stale\""))).StatusCode);

        // Two changes in quick succession still move the date on: the copy from before them is not current.
        await PublishAsync(app, "Another dated story");
        await PublishAsync(app, "A third dated story");
        var fresh = await reader.SendAsync(Since(lastModified));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.True(fresh.Content.Headers.LastModified > lastModified);
    }

    [Fact]
    public async Task Signed_in_staff_and_missing_pages_are_never_cached()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var staff = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(staff, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        await staff.GetAsync("/");
        var second = await staff.GetAsync("/");
        Assert.Null(second.Headers.Age);
        Assert.Null(second.Headers.ETag);

        using var reader = app.CreateClient(new() { HandleCookies = false });
        await reader.GetAsync("/news/missing");
        var missing = await reader.GetAsync("/news/missing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Null(missing.Headers.Age);
    }

    [Fact]
    public async Task Public_pages_are_compressed_for_browsers_that_accept_it()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var reader = app.CreateClient(new() { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        var response = await reader.SendAsync(request);
        Assert.Contains("br", response.Content.Headers.ContentEncoding);
    }
}
