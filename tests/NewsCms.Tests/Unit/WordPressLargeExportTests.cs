using System.Diagnostics;
using NewsCms.Benchmarks.WordPress;
using NewsCms.Web.Features.WordPress;

namespace NewsCms.Tests.Unit;

/// <summary>The generated exports: what WxrGenerator writes reads back whole, and a large one streams in flat memory.</summary>
public class WordPressLargeExportTests
{
    [Fact]
    public async Task A_generated_export_reads_back_with_everything_it_was_made_with()
    {
        var generator = new WxrGenerator { Posts = 60, Attachments = 90, Pages = 2, Tags = 30 };
        var items = new List<WxrItem>();
        var terms = new List<WxrTerm>();
        await using (var stream = generator.OpenRead(TestContext.Current.CancellationToken))
        {
            await foreach (var entry in WxrReader.ReadAsync(stream, TestContext.Current.CancellationToken))
            {
                if (entry is WxrItem item) items.Add(item);
                if (entry is WxrTerm term) terms.Add(term);
            }
        }

        Assert.Equal(60, items.Count(i => i.PostType == "post"));
        Assert.Equal(90, items.Count(i => i.PostType == "attachment"));
        Assert.Equal(2, items.Count(i => i.PostType == "page"));
        Assert.Equal(12 + 30, terms.Count);
        var posts = items.Where(i => i.PostType == "post").Select(i => i.Id).ToHashSet();
        Assert.All(items.Where(i => i.PostType == "attachment"), a => Assert.Contains(a.ParentId, posts));
        Assert.Contains(items, i => i.PostType == "attachment" && items.IndexOf(i) < items.FindIndex(p => p.Id == i.ParentId));
        Assert.Contains(items, i => i.Status == "draft" && i.Slug == "" && i.PublishedAt is not null);
        Assert.Contains(items, i => i.Title.Contains("🗳️", StringComparison.Ordinal));

        // Every body converts; its images are the attachments the generator gave it.
        var asked = new List<WxrImage>();
        var context = new WordPressConversionContext(
            (image, ct) => { asked.Add(image); return Task.FromResult<string?>($"<img src=\"/media/{image.AttachmentId:d24}/i.jpg\" alt=\"{image.Alt}\">"); },
            _ => null);
        foreach (var post in items.Where(i => i.PostType == "post"))
        {
            var body = await WordPressContent.ConvertAsync(post.Content, context, TestContext.Current.CancellationToken);
            Assert.Empty(body.Warnings);
            Assert.Contains("Zürich, Café, 東京, emoji 🚀 &amp; more.", body.Html);
        }
        Assert.Equal(30, asked.Count);
        Assert.All(asked, image => Assert.Contains(image.AttachmentId!.Value, items.Where(i => i.PostType == "attachment").Select(i => i.Id)));
    }

    [Fact]
    public async Task The_uploads_folder_has_a_distinct_jpeg_for_every_attachment()
    {
        var generator = new WxrGenerator { Posts = 3, Attachments = 4 };
        var folder = Directory.CreateTempSubdirectory("wxr-uploads-");
        try
        {
            await generator.WriteUploadsAsync(folder.FullName, TestContext.Current.CancellationToken);
            var files = Enumerable.Range(0, 4).Select(i => File.ReadAllBytes(Path.Combine(folder.FullName, WxrGenerator.AttachmentPath(i)))).ToList();
            Assert.All(files, f => Assert.True(f.Length > 100 && f[0] == 0xFF && f[1] == 0xD8));
            Assert.Equal(4, files.Select(Convert.ToBase64String).Distinct().Count());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// About 200 MB of export, produced on the fly through a pipe and read entry by entry: the live heap stays within a
    /// few megabytes of where it started, so memory does not grow with the file.
    /// </summary>
    [Fact]
    public async Task A_large_export_streams_in_flat_memory()
    {
        const long targetBytes = 200L * 1024 * 1024;
        var generator = new WxrGenerator { Posts = 60_000, Attachments = 10_000, ParagraphsPerPost = 8 };
        var ct = TestContext.Current.CancellationToken;
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = 0L;
        var items = 0;
        var watch = Stopwatch.StartNew();
        await using var stream = new CountingStream(generator.OpenRead(ct));
        await foreach (var entry in WxrReader.ReadAsync(stream, ct))
        {
            if (entry is not WxrItem) continue;
            if (++items % 5_000 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            if (stream.BytesRead >= targetBytes) break;
        }
        watch.Stop();

        Assert.True(stream.BytesRead >= targetBytes, $"only {stream.BytesRead / 1024 / 1024} MB were generated");
        Assert.True(peak < 16 * 1024 * 1024, $"the live heap grew by {peak / 1024 / 1024} MB while reading {stream.BytesRead / 1024 / 1024} MB");
        TestContext.Current.TestOutputHelper?.WriteLine($"Read {stream.BytesRead / 1024 / 1024} MB ({items} items) in {watch.Elapsed.TotalSeconds:0.0} s; live heap grew at most {peak / 1024} KB");
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            BytesRead += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
