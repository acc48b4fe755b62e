namespace NewsCms.Web.Features.Redirects;

/// <summary>
/// The one-hop rule. Every stored redirect goes straight to its final answer: a new redirect whose target is itself
/// an old address takes that redirect's target instead, and redirects that pointed at the new one's old address are
/// moved on to its target. A target that leads back to the source is a loop, refused.
/// </summary>
public static class RedirectChains
{
    /// <summary>
    /// The final target of a redirect from <paramref name="source"/> (a normalized key) to <paramref name="target"/>,
    /// following the existing redirects (<paramref name="redirectFrom"/>: the target stored for a key, or null).
    /// Returns an error for a target that is the source or leads back to it.
    /// </summary>
    public static (RedirectTarget? Target, string? Error) Collapse(string source, RedirectTarget target, Func<string, RedirectTarget?> redirectFrom) =>
        // Completes at once: the lookup is synchronous.
        CollapseAsync(source, target, key => ValueTask.FromResult(redirectFrom(key))).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="Collapse"/>
    public static async ValueTask<(RedirectTarget? Target, string? Error)> CollapseAsync(string source, RedirectTarget target, Func<string, ValueTask<RedirectTarget?>> redirectFrom)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { source };
        var current = target;
        // Stored redirects are one hop already; the bound only guards against rows written some other way.
        for (var hop = 0; hop < 20; hop++)
        {
            if (current.Kind != RedirectTargetKind.Path || RedirectPaths.Normalize(current.Path) is not { } key) return (current, null);
            if (key == source)
            {
                return (null, hop == 0
                    ? "The new address is the same as the old one."
                    : $"That would make a loop: {target.Path} already redirects back to {source}.");
            }
            if (!seen.Add(key)) return (null, $"That would make a loop: {target.Path} leads round in a circle.");
            if (await redirectFrom(key) is not { } next) return (current, null);
            current = next;
        }
        return (null, $"{target.Path} leads through too many redirects.");
    }
}
