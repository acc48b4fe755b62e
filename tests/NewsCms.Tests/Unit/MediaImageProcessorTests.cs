using System.Diagnostics;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Media;
using SkiaSharp;

namespace NewsCms.Tests.Unit;

public sealed class MediaImageProcessorTests : IDisposable
{
    private static readonly IReadOnlyList<int> Widths = MediaOptions.DefaultVariantWidths;
    private const long MaxPixels = 50_000_000;
    private readonly string folder = Path.Combine(Path.GetTempPath(), "newscms-media-unit", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData(4000, 3000, "320x240 640x480 960x720 1280x960 1920x1440")]
    [InlineData(1920, 1080, "320x180 640x360 960x540 1280x720 1920x1080")]
    [InlineData(1280, 720, "320x180 640x360 960x540 1280x720")]
    [InlineData(1000, 1500, "320x480 640x960 960x1440 1000x1500")]
    [InlineData(320, 200, "320x200")]
    [InlineData(200, 100, "200x100")]
    [InlineData(1, 1, "1x1")]
    [InlineData(5000, 2, "320x1 640x1 960x1 1280x1 1920x1")]
    [InlineData(333, 1000, "320x961 333x1000")]
    public void Variant_sizes_keep_the_aspect_ratio_and_never_upscale(int width, int height, string expected)
    {
        var sizes = ImageProcessor.VariantSizes(width, height, Widths);
        Assert.Equal(expected, string.Join(" ", sizes.Select(s => $"{s.Width}x{s.Height}")));
    }

    [Fact]
    public void Variant_sizes_take_widths_in_any_order_without_repeats()
    {
        var sizes = ImageProcessor.VariantSizes(2000, 1000, [1280, 320, 1280, 640]);
        Assert.Equal([(320, 160), (640, 320), (1280, 640)], sizes);
    }

    [Fact]
    public void A_png_with_transparency_gets_a_png_original_and_webp_and_png_variants()
    {
        var result = ImageProcessor.Process(TestImages.Png(1000, 600, alpha: true), MaxPixels, Widths, folder);

        Assert.True(result.Succeeded, result.Error);
        var image = result.Value!;
        Assert.Equal(("png", 1000, 600), (image.Format, image.Width, image.Height));
        Assert.Equal([320, 640, 960, 1000], image.VariantWidths);
        Assert.Equal(
            ["original.png", "320.webp", "320.png", "640.webp", "640.png", "960.webp", "960.png", "1000.webp", "1000.png"],
            image.Files);
        Assert.Equal(image.Files.Order(), Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order());

        using var webp = SKCodec.Create(Path.Combine(folder, "640.webp"));
        Assert.Equal((SKEncodedImageFormat.Webp, 640, 384), (webp.EncodedFormat, webp.Info.Width, webp.Info.Height));
        using var png = TestImages.Decode(File.ReadAllBytes(Path.Combine(folder, "320.png")));
        Assert.Equal((320, 192), (png.Width, png.Height));
        Assert.True(png.GetPixel(10, 5).Alpha < 255, "transparency is kept in the PNG fallback");
    }

    [Fact]
    public void A_jpeg_gets_a_jpeg_original_and_webp_and_jpeg_variants()
    {
        var result = ImageProcessor.Process(TestImages.Jpeg(700, 500), MaxPixels, Widths, folder);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(["original.jpg", "320.webp", "320.jpg", "640.webp", "640.jpg", "700.webp", "700.jpg"], result.Value!.Files);
        using var jpeg = SKCodec.Create(Path.Combine(folder, "640.jpg"));
        Assert.Equal((SKEncodedImageFormat.Jpeg, 640, 457), (jpeg.EncodedFormat, jpeg.Info.Width, jpeg.Info.Height));
    }

    [Fact]
    public void Webp_and_gif_uploads_are_accepted()
    {
        var webp = ImageProcessor.Process(TestImages.Webp(400, 300), MaxPixels, Widths, Path.Combine(folder, "webp"));
        Assert.True(webp.Succeeded, webp.Error);
        Assert.Equal(("webp", "original.webp"), (webp.Value!.Format, webp.Value.Files[0]));

        var gif = ImageProcessor.Process(TestImages.Gif(), MaxPixels, Widths, Path.Combine(folder, "gif"));
        Assert.True(gif.Succeeded, gif.Error);
        Assert.Equal(("gif", 1, 1), (gif.Value!.Format, gif.Value.Width, gif.Value.Height));
        Assert.Equal(["original.png", "1.webp", "1.png"], gif.Value.Files);
    }

