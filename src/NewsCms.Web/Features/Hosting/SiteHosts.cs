using Microsoft.Extensions.Options;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// The site answers only for its own host names: BaseUrl's host and NewsCms:Site:AdditionalHosts. Any other Host
/// (or none) gets 400 before anything else runs, so it is never rendered, cached or counted in the cache's keys.
/// Behind a reverse proxy the check applies to the host the proxy forwards (X-Forwarded-Host from a known proxy,
/// otherwise the Host header), so it runs after the forwarded headers. The port is not compared: the proxy and the
/// app may listen on different ones.
/// </summary>
/// <remarks>
/// /healthz is exempt: load balancers and container health checks call the app by its address (10.0.0.7:8080), and
/// the health answer depends on nothing but the database, is never cached and shows nothing of the site.
/// </remarks>
public static class SiteHosts
{
    public const string HealthPath = "/healthz";

    public static IApplicationBuilder UseSiteHosts(this IApplicationBuilder app)
    {
        var site = app.ApplicationServices.GetRequiredService<IOptions<SiteOptions>>().Value;
        var allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { site.BaseUri.Host, site.BaseUri.IdnHost };
        foreach (var host in site.AdditionalHosts)
        {
            allowed.Add(host);
            if (Uri.TryCreate($"http://{host}/", UriKind.Absolute, out var uri)) allowed.Add(uri.IdnHost);
        }
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SiteHosts));

        return app.Use((context, next) =>
        {
            var host = context.Request.Host;
            if ((host.HasValue && allowed.Contains(host.Host)) || context.Request.Path.Equals(HealthPath, StringComparison.OrdinalIgnoreCase))
            {
                return next(context);
            }
            logger.LogDebug("Refused a request for host {Host}: not a host of this site.", host.Value);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("This server does not serve that host.");
        });
    }
}
