using SkiaSharp;

namespace NewsCms.Web.Features.Demo;

/// <summary>
/// Pictures drawn for the demo content: abstract compositions as featured images and initials on a disc as author
/// photos. Every random choice comes from a seeded generator, so each run draws the same pictures.
/// </summary>
internal static class DemoImages
{
    public const int FeaturedWidth = 1600;
    public const int FeaturedHeight = 900;
    public const int AvatarSize = 400;

    /// <summary>A JPEG in the colours around <paramref name="hue"/>, and its alt text.</summary>
    public static (byte[] Jpeg, string AltText) Featured(int seed, float hue)
    {
        const int w = FeaturedWidth, h = FeaturedHeight;
        var random = new Random(seed);
        var baseHue = Wrap(hue + random.Next(-15, 16));
        var accentHue = Wrap(baseHue + (random.Next(2) == 0 ? 1 : -1) * random.Next(35, 75));

        using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        using (var background = new SKPaint())
        {
            background.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(w, h),
                [SKColor.FromHsv(baseHue, 75, 32), SKColor.FromHsv(accentHue, 55, 88)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, w, h, background);
        }

        // Soft discs that fade out towards their edges.
        for (var i = 0; i < 8; i++)
        {
            var center = new SKPoint(random.Next(-100, w + 100), random.Next(-100, h + 100));
            var radius = random.Next(140, 460);
            var color = SKColor.FromHsv(Wrap((i % 2 == 0 ? baseHue : accentHue) + random.Next(-20, 21)), random.Next(35, 80), random.Next(60, 100));
            using var disc = new SKPaint { IsAntialias = true };
            disc.Shader = SKShader.CreateRadialGradient(center, radius, [color.WithAlpha(160), color.WithAlpha(0)], SKShaderTileMode.Clamp);
            canvas.DrawCircle(center, radius, disc);
        }

        // Pale diagonal bands across the whole picture.
        canvas.Save();
        canvas.RotateDegrees(random.Next(-35, -12), w / 2f, h / 2f);
        for (var i = 0; i < 3; i++)
        {
            using var band = new SKPaint { IsAntialias = true, Color = SKColors.White.WithAlpha((byte)random.Next(16, 40)) };
            canvas.DrawRect(-w, random.Next(0, h), 3 * w, random.Next(30, 150), band);
        }
        canvas.Restore();

        // A few thin rings.
        for (var i = 0; i < 3; i++)
        {
            using var ring = new SKPaint
            {
                IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = random.Next(3, 9),
                Color = SKColors.White.WithAlpha((byte)random.Next(60, 120)),
            };
            canvas.DrawCircle(random.Next(100, w - 100), random.Next(100, h - 100), random.Next(60, 260), ring);
        }
        canvas.Flush();

        using var jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 92);
        var alt = $"Abstract illustration: soft circles, thin rings and pale diagonal bands over a gradient from deep {ColorName(baseHue)} to light {ColorName(accentHue)}.";
        return (jpeg.ToArray(), alt);
    }

    /// <summary>A PNG of the name's initials in white on a disc of <paramref name="hue"/> (transparent around it), and its alt text.</summary>
    public static (byte[] Png, string AltText) Avatar(string name, float hue)
    {
        const float size = AvatarSize;
        var initials = Initials(name);
        using var bitmap = new SKBitmap(new SKImageInfo(AvatarSize, AvatarSize, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Transparent);
        using (var disc = new SKPaint { IsAntialias = true })
        {
            disc.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(size, size),
                [SKColor.FromHsv(Wrap(hue - 12), 55, 62), SKColor.FromHsv(Wrap(hue + 12), 70, 42)], SKShaderTileMode.Clamp);
            canvas.DrawCircle(size / 2, size / 2, size / 2, disc);
        }

        using var typeface = BoldTypeface(initials);
        using var font = new SKFont(typeface, 150);
        using var white = new SKPaint { IsAntialias = true, Color = SKColors.White };
        if (typeface is not null)
        {
            font.MeasureText(initials, out var bounds);
            canvas.DrawText(initials, size / 2 - bounds.MidX, size / 2 - bounds.MidY, SKTextAlign.Left, font, white);
        }
        else
        {
            // A machine without fonts still gets a finished-looking picture: a ring where the letters would be.
            white.Style = SKPaintStyle.Stroke;
            white.StrokeWidth = 14;
            canvas.DrawCircle(size / 2, size / 2, size / 4, white);
        }
        canvas.Flush();

        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return (png.ToArray(), $"The initials {initials} in white on a {ColorName(hue)} disc.");
    }

    private static readonly string[] FontFolders =
    [
        "/usr/share/fonts", "/usr/local/share/fonts",
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local/share/fonts"),
    ];

    /// <summary>A bold typeface that has the glyphs of <paramref name="text"/>, or null when this machine has none.</summary>
    private static SKTypeface? BoldTypeface(string text)
    {
        var matched = SKTypeface.FromFamilyName(null, SKFontStyle.Bold);
        if (matched is not null && Covers(matched, text)) return matched;
        matched?.Dispose();
        // SkiaSharp's Linux natives without dependencies have no font manager: read a font file, bold sans-serif first.
        var files = FontFolders.Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.ttf", SearchOption.AllDirectories))
            .OrderByDescending(FontScore).ThenBy(file => file, StringComparer.Ordinal);
        foreach (var file in files)
        {
            var typeface = SKTypeface.FromFile(file);
            if (typeface is not null && Covers(typeface, text)) return typeface;
            typeface?.Dispose();
        }
        return null;

        static bool Covers(SKTypeface typeface, string text)
        {
            using var font = new SKFont(typeface);
            return font.ContainsGlyphs(text);
        }

        static int FontScore(string file)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            bool Has(string part) => name.Contains(part, StringComparison.OrdinalIgnoreCase);
            return (Has("Bold") ? 4 : 0) + (Has("Sans") ? 2 : 0) - (Has("Italic") || Has("Oblique") ? 8 : 0)
                - (Has("Mono") || Has("Narrow") || Has("Condensed") || Has("Serif") ? 3 : 0);
        }
    }

    internal static string Initials(string name) =>
        string.Concat(name.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0])).Take(2));

    /// <summary>A plain colour word for a hue, for alt text.</summary>
    internal static string ColorName(float hue) => Wrap(hue) switch
    {
        < 15 => "red",
        < 40 => "orange",
        < 65 => "yellow",
        < 150 => "green",
        < 190 => "teal",
        < 245 => "blue",
        < 290 => "purple",
        < 340 => "pink",
        _ => "red",
    };

    private static float Wrap(float hue) => ((hue % 360) + 360) % 360;
}
