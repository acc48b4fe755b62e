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
/// anonymous responses are kept in the output cache under one tag and the public content version, evicted whenever
/// anything readers can see changes, and browsers revalidate them with an ETag that changes at the same moments (so a
/// second look is a 304). Public responses never set a cookie (see <see cref="PublicAntiforgery"/>), so none is stored.
/// </summary>
public static class PublicCache
{
    public const string Policy = "public";

    /// <summary>For public responses that also change with the clock (the news sitemap's 48 hours): cached briefly, no ETag.</summary>
    public const string TimeBoundPolicy = "public-time-bound";
    public const string Tag = "public";

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
    /// Before the output cache: the public content version this request is answered from is taken once, so its
    /// cache key, its ETag and its Last-Modified all name the same version; and a reader whose copy is current gets
    /// 304 without any rendering. Public responses get that ETag and a revalidate-always Cache-Control.
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
/// Part of both public cache policies. The cache key holds the public content version the request started under,
/// so a copy from before a change is never served after it (even in the moment between the change and the
/// eviction); a response whose version changed while it was rendered is not stored at all, as it may show either.
/// The key varies only by the query keys the page reads (its [SupplyParameterFromQuery] properties): any other
/// query string (tracking parameters, cache-busting junk) is served the same entry and makes no new one.
/// </summary>
public sealed class PublicVersionPolicy(PublicCacheVersion versions) : IOutputCachePolicy
{
    private static readonly object ItemKey = new();
    private readonly ConcurrentDictionary<Endpoint, StringValues> queryKeys = new();

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
        var version = VersionOf(context.HttpContext);
        context.CacheVaryByRules.VaryByValues["public-version"] = version.Number.ToString(CultureInfo.InvariantCulture);
        context.CacheVaryByRules.QueryKeys = context.HttpContext.GetEndpoint() is { } endpoint
            ? queryKeys.GetOrAdd(endpoint, QueryKeysOf)
            : StringValues.Empty;
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        if (versions.Current.Number != VersionOf(context.HttpContext).Number) context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }

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
/// Counts changes to public content and settings; evicts the output cache on each and makes the ETag readers revalidate
/// against. The instance id keeps ETags from two runs of the app apart.
/// </summary>
public sealed class PublicCacheVersion
{
    private PublicVersion current;

    public PublicCacheVersion(PublicContent content, SiteSettingsStore settings, IOutputCacheStore store, ILogger<PublicCacheVersion> logger, TimeProvider clock)
    {
        current = new PublicVersion(Guid.NewGuid().ToString("N")[..8], 0, DateTimeOffset.FromUnixTimeSeconds(clock.GetUtcNow().ToUnixTimeSeconds() + 1));
        content.Changed += Changed;
        settings.Changed += Changed;

        void Changed()
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
            // The version is in the cache key, so nothing older is served from here on; evicting frees the memory.
            _ = store.EvictByTagAsync(PublicCache.Tag, CancellationToken.None).AsTask().ContinueWith(
                t => logger.LogError(t.Exception, "Could not evict the public page cache."), TaskContinuationOptions.OnlyOnFaulted);
        }
    }

    /// <summary>What readers can see now: its number and when it last changed (or the app started).</summary>
    public PublicVersion Current => Volatile.Read(ref current);
}
