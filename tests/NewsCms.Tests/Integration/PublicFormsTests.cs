using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Public pages post no form (the search form is a GET), so a public render makes no antiforgery token at all (an
/// HMAC and random bytes per fresh render, for nothing in the page); pages outside the public cache keep theirs.
/// </summary>
public sealed partial class PublicFormsTests
{
    [Fact]
    public async Task Public_pages_post_no_form_and_a_public_render_makes_no_token_while_the_sign_in_page_keeps_one()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        string slug;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var articles = scope.ServiceProvider.NewsroomArticles();
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Harbour fair opens", BodyHtml = "<p>Stalls.</p>" }, null, SaveKind.Manual);
            Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
            slug = saved.Slug;
        }
        using var reader = app.CreateClient();

        foreach (var url in new[] { "/", ArticleUrls.ForSlug(slug), "/news/no-such-story", "/search?q=harbour" })
        {
            // The missing story's page (404) offers the search form too.
            var html = await (await reader.GetAsync(url)).Content.ReadAsStringAsync();
            Assert.Contains("action=\"/search\"", html);
            Assert.DoesNotMatch(PostForm(), html);
            Assert.DoesNotContain("__RequestVerificationToken", html);
        }

        // What Blazor asks for on a public render: no token made, none stored.
        var antiforgery = app.Services.GetRequiredService<IAntiforgery>();
        var context = new DefaultHttpContext { RequestServices = app.Services };
        context.Request.Method = HttpMethods.Get;
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new OutputCacheAttribute { PolicyName = PublicCache.Policy }), "public page"));
        Assert.Null(antiforgery.GetAndStoreTokens(context).RequestToken);
        Assert.False(context.Response.Headers.ContainsKey("Set-Cookie"));

        // The sign-in form posts, and carries its token.
        Assert.Contains("__RequestVerificationToken", await reader.GetStringAsync("/Account/Login"));
    }

    [GeneratedRegex("<form[^>]*method=\"post\"", RegexOptions.IgnoreCase)]
    private static partial Regex PostForm();
}
