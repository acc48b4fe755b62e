using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;

namespace NewsCms.Tests.Integration;

/// <summary>A body image's caption and credit, given where the writer is (the picker saves them to the library), show on the article at once.</summary>
public sealed class BodyImageDetailsTests : IAsyncDisposable
{
    private NewsCmsAppFactory? app;

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }

    [Fact]
    public async Task Details_saved_from_the_picker_turn_the_body_image_into_a_figure_on_the_cached_article_page()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var scope = app.Services.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var image = (await library.UploadAsync(admin, new MemoryStream(TestImages.Jpeg(1200, 800)), "pier.jpg", -1)).Value!;
        var width = image.WidthNear(960);
        var articles = scope.ServiceProvider.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput
        {
            Headline = "Storm reaches the pier",
            BodyHtml = $"<p>The waves came at night.</p><img src=\"{image.WebpUrl(width)}\" alt=\"Waves over the pier\" width=\"{width}\" height=\"{image.HeightFor(width)}\"><p>More.</p>",
        }, null, SaveKind.Manual);
        var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
        Assert.True(published.Succeeded, published.Error);
        using var reader = app.CreateClient(new() { HandleCookies = false });
        var url = ArticleUrls.ForSlug(published.Value!.Slug);

        var before = await reader.GetStringAsync(url);
        Assert.DoesNotContain("article__figure--body", before);
        Assert.NotNull((await reader.GetAsync(url)).Headers.Age); // cached

        var described = await library.UpdateDetailsAsync(admin, image.Id, new MediaDetailsInput
        {
            AltText = "Waves over the pier", Caption = "The storm reached the coast at night.", Credit = "Photo: Sam Lens",
        });
        Assert.True(described.Succeeded, described.Error);

        var after = await reader.GetStringAsync(url);
        Assert.Contains("<figure class=\"article__figure article__figure--body\">", after);
        Assert.Contains("<figcaption>The storm reached the coast at night. <span class=\"article__credit\">Photo: Sam Lens</span></figcaption>", after);
        // The stored body is unchanged: the figure is made at render time from the library's details.
        Assert.DoesNotContain("figcaption", (await articles.Reads.GetForEditAsync(admin, saved.Id)).Value!.EditorBodyHtml);
    }
}
