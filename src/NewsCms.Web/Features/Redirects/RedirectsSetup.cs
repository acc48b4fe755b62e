namespace NewsCms.Web.Features.Redirects;

public static class RedirectsSetup
{
    /// <summary>Redirects: the newsroom's service, the table in memory, and the hit counts with their flusher.</summary>
    public static WebApplicationBuilder AddRedirects(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<Redirects>();
        builder.Services.AddSingleton<RedirectTable>();
        builder.Services.AddSingleton<RedirectHits>();
        builder.Services.AddHostedService<RedirectHitFlusher>();
        return builder;
    }

    /// <summary>Loads the table before the first request (and makes it listen for changes from now on).</summary>
    public static Task LoadRedirectsAsync(this WebApplication app) => app.Services.GetRequiredService<RedirectTable>().EnsureLoadedAsync();

    /// <summary>
    /// Answers GET and HEAD requests for an old address from memory: 301 to where it goes now (with the request's
    /// query, unless the old address was a query form such as "/?p=123"), or 410, which the status-code pages then
    /// render as the "gone" page. Anything else goes on.
    /// </summary>
    public static IApplicationBuilder UseRedirects(this IApplicationBuilder app)
    {
        var table = app.ApplicationServices.GetRequiredService<RedirectTable>();
        var hits = app.ApplicationServices.GetRequiredService<RedirectHits>();
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && table.Count > 0)
            {
                var (queryForm, path) = RedirectPaths.ForRequest(request.Path.Value ?? "/", request.QueryString.Value);
                if (table.Find(queryForm, path) is var (entry, fromQueryForm))
                {
                    hits.Count(entry.Id);
                    if (entry.Location is null)
                    {
                        context.Response.StatusCode = StatusCodes.Status410Gone;
                        // A HEAD has no page to show (and the pages answer GET only).
                        if (HttpMethods.IsHead(request.Method) && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
                        return;
                    }
                    var location = entry.Location;
                    if (!fromQueryForm && request.QueryString.HasValue)
                    {
                        location += (location.Contains('?') ? "&" : "?") + request.QueryString.Value![1..];
                    }
                    context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
                    context.Response.Headers.Location = RedirectPaths.ForLocation(location);
                    // Browsers keep a 301 without a lifetime for good: an hour lets the newsroom correct a mistake.
                    context.Response.Headers.CacheControl = "public, max-age=3600";
                    return;
                }
            }
            await next(context);
        });
    }
}
