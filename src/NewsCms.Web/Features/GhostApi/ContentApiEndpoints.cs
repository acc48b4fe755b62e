using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Integrations;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Pages;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.Web.Features.GhostApi;

/// <summary>Settings under NewsCms:ContentApi.</summary>
public sealed class ContentApiOptions
{
    public const string Section = "NewsCms:ContentApi";

    /// <summary>
    /// Requests per key per <see cref="Window"/> (counted in Redis across nodes when it is configured, else per node;
    /// answers served from the output cache are not counted: they cost nothing, and the limit protects the database).
    /// </summary>
    [Range(1, 1_000_000)]
    public int RequestsPerKey { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// The Ghost-compatible Content API: published posts and pages, tags, authors and the public settings, read with a
/// Content API key, in Ghost's shapes, so Ghost's official client and the tools built on it work against NewsCms.
/// Routes (each with and without the trailing slash the clients send), under /ghost/api/content and, for clients
/// configured for v2–v4 or canary, /ghost/api/{version}/content: posts, posts/{id}, posts/slug/{slug}, the same for
/// pages, tags and authors, and settings.
/// <para>Answers are output-cached per whole query string (the key included) and tagged by what they show (see
/// <see cref="ContentApiDependencies"/>), so they are evicted with the pages they mirror; a change to integration keys
/// evicts every answer, so a revoked key's cached answers are gone at once.</para>
/// </summary>
public static class ContentApiEndpoints
{
    public const string CachePolicy = "ghost-content";
    public const string Prefix = "/ghost/api/content";

    /// <summary>The older prefixes the official client uses when configured for v2, v3, v4 or canary.</summary>
    public const string VersionedPrefix = "/ghost/api/{version:regex(^(v2|v3|v4|canary)$)}/content";

    /// <summary>The OpenAPI group (document tag) of the Content API.</summary>
    public const string Tag = "Content API";

    public static WebApplicationBuilder AddGhostContentApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ContentApiOptions>().BindConfiguration(ContentApiOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Window > TimeSpan.Zero && o.Window <= TimeSpan.FromDays(1), $"{ContentApiOptions.Section}:Window must be between 00:00:01 and 1.00:00:00.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ContentApiLimiter>();
        builder.Services.AddSingleton<ContentApiKeyGeneration>();
        builder.Services.AddSingleton<ContentApiTotals>();
        builder.Services.AddOptions<OutputCacheOptions>().Configure(options => options.AddPolicy(CachePolicy, policy => policy
            .Expire(TimeSpan.FromMinutes(10)).Tag(PublicCache.Tag).AddPolicy<PublicVersionPolicy>().AddPolicy<ContentApiCachePolicy>()));
        return builder;
    }

    public static WebApplication MapGhostContentApi(this WebApplication app)
    {
        // Listens to key changes from the start.
        app.Services.GetRequiredService<ContentApiKeyGeneration>();
        Map(app.MapGroup(Prefix), inDocument: true);
        Map(app.MapGroup(VersionedPrefix), inDocument: false);
        return app;
    }

    private static void Map(RouteGroupBuilder outer, bool inDocument)
    {
        // Browsers ask before a cross-site request with Accept-Version: answered for every address under the prefix.
        outer.MapMethods("/{**path}", [HttpMethods.Options], Preflight).ExcludeFromDescription();

        var api = outer.MapGroup("").AddEndpointFilter<ContentApiGate>().CacheOutput(CachePolicy).WithTags(Tag);
        if (!inDocument) api.ExcludeFromDescription();

        api.MapGet("/posts/", BrowsePostsAsync).Produces<GhostPostsResponse>().Browse();
        api.MapGet("/posts/{id}/", ReadPostAsync).Produces<GhostPostsResponse>().Read();
        api.MapGet("/posts/slug/{slug}/", ReadPostBySlugAsync).Produces<GhostPostsResponse>().Read();
        api.MapGet("/pages/", BrowsePagesAsync).Produces<GhostPagesResponse>().Browse();
        api.MapGet("/pages/{id}/", ReadPageAsync).Produces<GhostPagesResponse>().Read();
        api.MapGet("/pages/slug/{slug}/", ReadPageBySlugAsync).Produces<GhostPagesResponse>().Read();
        api.MapGet("/tags/", BrowseTagsAsync).Produces<GhostTagsResponse>().Browse();
        api.MapGet("/tags/{id}/", ReadTagAsync).Produces<GhostTagsResponse>().Read();
        api.MapGet("/tags/slug/{slug}/", ReadTagBySlugAsync).Produces<GhostTagsResponse>().Read();
        api.MapGet("/authors/", BrowseAuthorsAsync).Produces<GhostAuthorsResponse>().Browse();
        api.MapGet("/authors/{id}/", ReadAuthorAsync).Produces<GhostAuthorsResponse>().Read();
        api.MapGet("/authors/slug/{slug}/", ReadAuthorBySlugAsync).Produces<GhostAuthorsResponse>().Read();
        api.MapGet("/settings/", ReadSettingsAsync).Produces<ContentSettingsResponse>().Gated();

        // Anything else under the prefix: Ghost's 404, not the site's page.
        outer.MapGet("/{**path}", (HttpContext http) => Cors(http, NotFound("Resource could not be found."))).ExcludeFromDescription();
    }

    /// <summary>
    /// The gate's answers (<see cref="ContentApiGate"/>): a missing or unknown key, too many requests; and 400, which
    /// the server itself gives (with no body) to a request it cannot read, such as a NUL in the path.
    /// </summary>
    private static RouteHandlerBuilder Gated(this RouteHandlerBuilder route) =>
        route.Produces<GhostErrorBody>(StatusCodes.Status401Unauthorized).Produces<GhostErrorBody>(StatusCodes.Status429TooManyRequests)
            .Produces<GhostErrorBody>(StatusCodes.Status400BadRequest);

    private static RouteHandlerBuilder Browse(this RouteHandlerBuilder route) =>
        route.Gated().Produces<GhostErrorBody>(StatusCodes.Status422UnprocessableEntity);

    private static RouteHandlerBuilder Read(this RouteHandlerBuilder route) =>
        route.Gated().Produces<GhostErrorBody>(StatusCodes.Status404NotFound).Produces<GhostErrorBody>(StatusCodes.Status422UnprocessableEntity);

    private static readonly string[] PostIncludes = ["authors", "tags"];
    private static readonly string[] TermIncludes = ["count.posts"];

    private static IResult Preflight(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.AccessControlAllowOrigin = "*";
        headers.AccessControlAllowMethods = "GET, HEAD, OPTIONS";
        headers.AccessControlAllowHeaders = http.Request.Headers.AccessControlRequestHeaders.Count > 0
            ? http.Request.Headers.AccessControlRequestHeaders.ToString() : "Accept-Version, Content-Type";
        headers.AccessControlMaxAge = "86400";
        return TypedResults.NoContent();
    }

    private static IResult Cors(HttpContext http, IResult result)
    {
        http.Response.Headers.AccessControlAllowOrigin = "*";
        return result;
    }

    private static IResult NotFound(string message) => GhostErrors.Result(StatusCodes.Status404NotFound, "NotFoundError", message);

    // Posts and pages.

    private static Task<IResult> BrowsePostsAsync([AsParameters] ContentApiParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        ContentApiTotals totals, IOptions<SiteOptions> site, CancellationToken ct) => BrowseArticlesAsync(ArticleKind.Article, p, http, dbFactory, totals, site.Value.BaseUri, ct);

    private static Task<IResult> BrowsePagesAsync([AsParameters] ContentApiParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        ContentApiTotals totals, IOptions<SiteOptions> site, CancellationToken ct) => BrowseArticlesAsync(ArticleKind.Page, p, http, dbFactory, totals, site.Value.BaseUri, ct);

    private static Task<IResult> ReadPostAsync(string id, [AsParameters] ContentApiReadParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        IOptions<SiteOptions> site, CancellationToken ct) => ReadArticleAsync(ArticleKind.Article, GhostShapes.ParseId(id) ?? 0, null, p.ForParsing, http, dbFactory, site.Value.BaseUri, ct);

    private static Task<IResult> ReadPostBySlugAsync(string slug, [AsParameters] ContentApiReadParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        IOptions<SiteOptions> site, CancellationToken ct) => ReadArticleAsync(ArticleKind.Article, null, slug, p.ForParsing, http, dbFactory, site.Value.BaseUri, ct);

    private static Task<IResult> ReadPageAsync(string id, [AsParameters] ContentApiReadParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        IOptions<SiteOptions> site, CancellationToken ct) => ReadArticleAsync(ArticleKind.Page, GhostShapes.ParseId(id) ?? 0, null, p.ForParsing, http, dbFactory, site.Value.BaseUri, ct);

    private static Task<IResult> ReadPageBySlugAsync(string slug, [AsParameters] ContentApiReadParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        IOptions<SiteOptions> site, CancellationToken ct) => ReadArticleAsync(ArticleKind.Page, null, slug, p.ForParsing, http, dbFactory, site.Value.BaseUri, ct);

    private static IQueryable<Article> Visible(NewsCmsDbContext db, ArticleKind kind) =>
        db.Articles.AsNoTracking().Where(kind == ArticleKind.Page ? Article.IsPublicPageExpression : Article.IsPublicExpression);

    private static async Task<IResult> BrowseArticlesAsync(ArticleKind kind, ContentApiParameters p, HttpContext http,
        IDbContextFactory<NewsCmsDbContext> dbFactory, ContentApiTotals totals, Uri baseUri, CancellationToken ct)
    {
        var (query, error) = ContentApiQuery.Parse(p, PostIncludes, ContentApiFilters.PostOrder.Names);
        if (error is not null) return error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var articles = Visible(db, kind);
        if (query!.Filter is { } filter)
        {
            try
            {
                articles = articles.Where(ContentApiFilters.Posts(db).Translate(filter));
            }
            catch (NqlException ex)
            {
                return ContentApiQuery.FilterError(ex);
            }
        }
        var total = await totals.CountAsync(kind, p.Filter, () => articles.CountAsync(ct));
        var ids = total <= query.Skip ? [] : await ContentApiFilters.PostOrder
            .Apply(articles, query.Order, [("published_at", true)], ("id", true))
            .Skip(query.Skip).Take(query.Limit).Select(a => a.Id).ToListAsync(ct);
        var posts = await GhostShapes.PostsAsync(db, ids, query.ShapeOptions, baseUri, ct);
        ContentApiDependencies.ShowList(http, ids.Select(PublicDependencies.Article));
        var meta = new GhostMeta(GhostPagination.For(query.Page, query.Limit, total));
        return kind == ArticleKind.Page
            ? Respond(new GhostPagesResponse(posts, meta), "pages", query.Fields)
            : Respond(new GhostPostsResponse(posts, meta), "posts", query.Fields);
    }

    private static async Task<IResult> ReadArticleAsync(ArticleKind kind, int? id, string? slug, ContentApiParameters p, HttpContext http,
        IDbContextFactory<NewsCmsDbContext> dbFactory, Uri baseUri, CancellationToken ct)
    {
        var (query, error) = ContentApiQuery.Parse(p, PostIncludes, ContentApiFilters.PostOrder.Names);
        if (error is not null) return error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = Visible(db, kind);
        // Two queries rather than one condition on both, so each uses its index.
        var found = await (id is not null ? visible.Where(a => a.Id == id) : visible.Where(a => a.Slug == slug)).Select(a => (int?)a.Id).FirstOrDefaultAsync(ct);
        if (found is not { } articleId) return NotFound(kind == ArticleKind.Page ? "Page not found." : "Post not found.");
        var posts = await GhostShapes.PostsAsync(db, [articleId], query!.ShapeOptions, baseUri, ct);
        ContentApiDependencies.ShowItem(http, kind == ArticleKind.Page
            ? [PublicDependencies.Page(articleId)]
            : [PublicDependencies.Article(articleId), PublicDependencies.OwnPage(articleId)]);
        return kind == ArticleKind.Page
            ? Respond(new GhostPagesResponse(posts, null), "pages", query.Fields)
            : Respond(new GhostPostsResponse(posts, null), "posts", query.Fields);
    }

    // Tags.

    /// <summary>The articles the Content API's counts count: the public ones.</summary>
    private static IQueryable<int> PublicArticleIds(NewsCmsDbContext db) => db.Articles.Where(Article.IsPublicExpression).Select(a => a.Id);

    private static GhostTag TagShape(ContentTagRow t, bool count, Uri baseUri) => GhostShapes.Tag(t.Id, t.Name, t.Slug, t.Description, baseUri, count ? t.Posts : null);

    private static async Task<IResult> BrowseTagsAsync([AsParameters] ContentApiParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        IOptions<SiteOptions> site, CancellationToken ct)
    {
        var (query, error) = ContentApiQuery.Parse(p, TermIncludes, ContentApiFilters.TagOrder.Names);
        if (error is not null) return error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var asked = query!;
        var (total, rows, failed) = await ContentApiFilters.TagPageAsync(db, asked, PublicArticleIds(db), ct);
        if (failed is not null) return failed;
        ContentApiDependencies.ShowList(http, rows.Select(t => PublicDependencies.Tag(t.Id)));
        var meta = new GhostMeta(GhostPagination.For(asked.Page, asked.Limit, total));
        return Respond(new GhostTagsResponse([.. rows.Select(t => TagShape(t, asked.CountPosts, site.Value.BaseUri))], meta), "tags", asked.Fields);
    }

    private static Task<IResult> ReadTagAsync(string id, [AsParameters] ContentApiReadParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        IOptions<SiteOptions> site, CancellationToken ct) => ReadTagWhereAsync(GhostShapes.ParseId(id) ?? 0, null, p.ForParsing, http, dbFactory, site.Value.BaseUri, ct);

    private static Task<IResult> ReadTagBySlugAsync(string slug, [AsParameters] ContentApiReadParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        IOptions<SiteOptions> site, CancellationToken ct) => ReadTagWhereAsync(null, slug, p.ForParsing, http, dbFactory, site.Value.BaseUri, ct);

    private static async Task<IResult> ReadTagWhereAsync(int? id, string? slug, ContentApiParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        Uri baseUri, CancellationToken ct)
    {
        var (query, error) = ContentApiQuery.Parse(p, TermIncludes, ContentApiFilters.TagOrder.Names);
        if (error is not null) return error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tags = db.Tags.AsNoTracking();
        var row = await ContentApiFilters.TagRows(db, id is not null ? tags.Where(t => t.Id == id) : tags.Where(t => t.Slug == slug), PublicArticleIds(db), query!.CountPosts)
            .FirstOrDefaultAsync(ct);
        if (row is null) return NotFound("Tag not found.");
        ContentApiDependencies.ShowItem(http, [PublicDependencies.Tag(row.Id)]);
        return Respond(new GhostTagsResponse([TagShape(row, query.CountPosts, baseUri)], null), "tags", query.Fields);
    }

    // Authors.

    private static IQueryable<ContentAuthorRow> AuthorRows(NewsCmsDbContext db, IQueryable<Authors.AuthorProfile> authors, bool counts)
    {
        var publicIds = db.Articles.Where(Article.IsPublicExpression).Select(a => a.Id);
        return authors.Select(p => new ContentAuthorRow
        {
            Id = p.Id, Name = p.DisplayName, Slug = p.Slug, Bio = p.Bio, AvatarId = p.AvatarId, Website = p.Website, X = p.X, Facebook = p.Facebook,
            CreatedAt = p.CreatedAt, Posts = counts ? db.ArticleAuthors.Count(aa => aa.AuthorProfileId == p.Id && publicIds.Contains(aa.ArticleId)) : 0,
        });
    }

    private static async Task<IReadOnlyList<GhostAuthor>> AuthorShapesAsync(NewsCmsDbContext db, IReadOnlyList<ContentAuthorRow> rows, bool count, Uri baseUri,
        CancellationToken ct)
    {
        var avatarIds = rows.Select(r => r.AvatarId).OfType<int>().Distinct().ToList();
        var images = avatarIds.Count == 0 ? new Dictionary<int, MediaImage>()
            : await db.MediaItems.AsNoTracking().Where(m => avatarIds.Contains(m.Id)).Select(MediaImage.Projection).ToDictionaryAsync(m => m.Id, ct);
        return [.. rows.Select(r => new GhostAuthor
        {
            Id = GhostShapes.Id(r.Id), Name = r.Name, Slug = r.Slug, Bio = Blank(r.Bio), Website = Blank(r.Website), Twitter = Blank(r.X),
            Facebook = Blank(r.Facebook), Url = GhostShapes.AuthorUrl(baseUri, r.Slug),
            ProfileImage = r.AvatarId is { } avatar && images.GetValueOrDefault(avatar) is { } image ? GhostShapes.ImageUrl(baseUri, image) : null,
            Count = count ? new GhostCount(r.Posts) : null,
        })];
    }

    private static async Task<IResult> BrowseAuthorsAsync([AsParameters] ContentApiParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        IOptions<SiteOptions> site, CancellationToken ct)
    {
        var (query, error) = ContentApiQuery.Parse(p, TermIncludes, ContentApiFilters.AuthorOrder.Names);
        if (error is not null) return error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        IQueryable<Authors.AuthorProfile> authors = db.AuthorProfiles.AsNoTracking();
        if (query!.Filter is { } filter)
        {
            try
            {
                authors = authors.Where(ContentApiFilters.Authors().Translate(filter));
            }
            catch (NqlException ex)
            {
                return ContentApiQuery.FilterError(ex);
            }
        }
        var total = await authors.CountAsync(ct);
        var rows = total <= query.Skip ? [] : await ContentApiFilters.AuthorOrder.Apply(AuthorRows(db, authors, query.CountPosts || query.Order.Any(o => o.Field == "count.posts")), query.Order, [("name", false)], ("id", false))
            .Skip(query.Skip).Take(query.Limit).ToListAsync(ct);
        ContentApiDependencies.ShowList(http, rows.Select(r => PublicDependencies.Author(r.Id)));
        var meta = new GhostMeta(GhostPagination.For(query.Page, query.Limit, total));
        return Respond(new GhostAuthorsResponse(await AuthorShapesAsync(db, rows, query.CountPosts, site.Value.BaseUri, ct), meta), "authors", query.Fields);
    }

    private static Task<IResult> ReadAuthorAsync(string id, [AsParameters] ContentApiReadParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        IOptions<SiteOptions> site, CancellationToken ct) => ReadAuthorWhereAsync(GhostShapes.ParseId(id) ?? 0, null, p.ForParsing, http, dbFactory, site.Value.BaseUri, ct);

    private static Task<IResult> ReadAuthorBySlugAsync(string slug, [AsParameters] ContentApiReadParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        IOptions<SiteOptions> site, CancellationToken ct) => ReadAuthorWhereAsync(null, slug, p.ForParsing, http, dbFactory, site.Value.BaseUri, ct);

    private static async Task<IResult> ReadAuthorWhereAsync(int? id, string? slug, ContentApiParameters p, HttpContext http, IDbContextFactory<NewsCmsDbContext> dbFactory,
        Uri baseUri, CancellationToken ct)
    {
        var (query, error) = ContentApiQuery.Parse(p, TermIncludes, ContentApiFilters.AuthorOrder.Names);
        if (error is not null) return error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var authors = db.AuthorProfiles.AsNoTracking();
        var row = await AuthorRows(db, id is not null ? authors.Where(a => a.Id == id) : authors.Where(a => a.Slug == slug), query!.CountPosts).FirstOrDefaultAsync(ct);
        if (row is null) return NotFound("Author not found.");
        ContentApiDependencies.ShowItem(http, [PublicDependencies.Author(row.Id)]);
        return Respond(new GhostAuthorsResponse(await AuthorShapesAsync(db, [row], query.CountPosts, baseUri, ct), null), "authors", query.Fields);
    }

    // Settings.

    private static async Task<IResult> ReadSettingsAsync([AsParameters] ContentApiKeyParameter p, HttpContext http, SiteSettingsStore store, PublicTaxonomy taxonomy,
        PublicPages pages, MediaLibrary media, IOptions<SiteOptions> site, CancellationToken ct)
    {
        var baseUri = site.Value.BaseUri;
        var settings = await store.GetAsync(ct);
        int[] linked = [.. settings.NavigationPages.Union(settings.FooterPages)];
        var links = (await pages.LinksAsync(linked, ct)).ToDictionary(l => l.Id);
        int[] imageIds = [.. new[] { settings.LogoImageId, settings.SocialImageId }.OfType<int>()];
        var images = imageIds.Length == 0 ? new Dictionary<int, MediaImage>() : await media.GetByIdsAsync(imageIds, ct);
        string? Image(int? id) => id is { } imageId && images.GetValueOrDefault(imageId) is { } image ? GhostShapes.ImageUrl(baseUri, image) : null;

        var navigation = new List<GhostNavigationItem> { new("Home", "/") };
        navigation.AddRange(settings.ComposeNavigation(await taxonomy.NavigationAsync(ct)).Select(i => new GhostNavigationItem(i.Label, i.Href)));
        navigation.AddRange(settings.NavigationPages.Where(links.ContainsKey).Select(id => new GhostNavigationItem(links[id].Title, links[id].Url)));
        var secondary = settings.FooterPages.Where(links.ContainsKey).Select(id => new GhostNavigationItem(links[id].Title, links[id].Url)).ToList();

        // Every linked page, shown or not, as the layout does: publishing one again brings it back here too.
        ContentApiDependencies.ShowItem(http, linked.Select(PublicDependencies.Page));
        var body = new ContentSettingsResponse(new GhostSettings
        {
            Title = settings.Title,
            Description = settings.Tagline,
            Logo = Image(settings.LogoImageId),
            Facebook = SocialHandle(settings.FollowLinks, "facebook.com", ""),
            Twitter = SocialHandle(settings.FollowLinks, "x.com", "@") ?? SocialHandle(settings.FollowLinks, "twitter.com", "@"),
            Lang = settings.Language,
            Locale = settings.Language,
            Timezone = settings.TimeZoneId,
            Navigation = navigation,
            SecondaryNavigation = secondary,
            OgImage = Image(settings.SocialImageId),
            TwitterImage = Image(settings.SocialImageId),
            Url = baseUri.ToString(),
        }, new ContentEmptyMeta());
        return TypedResults.Json(body);
    }

    /// <summary>Ghost keeps the account name ("ghost", "@ghost"): taken from the follow link to that site, if any.</summary>
    private static string? SocialHandle(IReadOnlyList<FollowLink> links, string host, string prefix)
    {
        foreach (var link in links)
        {
            if (Uri.TryCreate(link.Url, UriKind.Absolute, out var uri)
                && (uri.Host.Equals(host, StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith("." + host, StringComparison.OrdinalIgnoreCase))
                && uri.AbsolutePath.Trim('/').Split('/')[0] is { Length: > 0 } name)
            {
                return prefix + name.TrimStart('@');
            }
        }
        return null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>The answer, with only the <c>fields=</c> asked for in each item when some are.</summary>
    internal static IResult Respond<T>(T body, string collection, IReadOnlySet<string>? fields, int status = StatusCodes.Status200OK)
    {
        if (fields is null) return TypedResults.Json(body, statusCode: status);
        var node = JsonSerializer.SerializeToNode(body)!.AsObject();
        foreach (var item in node[collection]!.AsArray().OfType<JsonObject>())
        {
            foreach (var name in item.Select(p => p.Key).Where(name => !fields.Contains(name)).ToList()) item.Remove(name);
        }
        return TypedResults.Json(node, statusCode: status);
    }
}

/// <summary>
/// What Content API answers show, for the public cache (<see cref="PublicDependencies"/>): every answer carries
/// <c>public</c> and <see cref="KeysTag"/>; a list (browse) carries <c>feeds</c>, which every change to an article, a
/// page, a tag or an author evicts (a list's filter and order can bring in anything), plus the items it shows; a
/// single post carries <c>article:{id}</c> and <c>article-page:{id}</c> (tag renames evict the latter), a page
/// <c>page:{id}</c>, a tag <c>tag:{id}</c>, an author <c>author:{id}</c> (also evicted when their posts change, so
/// counts stay right); the settings carry the pages they link. Settings and media changes evict <c>public</c>.
/// </summary>
public static class ContentApiDependencies
{
    /// <summary>Evicted whenever integration keys change (a key revoked or regenerated).</summary>
    public const string KeysTag = "content-api-keys";

    public static void ShowList(HttpContext http, IEnumerable<string> tags) => PublicDependencies.Show(http, tags);

    /// <summary>One item: only what it shows, not the <c>feeds</c> every list carries.</summary>
    public static void ShowItem(HttpContext http, IEnumerable<string> tags)
    {
        http.Features.Get<IOutputCacheFeature>()?.Context.Tags.Remove(PublicDependencies.Feeds);
        PublicDependencies.Show(http, tags);
    }
}

/// <summary>
/// Part of the Content API's cache policy, after <see cref="PublicVersionPolicy"/>: the key is the whole query string
/// (the Content API key included, so a revoked key's answers are never served to it), and an answer computed while
/// integration keys changed is not stored.
/// </summary>
public sealed class ContentApiCachePolicy(ContentApiKeyGeneration keys) : IOutputCachePolicy
{
    private static readonly object GenerationKey = new();

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        context.CacheVaryByRules.QueryKeys = "*";
        context.Tags.Add(ContentApiDependencies.KeysTag);
        context.HttpContext.Items[GenerationKey] = keys.Current;
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        if (context.HttpContext.Items[GenerationKey] is not long started || started != keys.Current) context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }
}

/// <summary>Counts changes to integration keys on this node and evicts every Content API answer at each.</summary>
public sealed class ContentApiKeyGeneration
{
    private readonly IServiceProvider services;
    private readonly ILogger<ContentApiKeyGeneration> logger;
    private long current;

    public ContentApiKeyGeneration(IntegrationKeyTable keys, IServiceProvider services, ILogger<ContentApiKeyGeneration> logger)
    {
        this.services = services;
        this.logger = logger;
        keys.Reloaded += Changed;
    }

    public long Current => Interlocked.Read(ref current);

    private void Changed()
    {
        Interlocked.Increment(ref current);
        var eviction = services.GetRequiredService<IOutputCacheStore>().EvictByTagAsync(ContentApiDependencies.KeysTag, CancellationToken.None);
        if (!eviction.IsCompletedSuccessfully)
        {
            _ = eviction.AsTask().ContinueWith(t => logger.LogError(t.Exception, "Could not evict the Content API's cached answers."),
                TaskContinuationOptions.OnlyOnFaulted);
        }
    }
}

/// <summary>
/// Requests per Content API key (<see cref="ContentApiOptions"/>). With Redis configured the count lives there, shared
/// by every node (more nodes must not mean more requests), in fixed windows on Redis's clock; when Redis cannot be
/// reached each node counts on its own meanwhile, in a sliding window, so an outage makes the API neither unlimited
/// nor unusable.
/// </summary>
public sealed class ContentApiLimiter : IDisposable
{
    /// <summary>Counts one request in the current window; 0 when allowed, else the milliseconds until the next window.</summary>
    private const string FixedWindow = """
        local permits, window = tonumber(ARGV[1]), tonumber(ARGV[2])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local current = math.floor(now / window)
        local count = redis.call('HINCRBY', KEYS[1], current, 1)
        if count == 1 then
          for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
            if tonumber(field) < current then redis.call('HDEL', KEYS[1], field) end
          end
          redis.call('PEXPIRE', KEYS[1], window * 2)
        end
        if count <= permits then return 0 end
        return (current + 1) * window - now
        """;

    /// <summary>After Redis failed, how long this node counts on its own before asking Redis again.</summary>
    private static readonly TimeSpan RetryRedisAfter = TimeSpan.FromSeconds(10);

    private readonly PartitionedRateLimiter<int> local;
    private readonly RedisConnection? redis;
    private readonly ILogger? logger;
    private long retryRedisAt;
    private int redisFailing;

    public ContentApiLimiter(IOptions<ContentApiOptions> options)
    {
        var o = options.Value;
        Permits = o.RequestsPerKey;
        Window = o.Window;
        local = PartitionedRateLimiter.Create<int, int>(keyId => RateLimitPartition.GetSlidingWindowLimiter(keyId, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = o.RequestsPerKey, Window = o.Window, SegmentsPerWindow = 6, QueueLimit = 0, AutoReplenishment = true,
        }));
    }

    public ContentApiLimiter(IOptions<ContentApiOptions> options, RedisConnection redis, ILogger<ContentApiLimiter> logger) : this(options)
    {
        this.redis = redis;
        this.logger = logger;
    }

    public int Permits { get; }
    public TimeSpan Window { get; }

    /// <summary>Counts a request with the key; null when it may go ahead, otherwise how long to wait.</summary>
    public async ValueTask<TimeSpan?> TakeAsync(int keyId)
    {
        if (redis?.Connection is { } connection)
        {
            try
            {
                if (connection.IsConnected && Environment.TickCount64 >= Interlocked.Read(ref retryRedisAt))
                {
                    var wait = (long)await connection.GetDatabase().ScriptEvaluateAsync(FixedWindow,
                        [redis.Key("content-api", keyId.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                        [Permits, (long)Window.TotalMilliseconds]);
                    if (Interlocked.Exchange(ref redisFailing, 0) == 1) logger?.LogWarning("Content API limits are counted in Redis again, across nodes.");
                    return wait == 0 ? null : TimeSpan.FromMilliseconds(wait);
                }
                Failing(null);
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or StackExchange.Redis.RedisTimeoutException)
            {
                Failing(ex);
            }
        }
        using var lease = local.AttemptAcquire(keyId);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Window;
    }

    private void Failing(Exception? ex)
    {
        if (ex is not null) Interlocked.Exchange(ref retryRedisAt, Environment.TickCount64 + (long)RetryRedisAfter.TotalMilliseconds);
        if (Interlocked.Exchange(ref redisFailing, 1) == 0) logger?.LogError(ex, "Content API limits cannot reach Redis; this node counts on its own until it is back.");
    }

    public void Dispose() => local.Dispose();
}

/// <summary>
/// Before every Content API answer that is not served from the cache: CORS for any origin (as Ghost allows; no
/// credentials, no cookies), then the key (Ghost's 401s), then the key's rate limit (Ghost's 429).
/// </summary>
public sealed class ContentApiGate(IntegrationKeyTable keys, ContentApiLimiter limiter) : IEndpointFilter
{
    public const string MissingKey = "Unable to determine the authenticated member or integration. Check the supplied Content API Key and ensure cookies are being passed through if member auth is failing.";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers.AccessControlAllowOrigin = "*";
        var given = http.Request.Query["key"];
        if (given.Count == 0 || string.IsNullOrEmpty(given[0])) return GhostErrors.Unauthorized(MissingKey);
        if (given.Count > 1 || keys.FindContentKey(given[0]) is not { } key)
        {
            return GhostErrors.Result(StatusCodes.Status401Unauthorized, "UnauthorizedError", "Unknown Content API Key", code: "UNKNOWN_CONTENT_API_KEY");
        }
        if (await limiter.TakeAsync(key.KeyId) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return GhostErrors.TooManyRequests(
                $"This Content API key made more than {limiter.Permits} requests in {limiter.Window.TotalSeconds:0} seconds. Try again in {seconds} seconds.",
                "Too many requests.");
        }
        keys.RecordUse(key);
        return await next(context);
    }
}
