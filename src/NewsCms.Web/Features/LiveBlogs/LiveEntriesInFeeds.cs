using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;

namespace NewsCms.Web.Features.LiveBlogs;

/// <summary>
/// What feeds and the APIs carry of a live blog: its latest <see cref="Latest"/> entries (newest first) after the
/// body, in the post's html and the RSS/Atom item's content. The page shows more (and pushes them); a reader of a feed
/// or an API client gets the story and where it stands, and the item's update time moves with each entry (webhooks
/// say post.published.edited). The entries carry no script and no image (feeds' own image handling is the body's).
/// </summary>
public static class LiveEntriesInFeeds
{
    public const int Latest = 20;

    /// <summary>The html to append to each live blog among <paramref name="articleIds"/> (others are absent).</summary>
    public static async Task<IReadOnlyDictionary<int, string>> ForAsync(NewsCmsDbContext db, IReadOnlyCollection<int> articleIds, CancellationToken ct)
    {
        if (articleIds.Count == 0) return new Dictionary<int, string>();
        var liveIds = await db.Articles.AsNoTracking().Where(a => articleIds.Contains(a.Id) && a.LiveStartedAt != null).Select(a => a.Id).ToListAsync(ct);
        var entries = new List<FeedLiveEntry>();
        // One query per live blog among the items (a feed or an API page holds a few at most; most hold none).
        foreach (var id in liveIds)
        {
            entries.AddRange(await db.LiveEntries.AsNoTracking().Where(e => e.ArticleId == id && e.DeletedAt == null)
                .OrderByDescending(e => e.PostedAt).ThenByDescending(e => e.Id).Take(Latest)
                .Select(e => new FeedLiveEntry(e.Id, e.ArticleId, e.BodyHtml, e.AuthorName, e.PostedAt, e.IsKeyEvent))
                .ToListAsync(ct));
        }
        return entries.GroupBy(e => e.ArticleId).ToDictionary(g => g.Key, g =>
        {
            var html = new StringBuilder("<section class=\"live-updates\"><h2>Live updates</h2>");
            foreach (var e in g.OrderByDescending(e => e.PostedAt).ThenByDescending(e => e.Id))
            {
                html.Append("<article id=\"entry-").Append(e.Id.ToString(CultureInfo.InvariantCulture)).Append("\"><p><strong>")
                    .Append(DateTime.SpecifyKind(e.PostedAt, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))
                    .Append("</strong> ").Append(HtmlEncoder.Default.Encode(e.AuthorName)).Append(e.IsKeyEvent ? " · Key event" : "").Append("</p>")
                    .Append(e.BodyHtml).Append("</article>");
            }
            return html.Append("</section>").ToString();
        });
    }

    private sealed record FeedLiveEntry(long Id, int ArticleId, string BodyHtml, string AuthorName, DateTime PostedAt, bool IsKeyEvent);
}
