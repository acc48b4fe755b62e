namespace NewsCms.Web.Features.LiveBlogs;

/// <summary>An entry as the newsroom and the public page show it (deleted ones only in catch-up windows and events).</summary>
public sealed record LiveEntryView(
    long Id, int ArticleId, long Seq, string BodyHtml, string BodyText, int? ImageId, bool IsKeyEvent, bool IsPinned,
    string AuthorName, DateTime PostedAt, DateTime UpdatedAt, bool Deleted, Guid Version);

/// <summary>What the composer sends: the update's HTML (sanitized by the service), an optional library image and its flags.</summary>
public sealed record LiveEntryInput(string Html, int? ImageId = null, bool IsKeyEvent = false, bool IsPinned = false);

/// <summary>An article's live coverage as the composer shows it: when it ran, whether the user may run it, its entries newest first.</summary>
public sealed record LiveCoverage(int ArticleId, DateTime? StartedAt, DateTime? EndedAt, bool MayRun, IReadOnlyList<LiveEntryView> Entries)
{
    public bool IsLive => StartedAt is not null && EndedAt is null;
}
