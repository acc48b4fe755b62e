using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>The media library through the real HTTP pipeline (upload endpoint, file serving) and its service.</summary>
public sealed partial class MediaTests : IAsyncDisposable
{
    private NewsCmsAppFactory app = default!;

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }

    private async Task<Newsroom> StartAsync(string role = NewsroomRoles.Author, Dictionary<string, string?>? settings = null)
    {
        app = await NewsCmsAppFactory.CreateAsync(settings);
        var (_, email, password) = await app.CreateUserAsync(role);
        var client = app.CreateBrowserlikeClient();
        var signIn = await FormPost.SignInAsync(client, email, password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        // The library page renders the antiforgery token its upload script sends.
        var page = await client.GetStringAsync("/admin/media");
        var token = AntiforgeryToken().Match(page);
        Assert.True(token.Success, "No antiforgery token on /admin/media");
        return new Newsroom(client, WebUtility.HtmlDecode(token.Groups[1].Value), await app.PrincipalForAsync(email));
    }

    private sealed record Newsroom(HttpClient Client, string Token, ClaimsPrincipal User);

    private string MediaRoot => app.Services.GetRequiredService<MediaStorage>().RootPath;

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string? token, byte[] bytes, string fileName, string contentType = "image/jpeg")
    {
        var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        content.Add(file, "file", fileName);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/media") { Content = content };
        if (token is not null) request.Headers.Add("RequestVerificationToken", token);
        return await client.SendAsync(request);
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetString()!;
    }

    private async Task AssertNothingStoredAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();
        Assert.Equal(0, await db.MediaItems.CountAsync());
        Assert.Empty(Directory.EnumerateFiles(MediaRoot, "*", SearchOption.AllDirectories));
        Assert.Equal([".incoming"], Directory.EnumerateDirectories(MediaRoot).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_text_file_named_jpg_is_refused_and_nothing_is_stored()
    {
        var newsroom = await StartAsync();
        var response = await UploadAsync(newsroom.Client, newsroom.Token, "Quarterly figures: 12, 14, 19."u8.ToArray(), "figures.jpg");
        Assert.Equal(ImageProcessor.NotAnImage, await ErrorOf(response));
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_truncated_png_is_refused_and_nothing_is_stored()
    {
        var newsroom = await StartAsync();
        var png = TestImages.Png(640, 480, noise: true);
        var response = await UploadAsync(newsroom.Client, newsroom.Token, png[..(png.Length / 2)], "cut-off.png", "image/png");
        Assert.Equal(ImageProcessor.Damaged, await ErrorOf(response));
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task An_image_with_too_many_pixels_is_refused_from_its_header_and_nothing_is_stored()
    {
        var newsroom = await StartAsync();
        var response = await UploadAsync(newsroom.Client, newsroom.Token, TestImages.PngHeaderOnly(20000, 20000), "bomb.png", "image/png");
        var error = await ErrorOf(response);
        Assert.Contains("20000 × 20000 pixels", error);
        Assert.Contains("the limit is 50 megapixels", error);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_file_over_the_configured_size_is_refused_before_it_is_decoded()
    {
        var newsroom = await StartAsync(settings: new() { ["NewsCms:Media:MaxUploadMegabytes"] = "0.05" });
        var response = await UploadAsync(newsroom.Client, newsroom.Token, TestImages.Jpeg(600, 400, noise: true), "large.jpg");
        var error = await ErrorOf(response);
        Assert.Matches(@"^The file is 0\.\d+ MB; the limit is 0\.05 MB\.$", error);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_request_far_over_the_size_limit_is_refused_with_413_and_the_limit_and_nothing_is_stored()
    {
        var newsroom = await StartAsync(settings: new() { ["NewsCms:Media:MaxUploadMegabytes"] = "0.05" });
        var response = await UploadAsync(newsroom.Client, newsroom.Token, new byte[400_000], "huge.jpg");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("The file is larger than the limit of 0.05 MB.", json.RootElement.GetProperty("error").GetString());
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task An_upload_without_the_antiforgery_token_is_refused()
    {
        var newsroom = await StartAsync();
        var response = await UploadAsync(newsroom.Client, token: null, TestImages.Jpeg(400, 300), "photo.jpg");
        Assert.Equal("This page's security token has expired: reload the page and upload again.", await ErrorOf(response));
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Anonymous_uploads_get_401()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        var response = await UploadAsync(client, "token", TestImages.Jpeg(400, 300), "photo.jpg");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_valid_upload_stores_the_row_and_variants_served_with_immutable_caching()
    {
        var newsroom = await StartAsync(NewsroomRoles.Contributor);
        var response = await UploadAsync(newsroom.Client, newsroom.Token, TestImages.Jpeg(1400, 900), "Council meeting.jpg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        var id = root.GetProperty("id").GetInt32();
        var key = root.GetProperty("storageKey").GetString()!;
        Assert.Matches("^[0-9a-f]{24}$", key);
        Assert.Equal((1400, 900), (root.GetProperty("width").GetInt32(), root.GetProperty("height").GetInt32()));
        Assert.Equal([320, 640, 960, 1280, 1400], root.GetProperty("variantWidths").EnumerateArray().Select(w => w.GetInt32()));
        Assert.Equal($"/media/{key}/original.jpg", root.GetProperty("originalUrl").GetString());

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();
            var item = await db.MediaItems.SingleAsync();
            Assert.Equal((id, key, "Council meeting.jpg", "jpeg", "320,640,960,1280,1400"),
                (item.Id, item.StorageKey, item.OriginalFileName, item.Format, item.VariantWidths));
        }
        var folder = Path.Combine(MediaRoot, key);
        Assert.Equal(
            new[] { "original.jpg" }.Concat(new[] { 320, 640, 960, 1280, 1400 }.SelectMany(w => new[] { $"{w}.webp", $"{w}.jpg" })).Order(),
            Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(MediaRoot, ".incoming")));

        using var reader = app.CreateClient();
        var webp = await reader.GetAsync($"/media/{key}/640.webp");
        Assert.Equal(HttpStatusCode.OK, webp.StatusCode);
        Assert.Equal("image/webp", webp.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", webp.Headers.CacheControl?.ToString());
        using (var decoded = TestImages.Decode(await webp.Content.ReadAsByteArrayAsync()))
        {
            Assert.Equal((640, 411), (decoded.Width, decoded.Height));
        }
        var original = await reader.GetAsync($"/media/{key}/original.jpg");
        Assert.Equal("image/jpeg", original.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", original.Headers.CacheControl?.ToString());

        foreach (var bad in new[] { $"/media/{key}/641.webp", $"/media/{key}/original.exe", $"/media/{key}/..%2F..%2Fnewscms.db",
                     $"/media/{key.ToUpperInvariant()}/640.webp", "/media/.incoming/640.webp", $"/media/{key}/640.WEBP" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync(bad)).StatusCode);
        }
        await SetupTests.AssertAuditedAsync(app, AuditActions.MediaUploaded, "Council meeting.jpg");
    }

    [Fact]
    public async Task A_jpeg_with_gps_exif_comes_out_with_no_metadata_in_any_file()
    {
        var newsroom = await StartAsync();
        var upload = TestImages.WithExif(TestImages.Jpeg(1000, 750), orientation: 6);
        Assert.True(TestImages.HasMetadata(upload));

        var response = await UploadAsync(newsroom.Client, newsroom.Token, upload, "source.jpg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var key = json.RootElement.GetProperty("storageKey").GetString()!;
        // Orientation 6: stored upright, so portrait.
        Assert.Equal((750, 1000), (json.RootElement.GetProperty("width").GetInt32(), json.RootElement.GetProperty("height").GetInt32()));
        var files = Directory.EnumerateFiles(Path.Combine(MediaRoot, key)).ToList();
        Assert.Equal(7, files.Count); // original.jpg and 320, 640, 750 as WebP and JPEG
        using var reader = app.CreateClient();
        foreach (var file in files)
        {
            var served = await reader.GetByteArrayAsync($"/media/{key}/{Path.GetFileName(file)}");
            Assert.False(TestImages.HasMetadata(served), $"{Path.GetFileName(file)} still carries metadata");
        }
    }

    [Fact]
    public async Task Delete_is_refused_while_an_article_or_author_uses_the_image_and_names_them()
    {
        var newsroom = await StartAsync(NewsroomRoles.Editor);
        await using var scope = app.Services.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var uploaded = await library.UploadAsync(newsroom.User, new MemoryStream(TestImages.Jpeg(500, 300)), "harbour.jpg", -1);
        Assert.True(uploaded.Succeeded, uploaded.Error);
        var image = uploaded.Value!;

        var featuring = await AddArticleAsync("Harbour reopens after storm", featuredImageId: image.Id);
        var error = (await library.DeleteAsync(newsroom.User, image.Id)).Error;
        Assert.Equal("This image is in use, so it was not deleted: the featured image of “Harbour reopens after storm”. Remove it there first.", error);

        await ClearFeaturedImageAsync(featuring);
        await AddArticleAsync("Ferry timetable", body: $"<p>Text.</p><img src=\"{image.WebpUrl(320)}\" alt=\"\">");
        await AddArticleAsync("Storm damage in pictures", body: $"<figure><img src=\"{image.OriginalUrl}\"></figure>");
        error = (await library.DeleteAsync(newsroom.User, image.Id)).Error;
        Assert.NotNull(error);
        Assert.StartsWith("This image is in use, so it was not deleted: in the text of ", error);
        Assert.Contains("“Ferry timetable”", error);
        Assert.Contains("“Storm damage in pictures”", error);
        Assert.DoesNotContain("Harbour reopens", error);

        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            await db.Set<Article>().Where(a => a.BodyHtml.Contains("/media/")).ExecuteUpdateAsync(s => s.SetProperty(a => a.BodyHtml, "<p>No image.</p>"));
            db.AuthorProfiles.Add(new AuthorProfile { DisplayName = "Rosa Photographer", Slug = "rosa-photographer", AvatarId = image.Id });
            await db.SaveChangesAsync();
        }
        error = (await library.DeleteAsync(newsroom.User, image.Id)).Error;
        Assert.Equal("This image is in use, so it was not deleted: the photo of Rosa Photographer. Remove it there first.", error);
        Assert.True(Directory.Exists(Path.Combine(MediaRoot, image.StorageKey)));
        Assert.NotNull((await library.GetAsync(newsroom.User, image.Id)).Value);
    }

    [Fact]
    public async Task Delete_is_refused_while_the_image_is_the_site_logo_or_the_default_social_image()
    {
        var newsroom = await StartAsync(NewsroomRoles.Editor);
        await using var scope = app.Services.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var settings = app.Services.GetRequiredService<NewsCms.Web.Features.Settings.SiteSettingsStore>();
        var logo = (await library.UploadAsync(newsroom.User, new MemoryStream(TestImages.Png(300, 100)), "logo.png", -1)).Value!;
        var social = (await library.UploadAsync(newsroom.User, new MemoryStream(TestImages.Jpeg(1200, 630)), "social.jpg", -1)).Value!;
        await settings.WriteAsync(new Dictionary<string, string>
        {
            [NewsCms.Web.Features.Settings.SiteSettingsStore.LogoKey] = logo.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [NewsCms.Web.Features.Settings.SiteSettingsStore.SocialImageKey] = social.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.Equal("This image is in use, so it was not deleted: the site logo (Settings). Remove it there first.",
            (await library.DeleteAsync(newsroom.User, logo.Id)).Error);
        Assert.Equal("This image is in use, so it was not deleted: the default social image (Settings). Remove it there first.",
            (await library.DeleteAsync(newsroom.User, social.Id)).Error);
        Assert.True(Directory.Exists(Path.Combine(MediaRoot, logo.StorageKey)));

        await settings.WriteAsync(new Dictionary<string, string> { [NewsCms.Web.Features.Settings.SiteSettingsStore.LogoKey] = "" });
        Assert.True((await library.DeleteAsync(newsroom.User, logo.Id)).Succeeded);
    }

    [Fact]
    public async Task Delete_removes_the_row_and_the_files_and_is_audited()
    {
        var newsroom = await StartAsync(NewsroomRoles.Author);
        await using var scope = app.Services.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var image = (await library.UploadAsync(newsroom.User, new MemoryStream(TestImages.Png(300, 200)), "chart.png", -1)).Value!;
        await AddArticleAsync("Unrelated article", body: "<p>Mentions /media/ but no key.</p>");

        var deleted = await library.DeleteAsync(newsroom.User, image.Id);

        Assert.True(deleted.Succeeded, deleted.Error);
        Assert.Equal(MediaLibrary.ImageNotFound, (await library.GetAsync(newsroom.User, image.Id)).Error);
        Assert.False(Directory.Exists(Path.Combine(MediaRoot, image.StorageKey)));
        using var reader = app.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync(image.ThumbnailUrl)).StatusCode);
        await SetupTests.AssertAuditedAsync(app, AuditActions.MediaDeleted, "chart.png");
    }

    [Fact]
    public async Task Only_editors_change_or_delete_images_someone_else_uploaded()
    {
        var newsroom = await StartAsync(NewsroomRoles.Contributor);
        await using var scope = app.Services.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var image = (await library.UploadAsync(newsroom.User, new MemoryStream(TestImages.Jpeg(400, 300)), "mine.jpg", -1)).Value!;
        var (_, otherEmail, _) = await app.CreateUserAsync(NewsroomRoles.Author);
        var other = await app.PrincipalForAsync(otherEmail);
        var (_, editorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Editor);
        var editor = await app.PrincipalForAsync(editorEmail);

        Assert.Equal(MediaLibrary.NotYourImage, (await library.UpdateDetailsAsync(other, image.Id, new MediaDetailsInput { AltText = "x" })).Error);
        Assert.Equal(MediaLibrary.NotYourImage, (await library.DeleteAsync(other, image.Id)).Error);
        // Everyone in the newsroom sees it.
        Assert.Equal(image.Id, (await library.ListAsync(other, null, 0, 10)).Value!.Items.Single().Id);

        var saved = await library.UpdateDetailsAsync(editor, image.Id, new MediaDetailsInput
        {
            AltText = "  The mayor\n at the podium  ", Caption = "Line one\r\nLine two\u0007", Credit = "Jane Doe /\tReuters",
        });
        Assert.True(saved.Succeeded, saved.Error);
        Assert.Equal(("The mayor at the podium", "Line one\nLine two", "Jane Doe / Reuters"), (saved.Value!.AltText, saved.Value.Caption, saved.Value.Credit));
        Assert.Equal("Alt text can be at most 500 characters.",
            (await library.UpdateDetailsAsync(newsroom.User, image.Id, new MediaDetailsInput { AltText = new string('a', 501) })).Error);
        Assert.True((await library.DeleteAsync(editor, image.Id)).Succeeded);
    }

    [Fact]
    public async Task A_typed_Photo_prefix_is_dropped_from_the_credit_because_pages_add_it()
    {
        var newsroom = await StartAsync(NewsroomRoles.Author);
        await using var scope = app.Services.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var image = (await library.UploadAsync(newsroom.User, new MemoryStream(TestImages.Jpeg(64, 48)), "pier.jpg", -1)).Value!;

        foreach (var typed in new[] { "Photo: Jane Doe / Reuters", "PHOTO:Jane Doe / Reuters", "  photograph :  Jane Doe / Reuters" })
        {
            var saved = await library.UpdateDetailsAsync(newsroom.User, image.Id, new MediaDetailsInput { Credit = typed });
            Assert.Equal("Jane Doe / Reuters", saved.Value!.Credit);
        }
        // A credit that merely contains the word is left alone.
        Assert.Equal("Photography Unit / Coast Agency",
            (await library.UpdateDetailsAsync(newsroom.User, image.Id, new MediaDetailsInput { Credit = "Photography Unit / Coast Agency" })).Value!.Credit);
    }

    [Fact]
    public async Task Once_a_published_article_shows_an_image_only_editors_change_its_alt_text_caption_or_credit()
    {
        var newsroom = await StartAsync(NewsroomRoles.Author);
        await using var scope = app.Services.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var image = (await library.UploadAsync(newsroom.User, new MemoryStream(TestImages.Jpeg(400, 300)), "quay.jpg", -1)).Value!;
        var (_, editorEmail, _) = await app.CreateUserAsync(NewsroomRoles.Editor);
        var editor = await app.PrincipalForAsync(editorEmail);

        // In a draft only, the uploader still describes it.
        var draft = await AddArticleAsync("Quay repairs begin", featuredImageId: image.Id);
        Assert.True((await library.UpdateDetailsAsync(newsroom.User, image.Id, new MediaDetailsInput { Caption = "Repairs begin." })).Succeeded);

        await SetPublishedAsync(draft);
        var refused = await library.UpdateDetailsAsync(newsroom.User, image.Id, new MediaDetailsInput { Caption = "Something else entirely." });
        Assert.Equal("This image is on a published article (“Quay repairs begin”), so only an editor can change its alt text, caption or credit.", refused.Error);
        Assert.Equal("Repairs begin.", (await library.GetAsync(newsroom.User, image.Id)).Value!.Caption);

        var byEditor = await library.UpdateDetailsAsync(editor, image.Id, new MediaDetailsInput { Caption = "Repairs began on Monday." });
        Assert.True(byEditor.Succeeded, byEditor.Error);

        // The same when a published article shows it in its text.
        await ClearFeaturedImageAsync(draft);
        Assert.True((await library.UpdateDetailsAsync(newsroom.User, image.Id, new MediaDetailsInput { Caption = "Free again." })).Succeeded);
        var inText = await AddArticleAsync("Quay in pictures", body: $"<p>Text.</p><img src=\"{image.WebpUrl(320)}\" alt=\"The quay\">");
        await SetPublishedAsync(inText);
        Assert.Equal("This image is on a published article (“Quay in pictures”), so only an editor can change its alt text, caption or credit.",
            (await library.UpdateDetailsAsync(newsroom.User, image.Id, new MediaDetailsInput { Credit = "Someone" })).Error);
    }

    private async Task SetPublishedAsync(int articleId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        await db.Set<Article>().Where(a => a.Id == articleId).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.Status, ArticleStatus.Published).SetProperty(a => a.PublishedAt, DateTime.UtcNow));
    }

    [Fact]
    public async Task Each_user_has_a_daily_upload_budget()
    {
        var photo = TestImages.Jpeg(400, 300, noise: true);
        // Room for one of these photos a day, not two.
        var budget = (photo.Length * 1.5 / MediaSizes.BytesPerMegabyte).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var newsroom = await StartAsync(NewsroomRoles.Author, new() { ["NewsCms:Media:DailyUploadMegabytesPerUser"] = budget });

        var first = await UploadAsync(newsroom.Client, newsroom.Token, photo, "one.jpg");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var error = await ErrorOf(await UploadAsync(newsroom.Client, newsroom.Token, photo, "two.jpg"));
        Assert.StartsWith("You have uploaded ", error);
        Assert.Contains($"in the last 24 hours; the limit is {MediaSizes.MegabytesSetting(double.Parse(budget, System.Globalization.CultureInfo.InvariantCulture))} a day.", error);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            // Another user's budget is their own.
            var (_, otherEmail, _) = await app.CreateUserAsync(NewsroomRoles.Author);
            var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
            Assert.True((await library.UploadAsync(await app.PrincipalForAsync(otherEmail), new MemoryStream(photo), "other.jpg", photo.Length)).Succeeded);

            // A day later the first user's earlier upload no longer counts.
            var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();
            await db.MediaItems.ExecuteUpdateAsync(u => u.SetProperty(m => m.CreatedAt, m => m.CreatedAt.AddHours(-25)));
        }
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(newsroom.Client, newsroom.Token, photo, "three.jpg")).StatusCode);
    }

    [Fact]
    public async Task Below_the_free_disk_space_floor_uploads_are_refused_and_nothing_is_written()
    {
        // A floor no disk reaches: 100 million MB.
        var newsroom = await StartAsync(NewsroomRoles.Author, new() { ["NewsCms:Media:MinFreeDiskMegabytes"] = "100000000" });
        var error = await ErrorOf(await UploadAsync(newsroom.Client, newsroom.Token, TestImages.Jpeg(400, 300), "harbour.jpg"));
        Assert.StartsWith("The server is low on disk space", error);
        Assert.Contains("Nothing was stored. Ask an administrator to free space.", error);
        await AssertNothingStoredAsync();
        Assert.Contains(app.Logs.Lines, line => line.Contains("low on disk space", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_image_of_extreme_aspect_ratio_is_refused_with_the_reason()
    {
        var newsroom = await StartAsync(NewsroomRoles.Author);
        var error = await ErrorOf(await UploadAsync(newsroom.Client, newsroom.Token, TestImages.Png(2400, 60), "banner.png", "image/png"));
        Assert.Equal("The image is 2400 × 60 pixels: its long side is 40 times its short side. Images may be at most 10 times as wide as " +
            "they are tall (or as tall as they are wide). Crop it and upload it again.", error);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_body_image_on_the_article_page_shows_its_caption_and_credit()
    {
        var newsroom = await StartAsync(NewsroomRoles.Editor);
        await using var scope = app.Services.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var image = (await library.UploadAsync(newsroom.User, new MemoryStream(TestImages.Jpeg(800, 500)), "pier.jpg", -1)).Value!;
        await library.UpdateDetailsAsync(newsroom.User, image.Id, new MediaDetailsInput { AltText = "The pier", Caption = "Waves over the pier.", Credit = "Photo: Jane Doe" });
        var articles = scope.ServiceProvider.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(newsroom.User, null, new ArticleInput
        {
            Headline = "Storm night", BodyHtml = $"<p>It blew.</p><img src=\"{image.WebpUrl(640)}\" alt=\"The pier\">",
        }, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(newsroom.User, saved.Id, saved.Version)).Succeeded);

        using var reader = app.CreateClient();
        var page = await reader.GetStringAsync("/news/storm-night");
        Assert.Contains("<figcaption>Waves over the pier. <span class=\"article__credit\">Photo: Jane Doe</span></figcaption>", page);
    }

    [Fact]
    public async Task The_library_is_searched_by_file_name_alt_text_caption_and_credit_and_paged()
    {
        var newsroom = await StartAsync(NewsroomRoles.Editor);
        await using var scope = app.Services.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var ids = new List<int>();
        foreach (var name in new[] { "alpha.jpg", "beta.jpg", "gamma.jpg" })
        {
            ids.Add((await library.UploadAsync(newsroom.User, new MemoryStream(TestImages.Jpeg(64, 48)), name, -1)).Value!.Id);
        }
        await library.UpdateDetailsAsync(newsroom.User, ids[1], new MediaDetailsInput { AltText = "A lighthouse at dusk", Credit = "Coast Agency" });
        await library.UpdateDetailsAsync(newsroom.User, ids[2], new MediaDetailsInput { Caption = "100% of the harbour" });

        async Task<string> Search(string? text, int page = 0, int size = 10) =>
            string.Join(",", (await library.ListAsync(newsroom.User, text, page, size)).Value!.Items.Select(i => i.OriginalFileName));

        Assert.Equal("gamma.jpg,beta.jpg,alpha.jpg", await Search(null));
        Assert.Equal("alpha.jpg", await Search("ALPHA"));
        Assert.Equal("beta.jpg", await Search("lighthouse"));
        Assert.Equal("beta.jpg", await Search("coast"));
        Assert.Equal("gamma.jpg", await Search("100%"));
        Assert.Equal("", await Search("_"));
        Assert.Equal("beta.jpg", await Search(null, page: 1, size: 1));
        Assert.Equal(3, (await library.ListAsync(newsroom.User, null, 2, 1)).Value!.Total);
        var byId = await library.GetByIdsAsync([ids[0], ids[2], 999]);
        Assert.Equal([ids[0], ids[2]], byId.Keys.Order());
    }

    private async Task<int> AddArticleAsync(string headline, int? featuredImageId = null, string body = "<p>Body.</p>")
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        var article = new Article
        {
            Headline = headline, Slug = Slugs.From(headline), BodyHtml = body, FeaturedImageId = featuredImageId,
            CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow, CreatedById = "someone", CreatedByName = "Someone", Version = Guid.NewGuid(),
        };
        db.Add(article);
        await db.SaveChangesAsync();
        return article.Id;
    }

    private async Task ClearFeaturedImageAsync(int articleId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        await db.Set<Article>().Where(a => a.Id == articleId).ExecuteUpdateAsync(s => s.SetProperty(a => a.FeaturedImageId, (int?)null));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
