using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.LiveBlogs;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Breaking;

/// <summary>What the desk sets: the text, an optional article to link to, and when it stops showing (UTC).</summary>
public sealed record BannerInput(string Text, int? ArticleId, DateTime ExpiresAtUtc);

/// <summary>The banner as stored, with the linked article's headline and address (null when it is not public).</summary>
public sealed record BannerView(string Text, int? ArticleId, string? ArticleHeadline, string? Url, DateTime ExpiresAt, DateTime SetAt, string SetByName);

/// <summary>An article to link the banner to, picked by headline.</summary>
public sealed record ArticleChoice(int Id, string Headline);

/// <summary>The banner's rules. Pure.</summary>
public static class BreakingRules
{
    public const int MaxText = 300;
    public static readonly TimeSpan LongestShown = TimeSpan.FromDays(30);

    public static string? Check(BannerInput input, DateTime now)
    {
        var text = input.Text?.Trim() ?? "";
        if (text.Length == 0) return "Write the banner's text.";
        if (text.Length > MaxText) return $"Keep the banner under {MaxText} characters.";
        if (input.ExpiresAtUtc <= now) return "Choose an expiry in the future.";
        if (input.ExpiresAtUtc > now + LongestShown) return "A banner shows for 30 days at most.";
        return null;
    }

    /// <summary>Shown only until it expires, whatever the cache holds (rendering checks the time).</summary>
    public static bool IsShown(DateTime expiresAt, DateTime now) => expiresAt > now;

    /// <summary>The inside of the banner's element on every public page (empty when there is none).</summary>
    public static string InnerHtml(BannerView? banner)
    {
        if (banner is null) return "";
        var text = HtmlEncoder.Default.Encode(banner.Text);
        var body = banner.Url is { } url ? $"<a href=\"{HtmlEncoder.Default.Encode(url)}\">{text}</a>" : text;
        return $"<p class=\"breaking__inner\"><strong class=\"breaking__label\">Breaking</strong> {body}</p>";
    }
}

