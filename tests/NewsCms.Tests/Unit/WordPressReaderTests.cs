using System.Text;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.WordPress;

namespace NewsCms.Tests.Unit;

/// <summary>WxrReader on the fixture exports: what comes out of each record, the pitfalls, and hostile files.</summary>
public class WordPressReaderTests
{
    private static async Task<List<WxrEntry>> ReadAsync(Stream stream)
    {
        var entries = new List<WxrEntry>();
        await foreach (var entry in WxrReader.ReadAsync(stream, TestContext.Current.CancellationToken)) entries.Add(entry);
        return entries;
    }

    private static async Task<List<WxrEntry>> ReadFixtureAsync(string name)
    {
        await using var stream = WordPressFixtures.Open(name);
        return await ReadAsync(stream);
    }

    private static Task<List<WxrEntry>> ReadTextAsync(string xml) => ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(xml)));

    private static WxrItem Item(List<WxrEntry> entries, int id) => entries.OfType<WxrItem>().Single(i => i.Id == id);

    [Fact]
    public async Task The_site_comes_first_then_authors_terms_and_items_in_file_order()
    {
        var entries = await ReadFixtureAsync("site.xml");

        var site = Assert.IsType<WxrSite>(entries[0]);
        Assert.Equal(new WxrSite("The Harbour Gazette", "https://oldnews.example", "https://oldnews.example", "https://oldnews.example", "en-GB", "1.2"), site);
        Assert.Single(entries.OfType<WxrSite>());
        Assert.Equal(3, entries.OfType<WxrAuthor>().Count());
        Assert.Equal([20, 21, 22, 23, 24, 25, 26, 30, 31, 32, 33, 34, 35, 36, 37, 38, 40, 41, 50], entries.OfType<WxrItem>().Select(i => i.Id));
        Assert.Equal(12, entries.OfType<WxrItem>().Count(i => i.PostType == "post"));
        Assert.Equal(2, entries.OfType<WxrItem>().Count(i => i.PostType == "page"));
        Assert.Equal(4, entries.OfType<WxrItem>().Count(i => i.PostType == "attachment"));
        var lastTerm = entries.FindLastIndex(e => e is WxrTerm or WxrAuthor);
        var firstItem = entries.FindIndex(e => e is WxrItem);
        Assert.True(lastTerm < firstItem);
    }

    [Fact]
    public async Task Authors_have_their_names_with_entities_decoded_and_unicode_kept()
    {
        var authors = (await ReadFixtureAsync("site.xml")).OfType<WxrAuthor>().ToList();

        Assert.Equal(new WxrAuthor(1, "editor", "maria@oldnews.example", "Maria Göransson", "Maria", "Göransson"), authors[0]);
        Assert.Equal(new WxrAuthor(2, "sobrien", "sean@oldnews.example", "Seán O’Brien", "Seán", "O’Brien"), authors[1]);
        Assert.Equal(new WxrAuthor(3, "tanaka", "misaki@oldnews.example", "田中 美咲", "美咲", "田中"), authors[2]);
    }

    [Fact]
    public async Task Terms_are_decoded_and_the_duplicates_of_WordPress_6_are_merged()
    {
        var terms = (await ReadFixtureAsync("site.xml")).OfType<WxrTerm>().ToList();

        Assert.Equal(7, terms.Count(t => t.Taxonomy == "category"));
        Assert.Equal(5, terms.Count(t => t.Taxonomy == "post_tag"));
        Assert.Single(terms, t => t.Taxonomy == "nav_menu");
        Assert.Equal(terms.Count, terms.Select(t => (t.Taxonomy, t.Slug)).Distinct().Count());
        Assert.Contains(new WxrTerm(4, "category", "politics", "Politics & Elections", "news", ""), terms);
        Assert.Contains(new WxrTerm(2, "category", "news", "News", "", "Everything that happens in town"), terms);
        Assert.Contains(new WxrTerm(7, "category", "café-culture", "Café culture", "culture", ""), terms);
        Assert.Contains(new WxrTerm(11, "post_tag", "東京", "東京", "", ""), terms);
        Assert.Contains(new WxrTerm(13, "post_tag", "launch", "🚀 Launch", "", ""), terms);
        Assert.Contains(new WxrTerm(14, "post_tag", "fish-chips", "Fish & Chips", "", ""), terms);
    }

    [Fact]
    public async Task A_published_post_has_everything_the_importer_needs()
    {
        var post = Item(await ReadFixtureAsync("site.xml"), 21);

        Assert.Equal("post", post.PostType);
        Assert.Equal("publish", post.Status);
        Assert.Equal("Harbour reopens after the storm", post.Title);
        Assert.Equal("https://oldnews.example/2024/03/04/harbour-reopens-after-the-storm/", post.Link);
        Assert.Equal("harbour-reopens-after-the-storm", post.Slug);
        Assert.Equal("editor", post.Creator);
        Assert.Equal(new DateTime(2024, 3, 4, 8, 15, 0, DateTimeKind.Utc), post.PublishedAt);
        Assert.Equal(DateTimeKind.Utc, post.PublishedAt!.Value.Kind);
        Assert.Equal(new DateTime(2024, 3, 6, 10, 0, 0, DateTimeKind.Utc), post.ModifiedAt);
        Assert.True(post.IsSticky);
        Assert.Equal("Boats are back a week after the storm.", post.Excerpt);
        Assert.StartsWith("<!-- wp:paragraph -->", post.Content);
        Assert.Equal("20", post.Meta["_thumbnail_id"]);
        Assert.Equal(2, post.CommentCount);
        Assert.Equal(
            [new WxrItemTerm("category", "news", "News"), new WxrItemTerm("category", "local", "Local"),
             new WxrItemTerm("post_tag", "launch", "🚀 Launch"), new WxrItemTerm("post_tag", "fish-chips", "Fish & Chips")],
            post.Terms);
        Assert.False(Item(await ReadFixtureAsync("site.xml"), 22).IsSticky);
    }

    [Fact]
    public async Task Every_status_comes_through()
    {
        var posts = (await ReadFixtureAsync("site.xml")).OfType<WxrItem>().Where(i => i.PostType == "post").ToList();

        Assert.Equal(["draft", "future", "pending", "private", "publish"], posts.Select(p => p.Status).Distinct().Order());
        Assert.Equal(new DateTime(2030, 1, 15, 9, 0, 0, DateTimeKind.Utc), posts.Single(p => p.Status == "future").PublishedAt);
    }

    [Fact]
    public async Task A_draft_without_a_GMT_date_falls_back_to_its_local_date_and_may_have_no_slug()
    {
        var entries = await ReadFixtureAsync("site.xml");
        var draft = Item(entries, 31);
        var pending = Item(entries, 32);

        Assert.Equal(new DateTime(2024, 3, 11, 14, 30, 0, DateTimeKind.Utc), draft.PublishedAt);
        Assert.Equal(new DateTime(2024, 3, 11, 13, 30, 0, DateTimeKind.Utc), draft.ModifiedAt);
        Assert.Equal("", draft.Slug);
        Assert.Equal(new DateTime(2024, 3, 12, 9, 0, 0, DateTimeKind.Utc), pending.PublishedAt);
        Assert.Equal(new DateTime(2024, 3, 12, 9, 0, 0, DateTimeKind.Utc), pending.ModifiedAt);
    }

    [Fact]
    public async Task No_dates_at_all_give_null()
    {
        var entries = await ReadTextAsync("""
            <rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>
            <item><wp:post_id>5</wp:post_id><wp:post_date>0000-00-00 00:00:00</wp:post_date><wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt></item>
            </channel></rss>
            """);

        Assert.Null(Item(entries, 5).PublishedAt);
        Assert.Null(Item(entries, 5).ModifiedAt);
    }

    [Fact]
    public async Task Slugs_are_percent_decoded_and_unicode_titles_come_through_intact()
    {
        var entries = await ReadFixtureAsync("site.xml");

        Assert.Equal("東京の選挙", Item(entries, 23).Slug);
        Assert.Equal("東京の選挙 2024 🗳️", Item(entries, 23).Title);
        Assert.Equal("zoes-café-reopens", Item(entries, 34).Slug);
        Assert.Equal("Zoë's café reopens — «enfin»", Item(entries, 34).Title);
        Assert.Contains(new WxrItemTerm("category", "café-culture", "Café culture"), Item(entries, 34).Terms);
        Assert.Contains(new WxrItemTerm("post_tag", "東京", "東京"), Item(entries, 23).Terms);
    }

    [Fact]
    public async Task CDATA_split_by_its_terminator_is_joined()
    {
        var post = Item(await ReadFixtureAsync("site.xml"), 34);

        Assert.Contains("<p>The menu says: a[i]]> is not a dish, and neither is x]]>y.</p>", post.Content);
        Assert.Equal("Zoë is back, and so is the ]]> joke.", post.Excerpt);
    }

    [Fact]
    public async Task Attachments_keep_their_url_parent_caption_and_raw_serialized_meta_even_before_their_parent()
    {
        var entries = await ReadFixtureAsync("site.xml");
        var attachment = Item(entries, 20);

        Assert.True(entries.IndexOf(attachment) < entries.IndexOf(Item(entries, 21)));
        Assert.Equal("attachment", attachment.PostType);
        Assert.Equal(21, attachment.ParentId);
        Assert.Equal("https://oldnews.example/wp-content/uploads/2024/03/harbour.jpg", attachment.AttachmentUrl);
        Assert.Equal("The harbour at dawn, a week after the storm.", attachment.Excerpt);
        Assert.Equal("Fishing boats in the harbour at dawn", attachment.Meta["_wp_attachment_image_alt"]);
        Assert.StartsWith("a:5:{s:5:\"width\";i:120;", attachment.Meta["_wp_attachment_metadata"]);
        Assert.EndsWith("s:22:\"Boats; \"quoted\" {x:1}\";}}", attachment.Meta["_wp_attachment_metadata"]);
    }

    [Fact]
    public async Task Pages_and_menu_items_are_items_of_their_own_type()
    {
        var entries = await ReadFixtureAsync("site.xml");

        Assert.Equal(("page", "about-us", "https://oldnews.example/about-us/"), (Item(entries, 40).PostType, Item(entries, 40).Slug, Item(entries, 40).Link));
        Assert.Equal(1, Item(entries, 41).MenuOrder);
        Assert.Equal("nav_menu_item", Item(entries, 50).PostType);
        Assert.Equal("40", Item(entries, 50).Meta["_menu_item_object_id"]);
    }

    [Fact]
    public async Task An_old_WXR_1_0_export_is_read_with_its_own_namespaces()
    {
        var entries = await ReadFixtureAsync("wxr-1.0.xml");

        var site = Assert.IsType<WxrSite>(entries[0]);
        Assert.Equal(("1.0", "http://oldtown.example/", "http://oldtown.example/blog", "fr"), (site.WxrVersion, site.BaseSiteUrl, site.BaseBlogUrl, site.Language));
        Assert.Contains(new WxrTerm(0, "category", "actualités", "Actualités & société", "", ""), entries.OfType<WxrTerm>());
        Assert.Contains(new WxrTerm(0, "post_tag", "marché", "Marché", "", ""), entries.OfType<WxrTerm>());
        var post = Item(entries, 7);
        Assert.Equal("L’été au marché", post.Title);
        Assert.Equal("lété-au-marché", post.Slug);
        Assert.Equal(new DateTime(2009, 8, 1, 10, 0, 0, DateTimeKind.Utc), post.PublishedAt);
        Assert.Contains("<code>if (a[b[0]]> 1)</code>", post.Content);
        Assert.Equal([new WxrItemTerm("category", "actualités", "Actualités & société"), new WxrItemTerm("post_tag", "marché", "Marché")], post.Terms);
    }

    [Fact]
    public async Task The_WordPress_namespace_is_matched_by_its_family_whatever_the_version()
    {
        var entries = await ReadTextAsync("""
            <rss xmlns:wp="http://wordpress.org/export/1.1/" xmlns:excerpt="http://wordpress.org/export/1.1/excerpt/"><channel>
            <item><title>A &amp; B</title><wp:post_id>9</wp:post_id><wp:is_sticky>1</wp:is_sticky><excerpt:encoded>Short</excerpt:encoded></item>
            </channel></rss>
            """);

        Assert.Equal("1.1", Assert.IsType<WxrSite>(entries[0]).WxrVersion);
        Assert.Equal(("A & B", true, "Short"), (Item(entries, 9).Title, Item(entries, 9).IsSticky, Item(entries, 9).Excerpt));
    }

    [Theory]
    [InlineData("xxe.xml")]
    [InlineData("xxe-external-dtd.xml")]
    [InlineData("billion-laughs.xml")]
    public async Task A_DTD_is_refused_before_anything_is_expanded_or_fetched(string name)
    {
        // Read from memory: every await then completes at once on this thread, so the thread's allocation count sees all
        // of the reader's work (a file's reads may resume on another thread, whose allocations this count would miss or mix in).
        var file = new MemoryStream();
        await using (var fixture = WordPressFixtures.Open(name)) await fixture.CopyToAsync(file);
        file.Position = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = await Assert.ThrowsAsync<WxrFormatException>(() => ReadAsync(file));

        Assert.Contains("document type declaration (DTD), which is refused", error.Message);
        Assert.DoesNotContain("root:", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 5_000_000, "the reader expanded something");
    }

    [Fact]
    public async Task Bad_XML_is_refused_with_its_line_number_after_the_items_before_it()
    {
        var entries = new List<WxrEntry>();
        await using var stream = WordPressFixtures.Open("malformed.xml");
        var error = await Assert.ThrowsAsync<WxrFormatException>(async () =>
        {
            await foreach (var entry in WxrReader.ReadAsync(stream)) entries.Add(entry);
        });

        Assert.Equal(11, error.LineNumber);
        Assert.Contains("line 11", error.Message);
        Assert.Equal(1, Assert.Single(entries.OfType<WxrItem>()).Id);
    }

    [Theory]
    [InlineData("not-wordpress.xml")]
    public async Task A_file_that_is_not_an_export_is_refused(string name)
    {
        var error = await Assert.ThrowsAsync<WxrFormatException>(() => ReadFixtureAsync(name));
        Assert.Contains("not a WordPress export", error.Message);
    }

    [Fact]
    public async Task An_empty_file_is_refused() =>
        await Assert.ThrowsAsync<WxrFormatException>(() => ReadTextAsync(""));

    [Fact]
    public async Task Control_characters_in_text_are_dropped_rather_than_failing_the_file()
    {
        var entries = await ReadTextAsync("<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item><title>Bad\u000Bchar &#x1;here</title><wp:post_id>3</wp:post_id></item></channel></rss>");
        Assert.Equal("Badchar here", Item(entries, 3).Title);
    }

    [Fact]
    public async Task The_XSS_corpus_export_is_read_whole()
    {
        var entries = await ReadAsync(new MemoryStream(WordPressFixtures.XssExport()));
        Assert.Equal(XssCorpus.Vectors.Length * 2, entries.OfType<WxrItem>().Count());
        Assert.Equal(XssCorpus.Vectors[0], Item(entries, 1000).Excerpt);
    }

    [Fact]
    public async Task Reading_stops_when_cancelled()
    {
        using var cts = new CancellationTokenSource();
        await using var stream = WordPressFixtures.Open("site.xml");
        var read = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var entry in WxrReader.ReadAsync(stream, cts.Token))
            {
                if (++read == 5) cts.Cancel();
            }
        });
        Assert.Equal(5, read);
    }

    [Fact]
    public void The_uploads_fixtures_hold_what_the_import_tests_expect()
    {
        Assert.True(File.Exists(Path.Combine(WordPressFixtures.Uploads, "2024", "03", "harbour.jpg")));
        Assert.False(File.Exists(Path.Combine(WordPressFixtures.Uploads, "2024", "03", "missing.jpg")));
        using (var zip = System.IO.Compression.ZipFile.OpenRead(WordPressFixtures.UploadsZip))
        {
            Assert.Equal(["uploads/2024/03/cafe.jpg", "uploads/2024/03/harbour.jpg", "uploads/2024/03/tokyo.jpg"], zip.Entries.Select(e => e.FullName).Order());
            var harbour = zip.GetEntry("uploads/2024/03/harbour.jpg")!;
            using var stream = harbour.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.Equal(File.ReadAllBytes(Path.Combine(WordPressFixtures.Uploads, "2024", "03", "harbour.jpg")), copy.ToArray());
        }
        using var slip = System.IO.Compression.ZipFile.OpenRead(WordPressFixtures.ZipSlipZip);
        var target = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "extract-here")) + Path.DirectorySeparatorChar;
        var escaping = slip.Entries.Count(e => !Path.GetFullPath(Path.Combine(target, e.FullName.Replace('\\', '/'))).StartsWith(target, StringComparison.Ordinal));
        Assert.Equal(4, escaping);
    }
}
