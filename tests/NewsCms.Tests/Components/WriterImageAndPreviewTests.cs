using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Components.Admin.Articles;
using NewsCms.Web.Components.Admin.Media;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Components;

/// <summary>
/// Image details edited where the writer is (picker, featured-image panel) over the real media library service and
/// database, and the search and social preview.
/// </summary>
public sealed class WriterImageAndPreviewTests : IAsyncLifetime
{
    private NewsCmsAppFactory app = default!;
    private AsyncServiceScope scope;
    private readonly BunitContext context = new();
    private MediaLibrary library = default!;

    public async ValueTask InitializeAsync()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        scope = app.Services.CreateAsyncScope();
        library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(library);
        context.Services.AddSingleton(app.Services.GetRequiredService<IOptions<MediaOptions>>());
    }

    public async ValueTask DisposeAsync()
    {
        await context.DisposeAsync();
        await scope.DisposeAsync();
        await app.DisposeAsync();
    }

    private static IEnumerable<AngleSharp.Dom.IElement> Buttons<T>(IRenderedComponent<T> rendered, string text) where T : IComponent =>
        rendered.FindAll("button").Where(b => b.TextContent.Trim() == text);

    private async Task<(System.Security.Claims.ClaimsPrincipal User, MediaImage Image)> UploadAsync(string role)
    {
        var (_, email, _) = await app.CreateUserAsync(role);
        var user = await app.PrincipalForAsync(email);
        var image = (await library.UploadAsync(user, new MemoryStream(TestImages.Jpeg(800, 600)), "pier.jpg", -1)).Value!;
        return (user, image);
    }

    [Fact]
    public async Task The_featured_image_panel_saves_alt_text_caption_and_credit_to_the_library_and_the_warning_goes_at_once()
    {
        var (user, image) = await UploadAsync(NewsroomRoles.Author);
        MediaImage? shown = image;
        var chosenAgain = 0;
        IRenderedComponent<MediaPicker>? picker = null;
        picker = context.Render<MediaPicker>(p => p
            .AddCascadingValue(Task.FromResult(new AuthenticationState(user)))
            .Add(c => c.Label, "Featured image")
            .Add(c => c.Selected, shown)
            .Add(c => c.SelectedChanged, EventCallback.Factory.Create<MediaImage?>(this, _ => chosenAgain++))
            .Add(c => c.DetailsSaved, EventCallback.Factory.Create<MediaImage>(this, saved =>
            {
                shown = saved;
                picker!.Render(p => p.Add(c => c.Selected, shown));
            })));

        Assert.Contains("No alt text yet", picker.Find("[data-testid=media-picker-no-alt]").TextContent);
        Assert.True(Buttons(picker, "Save image details").Single().HasAttribute("disabled"));

        picker.Find("textarea[id$=-details-alt]").Input("Waves break over the pier");
        picker.Find("textarea[id$=-details-caption]").Input("The storm reached the coast at night.");
        picker.Find("input[id$=-details-credit]").Input("Photo: Sam Lens");
        Buttons(picker, "Save image details").Single().Click();

        picker.WaitForAssertion(() => Assert.Empty(picker.FindAll("[data-testid=media-picker-no-alt]")), TimeSpan.FromSeconds(10));
        var stored = (await library.GetAsync(user, image.Id)).Value!;
        Assert.Equal(("Waves break over the pier", "The storm reached the coast at night.", "Sam Lens"), (stored.AltText, stored.Caption, stored.Credit));
        Assert.Equal("Waves break over the pier", picker.Find("img.media-picker__preview").GetAttribute("alt"));
        Assert.Equal("Sam Lens", picker.Find("[data-testid=media-picker-credit]").TextContent);
        // The choice did not change: the article has nothing new to save.
        Assert.Equal(0, chosenAgain);
    }

    [Fact]
    public async Task A_writer_who_may_not_change_an_image_is_told_why_and_keeps_the_text()
    {
        var (_, image) = await UploadAsync(NewsroomRoles.Editor);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            db.Add(new Article
            {
                Headline = "Pier closed", Slug = "pier-closed", FeaturedImageId = image.Id, Status = ArticleStatus.Published,
                PublishedAt = DateTime.UtcNow, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow, CreatedById = "x", CreatedByName = "X", Version = Guid.NewGuid(),
            });
            await db.SaveChangesAsync();
        }
        var (_, email, _) = await app.CreateUserAsync(NewsroomRoles.Author);
        var author = await app.PrincipalForAsync(email);

        var picker = context.Render<MediaPicker>(p => p
            .AddCascadingValue(Task.FromResult(new AuthenticationState(author)))
            .Add(c => c.Label, "Featured image")
            .Add(c => c.Selected, image));
        picker.Find("textarea[id$=-details-alt]").Input("My description");
        Buttons(picker, "Save image details").Single().Click();

        picker.WaitForAssertion(() => Assert.Equal(MediaLibrary.NotYourImage, picker.Find("[data-testid=media-details-error]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal("My description", picker.Find("textarea[id$=-details-alt]").GetAttribute("value") ?? picker.Find("textarea[id$=-details-alt]").TextContent);
        Assert.Equal("", (await library.GetAsync(author, image.Id)).Value!.AltText);
    }

    [Fact]
    public void The_preview_shows_the_google_result_and_the_social_card_and_follows_the_fields()
    {
        var input = new ArticleInput { Headline = "Harbour reopens", Standfirst = "Boats are back after the storm.", Slug = "harbour-reopens" };
        var image = new MediaImage(7, "0123456789abcdef01234567", "harbour.jpg", "jpeg", 1400, 900, 1, [320, 640, 960], "Boats at dawn", "", "",
            DateTime.UtcNow, "u", "U");
        var preview = context.Render<SeoPreview>(p => p
            .Add(c => c.Input, input).Add(c => c.SiteTitle, "The Coast Gazette").Add(c => c.BaseUri, new Uri("https://news.example.com/"))
            .Add(c => c.Image, image));

        Assert.Equal("Harbour reopens — The Coast Gazette", preview.Find("[data-testid=google-preview-title]").TextContent);
        Assert.Equal("news.example.com › news › harbour-reopens", preview.Find("[data-testid=google-preview-url]").TextContent);
        Assert.Equal("Boats are back after the storm.", preview.Find("[data-testid=google-preview-description]").TextContent);
        Assert.Equal("Harbour reopens", preview.Find("[data-testid=social-preview-title]").TextContent);
        Assert.Equal("Boats at dawn", preview.Find("[data-testid=social-preview-image]").GetAttribute("alt"));
        Assert.Equal("/media/0123456789abcdef01234567/640.webp", preview.Find("[data-testid=social-preview-image]").GetAttribute("src"));
        Assert.Contains("Title: 35 / 60 characters", preview.Find("[data-testid=seo-title-count]").TextContent);
        Assert.Contains("Description: 31 / 160 characters", preview.Find("[data-testid=seo-description-count]").TextContent);

        // The writer types an SEO title and a long meta description: both previews follow; the result cuts the description.
        input.SeoTitle = "Harbour open again";
        input.MetaDescription = string.Join(' ', Enumerable.Repeat("Fishing boats are back.", 10));
        preview.Render(p => p.Add(c => c.Input, input));

        Assert.Equal("Harbour open again — The Coast Gazette", preview.Find("[data-testid=google-preview-title]").TextContent);
        Assert.Equal("Harbour open again", preview.Find("[data-testid=social-preview-title]").TextContent);
        Assert.EndsWith(" …", preview.Find("[data-testid=google-preview-description]").TextContent);
        Assert.Equal(input.MetaDescription, preview.Find("[data-testid=social-preview-description]").TextContent);
        Assert.Contains("cut in results", preview.Find("[data-testid=seo-description-count]").TextContent);

        preview.Render(p => p.Add(c => c.Image, null));
        Assert.Contains("No picture", preview.Find("[data-testid=social-preview-noimage]").TextContent);
    }
}