/// <summary>
/// The breaking-news banner in the newsroom (<c>/admin/breaking</c>, Editors and Administrators) and on public pages.
/// Setting or clearing it evicts every public page on every node and pushes it to every open page
/// (<see cref="BreakingBroadcast"/>); pages read it when rendered and show it only before it expires.
/// </summary>
public sealed class BreakingNews(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    BreakingBroadcast broadcast,
    TimeProvider clock)
{
    public async Task<ServiceResult<BannerView?>> GetAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageBreakingNews, ct);
        if (actor.Error is { } error) return ServiceResult<BannerView?>.Fail(error);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return ServiceResult<BannerView?>.Success(await ReadAsync(db, ct));
    }

    /// <summary>Published articles whose headline contains <paramref name="headline"/>, newest first (the "Link" picker).</summary>
    public async Task<ServiceResult<IReadOnlyList<ArticleChoice>>> FindArticlesAsync(ClaimsPrincipal acting, string? headline, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageBreakingNews, ct);
        if (actor.Error is { } error) return ServiceResult<IReadOnlyList<ArticleChoice>>.Fail(error);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Articles.AsNoTracking().WherePublic().Where(a => a.Kind == ArticleKind.Article);
        if (!string.IsNullOrWhiteSpace(headline))
        {
            var term = headline.Trim().ToLower();
            query = query.Where(a => a.Headline.ToLower().Contains(term));
        }
        IReadOnlyList<ArticleChoice> found = await query.OrderByDescending(a => a.PublishedAt).Take(20).Select(a => new ArticleChoice(a.Id, a.Headline)).ToListAsync(ct);
        return ServiceResult<IReadOnlyList<ArticleChoice>>.Success(found);
    }

    /// <summary>"Set banner": replaces any banner.</summary>
    public async Task<ServiceResult<BannerView>> SetAsync(ClaimsPrincipal acting, BannerInput input, CancellationToken ct = default)
    {
        var resolved = await actors.ResolveAsync(acting, Capabilities.ManageBreakingNews, ct);
        if (resolved.Value is not { } actor) return ServiceResult<BannerView>.Fail(resolved.Error!);
        var now = clock.GetUtcNow().UtcDateTime;
        var expires = input.ExpiresAtUtc.Kind == DateTimeKind.Local ? input.ExpiresAtUtc.ToUniversalTime() : DateTime.SpecifyKind(input.ExpiresAtUtc, DateTimeKind.Utc);
        input = input with { Text = XmlSafeText.Clean(input.Text ?? "").Trim(), ExpiresAtUtc = expires };
        if (BreakingRules.Check(input, now) is { } invalid) return ServiceResult<BannerView>.Fail(invalid);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (input.ArticleId is { } articleId && !await db.Articles.WherePublic().AnyAsync(a => a.Id == articleId && a.Kind == ArticleKind.Article, ct))
        {
            return ServiceResult<BannerView>.Fail("Link to a published article, or to none.");
        }
        var banner = await db.BreakingBanners.FirstOrDefaultAsync(b => b.Id == BreakingBanner.SingleId, ct);
        if (banner is null) db.BreakingBanners.Add(banner = new BreakingBanner());
        banner.Text = input.Text;
        banner.ArticleId = input.ArticleId;
        banner.ExpiresAt = input.ExpiresAtUtc;
        banner.SetAt = now;
        banner.SetById = actor.UserId;
        banner.SetByName = actor.DisplayName;
        await db.SaveChangesAsync(ct);
        await ChangedAsync();
        await audit.WriteAsync(actor, AuditActions.BreakingSet, input.Text, $"Until {input.ExpiresAtUtc:yyyy-MM-dd HH:mm} UTC" + (input.ArticleId is { } id ? $", links article #{id}" : ""), ct);
        return ServiceResult<BannerView>.Success((await ReadAsync(db, ct))!);
    }

    /// <summary>"Clear banner".</summary>
    public async Task<ServiceResult> ClearAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var resolved = await actors.ResolveAsync(acting, Capabilities.ManageBreakingNews, ct);
        if (resolved.Value is not { } actor) return ServiceResult.Fail(resolved.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var text = await db.BreakingBanners.Where(b => b.Id == BreakingBanner.SingleId).Select(b => b.Text).FirstOrDefaultAsync(ct);
        if (text is null) return ServiceResult.Ok;
        await db.BreakingBanners.Where(b => b.Id == BreakingBanner.SingleId).ExecuteDeleteAsync(ct);
        await ChangedAsync();
        await audit.WriteAsync(actor, AuditActions.BreakingCleared, text, ct: ct);
        return ServiceResult.Ok;
    }

    /// <summary>
    /// The banner a public page shows now (none once it has expired: rendering checks the time). From this node's
    /// copy, which every node reloads before it evicts the pages (see <see cref="BreakingBroadcast"/>): no query per page.
    /// </summary>
    public async Task<BannerView?> ShownAsync(CancellationToken ct = default)
    {
        var banner = await broadcast.CurrentAsync(ct);
        return banner is not null && BreakingRules.IsShown(banner.ExpiresAt, clock.GetUtcNow().UtcDateTime) ? banner : null;
    }

    /// <summary>Every node reloads the banner, pushes it to its open pages and evicts every public page (it is on all of them).</summary>
    private Task ChangedAsync() => broadcast.AnnounceAsync();

    internal static Task<BannerView?> ReadAsync(NewsCmsDbContext db, CancellationToken ct) =>
        db.BreakingBanners.AsNoTracking().Where(b => b.Id == BreakingBanner.SingleId)
            .Select(b => new
            {
                b.Text, b.ArticleId, b.ExpiresAt, b.SetAt, b.SetByName,
                Article = db.Articles.WherePublic().Where(a => a.Id == b.ArticleId).Select(a => new { a.Headline, a.Slug }).FirstOrDefault(),
            })
            .Select(b => new BannerView(b.Text, b.ArticleId, b.Article == null ? null : b.Article.Headline,
                b.Article == null ? null : "/news/" + b.Article.Slug, b.ExpiresAt, b.SetAt, b.SetByName))
            .FirstOrDefaultAsync(ct);
}

