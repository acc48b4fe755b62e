using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Readership;

/// <summary>
/// Counts article views before the output cache, so a page served from the cache counts as one rendered does. The
/// article page marks its response with the article's id (<see cref="Mark"/>); the cache stores that mark with the
/// page, so a cache hit carries it too and counting needs no database and no lookup. The mark is taken off before
/// the response leaves. Counted: a GET answered 200 with an article or static page, from a reader (not signed in,
/// not a robot, not a prefetch). A 304 (a reader opening again a page whose copy is still current) counts too when
/// this node served that page at the same version (it then knows which article the address shows).
/// </summary>
public static class ReadershipCounting
{
    internal const string Header = "X-NewsCms-Article";

    /// <summary>Marks the response being rendered as a view of <paramref name="articleId"/>.</summary>
    public static void Mark(HttpContext? context, int articleId)
    {
        if (context is null || context.Response.HasStarted) return;
        context.Response.Headers[Header] = articleId.ToString(CultureInfo.InvariantCulture);
    }

    public static WebApplicationBuilder AddReadership(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReadershipOptions>().BindConfiguration(ReadershipOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ViewCounter>();
        builder.Services.AddSingleton<ServedAddresses>();
        builder.Services.AddSingleton<ReadershipUpdates>();
        builder.Services.AddSingleton<ReadershipFlusher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ReadershipFlusher>());
        builder.Services.AddSingleton<MostRead>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MostRead>());
        builder.Services.AddScoped<ReadershipReports>();
        return builder;
    }

    /// <summary>Goes before <c>UsePublicCache</c> (and after authentication, to leave staff out).</summary>
    public static WebApplication UseReadership(this WebApplication app)
    {
        var enabled = app.Services.GetRequiredService<IOptions<ReadershipOptions>>().Value.Enabled;
        var counter = app.Services.GetRequiredService<ViewCounter>();
        var addresses = app.Services.GetRequiredService<ServedAddresses>();
        app.Use(async (context, next) =>
        {
            // Staff reading the site are not readers: every account is the newsroom's.
            var countable = enabled && context.User.Identity?.IsAuthenticated != true && ReaderRules.IsReaderView(context.Request);
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                if (!headers.TryGetValue(Header, out var mark)) return Task.CompletedTask;
                headers.Remove(Header);
                if (countable && context.Response.StatusCode == StatusCodes.Status200OK
                    && int.TryParse(mark, NumberStyles.None, CultureInfo.InvariantCulture, out var articleId))
                {
                    counter.Count(articleId);
                    if (PublicCache.IsPublic(context)) addresses.Served(context.Request.Path, articleId, PublicVersionPolicy.VersionOf(context).Number);
                }
                return Task.CompletedTask;
            });
            await next(context);
            if (countable && context.Response.StatusCode == StatusCodes.Status304NotModified && PublicCache.IsPublic(context)
                && addresses.Shows(context.Request.Path, PublicVersionPolicy.VersionOf(context).Number) is { } shown)
            {
                counter.Count(shown);
            }
        });
        return app;
    }

    /// <summary>
    /// Which article each address showed when this node last served it, and at which public version. A 304 is sent
    /// only while the version is unchanged, and an address shows the same article while it is: so an entry of the
    /// current version names the article the reader's copy shows. Bounded: emptied when it grows past a limit. Shared
    /// with the public fast path (<see cref="PublicFastPath"/>), which counts the views it serves by the same rules.
    /// </summary>
    public sealed class ServedAddresses
    {
        private const int Limit = 50_000;
        private readonly ConcurrentDictionary<string, (int ArticleId, long Version)> served = new(StringComparer.OrdinalIgnoreCase);

        public void Served(PathString path, int articleId, long version)
        {
            if (served.Count >= Limit) served.Clear();
            served[path.Value ?? ""] = (articleId, version);
        }

        public int? Shows(PathString path, long version) =>
            served.TryGetValue(path.Value ?? "", out var entry) && entry.Version == version ? entry.ArticleId : null;
    }
}
