using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using NewsCms.Web.Features.Media;

namespace NewsCms.Web.Features.LiveBlogs;

/// <summary>
/// The one rendering of an entry for readers, used by the page (static, without JavaScript) and by the pushed events
/// and catch-up windows, so an entry inserted by the script looks exactly like one rendered on reload. The body is
/// stored sanitized (the one HTML policy); everything else is encoded here.
/// </summary>
public static class LiveEntryMarkup
{
    private static readonly HtmlEncoder Encode = HtmlEncoder.Default;

    /// <summary>The entry's element: <c>&lt;article id="entry-{id}"&gt;</c>, the anchor the key events link to.</summary>
    public static string Entry(LiveEntryView entry, MediaImage? image, TimeZoneInfo zone)
    {
        var html = new StringBuilder(entry.BodyHtml.Length + 600);
        html.Append("<article class=\"live-entry").Append(entry.IsKeyEvent ? " live-entry--key" : "").Append(entry.IsPinned ? " live-entry--pinned" : "")
            .Append("\" id=\"entry-").Append(entry.Id.ToString(CultureInfo.InvariantCulture))
            .Append("\" data-entry-id=\"").Append(entry.Id.ToString(CultureInfo.InvariantCulture))
            .Append("\" data-seq=\"").Append(entry.Seq.ToString(CultureInfo.InvariantCulture))
            .Append("\" data-posted=\"").Append(PostedKey(entry).ToString(CultureInfo.InvariantCulture)).Append("\">")
            .Append("<header class=\"live-entry__meta\">");
        if (entry.IsPinned) html.Append("<span class=\"live-entry__flag live-entry__flag--pinned\">Pinned</span> ");
        if (entry.IsKeyEvent) html.Append("<span class=\"live-entry__flag live-entry__flag--key\">Key event</span> ");
        html.Append(Time(entry.PostedAt, zone)).Append(" <span class=\"live-entry__author\">").Append(Encode.Encode(entry.AuthorName)).Append("</span>");
        if (entry.UpdatedAt > entry.PostedAt.AddMinutes(1)) html.Append(" <span class=\"live-entry__edited\">(updated)</span>");
        html.Append("</header><div class=\"live-entry__body\">").Append(Articles.ArticleBlocks.ForReaders(entry.BodyHtml, [])).Append("</div>");
        if (image is not null)
        {
            var width = image.WidthNear(960);
            html.Append("<figure class=\"live-entry__image\"><img src=\"").Append(Encode.Encode(image.FallbackUrl(width)))
                .Append("\" width=\"").Append(width.ToString(CultureInfo.InvariantCulture))
                .Append("\" height=\"").Append(image.HeightFor(width).ToString(CultureInfo.InvariantCulture))
                .Append("\" alt=\"").Append(Encode.Encode(image.AltText)).Append("\" loading=\"lazy\" decoding=\"async\" />");
            if (!string.IsNullOrWhiteSpace(image.Caption) || !string.IsNullOrWhiteSpace(image.Credit))
            {
                html.Append("<figcaption>").Append(Encode.Encode(image.Caption));
                if (!string.IsNullOrWhiteSpace(image.Credit)) html.Append(" <span class=\"credit\">").Append(Encode.Encode(image.Credit)).Append("</span>");
                html.Append("</figcaption>");
            }
            html.Append("</figure>");
        }
        return html.Append("</article>").ToString();
    }

    /// <summary>The entry's line in the "Key events" list, linking to its anchor.</summary>
    public static string KeyEvent(LiveEntryView entry, TimeZoneInfo zone) =>
        $"<li data-entry-id=\"{entry.Id.ToString(CultureInfo.InvariantCulture)}\" data-posted=\"{PostedKey(entry).ToString(CultureInfo.InvariantCulture)}\">" +
        $"<a href=\"#entry-{entry.Id.ToString(CultureInfo.InvariantCulture)}\">{Time(entry.PostedAt, zone)} {Encode.Encode(LiveBlogRules.KeyEventTitle(entry.BodyText))}</a></li>";

    /// <summary>For ordering in the browser (then by id): milliseconds since 1970.</summary>
    internal static long PostedKey(LiveEntryView entry) => new DateTimeOffset(DateTime.SpecifyKind(entry.PostedAt, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    private static string Time(DateTime utc, TimeZoneInfo zone)
    {
        var at = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        var local = TimeZoneInfo.ConvertTime(new DateTimeOffset(at), zone);
        return $"<time datetime=\"{at:yyyy-MM-ddTHH:mm:ssZ}\">{local:HH:mm}</time>";
    }

    /// <summary>One change to an entry as the script applies it (pushed, and in catch-up windows).</summary>
    public static LiveEntryEvent Event(LiveEntryView entry, MediaImage? image, TimeZoneInfo zone) => entry.Deleted
        ? new LiveEntryEvent(entry.Id, entry.Seq, true, false, false, null, null)
        : new LiveEntryEvent(entry.Id, entry.Seq, false, entry.IsPinned, entry.IsKeyEvent, Entry(entry, image, zone), entry.IsKeyEvent ? KeyEvent(entry, zone) : null);

    /// <summary>An SSE frame: <c>id</c> (when given) and <c>event</c> lines and one <c>data</c> line of JSON (JSON has no raw newlines).</summary>
    public static string Frame(string eventName, string json, long? id = null) =>
        (id is { } seq ? "id: " + seq.ToString(CultureInfo.InvariantCulture) + "\n" : "") + "event: " + eventName + "\ndata: " + json + "\n\n";

    public static string EntryFrame(LiveEntryEvent change) => Frame("entry", JsonSerializer.Serialize(change), change.Seq);
}

/// <summary>What the script needs to apply one entry change in place.</summary>
public sealed record LiveEntryEvent(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("deleted")] bool Deleted,
    [property: JsonPropertyName("pinned")] bool Pinned,
    [property: JsonPropertyName("key")] bool Key,
    [property: JsonPropertyName("html")] string? Html,
    [property: JsonPropertyName("keyHtml")] string? KeyHtml);
