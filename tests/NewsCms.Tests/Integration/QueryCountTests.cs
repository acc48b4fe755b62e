using System.Data.Common;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.Tests.Integration;

/// <summary>Public pages make a fixed number of SQL queries, however many authors, tags or articles they show.</summary>
public class QueryCountTests
{
    [Fact]
    public async Task Article_and_listing_pages_make_the_same_number_of_queries_for_one_or_many_authors_and_tags()
    {
        var counter = new CommandCounter(duringRequestsOnly: true);
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services =>
        {
            services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(counter);
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        };
        using var reader = app.CreateClient();
        await using var scope = app.Services.CreateAsyncScope();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var articles = scope.ServiceProvider.NewsroomArticles();
        var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        var authors = scope.ServiceProvider.GetRequiredService<AuthorProfiles>();
        var section = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "News" })).Value!.Id;

        var tags = new List<int>();
        for (var i = 0; i < 10; i++) tags.Add((await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = $"Tag {i}" })).Value!.Id);
        var bylines = new List<int>();
        for (var i = 0; i < 5; i++) bylines.Add((await authors.CreateAsync(admin, new AuthorInput { DisplayName = $"Writer {i}", Bio = "Bio." })).Value);

        async Task Publish(string headline, List<int> tagIds, List<int> authorIds)
        {
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = "<p>x</p>", TagIds = tagIds, AuthorIds = authorIds, SectionId = section }, null, SaveKind.Manual);
            Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
        }
        await Publish("Small article", [tags[0]], [bylines[0]]);
        await Publish("Big article", tags, bylines);

        var store = app.Services.GetRequiredService<IOutputCacheStore>();
        async Task<int> QueriesFor(string url)
        {
            await store.EvictByTagAsync(PublicCache.Tag, default);
            await reader.GetStringAsync(url); // warms the settings snapshot and the EF model
            await store.EvictByTagAsync(PublicCache.Tag, default);
            await app.RelatedRankedAgainAsync();
            counter.Reset();
            var html = await reader.GetStringAsync(url);
            Assert.NotEmpty(html);
            return counter.Count;
        }

        var small = await QueriesFor("/news/small-article");
        var big = await QueriesFor("/news/big-article");
        Assert.Equal(small, big);
        // Five: the article, its bylines and tags (one query), its neighbours in its section (previous and next, one
        // query), related, and its corrections and updates (images too when it shows any). The sections (the
        // navigation, its own) are kept in memory until one changes. On PostgreSQL each is a round trip.
        Assert.InRange(big, 1, 5);

        var fewOnHome = await QueriesFor("/");
        for (var i = 0; i < 12; i++) await Publish($"More news {i}", tags.Take(3).ToList(), bylines.Take(2).ToList());
        Assert.Equal(fewOnHome, await QueriesFor("/"));
        // One related story then, six now: Related articles are read in one query.
        Assert.Equal(small, await QueriesFor("/news/more-news-11"));
        Assert.Equal(await QueriesFor("/tag/tag-0"), await QueriesFor("/tag/tag-1"));
        Assert.InRange(await QueriesFor("/section/news"), 1, 10);
    }
}
