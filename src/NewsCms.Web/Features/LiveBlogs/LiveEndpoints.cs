using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;
using NewsCms.Web.Features.Breaking;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.LiveBlogs;

public static class LiveBlogsSetup
{
    /// <summary>The catch-up windows' cache policy: the public one, keyed by <c>after</c> too.</summary>
    public const string WindowPolicy = "live-window";

    public static WebApplicationBuilder AddLiveBlogs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<LiveStream>();
        builder.Services.AddScoped<LiveBlogService>();
        builder.Services.AddScoped<PublicLiveBlog>();
        builder.Services.Configure<OutputCacheOptions>(options =>
            // After PublicVersionPolicy (which keys other endpoints by no query at all): this one reads "after".
            options.AddPolicy(WindowPolicy, policy => policy.Expire(TimeSpan.FromMinutes(10)).Tag(PublicCache.Tag)
                .AddPolicy<PublicVersionPolicy>().SetVaryByQuery("after")));
        return builder;
    }

    /// <summary>
    /// <c>/live/events</c> and <c>/live/{articleId}/events</c>: the Server-Sent Events of an open public page (the
    /// banner; with an article, its entries too). <c>/live/{articleId}/entries?after={seq}</c>: a cacheable catch-up window.
    /// </summary>
    public static WebApplication MapLiveBlogs(this WebApplication app)
    {
        // Made now, so both subscribe to the message bus at start-up: subscribing later, inside a page's rendering
        // (which has a synchronization context), would block on Redis; and every node hears every change from the start.
        app.Services.GetRequiredService<LiveStream>();
        app.Services.GetRequiredService<BreakingBroadcast>();
        app.MapGet("/live/events", (HttpContext http, LiveStream stream, BreakingBroadcast breaking, IHostApplicationLifetime lifetime) =>
            StreamAsync(http, 0, stream, breaking, lifetime));
        app.MapGet("/live/{articleId:int}/events", (HttpContext http, int articleId, LiveStream stream, BreakingBroadcast breaking, IHostApplicationLifetime lifetime) =>
            StreamAsync(http, articleId, stream, breaking, lifetime));
        app.MapGet("/live/{articleId:int}/entries", WindowAsync).CacheOutput(WindowPolicy);
        return app;
    }

    /// <summary>A window of changes after a Seq (at most <see cref="PublicLiveBlog.WindowSize"/>; <c>more</c> says to ask again from <c>last</c>).</summary>
    private static async Task<IResult> WindowAsync(HttpContext http, int articleId, [FromQuery] long? after, PublicLiveBlog live, CancellationToken ct)
    {
        var window = await live.WindowAsync(articleId, Math.Max(0, after ?? 0), ct);
        if (window is null) return TypedResults.NotFound();
        PublicDependencies.Show(http, PublicDependencies.Live(articleId));
        return TypedResults.Json(window);
    }

    private static async Task StreamAsync(HttpContext http, int articleId, LiveStream stream, BreakingBroadcast breaking, IHostApplicationLifetime lifetime)
    {
        if (HeadRequests.Asked(http))
        {
            // A stream that never ends has no body to measure: a HEAD gets its headers only.
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache, no-transform";
            return;
        }
        var reader = stream.Connect(articleId);
        if (reader is null)
        {
            // The page works without pushes; the script tries again later.
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = "30";
            return;
        }
        // Ends with the reader leaving, or with the app stopping (so shutdown does not wait for open pages).
        using var done = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = done.Token;
        try
        {
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache, no-transform";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            var body = http.Response.Body;
            await body.WriteAsync(RetryFrame, ct);
            // The banner as it is now: a page served from cache just before a change gets it right at once.
            await body.WriteAsync((await breaking.FrameAsync(ct)).Bytes, ct);

            // Where the page (or, on reconnection, the browser's Last-Event-ID) left off: every change since, from the database.
            var last = -1L;
            if (articleId > 0 && StartingSeq(http) is { } since)
            {
                last = since;
                var live = http.RequestServices.GetRequiredService<PublicLiveBlog>();
                for (var window = await live.WindowAsync(articleId, since, ct); window is not null; window = await live.WindowAsync(articleId, last, ct))
                {
                    foreach (var change in window.Entries) await body.WriteAsync(LiveFrame.Of(LiveEntryMarkup.EntryFrame(change)).Bytes, ct);
                    last = window.Last;
                    if (!window.More) break;
                }
            }
            await body.FlushAsync(ct);

            var queue = reader.Queue.Reader;
            while (await queue.WaitToReadAsync(ct))
            {
                while (queue.TryRead(out var frame))
                {
                    // Already sent while catching up (it was queued meanwhile).
                    if (frame.Seq > 0 && frame.Seq <= last) continue;
                    await body.WriteAsync(frame.Bytes, ct);
                }
                await body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The reader left or the app is stopping.
        }
        catch (IOException)
        {
            // The connection dropped while writing.
        }
        finally
        {
            stream.Disconnect(reader);
        }
    }

    private static readonly byte[] RetryFrame = "retry: 2000\n\n"u8.ToArray();

    /// <summary>Last-Event-ID (set by the browser when it reconnects), else <c>?after=</c> (the Seq the page was rendered with).</summary>
    private static long? StartingSeq(HttpContext http)
    {
        var text = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? http.Request.Query["after"].FirstOrDefault();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : null;
    }
}
