namespace NewsCms.Web.Features.Articles;

/// <summary>
/// Says when anything readers can see has changed (a publish, an unpublish, an edit of a published article, a trash),
/// so caches of public pages can be dropped.
/// </summary>
public sealed class PublicContent
{
    private long version;

    /// <summary>Grows by one with every change readers can see.</summary>
    public long Version => Interlocked.Read(ref version);

    public event Action? Changed;

    public void NotifyChanged()
    {
        Interlocked.Increment(ref version);
        Changed?.Invoke();
    }
}
