using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.LiveBlogs;

/// <summary>Who may run a live blog and what an entry must be. Pure: the service asks it with what it read.</summary>
public static class LiveBlogRules
{
    public const int MaxHtmlLength = 20_000;
    public const string NotAnArticle = "Only articles can carry live coverage.";
    public const string Trashed = "This article is in the trash.";
    public const string NotLive = "Turn on live coverage first.";
    public const string NeverLive = "This article has no live coverage.";
    public const string Empty = "Write the update first.";
    public const string TooLong = "This update is too long: keep it short, or split it in two.";
    public const string EntryNotFound = "That update does not exist.";
    public const string EntryChanged = "Someone else changed this update meanwhile. Reload it and try again.";

    /// <summary>
    /// Turning coverage on or off, and posting, editing or deleting entries: Editors and Administrators on any article,
    /// Authors on their own; Contributors never (an entry is published at once, and they do not publish).
    /// </summary>
    public static bool MayRunCoverage(string role, bool isOwn) =>
        Capabilities.Allows(role, Capabilities.EditAnyArticle) || (isOwn && Capabilities.Allows(role, Capabilities.PublishArticles));

    /// <summary>Why the article cannot carry coverage, or null.</summary>
    public static string? Refusal(ArticleKind kind, bool trashed) =>
        kind != ArticleKind.Article ? NotAnArticle : trashed ? Trashed : null;

    /// <summary>Why an entry (already sanitized) cannot be posted, or null.</summary>
    public static string? CheckEntry(string sanitizedHtml, string plainText, int? imageId) =>
        sanitizedHtml.Length > MaxHtmlLength ? TooLong
        : string.IsNullOrWhiteSpace(plainText) && imageId is null ? Empty
        : null;

    /// <summary>
    /// The order readers see: pinned entries on top, then the rest, each newest first (by posting time; the id breaks
    /// ties, so two entries posted in the same instant keep their posting order).
    /// </summary>
    public static IEnumerable<T> ReaderOrder<T>(IEnumerable<T> entries, Func<T, bool> pinned, Func<T, DateTime> postedAt, Func<T, long> id) =>
        entries.OrderByDescending(pinned).ThenByDescending(postedAt).ThenByDescending(id);

    /// <summary>A key event's title in the "Key events" list: the start of its text.</summary>
    public static string KeyEventTitle(string plainText, int max = 120)
    {
        var text = string.Join(' ', plainText.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length <= max) return text;
        var cut = text.LastIndexOf(' ', max);
        return (cut > max / 2 ? text[..cut] : text[..max]) + "…";
    }
}
