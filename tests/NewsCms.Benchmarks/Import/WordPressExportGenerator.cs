using System.Globalization;
using System.Text;
using System.Xml;
using SkiaSharp;

namespace NewsCms.Benchmarks.Import;

/// <summary>
/// Writes a synthetic WordPress export of any size, streaming (nothing of it is held in memory): authors, nested
/// categories, tags, posts with block bodies, internal links and featured images, and the attachments' files.
/// </summary>
public static class WordPressExportGenerator
{
    public const string SiteUrl = "https://bench.example";
    private const int Authors = 20, Categories = 12, Tags = 300;

    private static readonly string[] Words =
        "harbour council ferry storm election candidate market festival school budget hospital weather regatta bridge library museum river station club mayor"
            .Split(' ');

    /// <summary>Writes <paramref name="posts"/> posts; the first <paramref name="images"/> have a featured image (an attachment listed before them).</summary>
    public static void WriteExport(Stream output, int posts, int images)
    {
        using var writer = XmlWriter.Create(output, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false });
        writer.WriteStartElement("rss");
        writer.WriteAttributeString("version", "2.0");
        writer.WriteAttributeString("xmlns", "wp", null, "http://wordpress.org/export/1.2/");
        writer.WriteAttributeString("xmlns", "content", null, "http://purl.org/rss/1.0/modules/content/");
        writer.WriteAttributeString("xmlns", "excerpt", null, "http://wordpress.org/export/1.2/excerpt/");
        writer.WriteAttributeString("xmlns", "dc", null, "http://purl.org/dc/elements/1.1/");
        writer.WriteStartElement("channel");
        writer.WriteElementString("title", "Bench Gazette");
        writer.WriteElementString("link", SiteUrl);
        writer.WriteElementString("wp", "wxr_version", null, "1.2");
        writer.WriteElementString("wp", "base_site_url", null, SiteUrl);
        writer.WriteElementString("wp", "base_blog_url", null, SiteUrl);
        for (var a = 1; a <= Authors; a++)
        {
            writer.WriteStartElement("wp", "author", null);
            writer.WriteElementString("wp", "author_id", null, Text(a));
            CData(writer, "wp", "author_login", $"writer{a}");
            CData(writer, "wp", "author_email", $"writer{a}@bench.example");
            CData(writer, "wp", "author_display_name", $"Writer Number {a}");
            writer.WriteEndElement();
        }
        for (var c = 1; c <= Categories; c++)
        {
            writer.WriteStartElement("wp", "category", null);
            writer.WriteElementString("wp", "term_id", null, Text(c));
            CData(writer, "wp", "category_nicename", $"section-{c}");
            CData(writer, "wp", "category_parent", c > 8 ? "section-1" : "");
            CData(writer, "wp", "cat_name", $"Section {c}");
            writer.WriteEndElement();
        }
        for (var t = 1; t <= Tags; t++)
        {
            writer.WriteStartElement("wp", "tag", null);
            writer.WriteElementString("wp", "term_id", null, Text(100 + t));
            CData(writer, "wp", "tag_slug", $"topic-{t}");
            CData(writer, "wp", "tag_name", $"Topic {t}");
            writer.WriteEndElement();
        }

        var start = new DateTime(2015, 1, 1, 8, 0, 0, DateTimeKind.Utc);
        for (var p = 1; p <= posts; p++)
        {
            var postId = 100_000 + p;
            var date = start.AddHours(p * 7);
            if (p <= images) WriteAttachment(writer, p, postId, date);
            WritePost(writer, p, postId, date, images);
        }
        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    private static void WriteAttachment(XmlWriter writer, int p, int postId, DateTime date)
    {
        var url = $"{SiteUrl}/wp-content/uploads/{date:yyyy}/{date:MM}/photo-{p}.jpg";
        writer.WriteStartElement("item");
        writer.WriteElementString("title", $"photo-{p}");
        writer.WriteElementString("link", $"{SiteUrl}/?attachment_id={p}");
        CData(writer, "dc", "creator", "writer1");
        CData(writer, "excerpt", "encoded", $"Photo number {p} of the bench site.");
        CData(writer, "content", "encoded", "");
        writer.WriteElementString("wp", "post_id", null, Text(p));
        writer.WriteElementString("wp", "post_date", null, Date(date));
        writer.WriteElementString("wp", "post_date_gmt", null, Date(date));
        CData(writer, "wp", "post_name", $"photo-{p}");
        CData(writer, "wp", "status", "inherit");
        writer.WriteElementString("wp", "post_parent", null, Text(postId));
        CData(writer, "wp", "post_type", "attachment");
        CData(writer, "wp", "attachment_url", url);
        Meta(writer, "_wp_attachment_image_alt", $"A view of the harbour, photo {p}");
        Meta(writer, "_wp_attached_file", $"{date:yyyy}/{date:MM}/photo-{p}.jpg");
        writer.WriteEndElement();
    }

