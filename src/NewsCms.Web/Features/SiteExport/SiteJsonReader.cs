using System.Runtime.CompilerServices;
using System.Text.Json;

namespace NewsCms.Web.Features.SiteExport;

/// <summary>One value of site.json: a property of the root object, or one element of a root property that is an array.</summary>
public sealed record SiteJsonItem(string Property, JsonElement Value, bool InArray);

/// <summary>
/// Reads site.json from a stream one item at a time: the root's plain properties whole, its arrays element by element.
/// Only the item being read is in memory (the buffer grows to the largest single item, up to <see cref="MaxItemBytes"/>),
/// so an archive of any size is read in constant memory.
/// </summary>
internal sealed class SiteJsonReader(Stream stream)
{
    /// <summary>The largest single item (an article with its body) read; a larger one is refused.</summary>
    public const int MaxItemBytes = 64 * 1024 * 1024;

    private byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    private bool final;
    private JsonReaderState state = new(new JsonReaderOptions { MaxDepth = 64 });
    private bool started;
    private string? array;

    private enum Step { Item, NeedMore, End }

    public async IAsyncEnumerable<SiteJsonItem> ReadAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        while (true)
        {
            var step = Next(out var item);
            if (step == Step.End) yield break;
            if (step == Step.Item)
            {
                yield return item!;
                continue;
            }
            if (final) throw new JsonException("site.json ends in the middle of an item.");
            await FillAsync(ct);
        }
    }

    /// <summary>Reads up to the next item from what is buffered; nothing is consumed unless a whole item (or structure) was read.</summary>
    private Step Next(out SiteJsonItem? item)
    {
        item = null;
        var reader = new Utf8JsonReader(buffer.AsSpan(start, end - start), final, state);
        while (true)
        {
            if (!started)
            {
                if (!reader.Read()) return Step.NeedMore;
                if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("site.json is not a JSON object.");
                started = true;
                Commit(ref reader);
                continue;
            }
            if (array is not null)
            {
                var probe = reader;
                if (!probe.Read()) return Step.NeedMore;
                if (probe.TokenType == JsonTokenType.EndArray)
                {
                    reader = probe;
                    array = null;
                    Commit(ref reader);
                    continue;
                }
                if (!reader.Read()) return Step.NeedMore;
                var whole = reader;
                if (!whole.TrySkip()) return Step.NeedMore;
                using (var element = JsonDocument.ParseValue(ref reader)) item = new SiteJsonItem(array, element.RootElement.Clone(), true);
                Commit(ref reader);
                return Step.Item;
            }

            if (!reader.Read()) return Step.NeedMore;
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                Commit(ref reader);
                return Step.End;
            }
            var property = reader.GetString()!;
            if (!reader.Read()) return Step.NeedMore;
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                array = property;
                Commit(ref reader);
                continue;
            }
            var value = reader;
            if (!value.TrySkip()) return Step.NeedMore;
            using (var element = JsonDocument.ParseValue(ref reader)) item = new SiteJsonItem(property, element.RootElement.Clone(), false);
            Commit(ref reader);
            return Step.Item;
        }
    }

    private void Commit(ref Utf8JsonReader reader)
    {
        start += (int)reader.BytesConsumed;
        state = reader.CurrentState;
        reader = new Utf8JsonReader(buffer.AsSpan(start, end - start), final, state);
    }

    private async Task FillAsync(CancellationToken ct)
    {
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.Length)
        {
            if (buffer.Length >= MaxItemBytes) throw new JsonException($"An item of site.json is larger than {MaxItemBytes / (1024 * 1024)} MB.");
            Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxItemBytes));
        }
        var read = await stream.ReadAsync(buffer.AsMemory(end), ct);
        if (read == 0) final = true;
        end += read;
    }
}
