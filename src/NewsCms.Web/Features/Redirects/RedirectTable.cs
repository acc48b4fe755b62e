using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Redirects;

/// <summary>One answer kept in memory: 301 to <see cref="Location"/> (a site path or absolute URL), or 410 when it is null.</summary>
public sealed record RedirectEntry(int Id, string? Location);

/// <summary>
/// Every redirect, resolved to its answer, in an immutable dictionary keyed by normalized old address: requests are
/// answered from memory, never with a query. It is loaded with one query (joining the current slugs of the things
/// redirects point to) and swapped whole when something changes: a redirect (<see cref="NotifyChangedAsync"/>, sent
/// to every node over the message bus), or a thing a redirect follows (its slug changed, it was trashed or deleted:
/// the public-content change naming it, which every node hears too).
/// </summary>
public sealed class RedirectTable
{
    public const string Channel = "redirects";

    private readonly IDbContextFactory<NewsCmsDbContext> dbFactory;
    private readonly MessageBus bus;
    private readonly ILogger<RedirectTable> logger;
    private readonly object gate = new();
    private Snapshot snapshot = Snapshot.Empty;
    private Task? loaded;
    private Task? reloading;
    private long requested, done;

    public RedirectTable(IDbContextFactory<NewsCmsDbContext> dbFactory, MessageBus bus, PublicContent content, ILogger<RedirectTable> logger)
    {
        this.dbFactory = dbFactory;
        this.bus = bus;
        this.logger = logger;
        // Awaited, so on this node the new table is in place when NotifyChangedAsync returns.
        bus.Subscribe(Channel, _ => ReloadAsync());
        content.Changed += change =>
        {
            var current = Volatile.Read(ref snapshot);
            if (change.EvictsEverything || change.Evicts.Any(current.Dependencies.Contains)) _ = ReloadAsync();
        };
    }

    /// <summary>How many redirects are in memory (for logs and tests).</summary>
    public int Count => Volatile.Read(ref snapshot).Entries.Count;

    /// <summary>Loads the table the first time (start-up); later calls return at once.</summary>
    public Task EnsureLoadedAsync()
    {
        lock (gate)
        {
            return loaded ??= ReloadAsync();
        }
    }

    /// <summary>The answer for a request's keys (see <see cref="RedirectPaths.ForRequest"/>), or null.</summary>
    public (RedirectEntry Entry, bool FromQueryForm)? Find(string? queryForm, string? path)
    {
        var entries = Volatile.Read(ref snapshot).Entries;
        if (entries.Count == 0) return null;
        if (queryForm is not null && entries.TryGetValue(queryForm, out var byQuery)) return (byQuery, true);
        if (path is not null && entries.TryGetValue(path, out var byPath)) return (byPath, false);
        return null;
    }

    /// <summary>Tells every node (this one first, before returning) that redirects changed, after the change is committed.</summary>
    public Task NotifyChangedAsync() => bus.PublishAsync(Channel, "changed");

    /// <summary>
    /// Reads the table again. Requests that come while a load runs are served by one more load after it, so the
    /// returned task completes only after a load that started after this call.
    /// </summary>
    public Task ReloadAsync()
    {
        lock (gate)
        {
            requested++;
            return reloading ??= Task.Run(LoadLoopAsync);
        }
    }

    private async Task LoadLoopAsync()
    {
        while (true)
        {
            long target;
            lock (gate)
            {
                if (done >= requested)
                {
                    reloading = null;
                    return;
                }
                target = requested;
            }
            try
            {
                Volatile.Write(ref snapshot, await LoadAsync());
            }
            catch (Exception ex)
            {
                // The table in memory stays as it was; the next change loads again.
                logger.LogError(ex, "Could not load the redirects.");
            }
            lock (gate) done = target;
        }
    }

    private async Task<Snapshot> LoadAsync()
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var rows = await RedirectTargets.Resolving(db, db.Redirects.AsNoTracking()).ToListAsync();
        var answers = new Dictionary<string, (RedirectAnswerKind Kind, string? Location, int Id)>(rows.Count, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var (kind, location) = row.Answer();
            if (kind != RedirectAnswerKind.None && !RedirectPaths.IsReserved(row.FromPath)) answers[row.FromPath] = (kind, location, row.Id);
        }
        var entries = new Dictionary<string, RedirectEntry>(answers.Count, StringComparer.Ordinal);
        foreach (var (from, answer) in answers)
        {
            // Stored rows are one hop; rows written past the service (an import) may not be: follow them here, and
            // leave out anything that loops or points at itself.
            var (final, error) = answer.Kind == RedirectAnswerKind.Gone
                ? (RedirectTarget.Gone, null)
                : RedirectChains.Collapse(from, RedirectTarget.ToPath(answer.Location!), key =>
                    answers.TryGetValue(key, out var next) ? next.Kind == RedirectAnswerKind.Gone ? RedirectTarget.Gone : RedirectTarget.ToPath(next.Location!) : null);
            if (final is null)
            {
                logger.LogWarning("The redirect from {From} is not served: {Problem}", from, error);
                continue;
            }
            entries[from] = new RedirectEntry(answer.Id, final.Kind == RedirectTargetKind.Gone ? null : final.Path);
        }
        var dependencies = rows.Select(r => r.DependencyTag).OfType<string>().ToFrozenSet(StringComparer.Ordinal);
        logger.LogDebug("Loaded {Count} redirects.", entries.Count);
        return new Snapshot(entries.ToFrozenDictionary(StringComparer.Ordinal), dependencies);
    }

    /// <param name="Dependencies">Public-cache tags of the things redirects point to: a change naming one reloads the table.</param>
    private sealed record Snapshot(FrozenDictionary<string, RedirectEntry> Entries, FrozenSet<string> Dependencies)
    {
        public static readonly Snapshot Empty = new(FrozenDictionary<string, RedirectEntry>.Empty, FrozenSet<string>.Empty);
    }
}
