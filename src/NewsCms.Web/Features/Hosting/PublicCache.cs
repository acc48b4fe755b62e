using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Primitives;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Net.Http.Headers;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// Caching of what readers see. Public pages and feeds carry <c>[OutputCache(PolicyName = PublicCache.Policy)]</c>:
/// anonymous responses are kept in this node's output cache with tags saying what they show, and a change evicts
/// only the responses that show what changed, on every node (the rule is <see cref="PublicDependencies"/>). Browsers
/// revalidate with an ETag that changes with every change on the site (so a second look is a 304 until then; an
/// unrelated change makes it a 200 from the cache). Public responses never set a cookie (see
/// <see cref="PublicAntiforgery"/>), so none is stored.
/// </summary>
public static class PublicCache
{
    public const string Policy = "public";

    /// <summary>For public responses that also change with the clock (the news sitemap's 48 hours): cached briefly, no ETag.</summary>
    public const string TimeBoundPolicy = "public-time-bound";
    public const string Tag = PublicDependencies.Everything;

    public static WebApplicationBuilder AddPublicCache(this WebApplicationBuilder builder)
    {
        builder.Services.AddOutputCache(options =>
        {
            options.AddPolicy(Policy, policy => policy.Expire(TimeSpan.FromMinutes(10)).Tag(Tag).AddPolicy<PublicVersionPolicy>());
            options.AddPolicy(TimeBoundPolicy, policy => policy.Expire(TimeSpan.FromMinutes(1)).Tag(Tag).AddPolicy<PublicVersionPolicy>());
        });
        builder.Services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["application/rss+xml", "application/atom+xml", "image/svg+xml"]);
        });
        builder.Services.AddSingleton<PublicCacheVersion>();
        PublicAntiforgery.Register(builder.Services);
        return builder;
    }

    /// <summary>
    /// Before the output cache: the public content version this request is answered from is taken once, so its ETag
    /// and its Last-Modified name the same version, and what it shows can be checked for changes since; a reader whose
    /// copy is current gets 304 without any rendering. Public responses get that ETag and a revalidate-always
    /// Cache-Control. After the output cache has stored a response, anything it shows that changed while it was
    /// rendered is evicted again: the change's own eviction may have run before the store.
    /// </summary>
    public static WebApplication UsePublicCache(this WebApplication app)
    {
        app.UseResponseCompression();
        app.Use(async (context, next) =>
        {
            if (!IsPublic(context, Policy))
            {
                await next(context);
                return;
            }
            var version = PublicVersionPolicy.VersionOf(context);
            if (version.IsCurrent(context.Request.GetTypedHeaders()))
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                context.Response.Headers.ETag = version.ETag;
                context.Response.GetTypedHeaders().LastModified = version.LastModified;
                return;
            }
            // Outside the output cache, so pages served from it get them too; the version is the one in the cache key.
            context.Response.OnStarting(() =>
            {
                if (context.Response.StatusCode == StatusCodes.Status200OK)
                {
                    context.Response.Headers.ETag = version.ETag;
                    context.Response.GetTypedHeaders().LastModified = version.LastModified;
                    context.Response.Headers.CacheControl = "no-cache";
                }
                return Task.CompletedTask;
            });
            await next(context);
            if (PublicVersionPolicy.StoredTags(context) is { } tags)
            {
                var versions = context.RequestServices.GetRequiredService<PublicCacheVersion>();
                if (versions.ChangedSince(tags, version.Number) is { Count: > 0 } changed) versions.Evict(changed);
            }
        });
        app.UseOutputCache();
        return app;
    }

    /// <summary>An anonymous GET or HEAD of an endpoint marked with a public cache policy (<paramref name="policy"/>, or either).</summary>
    internal static bool IsPublic(HttpContext context, string? policy = null) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && context.User.Identity?.IsAuthenticated != true
        && context.GetEndpoint()?.Metadata.GetMetadata<OutputCacheAttribute>() is { PolicyName: { } name }
        && (policy is null ? name is Policy or TimeBoundPolicy : name == policy);
}

/// <summary>
/// Part of both public cache policies. A response rendered while something it shows changed is not stored, as it may
/// show either (the tags it shows are checked against the changes since the version the request started under).
/// Responses that are not pages (feeds, sitemaps) carry the <c>feeds</c> tag; pages tag themselves with what they show.
/// The key varies only by the query keys the page reads (its [SupplyParameterFromQuery] properties): any other
/// query string (tracking parameters, cache-busting junk) is served the same entry and makes no new one.
/// </summary>
public sealed class PublicVersionPolicy(PublicCacheVersion versions) : IOutputCachePolicy
{
    private static readonly object ItemKey = new();
    private static readonly object TagsKey = new();
    private readonly ConcurrentDictionary<Endpoint, (StringValues QueryKeys, bool IsPage)> endpoints = new();

    /// <summary>The version this request is answered from, taken on first use.</summary>
    internal static PublicVersion VersionOf(HttpContext context)
    {
        if (context.Items[ItemKey] is PublicVersion taken) return taken;
        var version = context.RequestServices.GetRequiredService<PublicCacheVersion>().Current;
        context.Items[ItemKey] = version;
        return version;
    }

