using System.Text;
using System.Text.Json;
using NewsCms.Web.Features.SiteExport;

namespace NewsCms.Tests.Unit;

/// <summary>site.json is read item by item, however the stream hands out its bytes and however large one item is.</summary>
public sealed class SiteJsonReaderTests
{
    [Fact]
    public async Task Items_come_one_by_one_across_reads_of_a_few_bytes_and_an_item_larger_than_the_buffer()
    {
        var body = new string('x', 200_000) + " ünïcødé 🚢";
        var json = $$$"""
            {"format": "newscms-site", "version": 1, "site": {"id": "abc", "nested": {"a": [1, 2]}},
             "tags": [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}],
             "empty": [],
             "articles": [{"id": 7, "bodyHtml": "{{{body}}}"}, 42, "text"],
             "settings": {"Site.Title": "T"}}
            """;
        var items = new List<SiteJsonItem>();
        await foreach (var item in new SiteJsonReader(new Trickle(Encoding.UTF8.GetBytes(json), 7)).ReadAsync(TestContext.Current.CancellationToken))
        {
            items.Add(item);
        }

        Assert.Equal(["format", "version", "site", "tags", "tags", "articles", "articles", "articles", "settings"], items.Select(i => i.Property));
        Assert.Equal([false, false, false, true, true, true, true, true, false], items.Select(i => i.InArray));
        Assert.Equal("newscms-site", items[0].Value.GetString());
        Assert.Equal(2, items[2].Value.GetProperty("nested").GetProperty("a")[1].GetInt32());
        Assert.Equal("B", items[4].Value.GetProperty("name").GetString());
        Assert.Equal(body, items[5].Value.GetProperty("bodyHtml").GetString());
        Assert.Equal(42, items[6].Value.GetInt32());
        Assert.Equal("T", items[8].Value.GetProperty("Site.Title").GetString());
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("{\"format\": \"newscms-site\", \"articles\": [{\"id\": 1}")]
    [InlineData("{\"format\": \"newscms-site\", \"articles\": [{\"id\": 1},, ]}")]
    public async Task Json_that_is_not_a_complete_object_is_refused(string json)
    {
        await Assert.ThrowsAnyAsync<JsonException>(async () =>
        {
            await foreach (var _ in new SiteJsonReader(new MemoryStream(Encoding.UTF8.GetBytes(json))).ReadAsync(TestContext.Current.CancellationToken))
            {
            }
        });
    }

    /// <summary>A stream that returns at most a few bytes per read, as a network or a zip entry may.</summary>
    private sealed class Trickle(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
