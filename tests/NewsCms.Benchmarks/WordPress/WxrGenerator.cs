using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Xml;
using SkiaSharp;

namespace NewsCms.Benchmarks.WordPress;

/// <summary>
/// Writes a synthetic WordPress export of any size, streaming (nothing of it is held in memory): authors, nested
/// categories, tags, posts alternating Gutenberg and classic bodies (images by attachment id, internal links pretty
/// and by ?p=, Unicode, comments), attachments after their parent post with alt text and serialized metadata, and a
/// few pages. Deterministic for a given seed. With <see cref="WriteUploadsAsync"/> it also makes the uploads folder.
/// </summary>
public sealed class WxrGenerator
{
    public const string SiteUrl = "https://generated.example";

    /// <summary>Number of posts (ids 1000, 1001, …).</summary>
    public int Posts { get; init; } = 1000;

    /// <summary>Number of image attachments (ids 5,000,000 + n), spread over the first posts, one per post, then again.</summary>
    public int Attachments { get; init; }

    public int Authors { get; init; } = 5;
    public int Categories { get; init; } = 12;
    public int Tags { get; init; } = 200;
    public int Pages { get; init; } = 5;

    /// <summary>Paragraphs per post body (about 400 bytes each): the knob for the file's size.</summary>
    public int ParagraphsPerPost { get; init; } = 6;

    public int Seed { get; init; } = 12;

    /// <summary>The size of the uploads' JPEGs: tiny for tests, photo-sized (1200 × 800) for measuring an import.</summary>
    public int ImageWidth { get; init; } = 64;
    public int ImageHeight { get; init; } = 48;

    public static int PostId(int index) => 1000 + index;
    public static int AttachmentId(int index) => 5_000_000 + index;
    public static string AttachmentPath(int index) => $"{2020 + index % 5}/{index % 12 + 1:00}/image-{index}.jpg";

    private int ParentOf(int attachment) => Posts == 0 ? 0 : PostId(attachment % Posts);

