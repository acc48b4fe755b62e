using NewsCms.Web.Features.Hosting;
using SkiaSharp;

namespace NewsCms.Web.Features.Media;

/// <summary>What an upload became: the cleaned original and its variants, all written to one folder.</summary>
/// <param name="Format">The format the upload was decoded as: jpeg, png, webp or gif.</param>
/// <param name="Width">Width after the EXIF orientation was applied.</param>
/// <param name="Height">Height after the EXIF orientation was applied.</param>
/// <param name="VariantWidths">Widths of the variants, ascending.</param>
/// <param name="Files">The file names written, e.g. original.jpg, 320.webp, 320.jpg.</param>
/// <param name="FallbackFormat">The format of the fallback variants: jpeg for opaque images, png for ones with transparency.</param>
public sealed record ProcessedImage(string Format, int Width, int Height, IReadOnlyList<int> VariantWidths, IReadOnlyList<string> Files,
    string FallbackFormat = "jpeg");

/// <summary>
/// Turns uploaded bytes into the files NewsCms serves. The bytes are decoded (their name and content type are never
/// trusted); the pixels are then re-encoded, so no metadata of the upload (EXIF, GPS, XMP, IPTC, comments, camera
/// make and serial) survives into any stored file. The EXIF orientation is applied to the pixels first.
/// </summary>
public static class ImageProcessor
{
    public const string NotAnImage = "This file is not an image we can read (JPEG, PNG, WebP or GIF).";
    public const string Damaged = "The image is damaged or incomplete, so it cannot be used. Export it again and upload the new file.";

    public const int OriginalJpegQuality = 90;
    public const int OriginalWebpQuality = 90;
    public const int VariantWebpQuality = 80;
    public const int VariantJpegQuality = 82;

