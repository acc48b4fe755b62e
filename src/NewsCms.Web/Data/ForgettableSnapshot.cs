namespace NewsCms.Web.Data;

/// <summary>
/// Something read from the database and kept in memory until <see cref="Forget"/> (the site settings, the sections).
/// Each read keeps the generation it began under: a read that overlapped a <see cref="Forget"/> is used by its own
/// caller, but never served again, so an older copy cannot come back after a change.
/// </summary>
public sealed class ForgettableSnapshot<T> where T : class
{
    private sealed record Kept(long Generation, T Value);

    private volatile Kept? kept;
    private long generation;

    public async Task<T> GetAsync(Func<CancellationToken, Task<T>> read, CancellationToken ct)
    {
        var seen = Interlocked.Read(ref generation);
        if (kept is { } hit && hit.Generation == seen) return hit.Value;
        var value = await read(ct);
        kept = new Kept(seen, value);
        return value;
    }

    public void Forget()
    {
        Interlocked.Increment(ref generation);
        kept = null;
    }
}
