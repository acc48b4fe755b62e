using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Components.Admin.Media;
using NewsCms.Web.Components.Public;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Components;

/// <summary>The media components rendered with bUnit; the library page over the real service and database.</summary>
public sealed class MediaComponentsTests : IAsyncLifetime
{
    private NewsCmsAppFactory app = default!;
    private AsyncServiceScope scope;
    private readonly BunitContext context = new();

    private static readonly MediaImage Sample = new(7, "0123456789abcdef01234567", "harbour.jpg", "jpeg", 1400, 900, 123_456,
        [320, 640, 960, 1280, 1400], "Boats in the harbour at dawn", "The harbour reopened on Monday.", "Jane Doe / Coast Agency",
        DateTime.UtcNow, "user-1", "Jane Doe");

    public async ValueTask InitializeAsync()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        scope = app.Services.CreateAsyncScope();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<MediaLibrary>());
        context.Services.AddSingleton(app.Services.GetRequiredService<IOptions<MediaOptions>>());
        context.Services.AddSingleton<AntiforgeryStateProvider, FixedAntiforgery>();
    }

    public async ValueTask DisposeAsync()
    {
        await context.DisposeAsync();
        await scope.DisposeAsync();
        await app.DisposeAsync();
    }

    private sealed class FixedAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => new("test-token", "__RequestVerificationToken");
    }

    [Fact]
    public void A_responsive_image_offers_every_variant_as_webp_with_a_jpeg_fallback()
    {
        var image = context.Render<ResponsiveImage>(p => p.Add(c => c.Image, Sample).Add(c => c.CssClass, "lead-image"));

        var source = image.Find("picture > source");
        Assert.Equal("image/webp", source.GetAttribute("type"));
        const string key = "/media/0123456789abcdef01234567/";
        Assert.Equal($"{key}320.webp 320w, {key}640.webp 640w, {key}960.webp 960w, {key}1280.webp 1280w, {key}1400.webp 1400w", source.GetAttribute("srcset"));
        Assert.Equal("(max-width: 48rem) 100vw, 48rem", source.GetAttribute("sizes"));
        var img = image.Find("picture > img");
        Assert.Equal($"{key}960.jpg", img.GetAttribute("src"));
        Assert.StartsWith($"{key}320.jpg 320w, {key}640.jpg 640w", img.GetAttribute("srcset"));
        Assert.Equal(("1400", "900"), (img.GetAttribute("width"), img.GetAttribute("height")));
        Assert.Equal("Boats in the harbour at dawn", img.GetAttribute("alt"));
        Assert.Equal(("lazy", "async", null), (img.GetAttribute("loading"), img.GetAttribute("decoding"), img.GetAttribute("fetchpriority")));
        Assert.Equal("lead-image", img.GetAttribute("class"));
    }

    [Fact]
    public void An_eager_responsive_image_loads_at_once_and_an_image_without_alt_text_is_decorative()
    {
        var image = context.Render<ResponsiveImage>(p => p.Add(c => c.Image, Sample with { AltText = "", Format = "png" }).Add(c => c.Eager, true)
            .Add(c => c.Sizes, "100vw"));

        var img = image.Find("img");
        Assert.Equal(("eager", "high"), (img.GetAttribute("loading"), img.GetAttribute("fetchpriority")));
        Assert.True(img.HasAttribute("alt"));
        Assert.Equal("", img.GetAttribute("alt"));
        Assert.EndsWith("960.png", img.GetAttribute("src"));
        Assert.Equal("100vw", img.GetAttribute("sizes"));
        Assert.Empty(context.Render<ResponsiveImage>().Markup.Trim());
    }

    [Theory]
    [InlineData("Jane Doe / Coast Agency")]
    [InlineData("Photo: Jane Doe / Coast Agency")]
    [InlineData("photo:Jane Doe / Coast Agency")]
    public void The_featured_image_separates_caption_and_credit_and_says_Photo_once(string credit)
    {
        var figure = context.Render<FeaturedImage>(p => p.Add(c => c.Image, Sample with { Caption = "The harbour reopened on Monday.", Credit = credit }));

        var caption = figure.Find("figcaption");
        Assert.Equal("The harbour reopened on Monday. Photo: Jane Doe / Coast Agency", System.Text.RegularExpressions.Regex.Replace(caption.TextContent, @"\s+", " ").Trim());
        // The credit is an inline-block (kept together on one line), which drops a space at its start: the space sits before it.
        Assert.Equal("Photo: Jane Doe / Coast Agency", figure.Find(".article__credit").TextContent);

        var creditOnly = context.Render<FeaturedImage>(p => p.Add(c => c.Image, Sample with { Caption = "", Credit = credit }));
        Assert.Equal("Photo: Jane Doe / Coast Agency", creditOnly.Find("figcaption").TextContent.Trim());
    }

    [Fact]
    public void The_picker_shows_the_chosen_image_and_removes_it()
    {
        MediaImage? changed = Sample;
        var picker = context.Render<MediaPicker>(p => p
            .Add(c => c.Label, "Featured image")
            .Add(c => c.Selected, Sample)
            .Add(c => c.SelectedChanged, EventCallback.Factory.Create<MediaImage?>(this, image => changed = image)));

        Assert.Contains("Featured image", picker.Markup);
        Assert.Equal("The harbour reopened on Monday.", picker.Find("[data-testid=media-picker-caption]").TextContent);
        Assert.Equal("Jane Doe / Coast Agency", picker.Find("[data-testid=media-picker-credit]").TextContent);
        Assert.Equal("Boats in the harbour at dawn", picker.Find("img").GetAttribute("alt"));
        Assert.Contains(picker.FindAll("button"), b => b.TextContent.Trim() == "Choose image");

        picker.FindAll("button").Single(b => b.TextContent.Trim() == "Remove").Click();
        Assert.Null(changed);

        var empty = context.Render<MediaPicker>();
        Assert.Equal("No image", empty.Find("[data-testid=media-picker-empty]").TextContent);
        Assert.DoesNotContain(empty.FindAll("button"), b => b.TextContent.Trim() == "Remove");
    }

    [Fact]
    public async Task The_library_page_edits_details_and_shows_a_refused_delete_where_the_user_is()
    {
        var (_, email, _) = await app.CreateUserAsync(NewsroomRoles.Editor);
        var user = await app.PrincipalForAsync(email);
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var image = (await library.UploadAsync(user, new MemoryStream(TestImages.Jpeg(800, 600)), "storm.jpg", -1)).Value!;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            db.Add(new Article
            {
                Headline = "Storm hits the coast", Slug = "storm-hits-the-coast", FeaturedImageId = image.Id, CreatedAt = DateTime.UtcNow,
                UpdatedAt = DateTime.UtcNow, CreatedById = "x", CreatedByName = "X", Version = Guid.NewGuid(),
            });
            await db.SaveChangesAsync();
        }
        var auth = Task.FromResult(new AuthenticationState(user));

        var page = context.Render<MediaLibraryPage>(p => p.AddCascadingValue(auth));

        page.WaitForAssertion(() => Assert.Single(page.FindAll(".media-grid__item")), TimeSpan.FromSeconds(10));
        var thumb = page.Find(".media-grid__item img");
        Assert.Equal(image.ThumbnailUrl, thumb.GetAttribute("src"));
        Assert.Equal(("320", "240"), (thumb.GetAttribute("width"), thumb.GetAttribute("height")));
        Assert.Contains("Search media", page.Markup);
        Assert.Contains("name=\"__RequestVerificationToken\"", page.Markup);

        page.Find(".media-grid__item").Click();
        page.Find("#media-alt-text").Change("Waves over the pier");
        page.Find("#media-credit").Change("Sam Lens");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();
        page.WaitForAssertion(() => Assert.Equal("Waves over the pier", library.GetAsync(user, image.Id).Result.Value!.AltText), TimeSpan.FromSeconds(10));
        Assert.Equal("Sam Lens", (await library.GetAsync(user, image.Id)).Value!.Credit);

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Delete for good").Click();
        page.WaitForAssertion(() => Assert.Contains("Storm hits the coast", page.Find("[data-testid=media-error]").TextContent), TimeSpan.FromSeconds(10));
        Assert.True((await library.GetAsync(user, image.Id)).Succeeded);
    }
}
