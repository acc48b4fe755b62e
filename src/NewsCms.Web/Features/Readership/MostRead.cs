using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Web.Features.Readership;

/// <summary>An article in the "Most read" block.</summary>
public sealed record MostReadItem(int ArticleId, string Headline, string Slug);

/// <summary>
/// The public "Most read" list: the public articles with the most views today and yesterday (the site's days, so the
/// list is not empty just after midnight), kept in memory and worked out again every
/// <see cref="ReadershipOptions.MostReadRefreshSeconds"/> seconds, never per request, and at once when an article
/// on it changes (a new headline, unpublished). Pages read <see cref="Current"/> and make no query for it. When the
/// list changes (other articles, another order, a new headline; not the counts, which are not shown) the home page
/// is evicted by the <c>most-read</c> tag (see <see cref="PublicDependencies"/>). Article pages keep the list they
/// were rendered with: they are evicted only when a story they show changes, once by that change and once more
/// when the list has taken it in (a page rendered in between showed the story as it was).
/// </summary>
public sealed class MostRead : BackgroundService
{
    private readonly IDbContextFactory<NewsCmsDbContext> dbFactory;
    private readonly SiteSettingsStore settings;
    private readonly PublicContent content;
    private readonly IOptions<ReadershipOptions> options;
    private readonly TimeProvider clock;
    private readonly ILogger<MostRead> logger;
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile IReadOnlyList<MostReadItem> current = [];
    private volatile CancellationTokenSource wakeUp = new();

    /// <summary>Articles on the list that changed since it was last worked out.</summary>
    private readonly ConcurrentDictionary<int, bool> changed = new();

    public MostRead(IDbContextFactory<NewsCmsDbContext> dbFactory, SiteSettingsStore settings, PublicContent content,
        IOptions<ReadershipOptions> options, TimeProvider clock, ILogger<MostRead> logger)
    {
        this.dbFactory = dbFactory;
        this.settings = settings;
        this.content = content;
        this.options = options;
        this.clock = clock;
        this.logger = logger;
        content.Changed += change =>
        {
            var touched = current.Where(item => change.Evicts.Contains(PublicDependencies.Article(item.ArticleId))).ToList();
            foreach (var item in touched) changed[item.ArticleId] = true;
            if (change.EvictsEverything || touched.Count > 0) wakeUp.Cancel();
        };
    }

    /// <summary>How long after a change to an article on the list it is worked out again.</summary>
    public static readonly TimeSpan WakeDelay = TimeSpan.FromSeconds(2);

    /// <summary>The list now (one more than the block shows, so an article page can leave itself out).</summary>
    public IReadOnlyList<MostReadItem> Current => current;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.MostReadRefreshSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (wakeUp.IsCancellationRequested) wakeUp = new();
            var woken = wakeUp;
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Could not work out the most read articles; trying again in {Interval}.", interval);
            }
            // An article on the list changed during the refresh: read it again at once.
            if (woken.IsCancellationRequested) continue;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, woken.Token);
            try
            {
                await Task.Delay(interval, clock, wait.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Woken by a change to an article on the list. A moment's wait gathers a burst of changes (a live
                // blog's entries each change its article) into one refresh.
                await Task.Delay(WakeDelay, clock, stoppingToken);
            }
        }
    }

    /// <summary>Reads the list again; when it differs, the pages that follow it are evicted on every node.</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        await gate.WaitAsync(ct);
        try
        {
            // Taken before the list is read: a change arriving after this wakes the next refresh.
            int[] touched = [.. changed.Keys];
            foreach (var id in touched) changed.TryRemove(id, out _);
            try
            {
                await RefreshListAsync(touched, ct);
            }
            catch
            {
                foreach (var id in touched) changed[id] = true; // for the next try
                throw;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The list as stored now; when it differs, the home page is evicted, and so are the pages listing an article on
    /// it that changed (<paramref name="touched"/>), again (see the class summary).
    /// </summary>
    private async Task RefreshListAsync(int[] touched, CancellationToken ct)
    {
        var today = ViewCounter.DayOf(clock.GetUtcNow(), (await settings.GetAsync(ct)).TimeZone);
        var since = today.AddDays(-1);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var top = await db.ArticleViewDays.Where(v => v.Day >= since)
            .GroupBy(v => v.ArticleId).Select(g => new { ArticleId = g.Key, Views = g.Sum(v => v.Views) })
            .Join(db.Articles.Where(Article.IsPublicExpression), v => v.ArticleId, a => a.Id, (v, a) => new { a.Id, a.Headline, a.Slug, v.Views })
            .OrderByDescending(x => x.Views).ThenByDescending(x => x.Id).Take(options.Value.MostReadCount + 1)
            .ToListAsync(ct);
        var list = top.Select(x => new MostReadItem(x.Id, x.Headline, x.Slug)).ToList();
        if (list.SequenceEqual(current)) return;
        current = list;
        await content.NotifyChangedAsync(new PublicChange("the most read list",
            [PublicDependencies.MostRead, .. touched.Select(PublicDependencies.Article)]));
    }
}
