using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Search;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.Tests.Integration;

/// <summary>Renaming, merging or deleting a tag, a section or an author reaches search and feeds, not only pages.</summary>
public class RenameFollowThroughTests
{
    [Fact]
    public async Task Search_finds_articles_by_a_tags_or_authors_new_name_and_no_longer_by_the_old()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        var authors = scope.ServiceProvider.GetRequiredService<AuthorProfiles>();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var search = scope.ServiceProvider.GetRequiredService<ArticleSearch>();

        var tag = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Quayside" })).Value!;
        var other = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Waterfront" })).Value!;
        var doomed = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Zeppelin" })).Value!;
        var author = (await authors.CreateAsync(admin, new AuthorInput { DisplayName = "Petra Quillfeather" })).Value;
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput
        {
            Headline = "Night market returns", BodyHtml = "<p>Stalls until late.</p>", TagIds = [tag.Id, doomed.Id], AuthorIds = [author],
        }, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
        var mergedAway = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Ferry timetable", BodyHtml = "<p>x</p>", TagIds = [other.Id] }, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(admin, mergedAway.Id, mergedAway.Version)).Succeeded);

        async Task<IEnumerable<string>> Find(string text) => (await search.SearchAsync(text, 0, 10)).Items.Select(h => h.Headline);
        Assert.Contains("Night market returns", await Find("quayside"));
        Assert.Contains("Night market returns", await Find("Quillfeather"));
        Assert.Contains("Night market returns", await Find("zeppelin"));

        Assert.True((await taxonomy.UpdateTagAsync(admin, tag.Id, new TaxonomyInput { Name = "Harbourfront", Slug = tag.Slug })).Succeeded);
        Assert.Empty(await Find("quayside"));
        Assert.Contains("Night market returns", await Find("harbourfront"));

        var details = (await authors.GetAsync(admin, author)).Value!;
        Assert.True((await authors.UpdateAsync(admin, author, new AuthorInput { DisplayName = "Petra Lindqvist", Slug = details.Slug })).Succeeded);
        Assert.Empty(await Find("Quillfeather"));
        Assert.Contains("Night market returns", await Find("Lindqvist"));

        Assert.True((await taxonomy.DeleteTagAsync(admin, doomed.Id)).Succeeded);
        Assert.Empty(await Find("zeppelin"));

        // Merging moves the source's articles under the target's name.
        Assert.True((await taxonomy.MergeTagsAsync(admin, other.Id, tag.Id)).Succeeded);
        Assert.Equal(["Ferry timetable", "Night market returns"], (await Find("harbourfront")).Order());
        Assert.Empty(await Find("waterfront"));
    }

    [Fact]
    public async Task Feeds_of_a_renamed_tag_or_section_answer_301_to_the_new_feed_and_unknown_ones_404()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        var tag = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Trams" })).Value!;
        var section = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Transport" })).Value!;
        Assert.True((await taxonomy.UpdateTagAsync(admin, tag.Id, new TaxonomyInput { Name = "Light rail", Slug = "light-rail" })).Succeeded);
        Assert.True((await taxonomy.UpdateSectionAsync(admin, section.Id, new TaxonomyInput { Name = "Travel", Slug = "travel" })).Succeeded);

        using var reader = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        async Task AssertMoved(string from, string to)
        {
            var response = await reader.GetAsync(from);
            Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
            Assert.Equal(to, response.Headers.Location!.OriginalString);
        }
        await AssertMoved("/tag/trams/feed.xml", "/tag/light-rail/feed.xml");
        await AssertMoved("/tag/trams/atom.xml", "/tag/light-rail/atom.xml");
        await AssertMoved("/section/transport/feed.xml", "/section/travel/feed.xml");
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/tag/light-rail/feed.xml")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/tag/never-was/feed.xml")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/author/never-was/atom.xml")).StatusCode);
    }
}
