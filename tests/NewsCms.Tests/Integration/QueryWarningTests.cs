using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Web.Data;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Integration;

/// <summary>
/// This test's app turns EF's "Skip/Take without OrderBy" warning into an exception: a page that limits rows in no
/// defined order answers 500 here. Only this app: options of their own give a context its own EF services (and
/// model and query caches), which the other tests' apps and the benchmark harness's app must keep sharing.
/// </summary>
public sealed class QueryWarningTests
{
    [Fact]
    public async Task Public_pages_and_feeds_limit_rows_only_in_a_defined_order()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.ConfigureDbContext<NewsCmsDbContext>(options =>
            options.ConfigureWarnings(warnings => warnings.Throw(CoreEventId.RowLimitingOperationWithoutOrderByWarning)));
        using var reader = app.CreateClient();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var articles = scope.ServiceProvider.NewsroomArticles();
            foreach (var headline in new[] { "First story", "Second story" })
            {
                var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>Text.</p>" }, null, SaveKind.Manual);
                Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
            }
        }

        foreach (var path in new[] { "/", "/news/first-story", "/search?q=story", "/feed.xml", "/atom.xml", "/sitemap.xml", "/sitemaps/pages.xml",
                     "/sitemaps/articles-1.xml", "/news-sitemap.xml" })
        {
            var response = await reader.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
        }
    }
}