/// <summary>
/// The banner on this node's open pages. Each node learns of a change over the message bus, reads the banner, pushes it
/// to its readers (<see cref="LiveStream"/>) and sets a timer for its expiry: then it pushes the empty banner and
/// evicts the public pages, so the expiry is honoured even when nothing else changes.
/// </summary>
public sealed class BreakingBroadcast : IDisposable
{
    public const string Channel = "breaking";

    private readonly IDbContextFactory<NewsCmsDbContext> dbFactory;
    private readonly LiveStream stream;
    private readonly PublicContent publicContent;
    private readonly MessageBus bus;
    private readonly TimeProvider clock;
    private readonly ILogger<BreakingBroadcast> logger;
    private readonly SemaphoreSlim loading = new(1, 1);
    private LiveFrame? frame;
    private BannerView? current;
    private ITimer? expiry;

    public BreakingBroadcast(IDbContextFactory<NewsCmsDbContext> dbFactory, LiveStream stream, PublicContent publicContent, MessageBus bus,
        RedisConnection redis, TimeProvider clock, ILogger<BreakingBroadcast> logger)
    {
        (this.dbFactory, this.stream, this.publicContent, this.bus, this.clock, this.logger) = (dbFactory, stream, publicContent, bus, clock, logger);
        // Each node reloads its copy first, then evicts every node's pages: a page rendered anywhere after the last of
        // these evictions shows the new banner (one rendered between them is evicted by the next).
        bus.Subscribe(Channel, async _ =>
        {
            await LoadAsync(CancellationToken.None);
            stream.SendToAll(frame!);
            await publicContent.NotifyChangedAsync(PublicChange.EverythingBecause("breaking-news banner changed"));
        });
        // Messages may have been missed while cut off from the other nodes.
        redis.Restored += () => _ = LoadAsync(CancellationToken.None);
    }

    /// <summary>The stored banner (expired or not), as this node last read it.</summary>
    internal async Task<BannerView?> CurrentAsync(CancellationToken ct)
    {
        await EnsureLoadedAsync(ct);
        return Volatile.Read(ref current);
    }

    /// <summary>Tells every node (this one first) that the banner changed.</summary>
    internal Task AnnounceAsync() => bus.PublishAsync(Channel, "changed");

    /// <summary>The banner frame a newly connected page gets first.</summary>
    public async Task<LiveFrame> FrameAsync(CancellationToken ct)
    {
        await EnsureLoadedAsync(ct);
        return frame!;
    }

    internal async Task EnsureLoadedAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref frame) is null) await LoadAsync(ct);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        await loading.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var banner = await BreakingNews.ReadAsync(db, ct);
            var now = clock.GetUtcNow().UtcDateTime;
            var shown = banner is not null && BreakingRules.IsShown(banner.ExpiresAt, now) ? banner : null;
            expiry?.Dispose();
            expiry = shown is null ? null : clock.CreateTimer(_ => _ = ExpiredAsync(), null, shown.ExpiresAt - now, Timeout.InfiniteTimeSpan);
            Volatile.Write(ref current, banner);
            Volatile.Write(ref frame, Frame(shown));
        }
        finally
        {
            loading.Release();
        }
    }

    private async Task ExpiredAsync()
    {
        try
        {
            Volatile.Write(ref frame, Frame(null));
            stream.SendToAll(frame!);
            // Every node does this at the same moment; each eviction of everything is cheap and the pages render once.
            await publicContent.NotifyChangedAsync(PublicChange.EverythingBecause("breaking-news banner expired"));
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not take down the expired breaking-news banner.");
        }
    }

    internal static LiveFrame Frame(BannerView? banner) =>
        LiveFrame.Of(LiveEntryMarkup.Frame("banner", JsonSerializer.Serialize(new { html = BreakingRules.InnerHtml(banner) })));

    public void Dispose() => expiry?.Dispose();
}

public static class BreakingSetup
{
    public static WebApplicationBuilder AddBreakingNews(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BreakingBroadcast>();
        builder.Services.AddScoped<BreakingNews>();
        return builder;
    }
}
