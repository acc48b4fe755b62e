using System.Text;
using System.Xml;

namespace NewsCms.Tests.Infrastructure;

/// <summary>
/// The hand-written WordPress exports in Fixtures/WordPress (copied to the output directory), and exports built in
/// the test from shared data such as the XSS corpus.
/// </summary>
public static class WordPressFixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "WordPress");

    /// <summary>The small news site: 3 authors, nested categories, 12 posts in every status, 2 pages, attachments.</summary>
    public static string Site => PathOf("site.xml");

    /// <summary>The uploads folder of <see cref="Site"/> (wp-content/uploads); 2024/03/missing.jpg is missing on purpose.</summary>
    public static string Uploads => PathOf("uploads");

    /// <summary>The same uploads zipped as a person zips the folder: entries "uploads/2024/03/….jpg" (no missing.jpg).</summary>
    public static string UploadsZip => PathOf("uploads.zip");

    /// <summary>
    /// An uploads zip with one good image (uploads/2024/03/harbour.jpg) and entries that would land outside the
    /// folder they are extracted to: "../" climbs (also after a real folder), an absolute path and backslashes.
    /// </summary>
    public static string ZipSlipZip => PathOf("uploads-zip-slip.zip");

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static FileStream Open(string name) => File.OpenRead(PathOf(name));

    /// <summary>
    /// An export whose posts carry every vector of <see cref="XssCorpus"/>: each in a classic body, inside a Gutenberg
    /// html block, in a paragraph block, in the title and in the excerpt. Post ids start at 1000.
    /// </summary>
    public static byte[] XssExport()
    {
        var output = new MemoryStream();
        using (var writer = XmlWriter.Create(output, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
        {
            writer.WriteStartElement("rss");
            writer.WriteAttributeString("version", "2.0");
            writer.WriteAttributeString("xmlns", "wp", null, "http://wordpress.org/export/1.2/");
            writer.WriteAttributeString("xmlns", "content", null, "http://purl.org/rss/1.0/modules/content/");
            writer.WriteAttributeString("xmlns", "excerpt", null, "http://wordpress.org/export/1.2/excerpt/");
            writer.WriteAttributeString("xmlns", "dc", null, "http://purl.org/dc/elements/1.1/");
            writer.WriteStartElement("channel");
            writer.WriteElementString("title", "XSS corpus");
            writer.WriteElementString("link", "https://xss.example");
            writer.WriteElementString("wp", "wxr_version", null, "1.2");
            writer.WriteElementString("wp", "base_site_url", null, "https://xss.example");
            writer.WriteElementString("wp", "base_blog_url", null, "https://xss.example");
            var id = 1000;
            foreach (var vector in XssCorpus.Vectors)
            {
                var classic = "Before\n\n" + vector + "\n\nAfter";
                var blocks = "<!-- wp:html -->\n" + vector + "\n<!-- /wp:html -->\n\n<!-- wp:paragraph -->\n<p>" + vector + "</p>\n<!-- /wp:paragraph -->";
                foreach (var body in new[] { classic, blocks })
                {
                    writer.WriteStartElement("item");
                    writer.WriteElementString("title", NewsCms.Web.Features.Hosting.XmlSafeText.Clean(vector));
                    writer.WriteElementString("link", $"https://xss.example/?p={id}");
                    writer.WriteElementString("dc", "creator", null, "admin");
                    WriteCData(writer, "content", "encoded", body);
                    WriteCData(writer, "excerpt", "encoded", vector);
                    writer.WriteElementString("wp", "post_id", null, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    writer.WriteElementString("wp", "post_date", null, "2024-01-01 10:00:00");
                    writer.WriteElementString("wp", "post_date_gmt", null, "2024-01-01 10:00:00");
                    writer.WriteElementString("wp", "post_name", null, $"xss-{id}");
                    writer.WriteElementString("wp", "status", null, "publish");
                    writer.WriteElementString("wp", "post_type", null, "post");
                    writer.WriteEndElement();
                    id++;
                }
            }
            writer.WriteEndElement();
            writer.WriteEndElement();
        }
        return output.ToArray();
    }

    // WordPress writes bodies as CDATA and splits any "]]>" inside; XmlWriter.WriteCData does the same.
    private static void WriteCData(XmlWriter writer, string prefix, string name, string text)
    {
        writer.WriteStartElement(prefix, name, null);
        // Control characters some vectors carry cannot appear in XML at all; WordPress would not export them either.
        writer.WriteCData(NewsCms.Web.Features.Hosting.XmlSafeText.Clean(text));
        writer.WriteEndElement();
    }
}