    private static void WritePost(XmlWriter writer, int p, int postId, DateTime date, int images)
    {
        var slug = $"story-{p}-{Words[p % Words.Length]}";
        writer.WriteStartElement("item");
        writer.WriteElementString("title", $"Story {p}: the {Words[p % Words.Length]} and the {Words[(p / 3) % Words.Length]}");
        writer.WriteElementString("link", $"{SiteUrl}/{date:yyyy}/{date:MM}/{date:dd}/{slug}/");
        CData(writer, "dc", "creator", $"writer{p % Authors + 1}");
        var body = new StringBuilder();
        for (var para = 0; para < 8; para++)
        {
            body.Append("<!-- wp:paragraph -->\n<p>");
            for (var w = 0; w < 70; w++) body.Append(Words[(p * 7 + para * 13 + w) % Words.Length]).Append(' ');
            if (para == 3 && p > 1) body.Append($"See <a href=\"{SiteUrl}/?p={100_000 + p - 1}\">the previous story</a>.");
            body.Append("</p>\n<!-- /wp:paragraph -->\n\n");
        }
        CData(writer, "content", "encoded", body.ToString());
        CData(writer, "excerpt", "encoded", $"The short version of story {p}.");
        writer.WriteElementString("wp", "post_id", null, Text(postId));
        writer.WriteElementString("wp", "post_date", null, Date(date));
        writer.WriteElementString("wp", "post_date_gmt", null, Date(date));
        CData(writer, "wp", "post_name", slug);
        CData(writer, "wp", "status", "publish");
        CData(writer, "wp", "post_type", "post");
        writer.WriteElementString("wp", "is_sticky", null, "0");
        Term(writer, "category", $"section-{p % Categories + 1}", $"Section {p % Categories + 1}");
        for (var t = 0; t < 3; t++)
        {
            var tag = (p * 31 + t * 97) % Tags + 1;
            Term(writer, "post_tag", $"topic-{tag}", $"Topic {tag}");
        }
        if (p <= images) Meta(writer, "_thumbnail_id", Text(p));
        writer.WriteEndElement();
    }

    /// <summary>The attachments' files (JPEG, 1200 × 800), as wp-content/uploads holds them.</summary>
    public static void WriteUploads(string folder, int images)
    {
        var start = new DateTime(2015, 1, 1, 8, 0, 0, DateTimeKind.Utc);
        using var bitmap = new SKBitmap(1200, 800);
        using var canvas = new SKCanvas(bitmap);
        for (var p = 1; p <= images; p++)
        {
            var date = start.AddHours(p * 7);
            var path = Path.Combine(folder, date.ToString("yyyy", CultureInfo.InvariantCulture), date.ToString("MM", CultureInfo.InvariantCulture), $"photo-{p}.jpg");
            if (File.Exists(path)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(1200, 800),
                [new SKColor((byte)(p * 37), (byte)(p * 11), 120), new SKColor(20, (byte)(p * 5), (byte)(p * 23))], SKShaderTileMode.Clamp);
            using var paint = new SKPaint { Shader = shader };
            canvas.DrawRect(0, 0, 1200, 800, paint);
            using var image = SKImage.FromBitmap(bitmap);
            using var data = image.Encode(SKEncodedImageFormat.Jpeg, 85);
            using var file = File.Create(path);
            data.SaveTo(file);
        }
    }

    private static void Term(XmlWriter writer, string domain, string slug, string name)
    {
        writer.WriteStartElement("category");
        writer.WriteAttributeString("domain", domain);
        writer.WriteAttributeString("nicename", slug);
        writer.WriteCData(name);
        writer.WriteEndElement();
    }

    private static void Meta(XmlWriter writer, string key, string value)
    {
        writer.WriteStartElement("wp", "postmeta", null);
        CData(writer, "wp", "meta_key", key);
        CData(writer, "wp", "meta_value", value);
        writer.WriteEndElement();
    }

    private static void CData(XmlWriter writer, string prefix, string name, string value)
    {
        writer.WriteStartElement(prefix, name, null);
        writer.WriteCData(value);
        writer.WriteEndElement();
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Date(DateTime value) => value.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
