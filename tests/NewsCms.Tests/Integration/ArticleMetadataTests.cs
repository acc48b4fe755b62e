using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.Tests.Integration;

public partial class ArticleMetadataTests
{
    [Fact]
    public async Task The_article_head_has_canonical_opengraph_and_parseable_json_ld()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var section = (await scope.ServiceProvider.GetRequiredService<TaxonomyService>().CreateSectionAsync(admin, new TaxonomyInput { Name = "Politics" })).Value!;
        var articles = scope.ServiceProvider.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput
        {
            Headline = "Vote </script><script>alert(1)</script> tonight", Standfirst = "Councillors \"decide\" & more.", BodyHtml = "<p>Text.</p>", SectionId = section.Id,
        }, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);

        using var reader = app.CreateClient();
        var html = await reader.GetStringAsync($"/news/{saved.Slug}");
        Assert.Contains($"<link rel=\"canonical\" href=\"https://news.example.test/news/{saved.Slug}\"", html);
        Assert.Contains("<meta property=\"og:type\" content=\"article\"", html);
        Assert.Contains($"<meta property=\"og:url\" content=\"https://news.example.test/news/{saved.Slug}\"", html);
        Assert.Contains("<meta name=\"twitter:card\" content=\"summary\"", html);
        Assert.DoesNotContain("<script>alert(1)</script>", html);

        var json = JsonLd().Match(html);
        Assert.True(json.Success);
        using var document = JsonDocument.Parse(json.Groups[1].Value);
        var article = document.RootElement[0];
        Assert.Equal("NewsArticle", article.GetProperty("@type").GetString());
        Assert.Equal("Vote </script><script>alert(1)</script> tonight", article.GetProperty("headline").GetString());
        Assert.Equal("Councillors \"decide\" & more.", article.GetProperty("description").GetString());
        Assert.Equal("Person", article.GetProperty("author")[0].GetProperty("@type").GetString());
        Assert.StartsWith("https://news.example.test/author/", article.GetProperty("author")[0].GetProperty("url").GetString());
        Assert.Equal("Organization", article.GetProperty("publisher").GetProperty("@type").GetString());
        Assert.False(article.TryGetProperty("image", out _)); // no featured image: no image entry rather than null
        Assert.True(DateTime.TryParse(article.GetProperty("datePublished").GetString(), out _));
        Assert.True(DateTime.TryParse(article.GetProperty("dateModified").GetString(), out _));
        Assert.Equal($"https://news.example.test/news/{saved.Slug}", article.GetProperty("mainEntityOfPage").GetProperty("@id").GetString());
        var crumbs = document.RootElement[1];
        Assert.Equal("BreadcrumbList", crumbs.GetProperty("@type").GetString());
        Assert.Equal(["NewsCms", "Politics", "Vote </script><script>alert(1)</script> tonight"],
            crumbs.GetProperty("itemListElement").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task The_home_page_describes_the_site_with_a_search_action()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var reader = app.CreateClient();
        var html = await reader.GetStringAsync("/");
        var json = JsonLd().Match(html);
        Assert.True(json.Success);
        using var document = JsonDocument.Parse(json.Groups[1].Value);
        Assert.Equal("WebSite", document.RootElement.GetProperty("@type").GetString());
        Assert.Equal("https://news.example.test/", document.RootElement.GetProperty("url").GetString());
        var action = document.RootElement.GetProperty("potentialAction");
        Assert.Equal("SearchAction", action.GetProperty("@type").GetString());
        Assert.Equal("https://news.example.test/search?q={search_term_string}", action.GetProperty("target").GetProperty("urlTemplate").GetString());
        Assert.Contains("<link rel=\"canonical\" href=\"https://news.example.test/\"", html);
    }

    [GeneratedRegex("<script type=\"application/ld\\+json\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex JsonLd();
}