    [Fact]
    public void Opaque_png_webp_and_gif_uploads_get_lossy_jpeg_fallbacks_and_transparent_ones_keep_png()
    {
        var png = ImageProcessor.Process(TestImages.Png(700, 500), MaxPixels, Widths, Path.Combine(folder, "png"));
        Assert.True(png.Succeeded, png.Error);
        Assert.Equal(("png", "jpeg"), (png.Value!.Format, png.Value.FallbackFormat));
        Assert.Equal(["original.png", "320.webp", "320.jpg", "640.webp", "640.jpg", "700.webp", "700.jpg"], png.Value.Files);
        using (var jpeg = SKCodec.Create(Path.Combine(folder, "png", "640.jpg")))
        {
            Assert.Equal(SKEncodedImageFormat.Jpeg, jpeg.EncodedFormat);
        }

        // Saved with an alpha channel that is everywhere fully opaque: opaque all the same.
        using var rgba = new SKBitmap(new SKImageInfo(300, 200, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        rgba.Erase(new SKColor(20, 120, 200, 255));
        using var rgbaPng = rgba.Encode(SKEncodedImageFormat.Png, 100);
        var opaqueRgba = ImageProcessor.Process(rgbaPng.ToArray(), MaxPixels, Widths, Path.Combine(folder, "rgba"));
        Assert.Equal("jpeg", opaqueRgba.Value!.FallbackFormat);
        Assert.Contains("300.jpg", opaqueRgba.Value.Files);

        var webp = ImageProcessor.Process(TestImages.Webp(400, 300), MaxPixels, Widths, Path.Combine(folder, "webp"));
        Assert.Contains("320.jpg", webp.Value!.Files);

        var transparent = ImageProcessor.Process(TestImages.Png(400, 300, alpha: true), MaxPixels, Widths, Path.Combine(folder, "alpha"));
        Assert.Equal("png", transparent.Value!.FallbackFormat);
        Assert.Contains("320.png", transparent.Value.Files);
    }

    [Theory]
    [InlineData(2100, 200)]
    [InlineData(150, 1600)]
    public void Images_of_extreme_aspect_ratio_are_refused_from_their_header(int width, int height)
    {
        var result = ImageProcessor.Process(TestImages.PngHeaderOnly(width, height), MaxPixels, Widths, folder, maxAspectRatio: 10);
        Assert.NotNull(result.Error);
        Assert.StartsWith($"The image is {width} × {height} pixels", result.Error);
        Assert.Contains("at most 10 times as wide as they are tall", result.Error);
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any());
    }

    [Fact]
    public void A_wide_panorama_within_the_ratio_is_accepted()
    {
        var result = ImageProcessor.Process(TestImages.Jpeg(1000, 100), MaxPixels, Widths, folder, maxAspectRatio: 10);
        Assert.True(result.Succeeded, result.Error);
    }

    [Fact]
    public void Text_is_not_an_image()
    {
        var result = ImageProcessor.Process("Not a photo, just text pretending to be one."u8, MaxPixels, Widths, folder);
        Assert.Equal(ImageProcessor.NotAnImage, result.Error);
    }

    [Fact]
    public void Other_image_formats_are_refused_by_name()
    {
        var result = ImageProcessor.Process(TestImages.Bmp(), MaxPixels, Widths, folder);
        Assert.Equal("BMP images are not accepted. Upload a JPEG, PNG, WebP or GIF image.", result.Error);
    }

    [Fact]
    public void A_truncated_png_is_damaged()
    {
        var png = TestImages.Png(400, 300, noise: true);
        var result = ImageProcessor.Process(png.AsSpan(0, png.Length * 2 / 3), MaxPixels, Widths, folder);
        Assert.Equal(ImageProcessor.Damaged, result.Error);
    }

    [Fact]
    public void A_truncated_jpeg_is_damaged()
    {
        var jpeg = TestImages.Jpeg(400, 300, noise: true);
        var result = ImageProcessor.Process(jpeg.AsSpan(0, jpeg.Length / 2), MaxPixels, Widths, folder);
        Assert.Equal(ImageProcessor.Damaged, result.Error);
    }

    [Fact]
    public void An_image_over_the_pixel_limit_is_refused_from_its_header()
    {
        var bomb = TestImages.PngHeaderOnly(20000, 20000);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();

        var result = ImageProcessor.Process(bomb, MaxPixels, Widths, folder);

        Assert.Equal("The image is 20000 × 20000 pixels (400 megapixels); the limit is 50 megapixels. Make it smaller and upload it again.", result.Error);
        // Decoding would have needed 1.6 GB of pixels; refusing from the header takes next to nothing.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 10_000_000);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Exif_gps_and_camera_data_are_removed_from_every_file()
    {
        var upload = TestImages.WithExif(TestImages.Jpeg(800, 600));
        Assert.True(TestImages.HasMetadata(upload));
        using (var codec = SKCodec.Create(new MemoryStream(upload)))
        {
            Assert.Equal((800, 600), (codec.Info.Width, codec.Info.Height));
        }

        var result = ImageProcessor.Process(upload, MaxPixels, Widths, folder);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((800, 600), (result.Value!.Width, result.Value.Height));
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            Assert.False(TestImages.HasMetadata(File.ReadAllBytes(file)), $"{Path.GetFileName(file)} still carries metadata");
        }
    }

    [Fact]
    public void The_exif_orientation_is_applied_to_the_pixels_before_the_metadata_goes()
    {
        // Stored 200 wide × 100 high, left half red; orientation 6 means "rotate 90° clockwise to display".
        var upload = TestImages.WithExif(TestImages.Jpeg(200, 100), orientation: 6);
        using (var codec = SKCodec.Create(new MemoryStream(upload)))
        {
            Assert.Equal(SKEncodedOrigin.RightTop, codec.EncodedOrigin);
        }

        var result = ImageProcessor.Process(upload, MaxPixels, Widths, folder);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((100, 200), (result.Value!.Width, result.Value.Height));
        var original = File.ReadAllBytes(Path.Combine(folder, "original.jpg"));
        Assert.False(TestImages.HasMetadata(original));
        using var upright = TestImages.Decode(original);
        Assert.Equal((100, 200), (upright.Width, upright.Height));
        // The red left half is now the top half.
        Assert.True(IsRed(upright.GetPixel(50, 40)), $"top is {upright.GetPixel(50, 40)}");
        Assert.True(IsBlue(upright.GetPixel(50, 160)), $"bottom is {upright.GetPixel(50, 160)}");
        using var variant = TestImages.Decode(File.ReadAllBytes(Path.Combine(folder, "100.webp")));
        Assert.Equal((100, 200), (variant.Width, variant.Height));
    }

    [Theory]
    [InlineData(3, 200, 100)] // upside down
    [InlineData(8, 100, 200)] // rotate 90° anticlockwise
    [InlineData(2, 200, 100)] // mirrored
    public void Other_orientations_come_out_upright(ushort orientation, int width, int height)
    {
        var result = ImageProcessor.Process(TestImages.WithExif(TestImages.Jpeg(200, 100), orientation), MaxPixels, Widths, folder);

        Assert.True(result.Succeeded, result.Error);
        using var upright = TestImages.Decode(File.ReadAllBytes(Path.Combine(folder, "original.jpg")));
        Assert.Equal((width, height), (upright.Width, upright.Height));
        // Where the red half ends up: 3 and 2 → right, 8 → bottom.
        var (redX, redY) = orientation == 8 ? (50, 160) : (160, 50);
        Assert.True(IsRed(upright.GetPixel(redX, redY)), $"expected red at {redX},{redY}: {upright.GetPixel(redX, redY)}");
    }

    private static bool IsRed(SKColor c) => c.Red > 150 && c.Blue < 100;
    private static bool IsBlue(SKColor c) => c.Blue > 150 && c.Red < 100;
}
