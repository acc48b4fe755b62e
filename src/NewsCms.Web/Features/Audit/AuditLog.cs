using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Audit;

/// <summary>Appends to the audit log. Each write is its own small transaction, so a refused action is still recorded.</summary>
public sealed class AuditLog(IDbContextFactory<NewsCmsDbContext> dbFactory, ClientAddress clientAddress, TimeProvider clock)
{
    public async Task WriteAsync(string? actorId, string actorName, string action, string target, string? details = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            ActorId = actorId,
            ActorName = Truncate(actorName, 256),
            Action = action,
            Target = Truncate(target, 512),
            Details = details is null ? null : Truncate(details, 2000),
            ClientAddress = clientAddress.Value,
        });
        await db.SaveChangesAsync(ct);
    }

    public Task WriteAsync(Actor actor, string action, string target, string? details = null, CancellationToken ct = default) =>
        WriteAsync(actor.UserId, actor.DisplayName, action, target, details, ct);

    public async Task<PagedList<AuditEntryRow>> SearchAsync(AuditQuery query, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entries = Filtered(db, query);
        var total = await entries.CountAsync(ct);
        var rows = await entries
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip(query.Page * query.PageSize).Take(query.PageSize)
            .Select(e => new AuditEntryRow(e.Id, e.At, e.ActorName, e.Action, e.Target, e.Details, e.ClientAddress))
            .ToListAsync(ct);
        return new PagedList<AuditEntryRow>(rows, total);
    }

    /// <summary>
    /// Every entry the filter matches, newest first, read page by page with a keyset (time, id) instead of an offset:
    /// each page is found through the index however deep the export has gone, and entries written while it runs
    /// neither shift the pages nor appear twice. Its page size and paging are ignored.
    /// </summary>
    public async IAsyncEnumerable<AuditEntryRow> ExportAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        const int pageSize = 500;
        AuditEntryRow? last = null;
        while (true)
        {
            List<AuditEntryRow> page;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                var entries = Filtered(db, query);
                if (last is not null)
                {
                    var (at, id) = (last.At, last.Id);
                    entries = entries.Where(e => e.At < at || (e.At == at && e.Id < id));
                }
                page = await entries
                    .OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
                    .Take(pageSize)
                    .Select(e => new AuditEntryRow(e.Id, e.At, e.ActorName, e.Action, e.Target, e.Details, e.ClientAddress))
                    .ToListAsync(ct);
            }
            foreach (var row in page) yield return row;
            if (page.Count < pageSize) yield break;
            last = page[^1];
        }
    }

    private static IQueryable<AuditEntry> Filtered(NewsCmsDbContext db, AuditQuery query)
    {
        var entries = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.User))
        {
            entries = entries.WhereAnyContains(db.Database, query.User, e => e.ActorName, e => e.Target);
        }
        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            entries = entries.Where(e => e.Action == query.Action);
        }
        if (query.FromUtc is { } from)
        {
            entries = entries.Where(e => e.At >= from);
        }
        if (query.ToUtc is { } to)
        {
            entries = entries.Where(e => e.At < to);
        }
        return entries;
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}

public sealed record AuditQuery(string? User = null, string? Action = null, DateTime? FromUtc = null, DateTime? ToUtc = null, int Page = 0, int PageSize = 25);

public sealed record AuditEntryRow(long Id, DateTime At, string ActorName, string Action, string Target, string? Details, string? ClientAddress);