    /// <summary>
    /// The export as a stream produced while it is read (through a pipe): a file of any size, never held whole.
    /// Disposing the stream stops the writer.
    /// </summary>
    public Stream OpenRead(CancellationToken ct = default)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writing = Task.Run(async () =>
        {
            try
            {
                await using (var output = pipe.Writer.AsStream(leaveOpen: true)) await WriteAsync(output, stop.Token);
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
            }
        }, CancellationToken.None);
        return new GeneratedStream(pipe.Reader.AsStream(), stop, writing);
    }

    private sealed class GeneratedStream(Stream inner, CancellationTokenSource stop, Task writing) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                stop.Cancel();
                inner.Dispose();
                // The writer notices at its next post; it has completed the pipe by the time this returns.
                writing.Wait(TimeSpan.FromSeconds(10));
                stop.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    public async Task WriteAsync(Stream output, CancellationToken ct = default)
    {
        var random = new Random(Seed);
        var settings = new XmlWriterSettings { Async = true, Encoding = new UTF8Encoding(false), Indent = true, CloseOutput = false };
        await using var writer = XmlWriter.Create(output, settings);
        await writer.WriteStartDocumentAsync();
        await writer.WriteStartElementAsync(null, "rss", null);
        await writer.WriteAttributeStringAsync(null, "version", null, "2.0");
        await writer.WriteAttributeStringAsync("xmlns", "excerpt", null, "http://wordpress.org/export/1.2/excerpt/");
        await writer.WriteAttributeStringAsync("xmlns", "content", null, "http://purl.org/rss/1.0/modules/content/");
        await writer.WriteAttributeStringAsync("xmlns", "dc", null, "http://purl.org/dc/elements/1.1/");
        await writer.WriteAttributeStringAsync("xmlns", "wp", null, "http://wordpress.org/export/1.2/");
        await writer.WriteStartElementAsync(null, "channel", null);
        await writer.WriteElementStringAsync(null, "title", null, "Generated Gazette");
        await writer.WriteElementStringAsync(null, "link", null, SiteUrl);
        await writer.WriteElementStringAsync(null, "language", null, "en-GB");
        await Wp(writer, "wxr_version", "1.2");
        await Wp(writer, "base_site_url", SiteUrl);
        await Wp(writer, "base_blog_url", SiteUrl);

        for (var a = 0; a < Authors; a++)
        {
            await writer.WriteStartElementAsync("wp", "author", null);
            await Wp(writer, "author_id", (a + 1).ToString(CultureInfo.InvariantCulture));
            await WpCData(writer, "author_login", Login(a));
            await WpCData(writer, "author_email", Login(a) + "@generated.example");
            await WpCData(writer, "author_display_name", AuthorNames[a % AuthorNames.Length] + (a >= AuthorNames.Length ? " " + a : ""));
            await WpCData(writer, "author_first_name", "");
            await WpCData(writer, "author_last_name", "");
            await writer.WriteEndElementAsync();
        }
        for (var c = 0; c < Categories; c++)
        {
            await writer.WriteStartElementAsync("wp", "category", null);
            await Wp(writer, "term_id", (c + 1).ToString(CultureInfo.InvariantCulture));
            await WpCData(writer, "category_nicename", CategorySlug(c));
            await WpCData(writer, "category_parent", c >= 4 ? CategorySlug(c % 4) : "");
            await WpCData(writer, "cat_name", CategoryName(c));
            await writer.WriteEndElementAsync();
        }
        for (var t = 0; t < Tags; t++)
        {
            await writer.WriteStartElementAsync("wp", "tag", null);
            await Wp(writer, "term_id", (1000 + t).ToString(CultureInfo.InvariantCulture));
            await WpCData(writer, "tag_slug", Uri.EscapeDataString(TagName(t).ToLowerInvariant().Replace(' ', '-')).ToLowerInvariant());
            await WpCData(writer, "tag_name", TagName(t));
            await writer.WriteEndElementAsync();
        }

        for (var p = 0; p < Posts; p++)
        {
            ct.ThrowIfCancellationRequested();
            // This post's attachments: a, a + Posts, a + 2 Posts, … (the first is its featured image).
            var own = new List<int>();
            for (var a = p; a < Attachments; a += Math.Max(1, Posts)) own.Add(a);
            // Now and then an attachment comes before its parent, as in real exports.
            var early = own.Count > 0 && p % 7 == 3;
            if (early) await WriteAttachmentAsync(writer, own[0]);
            await WritePostAsync(writer, random, p, own);
            foreach (var a in early ? own.Skip(1) : own) await WriteAttachmentAsync(writer, a);
            if (p % 256 == 0) await writer.FlushAsync();
        }
        for (var g = 0; g < Pages; g++) await WritePageAsync(writer, g);

        await writer.WriteEndElementAsync();
        await writer.WriteEndElementAsync();
        await writer.WriteEndDocumentAsync();
        await writer.FlushAsync();
    }

    private async Task WritePostAsync(XmlWriter writer, Random random, int index, List<int> attachments)
    {
        var id = PostId(index);
        var date = new DateTime(2020, 1, 1, 6, 0, 0, DateTimeKind.Utc).AddHours(index * 3.7);
        var slug = $"story-{index}-" + Word(random) + "-" + Word(random);
        var title = Title(random, index);
        var status = index % 50 == 7 ? "draft" : index % 97 == 5 ? "future" : index % 131 == 9 ? "pending" : "publish";
        var link = status == "publish" ? $"{SiteUrl}/{date:yyyy}/{date:MM}/{date:dd}/{slug}/" : $"{SiteUrl}/?p={id}";
        var gutenberg = index % 2 == 0;

        await writer.WriteStartElementAsync(null, "item", null);
        await writer.WriteElementStringAsync(null, "title", null, title);
        await writer.WriteElementStringAsync(null, "link", null, link);
        await writer.WriteStartElementAsync("dc", "creator", null);
        await writer.WriteCDataAsync(Login(index % Math.Max(1, Authors)));
        await writer.WriteEndElementAsync();
        await writer.WriteStartElementAsync(null, "guid", null);
        await writer.WriteAttributeStringAsync(null, "isPermaLink", null, "false");
        await writer.WriteStringAsync($"{SiteUrl}/?p={id}");
        await writer.WriteEndElementAsync();
        await writer.WriteStartElementAsync("content", "encoded", null);
        await writer.WriteCDataAsync(Body(random, index, gutenberg, attachments));
        await writer.WriteEndElementAsync();
        await writer.WriteStartElementAsync("excerpt", "encoded", null);
        await writer.WriteCDataAsync(index % 3 == 0 ? Sentence(random, 18) : "");
        await writer.WriteEndElementAsync();
        await Wp(writer, "post_id", id.ToString(CultureInfo.InvariantCulture));
        await WpCData(writer, "post_date", date.AddHours(1).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        await WpCData(writer, "post_date_gmt", status is "draft" or "pending" ? "0000-00-00 00:00:00" : date.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        await WpCData(writer, "post_name", status == "draft" ? "" : slug);
        await WpCData(writer, "status", status);
        await Wp(writer, "post_parent", "0");
        await Wp(writer, "menu_order", "0");
        await WpCData(writer, "post_type", "post");
        await Wp(writer, "is_sticky", index % 500 == 1 ? "1" : "0");
        await Category(writer, "category", CategorySlug(index % Math.Max(1, Categories)), CategoryName(index % Math.Max(1, Categories)));
        for (var t = 0; t < 3 && Tags > 0; t++)
        {
            var tag = (index * 7 + t * 13) % Tags;
            await Category(writer, "post_tag", Uri.EscapeDataString(TagName(tag).ToLowerInvariant().Replace(' ', '-')).ToLowerInvariant(), TagName(tag));
        }
        if (attachments.Count > 0) await Meta(writer, "_thumbnail_id", AttachmentId(attachments[0]).ToString(CultureInfo.InvariantCulture));
        await Meta(writer, "_edit_last", "1");
        if (index % 10 == 4)
        {
            await writer.WriteStartElementAsync("wp", "comment", null);
            await Wp(writer, "comment_id", index.ToString(CultureInfo.InvariantCulture));
            await WpCData(writer, "comment_author", "Reader");
            await WpCData(writer, "comment_content", Sentence(random, 12));
            await WpCData(writer, "comment_approved", "1");
            await writer.WriteEndElementAsync();
        }
        await writer.WriteEndElementAsync();
    }

    private async Task WriteAttachmentAsync(XmlWriter writer, int index)
    {
        var url = $"{SiteUrl}/wp-content/uploads/{AttachmentPath(index)}";
        await writer.WriteStartElementAsync(null, "item", null);
        await writer.WriteElementStringAsync(null, "title", null, $"image-{index}");
        await writer.WriteElementStringAsync(null, "link", null, $"{SiteUrl}/?attachment_id={AttachmentId(index)}");
        await writer.WriteStartElementAsync("excerpt", "encoded", null);
        await writer.WriteCDataAsync($"Picture {index}: the scene in the afternoon.");
        await writer.WriteEndElementAsync();
        await Wp(writer, "post_id", AttachmentId(index).ToString(CultureInfo.InvariantCulture));
        await WpCData(writer, "post_date", "2020-01-01 06:00:00");
        await WpCData(writer, "post_date_gmt", "2020-01-01 06:00:00");
        await WpCData(writer, "post_name", $"image-{index}");
        await WpCData(writer, "status", "inherit");
        await Wp(writer, "post_parent", ParentOf(index).ToString(CultureInfo.InvariantCulture));
        await WpCData(writer, "post_type", "attachment");
        await WpCData(writer, "attachment_url", url);
        await Meta(writer, "_wp_attached_file", AttachmentPath(index));
        var file = AttachmentPath(index);
        await Meta(writer, "_wp_attachment_metadata",
            $"a:3:{{s:5:\"width\";i:64;s:6:\"height\";i:48;s:4:\"file\";s:{Encoding.UTF8.GetByteCount(file)}:\"{file}\";}}");
        await Meta(writer, "_wp_attachment_image_alt", $"Generated picture number {index}");
        await writer.WriteEndElementAsync();
    }

    private async Task WritePageAsync(XmlWriter writer, int index)
    {
        var slug = $"page-{index}";
        await writer.WriteStartElementAsync(null, "item", null);
        await writer.WriteElementStringAsync(null, "title", null, $"Page {index}");
        await writer.WriteElementStringAsync(null, "link", null, $"{SiteUrl}/{slug}/");
        await writer.WriteStartElementAsync("content", "encoded", null);
        await writer.WriteCDataAsync($"<!-- wp:paragraph -->\n<p>About page {index}.</p>\n<!-- /wp:paragraph -->");
        await writer.WriteEndElementAsync();
        await Wp(writer, "post_id", (900 + index).ToString(CultureInfo.InvariantCulture));
        await WpCData(writer, "post_date", "2020-01-01 06:00:00");
        await WpCData(writer, "post_date_gmt", "2020-01-01 06:00:00");
        await WpCData(writer, "post_name", slug);
        await WpCData(writer, "status", "publish");
        await WpCData(writer, "post_type", "page");
        await writer.WriteEndElementAsync();
    }

    private string Body(Random random, int index, bool gutenberg, List<int> attachments)
    {
        var body = new StringBuilder(ParagraphsPerPost * 450);
        for (var i = 0; i < ParagraphsPerPost; i++)
        {
            var text = Sentence(random, 30) + " " + Sentence(random, 30);
            if (i == 1 && index > 0)
            {
                var other = index - 1;
                text += $" See <a href=\"{SiteUrl}/?p={PostId(other)}\">the earlier story</a>.";
            }
            if (i == 2) text += " Zürich, Café, 東京, emoji 🚀 &amp; more.";
            if (gutenberg)
            {
                body.Append("<!-- wp:paragraph -->\n<p>").Append(text).Append("</p>\n<!-- /wp:paragraph -->\n\n");
                if (i == 0 && attachments.Count > 1)
                {
                    var a = attachments[1];
                    body.Append($"<!-- wp:image {{\"id\":{AttachmentId(a)},\"sizeSlug\":\"large\"}} -->\n<figure class=\"wp-block-image size-large\"><img src=\"{SiteUrl}/wp-content/uploads/{AttachmentPath(a)}\" alt=\"Generated picture number {a}\" class=\"wp-image-{AttachmentId(a)}\"/><figcaption class=\"wp-element-caption\">Picture {a}</figcaption></figure>\n<!-- /wp:image -->\n\n");
                }
                if (i == 3) body.Append("<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>First point</li>\n<!-- /wp:list-item --><!-- wp:list-item -->\n<li>Second point</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->\n\n");
            }
            else
            {
                body.Append(text).Append("\n\n");
                if (i == 0 && attachments.Count > 1)
                {
                    var a = attachments[1];
                    body.Append($"[caption id=\"attachment_{AttachmentId(a)}\" align=\"aligncenter\" width=\"64\"]<img class=\"size-full wp-image-{AttachmentId(a)}\" src=\"{SiteUrl}/wp-content/uploads/{AttachmentPath(a)}\" alt=\"Generated picture number {a}\" width=\"64\" height=\"48\" /> Picture {a}[/caption]\n\n");
                }
                if (i == 0) body.Append("<!--more-->\n\n");
            }
        }
        return body.ToString();
    }

    /// <summary>Writes a small, distinct JPEG for every attachment under <paramref name="uploads"/> (wp-content/uploads).</summary>
    public async Task WriteUploadsAsync(string uploads, CancellationToken ct = default)
    {
        for (var index = 0; index < Attachments; index++)
        {
            ct.ThrowIfCancellationRequested();
            var path = Path.Combine(uploads, AttachmentPath(index).Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, Jpeg(index, ImageWidth, ImageHeight), ct);
        }
    }

    /// <summary>A JPEG (64×48 unless asked) whose colours depend on <paramref name="index"/>, so no two files are the same.</summary>
    public static byte[] Jpeg(int index, int width = 64, int height = 48)
    {
        using var bitmap = new SKBitmap(width, height);
        var left = new SKColor((byte)(index * 37 % 256), (byte)(index * 91 % 256), (byte)(index * 13 % 256));
        var right = new SKColor((byte)(255 - left.Red), (byte)(index / 256 % 256), (byte)(255 - left.Blue));
        using (var canvas = new SKCanvas(bitmap))
        {
            using var paint = new SKPaint { Color = left };
            canvas.DrawRect(0, 0, width / 2, height, paint);
            paint.Color = right;
            canvas.DrawRect(width / 2, 0, width - width / 2, height, paint);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 80);
        return data.ToArray();
    }

    private static readonly string[] AuthorNames = ["Maria Göransson", "Seán O’Brien", "田中 美咲", "Zoë Müller", "Kwame Mensah"];

    private static readonly string[] Vocabulary =
    [
        "harbour", "council", "storm", "election", "market", "ferry", "school", "budget", "festival", "river", "police",
        "residents", "mayor", "bridge", "tram", "museum", "hospital", "strike", "weather", "team", "match", "season",
        "housing", "rent", "energy", "prices", "report", "court", "plan", "vote", "crew", "lifeboat", "quay", "café",
    ];

    private static string Word(Random random) => Vocabulary[random.Next(Vocabulary.Length)];

    private static string Sentence(Random random, int words)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            if (i > 0) builder.Append(' ');
            builder.Append(Word(random));
        }
        builder[0] = char.ToUpperInvariant(builder[0]);
        return builder.Append('.').ToString();
    }

    private static string Title(Random random, int index) =>
        index % 10 == 9 ? $"東京の選挙 {index} 🗳️" : $"{char.ToUpperInvariant(Word(random)[0])}{Word(random)[1..]} & {Word(random)}: story {index}";

    private static string Login(int author) => $"author{author}";
    private static string CategorySlug(int c) => c == 5 ? "caf%c3%a9" : $"section-{c}";
    private static string CategoryName(int c) => c == 5 ? "Café" : $"Section {c} &amp; more";
    private static string TagName(int t) => t % 17 == 3 ? $"Zürich {t}" : $"topic {t}";

    private static Task Wp(XmlWriter writer, string name, string value) => writer.WriteElementStringAsync("wp", name, null, value);

    private static async Task WpCData(XmlWriter writer, string name, string value)
    {
        await writer.WriteStartElementAsync("wp", name, null);
        await writer.WriteCDataAsync(value);
        await writer.WriteEndElementAsync();
    }

    private static async Task Category(XmlWriter writer, string domain, string nicename, string name)
    {
        await writer.WriteStartElementAsync(null, "category", null);
        await writer.WriteAttributeStringAsync(null, "domain", null, domain);
        await writer.WriteAttributeStringAsync(null, "nicename", null, nicename);
        await writer.WriteCDataAsync(name);
        await writer.WriteEndElementAsync();
    }

    private static async Task Meta(XmlWriter writer, string key, string value)
    {
        await writer.WriteStartElementAsync("wp", "postmeta", null);
        await WpCData(writer, "meta_key", key);
        await WpCData(writer, "meta_value", value);
        await writer.WriteEndElementAsync();
    }
}