    /// <summary>The tags of the response the output cache may have stored for this request, or null.</summary>
    internal static HashSet<string>? StoredTags(HttpContext context) => context.Items[TagsKey] as HashSet<string>;

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        VersionOf(context.HttpContext);
        var (queryKeys, isPage) = context.HttpContext.GetEndpoint() is { } endpoint
            ? endpoints.GetOrAdd(endpoint, e => (QueryKeysOf(e), IsPage(e)))
            : (StringValues.Empty, false);
        context.CacheVaryByRules.QueryKeys = queryKeys;
        if (!isPage) context.Tags.Add(PublicDependencies.Feeds);
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        if (versions.ChangedSince(context.Tags, VersionOf(context.HttpContext).Number).Count > 0) context.AllowCacheStorage = false;
        if (context.AllowCacheStorage) context.HttpContext.Items[TagsKey] = context.Tags;
        return ValueTask.CompletedTask;
    }

    private static bool IsPage(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null;

    /// <summary>The query keys a page reads; none for the other endpoints (feeds, sitemaps), which read none.</summary>
    internal static StringValues QueryKeysOf(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>()?.Type is { } page
            ? new StringValues(page.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .Select(p => p.GetCustomAttribute<SupplyParameterFromQueryAttribute>() is { } query ? query.Name ?? p.Name : null)
                .OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToArray())
            : StringValues.Empty;
}

/// <summary>A version of what readers can see: its number, and the validators of every public page rendered from it.</summary>
public sealed record PublicVersion(string Instance, long Number, DateTimeOffset LastModified)
{
    public string ETag => $"W/\"{Instance}-{Number}\"";

    /// <summary>
    /// Whether the reader's copy is current: its ETag matches, or, when it sent none, it was modified no earlier than
    /// the last change (If-None-Match wins over If-Modified-Since, as HTTP says).
    /// </summary>
    public bool IsCurrent(Microsoft.AspNetCore.Http.Headers.RequestHeaders request)
    {
        if (request.IfNoneMatch is { Count: > 0 } tags)
        {
            var current = Microsoft.Net.Http.Headers.EntityTagHeaderValue.Parse(ETag);
            return tags.Any(t => t.Equals(Microsoft.Net.Http.Headers.EntityTagHeaderValue.Any) || t.Compare(current, useStrongComparison: false));
        }
        return request.IfModifiedSince is { } since && since >= LastModified;
    }
}

/// <summary>
/// This node's view of changes to what readers see (made here or on another node): counts them for the ETag readers
/// revalidate against, remembers which version last changed each tag, and evicts the tags each change names. The
/// instance id keeps ETags from two runs of the app (or two nodes) apart.
/// </summary>
public sealed class PublicCacheVersion
{
    private readonly IOutputCacheStore store;
    private readonly ILogger<PublicCacheVersion> logger;
    private PublicVersion current;

    /// <summary>
    /// The version number of each tag's last change. One entry per tag ever changed since start-up (at most one per
    /// article, term and listing): small next to the pages cached.
    /// </summary>
    private readonly ConcurrentDictionary<string, long> lastChanged = new();

    public PublicCacheVersion(PublicContent content, SiteSettingsStore settings, IOutputCacheStore store, ILogger<PublicCacheVersion> logger, TimeProvider clock)
    {
        this.store = store;
        this.logger = logger;
        current = new PublicVersion(Guid.NewGuid().ToString("N")[..8], 0, DateTimeOffset.FromUnixTimeSeconds(clock.GetUtcNow().ToUnixTimeSeconds() + 1));
        content.Changed += Changed;
        // Settings saved here are news for every node. The bus delivers to this node before its first await, so
        // this node's pages are evicted when Invalidate returns; sending to the others logs its own failures.
        settings.Changed += () => _ = content.NotifyChangedAsync(PublicChange.Settings);

        void Changed(PublicChange change)
        {
            // Number and date move together. The date is in whole seconds (HTTP dates have no more), rounded up and
            // strictly increasing: two changes within one second still give two different dates, so a copy from
            // between them is never taken for current.
            PublicVersion seen, next;
            do
            {
                seen = Volatile.Read(ref current)!;
                var seconds = Math.Max(clock.GetUtcNow().ToUnixTimeSeconds() + 1, seen.LastModified.ToUnixTimeSeconds() + 1);
                next = seen with { Number = seen.Number + 1, LastModified = DateTimeOffset.FromUnixTimeSeconds(seconds) };
            }
            while (Interlocked.CompareExchange(ref current, next, seen) != seen);
            // What else this node keeps in memory about public content: the settings snapshot (saved on any node,
            // or perhaps while this node was cut off). The public lookups (sections, tags, authors) keep nothing.
            if (change.EvictsEverything) settings.Forget();
            // Marked before evicting: a response being rendered meanwhile sees the mark and is not stored, or, if it
            // was stored before the mark, this eviction removes it (see UsePublicCache).
            foreach (var tag in change.Evicts) lastChanged.AddOrUpdate(tag, next.Number, (_, old) => Math.Max(old, next.Number));
            Evict(change.Evicts);
        }
    }

    /// <summary>What readers can see now: its number and when it last changed (or the app started).</summary>
    public PublicVersion Current => Volatile.Read(ref current);

    /// <summary>Those of <paramref name="tags"/> changed after version <paramref name="since"/> (every response carries <c>public</c>).</summary>
    internal List<string> ChangedSince(IEnumerable<string> tags, long since)
    {
        var changed = new List<string>();
        foreach (var tag in tags)
        {
            if (lastChanged.TryGetValue(tag, out var number) && number > since) changed.Add(tag);
        }
        return changed;
    }

    internal void Evict(IEnumerable<string> tags)
    {
        foreach (var tag in tags)
        {
            // The memory store evicts at once; the continuation only logs a failure.
            var eviction = store.EvictByTagAsync(tag, CancellationToken.None);
            if (!eviction.IsCompletedSuccessfully)
            {
                _ = eviction.AsTask().ContinueWith(
                    t => logger.LogError(t.Exception, "Could not evict {Tag} from the public page cache.", tag), TaskContinuationOptions.OnlyOnFaulted);
            }
        }
    }
}
