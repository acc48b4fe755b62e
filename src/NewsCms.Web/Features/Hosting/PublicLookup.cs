namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// What a public address of a section, tag or author resolves to: the thing, the slug it has moved to (after a rename
/// or a merge; the old address answers 301), or nothing (404). Each feature's public lookup returns one, so pages and
/// feeds answer all three the same way.
/// </summary>
public abstract record PublicLookup<T> where T : class
{
    public sealed record Found(T Value) : PublicLookup<T>;
    public sealed record MovedTo(string Slug) : PublicLookup<T>;
    public sealed record Missing : PublicLookup<T>;

    /// <summary>The same answer with the found thing turned into something else.</summary>
    public PublicLookup<TOut> Map<TOut>(Func<T, TOut> map) where TOut : class => this switch
    {
        Found found => new PublicLookup<TOut>.Found(map(found.Value)),
        MovedTo moved => new PublicLookup<TOut>.MovedTo(moved.Slug),
        _ => new PublicLookup<TOut>.Missing(),
    };

    /// <summary>
    /// For a page: the thing when found; otherwise null, with the response set to a permanent redirect to
    /// <paramref name="addressOf"/> the new slug, or to 404.
    /// </summary>
    public T? Answer(HttpResponse response, Func<string, string> addressOf)
    {
        switch (this)
        {
            case Found found:
                return found.Value;
            case MovedTo moved:
                response.StatusCode = StatusCodes.Status301MovedPermanently;
                response.Headers.Location = addressOf(moved.Slug);
                return null;
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                return null;
        }
    }
}
