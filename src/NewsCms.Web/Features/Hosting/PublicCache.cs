using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Net.Http.Headers;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// Caching of what readers see. Public pages and feeds carry <c>[OutputCache(PolicyName = PublicCache.Policy)]</c>:
/// anonymous responses are kept in the output cache under one tag, evicted whenever anything readers can see changes,
/// and browsers revalidate them with an ETag that changes at the same moments (so a second look is a 304).
/// </summary>
public static class PublicCache
{
    public const string Policy = "public";

    /// <summary>For public responses that also change with the clock (the news sitemap's 48 hours): cached briefly, no ETag.</summary>
    public const string TimeBoundPolicy = "public-time-bound";
    public const string Tag = "public";

    private const string AntiforgeryCookie = ".AspNetCore.Antiforgery.";

    public static WebApplicationBuilder AddPublicCache(this WebApplicationBuilder builder)
    {
        builder.Services.AddOutputCache(options =>
        {
            options.AddPolicy(Policy, policy => policy.Expire(TimeSpan.FromMinutes(10)).Tag(Tag).SetVaryByQuery("page", "q"));
            options.AddPolicy(TimeBoundPolicy, policy => policy.Expire(TimeSpan.FromMinutes(1)).Tag(Tag));
        });
        builder.Services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["application/rss+xml", "application/atom+xml", "image/svg+xml"]);
        });
        builder.Services.AddSingleton<PublicCacheVersion>();
        return builder;
    }

    /// <summary>
    /// Before the output cache: a reader whose copy is current gets 304 without any rendering.
    /// After it: public responses lose the antiforgery cookie Blazor adds to every page (public pages have no forms, and
    /// a response that sets a cookie is never cached), and get the ETag and a revalidate-always Cache-Control.
    /// </summary>
    public static WebApplication UsePublicCache(this WebApplication app)
    {
        app.UseResponseCompression();
        app.Use(async (context, next) =>
        {
            if (!IsPublic(context))
            {
                await next(context);
                return;
            }
            var version = context.RequestServices.GetRequiredService<PublicCacheVersion>();
            if (version.IsCurrent(context.Request.GetTypedHeaders()))
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                context.Response.Headers.ETag = version.ETag;
                context.Response.GetTypedHeaders().LastModified = version.LastModified;
                return;
            }
            // Outside the output cache, so pages served from it get them too (it stores a response's headers
            // before OnStarting callbacks inside it run).
            var (etag, lastModified) = (version.ETag, version.LastModified);
            context.Response.OnStarting(() =>
            {
                if (context.Response.StatusCode == StatusCodes.Status200OK)
                {
                    context.Response.Headers.ETag = etag;
                    context.Response.GetTypedHeaders().LastModified = lastModified;
                    context.Response.Headers.CacheControl = "no-cache";
                    context.Response.Headers.Remove(HeaderNames.Pragma);
                }
                return Task.CompletedTask;
            });
            await next(context);
        });
        app.UseOutputCache();
        app.Use((context, next) =>
        {
            if (IsPublic(context))
            {
                context.Response.OnStarting(() =>
                {
                    var cookies = context.Response.Headers.SetCookie;
                    if (cookies.Count > 0)
                    {
                        context.Response.Headers.SetCookie = cookies.Where(c => c is not null && !c.StartsWith(AntiforgeryCookie, StringComparison.Ordinal)).ToArray();
                    }
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
        return app;
    }

    /// <summary>An anonymous GET or HEAD of an endpoint marked with the public policy.</summary>
    private static bool IsPublic(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && context.User.Identity?.IsAuthenticated != true
        && context.GetEndpoint()?.Metadata.GetMetadata<OutputCacheAttribute>() is { PolicyName: Policy };
}

/// <summary>
/// Counts changes to public content and settings; evicts the output cache on each and makes the ETag readers revalidate
/// against. The instance id keeps ETags from two runs of the app apart.
/// </summary>
public sealed class PublicCacheVersion
{
    private readonly string instance = Guid.NewGuid().ToString("N")[..8];
    private long version;
    private long lastModifiedSeconds;

    public PublicCacheVersion(PublicContent content, SiteSettingsStore settings, IOutputCacheStore store, ILogger<PublicCacheVersion> logger, TimeProvider clock)
    {
        content.Changed += Changed;
        settings.Changed += Changed;
        lastModifiedSeconds = clock.GetUtcNow().ToUnixTimeSeconds() + 1;

        void Changed()
        {
            Interlocked.Increment(ref version);
            // Whole seconds (HTTP dates have no more), rounded up and strictly increasing: two changes within one
            // second still give two different dates, so a copy from between them is never taken for current.
            long seen, next;
            do
            {
                seen = Interlocked.Read(ref lastModifiedSeconds);
                next = Math.Max(clock.GetUtcNow().ToUnixTimeSeconds() + 1, seen + 1);
            }
            while (Interlocked.CompareExchange(ref lastModifiedSeconds, next, seen) != seen);
            // Fire and forget: the in-memory store evicts synchronously in practice; a failure only means a stale page for minutes.
            _ = store.EvictByTagAsync(PublicCache.Tag, CancellationToken.None).AsTask().ContinueWith(
                t => logger.LogError(t.Exception, "Could not evict the public page cache."), TaskContinuationOptions.OnlyOnFaulted);
        }
    }

    public string ETag => $"W/\"{instance}-{Interlocked.Read(ref version)}\"";

    /// <summary>When public content last changed (or the app started): the Last-Modified of every public page.</summary>
    public DateTimeOffset LastModified => DateTimeOffset.FromUnixTimeSeconds(Interlocked.Read(ref lastModifiedSeconds));

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
