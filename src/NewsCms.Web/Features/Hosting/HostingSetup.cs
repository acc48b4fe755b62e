using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Web.Features.Hosting;

public static class HostingSetup
{
    /// <summary>
    /// The repository-root appsettings.json travels next to the app's assembly. Its source goes just before the
    /// environment variables, so NewsCms__* and ConnectionStrings__NewsCms still override it.
    /// </summary>
    public static WebApplicationBuilder AddRootSettingsFile(this WebApplicationBuilder builder)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var sources = builder.Configuration.Sources;
        var environmentIndex = sources.ToList().FindLastIndex(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        var source = new JsonConfigurationSource { Path = path, Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        if (environmentIndex < 0) sources.Add(source);
        else sources.Insert(environmentIndex, source);
        return builder;
    }

    public static WebApplicationBuilder AddNewsCmsHosting(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<TimeProvider>(new StoredPrecisionClock());
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReverseProxyOptions>().BindConfiguration(ReverseProxyOptions.Section).ValidateOnStart()
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _)),
                "NewsCms:ReverseProxy:KnownProxies must list IP addresses only.");
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ReverseProxyOptions>>((forwarded, proxy) =>
        {
            // Trust forwarded headers only from the configured proxies (not even loopback by default). With no proxy
            // configured none is read: the middleware would otherwise believe anyone when both lists are empty.
            forwarded.ForwardedHeaders = proxy.Value.KnownProxies.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var address in proxy.Value.KnownProxies) forwarded.KnownProxies.Add(IPAddress.Parse(address));
        });
        services.AddClientAddress();

        // The key ring lives in the database: sign-in cookies survive a restart, and a cookie, form token or protected
        // state made by one node is read by every other.
        services.AddDataProtection().SetApplicationName("NewsCms").PersistKeysToDbContext<NewsCmsDbContext>();

        // Every cookie is HttpOnly and SameSite=Lax; Secure whenever the public origin is https (even behind a
        // proxy that speaks plain HTTP to the app), otherwise whenever the request is.
        services.AddOptions<CookiePolicyOptions>().Configure<IOptions<SiteOptions>>((cookies, site) =>
        {
            cookies.HttpOnly = Microsoft.AspNetCore.CookiePolicy.HttpOnlyPolicy.Always;
            cookies.MinimumSameSitePolicy = SameSiteMode.Lax;
            cookies.Secure = site.Value.BaseUri.Scheme == Uri.UriSchemeHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });

        services.AddHsts(hsts =>
        {
            hsts.MaxAge = TimeSpan.FromDays(365);
            hsts.IncludeSubDomains = false;
        });
        return builder;
    }

    /// <summary>/healthz: 200 when the database answers a query, 503 otherwise.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", async (IDbContextFactory<NewsCmsDbContext> dbFactory, CancellationToken ct) =>
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                await db.Database.ExecuteSqlRawAsync("SELECT 1", ct);
                return Results.Text("Healthy", "text/plain");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Results.Text("Unhealthy: the database does not answer", "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).DisableAntiforgery();
        return endpoints;
    }
}

/// <summary>Settings under NewsCms:ReverseProxy.</summary>
public sealed class ReverseProxyOptions
{
    public const string Section = "NewsCms:ReverseProxy";

    /// <summary>IP addresses of proxies whose X-Forwarded-* headers are trusted.</summary>
    public List<string> KnownProxies { get; set; } = [];
}
