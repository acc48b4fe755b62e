using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Net.Http.Headers;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;

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
        builder.Services.AddOptions<PublicCacheOptions>().BindConfiguration(PublicCacheOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Half of NewsCms:PublicCache:SizeLimitMB; the fast path's copies take the other half.
        builder.Services.AddOptions<OutputCacheOptions>().Configure<IOptions<PublicCacheOptions>>((output, cache) => output.SizeLimit = cache.Value.HalfBytes);
        builder.Services.AddSingleton<PublicFastPath>();
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
        // The framework's memory store, behind the check that no copy older than a change to what it shows is served.
        var memory = builder.Services.Last(d => d.ServiceType == typeof(IOutputCacheStore));
        builder.Services.Remove(memory);
        builder.Services.AddSingleton(services =>
            new PublicCacheStore((IOutputCacheStore)memory.ImplementationFactory!(services), services.GetRequiredService<PublicCacheVersion>()));
        builder.Services.AddSingleton<IOutputCacheStore>(services => services.GetRequiredService<PublicCacheStore>());
        PublicAntiforgery.Register(builder.Services);
        return builder;
    }

    /// <summary>
    /// Before the output cache: the public content version this request is answered from is taken once, so its ETag
    /// and its Last-Modified name the same version, and what it shows can be checked for changes since; a reader whose
    /// copy is current gets 304 without any rendering. Public responses get that ETag and a revalidate-always
    /// Cache-Control.
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
        });
        var fastPath = app.Services.GetRequiredService<PublicFastPath>();
        if (fastPath.Enabled)
        {
            app.Use((context, next) => IsPublic(context, Policy) ? fastPath.LearnAsync(context, next) : next(context));
        }
        app.UseOutputCache();
        return app;
    }

    /// <summary>
    /// The fast path for readers' cache hits (<see cref="PublicFastPath"/>): after the host check and the redirects,
    /// before routing and authentication. Pages it does not hold go on to the whole pipeline.
    /// </summary>
    public static WebApplication UsePublicFastPath(this WebApplication app)
    {
        var fastPath = app.Services.GetRequiredService<PublicFastPath>();
        if (fastPath.Enabled) app.Use((context, next) => fastPath.TryServe(context) ?? next(context));
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
/// show either (the tags it shows are checked against the changes since the version the request started under); one
/// stored is stamped with that version, so it is not served once something it shows changes (<see cref="PublicCacheStore"/>).
/// Responses that are not pages (feeds, sitemaps) carry the <c>feeds</c> tag; pages tag themselves with what they show.
/// The key varies only by the query keys the page reads (its [SupplyParameterFromQuery] properties): any other
/// query string (tracking parameters, cache-busting junk) is served the same entry and makes no new one.
/// </summary>
public sealed class PublicVersionPolicy(PublicCacheVersion versions) : IOutputCachePolicy
{
    private static readonly object ItemKey = new();
    private readonly ConcurrentDictionary<Endpoint, (StringValues QueryKeys, bool IsPage)> endpoints = new();

    /// <summary>The version this request is answered from, taken on first use.</summary>
    internal static PublicVersion VersionOf(HttpContext context)
    {
        if (context.Items[ItemKey] is PublicVersion taken) return taken;
        var version = context.RequestServices.GetRequiredService<PublicCacheVersion>().Current;
        context.Items[ItemKey] = version;
        return version;
    }

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
        var since = VersionOf(context.HttpContext).Number;
        if (versions.ChangedSince(context.Tags, since)) context.AllowCacheStorage = false;
        else context.Tags.Add(PublicCacheStore.SinceTag(since));
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
    private readonly IServiceProvider services;
    private readonly ILogger<PublicCacheVersion> logger;
    private IOutputCacheStore? store;
    private PublicVersion current;

    /// <summary>
    /// The version number of each tag's last change. One entry per tag ever changed since start-up (at most one per
    /// article, term and listing): small next to the pages cached.
    /// </summary>
    private readonly ConcurrentDictionary<string, long> lastChanged = new();

    /// <param name="services">Gives the output cache store when first needed (the store reads the versions kept here).</param>
    public PublicCacheVersion(PublicContent content, SiteSettingsStore settings, PublicTaxonomy taxonomy, IServiceProvider services, ILogger<PublicCacheVersion> logger, TimeProvider clock)
    {
        this.services = services;
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
            // or perhaps while this node was cut off) and the sections (a change to one names it: an article filed in
            // it, the section itself). The other public lookups (tags, authors) keep nothing.
            if (change.EvictsEverything) settings.Forget();
            if (change.EvictsEverything || change.Evicts.Any(tag => tag.StartsWith(PublicDependencies.SectionPrefix, StringComparison.Ordinal))) taxonomy.ForgetSections();
            // Marked before evicting: from now on no copy that shows what changed and is older than the change is
            // stored or served (see PublicCacheStore), even while the eviction is under way; evicting frees the memory.
            foreach (var tag in change.Evicts) lastChanged.AddOrUpdate(tag, next.Number, (_, old) => Math.Max(old, next.Number));
            Evict(change.Evicts);
        }
    }

    /// <summary>What readers can see now: its number and when it last changed (or the app started).</summary>
    public PublicVersion Current => Volatile.Read(ref current);

    /// <summary>Whether one of <paramref name="tags"/> changed after version <paramref name="since"/> (every response carries <c>public</c>).</summary>
    internal bool ChangedSince(IEnumerable<string> tags, long since)
    {
        foreach (var tag in tags)
        {
            if (lastChanged.TryGetValue(tag, out var number) && number > since) return true;
        }
        return false;
    }

    private void Evict(IEnumerable<string> tags)
    {
        store ??= services.GetRequiredService<IOutputCacheStore>();
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

/// <summary>
/// The node's output cache store with a stamp on each public entry: the version its rendering started under and the
/// tags it shows. An entry one of whose tags changed after its version is not served (a miss: the page is rendered
/// again and replaces it), so a copy older than a change is never served, even before the change's eviction has
/// run. The stamp is kept beside the stored array, not in it, so a hit copies nothing; it goes when the array does.
/// </summary>
public sealed class PublicCacheStore(IOutputCacheStore inner, PublicCacheVersion versions) : IOutputCacheStore
{
    private const string SincePrefix = "public-since:";

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<byte[], Stamp> stamps = new();

    private sealed record Stamp(long Since, string[] Tags);

    /// <summary>The tag that passes a response's version from the policy to the store (the store does not keep it as a tag).</summary>
    internal static string SinceTag(long version) => SincePrefix + version.ToString(CultureInfo.InvariantCulture);

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var pending = inner.GetAsync(key, cancellationToken);
        return pending.IsCompletedSuccessfully ? ValueTask.FromResult(Current(key, pending.Result)) : Awaited(pending);

        async ValueTask<byte[]?> Awaited(ValueTask<byte[]?> stored) => Current(key, await stored);
    }

    private byte[]? Current(string key, byte[]? value)
    {
        if (value is null) return null;
        if (!stamps.TryGetValue(value, out var stamp)) return value;
        if (versions.ChangedSince(stamp.Tags, stamp.Since)) return null;
        PublicFastPath.Found(key, stamp);
        return value;
    }

    /// <summary>
    /// For <see cref="PublicFastPath"/>: the stamp of the public entry stored under <paramref name="key"/> while it
    /// would be served (null otherwise, or when the store cannot answer at once). The stamp stands for that entry:
    /// a new entry under the same key has a new one.
    /// </summary>
    internal object? CurrentStamp(string key)
    {
        var pending = inner.GetAsync(key, CancellationToken.None);
        if (!pending.IsCompletedSuccessfully)
        {
            _ = pending.AsTask();
            return null;
        }
        return pending.Result is { } value && stamps.TryGetValue(value, out var stamp) && !versions.ChangedSince(stamp.Tags, stamp.Since) ? stamp : null;
    }

    public ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (tags?.FirstOrDefault(t => t.StartsWith(SincePrefix, StringComparison.Ordinal)) is { } sinceTag)
        {
            tags = [.. tags.Where(t => t != sinceTag)];
            stamps.AddOrUpdate(value, new Stamp(long.Parse(sinceTag.AsSpan(SincePrefix.Length), CultureInfo.InvariantCulture), tags));
        }
        return inner.SetAsync(key, value, tags, validFor, cancellationToken);
    }

    public ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken) => inner.EvictByTagAsync(tag, cancellationToken);
}