    /// <summary>
    /// The variant sizes for an image: every configured width smaller than the image, plus the image's own width when
    /// it is not over the largest configured width (so the full resolution is there, as WebP, up to that cap; an image
    /// narrower than the smallest width gets just its own). Heights keep the aspect ratio, at least 1 pixel.
    /// </summary>
    public static IReadOnlyList<(int Width, int Height)> VariantSizes(int width, int height, IReadOnlyList<int> widths)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var ordered = widths.Where(w => w > 0).Distinct().Order().ToList();
        var chosen = ordered.Where(w => w < width).ToList();
        if (ordered.Count == 0 || width <= ordered[^1]) chosen.Add(width);
        return chosen.Select(w => (w, HeightFor(width, height, w))).ToArray();
    }

    /// <summary>The extension of the stored original for a decoded format (a GIF keeps its first frame, as PNG).</summary>
    public static string OriginalExtension(string format) => format switch
    {
        "jpeg" => "jpg",
        "webp" => "webp",
        _ => "png",
    };

    /// <summary>The extension of the fallback variants (for browsers without WebP) of a fallback format: jpg or png.</summary>
    public static string FallbackExtension(string fallbackFormat) => fallbackFormat == "jpeg" ? "jpg" : "png";

    /// <summary>
    /// The fallback format: JPEG (lossy, a fraction of PNG's size for photographs and illustrations) for every opaque
    /// image, whatever it was uploaded as; PNG only for images with transparency, which JPEG cannot hold.
    /// </summary>
    public static string FallbackFormatFor(bool opaque) => opaque ? "jpeg" : "png";

    /// <summary>
    /// Decodes <paramref name="data"/> and writes the cleaned original and the variants to <paramref name="folder"/>
    /// (created if needed). A refusal comes back as an error message; the folder may then hold partial files, which
    /// the caller removes.
    /// </summary>
    public static ServiceResult<ProcessedImage> Process(ReadOnlySpan<byte> data, long maxPixels, IReadOnlyList<int> variantWidths, string folder,
        double maxAspectRatio = double.PositiveInfinity)
    {
        using var skData = SKData.CreateCopy(data);
        using var codec = SKCodec.Create(skData);
        if (codec is null) return ServiceResult<ProcessedImage>.Fail(NotAnImage);

        var format = codec.EncodedFormat switch
        {
            SKEncodedImageFormat.Jpeg => "jpeg",
            SKEncodedImageFormat.Png => "png",
            SKEncodedImageFormat.Webp => "webp",
            SKEncodedImageFormat.Gif => "gif",
            _ => null,
        };
        if (format is null)
        {
            return ServiceResult<ProcessedImage>.Fail(
                $"{codec.EncodedFormat.ToString().ToUpperInvariant()} images are not accepted. Upload a JPEG, PNG, WebP or GIF image.");
        }

        // From the header only: nothing is decoded (or allocated) for an image over the limit.
        var info = codec.Info;
        var pixels = (long)info.Width * info.Height;
        if (info.Width < 1 || info.Height < 1) return ServiceResult<ProcessedImage>.Fail(Damaged);
        if (pixels > maxPixels)
        {
            return ServiceResult<ProcessedImage>.Fail(
                $"The image is {info.Width} × {info.Height} pixels ({Megapixels(pixels)} megapixels); " +
                $"the limit is {Megapixels(maxPixels)} megapixels. Make it smaller and upload it again.");
        }

        var ratio = (double)Math.Max(info.Width, info.Height) / Math.Min(info.Width, info.Height);
        if (ratio > maxAspectRatio)
        {
            var limit = maxAspectRatio.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
            return ServiceResult<ProcessedImage>.Fail(
                $"The image is {info.Width} × {info.Height} pixels: its long side is {ratio.ToString(ratio >= 10 ? "0" : "0.#", System.Globalization.CultureInfo.InvariantCulture)} times its short side. " +
                $"Images may be at most {limit} times as wide as they are tall (or as tall as they are wide). Crop it and upload it again.");
        }

        var opaque = info.AlphaType == SKAlphaType.Opaque;
        var decodeInfo = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888,
            opaque ? SKAlphaType.Opaque : SKAlphaType.Premul, SKColorSpace.CreateSrgb());
        using var decoded = new SKBitmap();
        if (!decoded.TryAllocPixels(decodeInfo)) return ServiceResult<ProcessedImage>.Fail(Damaged);
        var result = codec.GetPixels(decodeInfo, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            // IncompleteInput: a truncated file (Skia fills the missing rows); anything else: corrupt data.
            return ServiceResult<ProcessedImage>.Fail(Damaged);
        }

        // A PNG, WebP or GIF may carry an alpha channel that is fully opaque everywhere: it is opaque all the same.
        var fallbackFormat = FallbackFormatFor(opaque || IsFullyOpaque(decoded));
        using var reoriented = ApplyOrigin(decoded, codec.EncodedOrigin);
        var upright = reoriented ?? decoded;
        Directory.CreateDirectory(folder);
        var files = new List<string>();

        var originalName = "original." + OriginalExtension(format);
        Write(upright, Path.Combine(folder, originalName), format switch
        {
            "jpeg" => Encoding.Jpeg(OriginalJpegQuality),
            "webp" => Encoding.Webp(OriginalWebpQuality),
            _ => Encoding.Png,
        });
        files.Add(originalName);

        var fallback = FallbackExtension(fallbackFormat);
        var sizes = VariantSizes(upright.Width, upright.Height, variantWidths);
        // Immutable: the image shares the pixels instead of copying them (4 bytes a pixel).
        upright.SetImmutable();
        using var uprightImage = SKImage.FromBitmap(upright);
        foreach (var (width, height) in sizes)
        {
            using var variant = Resize(uprightImage, upright.Info, width, height);
            Write(variant, Path.Combine(folder, $"{width}.webp"), Encoding.Webp(VariantWebpQuality));
            files.Add($"{width}.webp");
            Write(variant, Path.Combine(folder, $"{width}.{fallback}"), fallback == "jpg" ? Encoding.Jpeg(VariantJpegQuality) : Encoding.Png);
            files.Add($"{width}.{fallback}");
        }

        return ServiceResult<ProcessedImage>.Success(
            new ProcessedImage(format, upright.Width, upright.Height, sizes.Select(s => s.Width).ToArray(), files, fallbackFormat));
    }

    /// <summary>True when every pixel's alpha is 255 (RGBA 8888: every fourth byte).</summary>
    private static bool IsFullyOpaque(SKBitmap bitmap)
    {
        if (bitmap.AlphaType == SKAlphaType.Opaque) return true;
        var pixels = bitmap.GetPixelSpan();
        for (var i = 3; i < pixels.Length; i += 4)
        {
            if (pixels[i] != 255) return false;
        }
        return true;
    }

    private static int HeightFor(int width, int height, int variantWidth) =>
        Math.Max(1, (int)Math.Round((double)height * variantWidth / width, MidpointRounding.AwayFromZero));

    private static string Megapixels(long pixels) =>
        (pixels / 1_000_000d).ToString(pixels >= 10_000_000 ? "0" : "0.#", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The pixels as they should be seen, rotated and/or mirrored per the EXIF orientation; null when already upright.</summary>
    private static SKBitmap? ApplyOrigin(SKBitmap source, SKEncodedOrigin origin)
    {
        float w = source.Width, h = source.Height;
        var (matrix, swap) = origin switch
        {
            SKEncodedOrigin.TopRight => (new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1), false),
            SKEncodedOrigin.BottomRight => (new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1), false),
            SKEncodedOrigin.BottomLeft => (new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1), false),
            SKEncodedOrigin.LeftTop => (new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1), true),
            SKEncodedOrigin.RightTop => (new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1), true),
            SKEncodedOrigin.RightBottom => (new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1), true),
            SKEncodedOrigin.LeftBottom => (new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1), true),
            _ => (SKMatrix.Identity, false),
        };
        if (matrix == SKMatrix.Identity) return null;

        var info = swap ? source.Info.WithSize(source.Height, source.Width) : source.Info;
        var rotated = new SKBitmap(info);
        using var canvas = new SKCanvas(rotated);
        canvas.Clear(SKColors.Transparent);
        canvas.SetMatrix(matrix);
        canvas.DrawBitmap(source, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        canvas.Flush();
        return rotated;
    }

    private static SKBitmap Resize(SKImage source, SKImageInfo sourceInfo, int width, int height)
    {
        var bitmap = new SKBitmap(sourceInfo.WithSize(width, height));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Transparent);
        // Mipmaps keep strong reductions (a 6000 px photo to 320 px) free of aliasing.
        canvas.DrawImage(source, new SKRect(0, 0, width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        canvas.Flush();
        return bitmap;
    }

    private abstract record Encoding
    {
        public static readonly Encoding Png = new PngEncoding();
        public static Encoding Jpeg(int quality) => new JpegEncoding(quality);
        public static Encoding Webp(int quality) => new WebpEncoding(quality);
    }

    private sealed record PngEncoding : Encoding;
    private sealed record JpegEncoding(int Quality) : Encoding;
    private sealed record WebpEncoding(int Quality) : Encoding;

    private static void Write(SKBitmap bitmap, string path, Encoding encoding)
    {
        using var pixmap = bitmap.PeekPixels();
        using var data = encoding switch
        {
            JpegEncoding jpeg => pixmap.Encode(new SKJpegEncoderOptions(jpeg.Quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore)),
            WebpEncoding webp => pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, webp.Quality)),
            _ => pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 6)),
        } ?? throw new InvalidOperationException($"SkiaSharp could not encode {Path.GetFileName(path)}.");
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        data.SaveTo(file);
    }
}
