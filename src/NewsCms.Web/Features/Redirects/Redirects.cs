using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Redirects;

/// <summary>One redirect as the newsroom sees it: where it goes now (null with status 410), and how it was entered.</summary>
public sealed record RedirectRow(int Id, string OldAddress, string? GoesTo, string NewAddress, int Status, RedirectOrigin Origin, long Hits, DateTime? LastHitAt);

/// <summary>An old address kept by a rename of an article, page, section or tag (answered by the thing's own page).</summary>
public sealed record RenameRow(string OldAddress, string GoesTo);

public sealed class RedirectInput
{
    public string OldAddress { get; set; } = "";

    /// <summary>A site path or a full http(s) address; ignored for 410.</summary>
    public string? NewAddress { get; set; }

    /// <summary>301 (moved permanently) or 410 (gone).</summary>
    public int Status { get; set; } = 301;
}

/// <summary>What <see cref="Redirects.AddImportedAsync"/> did.</summary>
public enum ImportedRedirect { Added, AlreadyThere, Invalid }

/// <summary>
/// The newsroom's redirects (Editors and Administrators): list, add, edit, delete, each audited, with the one-hop rule
/// (<see cref="RedirectChains"/>) kept on every write. Readers are answered from <see cref="RedirectTable"/>.
/// </summary>
public sealed class Redirects(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    RedirectTable table,
    RedirectHits hits,
    IOptions<SiteOptions> site,
    TimeProvider clock)
{
    public const int Moved = 301;
    public const int Gone = 410;

    public async Task<ServiceResult<PagedList<RedirectRow>>> ListAsync(ClaimsPrincipal acting, string? search, int page, int pageSize, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageRedirects, ct);
        if (!actor.Succeeded) return ServiceResult<PagedList<RedirectRow>>.Fail(actor.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = RedirectTargets.Resolving(db, db.Redirects.AsNoTracking());
        if (!string.IsNullOrWhiteSpace(search))
        {
            // Old addresses are stored decoded and in lower case: a pasted "/Caf%C3%A9" finds "/café".
            var text = Uri.UnescapeDataString(search.Trim()).ToLowerInvariant();
            rows = rows.WhereAnyContains(db.Database, text, r => r.FromPath, r => r.TargetPath, r => r.ArticleSlug, r => r.SectionSlug, r => r.TagSlug, r => r.AuthorSlug);
        }
        var total = await rows.CountAsync(ct);
        var items = await rows.OrderBy(r => r.FromPath).Skip(Math.Max(0, page) * pageSize).Take(pageSize).ToListAsync(ct);
        return ServiceResult<PagedList<RedirectRow>>.Success(new PagedList<RedirectRow>(items.Select(Row).ToList(), total));
    }

    /// <summary>The old addresses kept by renames (read-only here: they follow their article, page, section or tag).</summary>
    public async Task<ServiceResult<PagedList<RenameRow>>> ListRenamesAsync(ClaimsPrincipal acting, string? search, int page, int pageSize, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageRedirects, ct);
        if (!actor.Succeeded) return ServiceResult<PagedList<RenameRow>>.Fail(actor.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var articles = db.ArticleSlugRedirects.Join(db.Articles, r => r.ArticleId, a => a.Id, (r, a) => new RenamePair
        {
            Old = (a.Kind == ArticleKind.Page ? "/" : "/news/") + r.Slug,
            New = (a.Kind == ArticleKind.Page ? "/" : "/news/") + a.Slug,
        });
        var sections = db.TaxonomyRedirects.Where(r => r.Kind == Taxonomy.TaxonomyKind.Section)
            .Join(db.Sections, r => r.TargetId, s => s.Id, (r, s) => new RenamePair { Old = "/section/" + r.Slug, New = "/section/" + s.Slug });
        var tags = db.TaxonomyRedirects.Where(r => r.Kind == Taxonomy.TaxonomyKind.Tag)
            .Join(db.Tags, r => r.TargetId, t => t.Id, (r, t) => new RenamePair { Old = "/tag/" + r.Slug, New = "/tag/" + t.Slug });
        var all = articles.Concat(sections).Concat(tags);
        if (!string.IsNullOrWhiteSpace(search)) all = all.WhereAnyContains(db.Database, search, r => r.Old, r => r.New);
        var total = await all.CountAsync(ct);
        var items = await all.OrderBy(r => r.Old).Skip(Math.Max(0, page) * pageSize).Take(pageSize).Select(r => new RenameRow(r.Old, r.New)).ToListAsync(ct);
        return ServiceResult<PagedList<RenameRow>>.Success(new PagedList<RenameRow>(items, total));
    }

    public async Task<ServiceResult<int>> AddAsync(ClaimsPrincipal acting, RedirectInput input, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageRedirects, ct);
        if (!actor.Succeeded) return ServiceResult<int>.Fail(actor.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var redirect = new Redirect { Origin = RedirectOrigin.Manual, CreatedAt = now };
        var saved = await SaveAsync(db, redirect, input, now, ct);
        if (saved is not null) return ServiceResult<int>.Fail(saved);
        await audit.WriteAsync(actor.Value!, AuditActions.RedirectCreated, Describe(redirect, input), null, ct);
        await table.NotifyChangedAsync();
        return ServiceResult<int>.Success(redirect.Id);
    }

    public async Task<ServiceResult> UpdateAsync(ClaimsPrincipal acting, int id, RedirectInput input, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageRedirects, ct);
        if (!actor.Succeeded) return actor;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var redirect = await db.Redirects.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (redirect is null) return ServiceResult.Fail(NotFound);
        var before = redirect.FromPath;
        var saved = await SaveAsync(db, redirect, input, clock.GetUtcNow().UtcDateTime, ct);
        if (saved is not null) return ServiceResult.Fail(saved);
        await audit.WriteAsync(actor.Value!, AuditActions.RedirectUpdated, Describe(redirect, input), before == redirect.FromPath ? null : "was from " + before, ct);
        await table.NotifyChangedAsync();
        return ServiceResult.Ok;
    }

    public async Task<ServiceResult> DeleteAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageRedirects, ct);
        if (!actor.Succeeded) return actor;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var redirect = await db.Redirects.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (redirect is null) return ServiceResult.Fail(NotFound);
        db.Redirects.Remove(redirect);
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(actor.Value!, AuditActions.RedirectDeleted, redirect.FromPath, null, ct);
        await table.NotifyChangedAsync();
        return ServiceResult.Ok;
    }

    /// <summary>
    /// For the importer, inside its own context and transaction: adds a redirect from <paramref name="fromPath"/> (a
    /// path, or a URL of the old site: its host is dropped) to a thing (<paramref name="kind"/> and
    /// <paramref name="id"/>), a path or URL (<see cref="RedirectTargetKind.Path"/> and <paramref name="path"/>), or
    /// 410 (<see cref="RedirectTargetKind.Gone"/>), with <see cref="RedirectOrigin.Import"/>. It is added to the
    /// context only: the caller's SaveChanges and commit store it. An address that already has a redirect (saved, or
    /// added earlier in the same context) is left as it is, so a manual redirect is never overwritten and a second
    /// run adds nothing. Chains between imported paths are followed when the table loads. After a batch, the caller
    /// calls <see cref="RedirectTable.NotifyChangedAsync"/> once, so every node serves the new redirects.
    /// </summary>
    public static async Task<ImportedRedirect> AddImportedAsync(NewsCmsDbContext db, string fromPath, RedirectTargetKind kind, int? id, string? path,
        DateTime now, CancellationToken ct = default)
    {
        var from = Uri.TryCreate(fromPath?.Trim(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? RedirectPaths.Normalize(url.PathAndQuery)
            : RedirectPaths.Normalize(fromPath);
        if (from is null || from == "/" || from.Length > RedirectPaths.MaxLength || RedirectPaths.IsReserved(from)) return ImportedRedirect.Invalid;
        var valid = kind switch
        {
            RedirectTargetKind.Path => path is not null && ParseTarget(path, null) is { Error: null },
            RedirectTargetKind.Gone => true,
            _ => id is not null,
        };
        if (!valid) return ImportedRedirect.Invalid;
        if (db.Redirects.Local.Any(r => r.FromPath == from) || await db.Redirects.AnyAsync(r => r.FromPath == from, ct)) return ImportedRedirect.AlreadyThere;
        var target = kind == RedirectTargetKind.Path ? ParseTarget(path!, null).Target! : new RedirectTarget(kind, kind == RedirectTargetKind.Gone ? null : id, null);
        db.Redirects.Add(new Redirect
        {
            FromPath = from, TargetKind = target.Kind, TargetId = target.Id, TargetPath = target.Path,
            Origin = RedirectOrigin.Import, CreatedAt = now, UpdatedAt = now,
        });
        return ImportedRedirect.Added;
    }

    /// <summary>
    /// When a thing's slug changes (inside the caller's transaction): its old address redirects to it, and a
    /// slug-change redirect from its new address (it had that slug before) goes. A manual one is left alone.
    /// </summary>
    internal static async Task AddSlugChangeAsync(NewsCmsDbContext db, string oldAddress, string newAddress, RedirectTargetKind kind, int id, DateTime now, CancellationToken ct)
    {
        var from = RedirectPaths.Normalize(oldAddress)!;
        await ReleaseAsync(db, newAddress, ct);
        if (await db.Redirects.AnyAsync(r => r.FromPath == from, ct)) return;
        db.Redirects.Add(new Redirect { FromPath = from, TargetKind = kind, TargetId = id, Origin = RedirectOrigin.SlugChange, CreatedAt = now, UpdatedAt = now });
    }

    /// <summary>
    /// When a thing takes an address (inside the caller's unit of work): a slug-change redirect from that address (left
    /// by another thing that had it before) goes, so it never hides the thing's page. Returns whether one went.
    /// </summary>
    internal static async Task<bool> ReleaseAsync(NewsCmsDbContext db, string address, CancellationToken ct)
    {
        var key = RedirectPaths.Normalize(address)!;
        var stale = await db.Redirects.Where(r => r.FromPath == key && r.Origin == RedirectOrigin.SlugChange).ToListAsync(ct);
        db.Redirects.RemoveRange(stale);
        return stale.Count > 0;
    }

    private const string NotFound = "That redirect does not exist (it may have been deleted).";

    /// <summary>Validates, applies the one-hop rule and saves; returns the problem, or null.</summary>
    private async Task<string?> SaveAsync(NewsCmsDbContext db, Redirect redirect, RedirectInput input, DateTime now, CancellationToken ct)
    {
        var (from, fromError) = ParseSource(input.OldAddress);
        if (fromError is not null) return fromError;
        if (input.Status is not (Moved or Gone)) return "Choose 301 (moved permanently) or 410 (gone).";
        if (await db.Redirects.AnyAsync(r => r.FromPath == from && r.Id != redirect.Id, ct)) return $"There is already a redirect from {from}.";

        RedirectTarget target;
        if (input.Status == Gone)
        {
            target = RedirectTarget.Gone;
        }
        else
        {
            var parsed = ParseTarget(input.NewAddress, site.Value);
            if (parsed.Error is not null) return parsed.Error;
            target = parsed.Target!;
            var (collapsed, loop) = await RedirectChains.CollapseAsync(from!, target, async key =>
            {
                var next = await db.Redirects.AsNoTracking().Where(r => r.FromPath == key && r.Id != redirect.Id)
                    .Select(r => new RedirectTarget(r.TargetKind, r.TargetId, r.TargetPath)).FirstOrDefaultAsync(ct);
                // A path that is the address of an article, page, section, tag or author follows that thing.
                return next ?? await RedirectTargets.ThingAtAsync(db, key, includeOldSlugs: true, ct);
            });
            if (loop is not null) return loop;
            target = collapsed!;
            if (target.Kind != RedirectTargetKind.Path && await RedirectTargets.ThingAtAsync(db, from!, includeOldSlugs: false, ct) == target)
            {
                return $"That would make a loop: {input.NewAddress?.Trim()} leads back to {from}.";
            }
        }

        var sourceChanged = redirect.FromPath != from;
        redirect.FromPath = from!;
        redirect.TargetKind = target.Kind;
        redirect.TargetId = target.Id;
        redirect.TargetPath = target.Path;
        redirect.UpdatedAt = now;
        if (redirect.Id == 0) db.Redirects.Add(redirect);

        if (sourceChanged)
        {
            // Redirects to this old address now go straight to where it goes.
            var pointing = await db.Redirects.Where(r => r.TargetKind == RedirectTargetKind.Path && r.TargetPath != null && r.Id != redirect.Id).ToListAsync(ct);
            foreach (var other in pointing.Where(r => RedirectPaths.Normalize(r.TargetPath) == from))
            {
                other.TargetKind = target.Kind;
                other.TargetId = target.Id;
                other.TargetPath = target.Path;
                other.UpdatedAt = now;
            }
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Someone else added the same address meanwhile (the unique index); anything else is a bug.
            await using var fresh = await dbFactory.CreateDbContextAsync(ct);
            if (await fresh.Redirects.AnyAsync(r => r.FromPath == from && r.Id != redirect.Id, ct)) return $"There is already a redirect from {from}.";
            throw;
        }
        return null;
    }

    /// <summary>The key of an old address: a site path, or a URL of this site reduced to its path.</summary>
    private (string? Key, string? Error) ParseSource(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, "Enter the old address: a path on this site such as /old-page.");
        var trimmed = text.Trim();
        if (Uri.TryCreate(trimmed, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            if (!IsOwnHost(url, site.Value)) return (null, $"The old address must be on this site ({site.Value.BaseUri.Host}); enter its path, such as /old-page.");
            trimmed = url.PathAndQuery;
        }
        var key = RedirectPaths.Normalize(trimmed);
        if (key is null) return (null, "The old address must be a path on this site starting with \"/\", such as /old-page.");
        if (key.Length > RedirectPaths.MaxLength) return (null, $"The old address can be at most {RedirectPaths.MaxLength} characters.");
        if (key == "/") return (null, "The home page cannot redirect elsewhere.");
        if (RedirectPaths.IsReserved(key)) return (null, $"{key} belongs to NewsCms itself and cannot redirect.");
        return (key, null);
    }

    /// <summary>A 301 target: a site path (a URL of this site becomes one), or an absolute http(s) URL elsewhere.</summary>
    private static (RedirectTarget? Target, string? Error) ParseTarget(string? text, SiteOptions? site)
    {
        const string Invalid = "The new address must be a path starting with \"/\" (such as /news/story) or a full http:// or https:// address.";
        if (string.IsNullOrWhiteSpace(text)) return (null, "Enter the new address: a path such as /news/story, or a full http(s) address.");
        var trimmed = text.Trim();
        if (trimmed.Length > RedirectPaths.MaxLength) return (null, $"The new address can be at most {RedirectPaths.MaxLength} characters.");
        if (trimmed.Any(char.IsControl) || trimmed.Any(char.IsWhiteSpace)) return (null, Invalid);
        if (trimmed.StartsWith('/'))
        {
            return RedirectPaths.Normalize(trimmed) is null ? (null, Invalid) : (RedirectTarget.ToPath(trimmed), null);
        }
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.Host.Length == 0)
        {
            return (null, Invalid);
        }
        // This site's own address by its full URL: a path, so it follows the one-hop rule and the things it names.
        var path = site is not null && IsOwnHost(url, site) ? url.PathAndQuery + url.Fragment : url.AbsoluteUri;
        return path.Length > RedirectPaths.MaxLength ? (null, $"The new address can be at most {RedirectPaths.MaxLength} characters.") : (RedirectTarget.ToPath(path), null);
    }

    private static bool IsOwnHost(Uri url, SiteOptions site) =>
        string.Equals(url.IdnHost, site.BaseUri.IdnHost, StringComparison.OrdinalIgnoreCase)
        || site.AdditionalHosts.Any(h => string.Equals(h, url.Host, StringComparison.OrdinalIgnoreCase) || string.Equals(h, url.IdnHost, StringComparison.OrdinalIgnoreCase));

    private RedirectRow Row(ResolvedRedirect r)
    {
        var (kind, location) = r.Answer();
        var goesTo = kind switch
        {
            RedirectAnswerKind.MovedTo => location,
            RedirectAnswerKind.None => "(an article that is not public: not found)",
            _ => null,
        };
        var (pendingHits, pendingAt) = hits.Pending(r.Id);
        var lastHit = pendingAt is { } at && (r.LastHitAt is null || at > r.LastHitAt) ? at : r.LastHitAt;
        return new RedirectRow(r.Id, r.FromPath, goesTo, r.TargetKind == RedirectTargetKind.Path ? r.TargetPath ?? "" : location ?? "",
            kind == RedirectAnswerKind.Gone ? Gone : Moved, r.Origin, r.Hits + pendingHits, lastHit);
    }

    private static string Describe(Redirect redirect, RedirectInput input) =>
        redirect.TargetKind == RedirectTargetKind.Gone ? $"{redirect.FromPath} → 410" : $"{redirect.FromPath} → {input.NewAddress?.Trim()}";

    private sealed class RenamePair
    {
        public string Old { get; init; } = "";
        public string New { get; init; } = "";
    }
}
