using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Users;
using static NewsCms.Web.Features.Users.Capabilities;

namespace NewsCms.Tests.Integration;

/// <summary>Who may use a route: anyone, any signed-in account, or the roles of a capability.</summary>
public sealed record Access(string Name, string? Capability)
{
    public static readonly Access Anyone = new("anyone", null);
    public static readonly Access SignedIn = new("any signed-in account", null);

    public static Access Can(string capability) => new(capability, capability);

    /// <summary>
    /// A Ghost Admin API token only: no newsroom principal (cookie) is let in, anonymous or signed in; each key's role
    /// is tried by the Admin API tests (GhostAdminApiTests).
    /// </summary>
    public static readonly Access AdminApiKey = new("an Admin API key", null);

    public bool Allows(string? role) =>
        this == Anyone || (this != AdminApiKey && role is not null && (Capability is null || Capabilities.Allows(role, Capability)));

    public override string ToString() => Name;
}

/// <param name="Pattern">The route pattern exactly as the app registers it.</param>
/// <param name="Access">Who may use it.</param>
/// <param name="Sample">A concrete address with sample route values; null when the pattern is one.</param>
/// <param name="NotAForm">Why a POST here needs no antiforgery token; null for everything that takes form posts.</param>
public sealed record RouteRule(string Pattern, Access Access, Func<SiteSamples, string>? Sample = null, string? NotAForm = null)
{
    public string UrlFor(SiteSamples samples, string pattern) => Sample?.Invoke(samples) ?? "/" + pattern.TrimStart('/');
}

/// <summary>
/// Who may use each of the app's routes. Tests compare this table with the app's own endpoint table, so a route
/// added without a rule here (or a rule left behind by a removed route) fails them.
/// </summary>
public static class RouteRules
{
    /// <summary>
    /// The method a route is tried with: GET when it takes GET, else POST when it takes POST (uploads, sign-out: a post
    /// without an antiforgery token is enough, authorization answers first), else the first it takes (PUT, DELETE).
    /// </summary>
    public static HttpMethod MethodToTry(IEnumerable<string>? methods) =>
        methods is null || methods.Contains("GET") ? HttpMethod.Get
        : methods.Contains("POST") ? HttpMethod.Post
        : new HttpMethod(methods.First());

    private static readonly Access Anyone = Access.Anyone;
    private static readonly Access SignedIn = Access.SignedIn;

    /// <summary>Files from wwwroot and the packages' static web assets, all public: one rule for the whole group.</summary>
    public static readonly RouteRule StaticAssets = new("(static assets)", Anyone);

    private const string SignalR = "Blazor's SignalR plumbing, not a form: the circuit it serves re-checks the signed-in user on every page and service call";

    public static readonly IReadOnlyList<RouteRule> Table =
    [
        // Readers: pages, feeds, sitemaps, image files, health.
        new("/", Anyone),
        new("/news/{Slug}", Anyone, s => $"/news/{s.ArticleSlug}"),
        new("/section/{Slug}", Anyone, s => $"/section/{s.SectionSlug}"),
        new("/tag/{Slug}", Anyone, s => $"/tag/{s.TagSlug}"),
        new("/author/{Slug}", Anyone, s => $"/author/{s.AuthorSlug}"),
        new("/search", Anyone, _ => "/search?q=ferry"),
        new("/corrections", Anyone),
        // A static page at the site's root (an unknown one answers the 404 page).
        new("/{Slug:nonfile}", Anyone, _ => "/no-such-page"),
        new("/Error", Anyone),
        new("/not-found", Anyone),
        new("/feed.xml", Anyone),
        new("/atom.xml", Anyone),
        new("/section/{slug}/feed.xml", Anyone, s => $"/section/{s.SectionSlug}/feed.xml"),
        new("/section/{slug}/atom.xml", Anyone, s => $"/section/{s.SectionSlug}/atom.xml"),
        new("/tag/{slug}/feed.xml", Anyone, s => $"/tag/{s.TagSlug}/feed.xml"),
        new("/tag/{slug}/atom.xml", Anyone, s => $"/tag/{s.TagSlug}/atom.xml"),
        new("/author/{slug}/feed.xml", Anyone, s => $"/author/{s.AuthorSlug}/feed.xml"),
        new("/author/{slug}/atom.xml", Anyone, s => $"/author/{s.AuthorSlug}/atom.xml"),
        new("/sitemap.xml", Anyone),
        new("/sitemaps/pages.xml", Anyone),
        new("/sitemaps/articles-{page:int}.xml", Anyone, _ => "/sitemaps/articles-1.xml"),
        new("/news-sitemap.xml", Anyone),
        new("/robots.txt", Anyone),
        new("/healthz", Anyone),
        new("/media/{key}/{file}", Anyone, s => s.MediaUrl),
        // Live updates for open public pages (Server-Sent Events) and live blogs' catch-up windows.
        new("/live/events", Anyone),
        new("/live/{articleId:int}/events", Anyone, s => $"/live/{s.ArticleId}/events"),
        new("/live/{articleId:int}/entries", Anyone, s => $"/live/{s.ArticleId}/entries?after=0"),

        // The Content API: anyone with a Content API key (the key, not a sign-in, lets a caller in); its documentation is public.
        .. ContentApi("/ghost/api/content"),
        .. ContentApi("/ghost/api/{version:regex(^(v2|v3|v4|canary)$)}/content", "/ghost/api/v4/content"),
        new("/openapi/{documentName}.json", Anyone, _ => "/openapi/v1.json"),

        // First run: answers 404 once an account exists.
        new("/setup", Anyone),

        // Signing in and recovering an account.
        new("/Account/Login", Anyone),
        new("/Account/LoginWith2fa", Anyone),
        new("/Account/LoginWithRecoveryCode", Anyone),
        new("/Account/Lockout", Anyone),
        new("/Account/AccessDenied", Anyone),
        new("/Account/Register", Anyone),
        new("/Account/ForgotPassword", Anyone),
        new("/Account/ForgotPasswordConfirmation", Anyone),
        new("/Account/ResetPassword", Anyone, _ => "/Account/ResetPassword?code=bm90LWEtdG9rZW4"),
        new("/Account/ResetPasswordConfirmation", Anyone),
        new("/Account/InvalidPasswordReset", Anyone),
        new("/Account/InvalidUser", Anyone),
        new("/Account/ConfirmEmail", Anyone, _ => "/Account/ConfirmEmail?userId=nobody&code=bm90LWEtY29kZQ"),
        new("/Account/ConfirmEmailChange", Anyone, _ => "/Account/ConfirmEmailChange?userId=nobody&email=nobody%40newsroom.test&code=bm90LWEtY29kZQ"),
        new("/Account/ResendEmailConfirmation", Anyone),
        new("/Account/Logout", Anyone),
        new("/Account/PasskeyRequestOptions", Anyone),
        // Options for adding a passkey to the signed-in account; with nobody signed in it answers 404.
        new("/Account/PasskeyCreationOptions", Anyone),

        // One's own account.
        new("/Account/Manage", SignedIn),
        new("/Account/Manage/ChangePassword", SignedIn),
        new("/Account/Manage/SetPassword", SignedIn),
        new("/Account/Manage/Email", SignedIn),
        new("/Account/Manage/TwoFactorAuthentication", SignedIn),
        new("/Account/Manage/EnableAuthenticator", SignedIn),
        new("/Account/Manage/Disable2fa", SignedIn),
        new("/Account/Manage/ResetAuthenticator", SignedIn),
        new("/Account/Manage/GenerateRecoveryCodes", SignedIn),
        new("/Account/Manage/Passkeys", SignedIn),
        new("/Account/Manage/RenamePasskey/{Id}", SignedIn, _ => "/Account/Manage/RenamePasskey/bm8tc3VjaC1wYXNza2V5"),
        new("/Account/Manage/PersonalData", SignedIn),
        new("/Account/Manage/DownloadPersonalData", SignedIn),

        // The newsroom. Pages about one article let every role in: the service decides whose article it is.
        new("/admin", Access.Can(AccessNewsroom)),
        new("/admin/articles", Access.Can(AccessNewsroom)),
        new("/admin/articles/new", Access.Can(AccessNewsroom)),
        new("/admin/articles/{Id:int}", Access.Can(AccessNewsroom), s => $"/admin/articles/{s.ArticleId}"),
        new("/admin/articles/{Id:int}/preview", Access.Can(AccessNewsroom), s => $"/admin/articles/{s.ArticleId}/preview"),
        new("/admin/pages", Access.Can(AccessNewsroom)),
        new("/admin/pages/new", Access.Can(AccessNewsroom)),
        new("/admin/pages/{Id:int}", Access.Can(AccessNewsroom), s => $"/admin/pages/{s.ArticleId}"),
        new("/admin/media", Access.Can(AccessNewsroom)),
        new("/admin/review", Access.Can(EditAnyArticle)),
        new("/api/media", Access.Can(AccessNewsroom)),
        new("/api/backup", Access.Can(ManageSettings)),
        new("/api/site-export", Access.Can(ManageSettings)),
        new("/admin/profile", Access.Can(AccessNewsroom)),
        new("/admin/tags", Access.Can(ManageTaxonomy)),
        new("/admin/sections", Access.Can(ManageTaxonomy)),
        new("/admin/authors", Access.Can(ManageAuthors)),
        new("/admin/authors/new", Access.Can(ManageAuthors)),
        new("/admin/authors/{Id:int}", Access.Can(ManageAuthors), s => $"/admin/authors/{s.AuthorId}"),
        new("/admin/redirects", Access.Can(ManageRedirects)),
        new("/admin/breaking", Access.Can(ManageBreakingNews)),
        new("/admin/front-page", Access.Can(ArrangeFrontPage)),
        new("/admin/import", Access.Can(ImportContent)),
        new("/api/import/wordpress", Access.Can(ImportContent)),
        new("/api/import/{id:guid}/report", Access.Can(ImportContent), _ => $"/api/import/{Guid.Empty:N}/report"),
        new("/admin/users", Access.Can(ManageUsers)),
        new("/admin/users/new", Access.Can(ManageUsers)),
        new("/admin/users/{Id}", Access.Can(ManageUsers), s => $"/admin/users/{s.UserId}"),
        new("/admin/settings", Access.Can(ManageSettings)),
        new("/admin/audit", Access.Can(ViewAuditLog)),
        new("/admin/readership", Access.Can(ViewReadership)),
        new("/api/audit/export", Access.Can(ViewAuditLog)),
        new("/admin/integrations", Access.Can(ManageIntegrations)),
        new("/admin/integrations/{Id:int}", Access.Can(ManageIntegrations), _ => "/admin/integrations/1"),

        // The Ghost-compatible Admin API, under each of its prefixes: a key's token, never the newsroom's cookie.
        .. NewsCms.Web.Features.GhostApi.GhostAdminApi.Prefixes.SelectMany(GhostAdminRoutes),

        // Blazor's own endpoints and the static-file fallback.
        new("/_blazor", Anyone, NotAForm: SignalR),
        new("/_blazor/negotiate", Anyone, _ => "/_blazor/negotiate?negotiateVersion=1", NotAForm: SignalR),
        new("/_blazor/disconnect/", Anyone),
        new("/_blazor/initializers/", Anyone, NotAForm: "lists the JavaScript initializers; reads nothing of the user's and changes nothing"),
        new("/_framework/opaque-redirect", Anyone),
        new("{**path:file}", Anyone, _ => "/no-such-file.txt"),
    ];

    /// <summary>The Content API's routes under one prefix, tried with the sample site's Content API key.</summary>
    private static IEnumerable<RouteRule> ContentApi(string prefix, string? samplePrefix = null)
    {
        var at = samplePrefix ?? prefix;
        string Keyed(SiteSamples s, string path) => $"{at}{path}?key={s.ContentKey}";
        return
        [
            new($"{prefix}/posts/", Anyone, s => Keyed(s, "/posts/")),
            new($"{prefix}/posts/{{id}}/", Anyone, s => Keyed(s, $"/posts/{s.ArticleId}/")),
            new($"{prefix}/posts/slug/{{slug}}/", Anyone, s => Keyed(s, $"/posts/slug/{s.ArticleSlug}/")),
            new($"{prefix}/pages/", Anyone, s => Keyed(s, "/pages/")),
            new($"{prefix}/pages/{{id}}/", Anyone, s => Keyed(s, $"/pages/{s.ArticleId}/")),
            new($"{prefix}/pages/slug/{{slug}}/", Anyone, s => Keyed(s, $"/pages/slug/{s.ArticleSlug}/")),
            new($"{prefix}/tags/", Anyone, s => Keyed(s, "/tags/")),
            new($"{prefix}/tags/{{id}}/", Anyone, s => Keyed(s, $"/tags/{s.TagId}/")),
            new($"{prefix}/tags/slug/{{slug}}/", Anyone, s => Keyed(s, $"/tags/slug/{s.TagSlug}/")),
            new($"{prefix}/authors/", Anyone, s => Keyed(s, "/authors/")),
            new($"{prefix}/authors/{{id}}/", Anyone, s => Keyed(s, $"/authors/{s.AuthorId}/")),
            new($"{prefix}/authors/slug/{{slug}}/", Anyone, s => Keyed(s, $"/authors/slug/{s.AuthorSlug}/")),
            new($"{prefix}/settings/", Anyone, s => Keyed(s, "/settings/")),
            // CORS preflights and Ghost's 404 for any other address under the prefix.
            new($"{prefix}/{{**path}}", Anyone, s => Keyed(s, "/no-such-resource/")),
        ];
    }

    private const string TokenOnly = "Admin API: a token in the Authorization header; cookies are not accepted, so no cross-site form can use it";

    private static IEnumerable<RouteRule> GhostAdminRoutes(string prefix) =>
    [
        // Ghost answers /site/ without a key.
        new(prefix + "/site", Anyone),
        .. new[] { "posts", "pages" }.SelectMany(resource => new RouteRule[]
        {
            new($"{prefix}/{resource}", Access.AdminApiKey, NotAForm: TokenOnly),
            new($"{prefix}/{resource}/{{id}}", Access.AdminApiKey, s => $"{prefix}/{resource}/{s.ArticleId}", NotAForm: TokenOnly),
            new($"{prefix}/{resource}/slug/{{slug}}", Access.AdminApiKey, s => $"{prefix}/{resource}/slug/{s.ArticleSlug}", NotAForm: TokenOnly),
        }),
        new(prefix + "/tags", Access.AdminApiKey, NotAForm: TokenOnly),
        new(prefix + "/tags/{id}", Access.AdminApiKey, _ => prefix + "/tags/1", NotAForm: TokenOnly),
        new(prefix + "/tags/slug/{slug}", Access.AdminApiKey, s => $"{prefix}/tags/slug/{s.TagSlug}", NotAForm: TokenOnly),
        new(prefix + "/images/upload", Access.AdminApiKey, NotAForm: TokenOnly),
        new(prefix + "/webhooks", Access.AdminApiKey, NotAForm: TokenOnly),
        new(prefix + "/webhooks/{id}", Access.AdminApiKey, _ => prefix + "/webhooks/1", NotAForm: TokenOnly),
    ];

    private static readonly Dictionary<string, RouteRule> ByPattern = Table.ToDictionary(r => r.Pattern);

    /// <summary>The rule for an endpoint, or null when it has none.</summary>
    public static RouteRule? For(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<StaticAssetDescriptor>() is not null ? StaticAssets
        : ByPattern.GetValueOrDefault(endpoint.RoutePattern.RawText ?? "");

    /// <summary>Every route the app answers, from its own endpoint table.</summary>
    public static IReadOnlyList<RouteEndpoint> Endpoints(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    /// <summary>
    /// The app's routes, one per pattern, with the HTTP methods they accept (null: any) and their rule. Static assets
    /// are one group, tried through a single member.
    /// </summary>
    public static IReadOnlyList<(string Pattern, IReadOnlyList<string>? Methods, RouteRule? Rule)> Routes(IServiceProvider services)
    {
        var routes = Endpoints(services)
            .GroupBy(e => e.RoutePattern.RawText ?? "")
            .Select(g => (Pattern: g.Key, Methods: MethodsOf(g), Rule: For(g.First())))
            .OrderBy(r => r.Pattern, StringComparer.Ordinal)
            .ToList();
        var firstAsset = routes.FirstOrDefault(r => r.Rule == StaticAssets);
        return routes.Where(r => r.Rule != StaticAssets || r == firstAsset).ToList();
    }

    private static IReadOnlyList<string>? MethodsOf(IEnumerable<RouteEndpoint> endpoints)
    {
        var methods = endpoints.Select(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods).ToList();
        return methods.Any(m => m is null) ? null : methods.SelectMany(m => m!).Distinct().ToList();
    }

    public static bool AcceptsPost(IReadOnlyList<string>? methods) => methods is null || methods.Contains("POST");

    /// <summary>
    /// Whether the route's endpoints take only JSON bodies (the Admin API's writes): routing refuses another body before
    /// authorization is asked, so such a route is tried with a JSON body.
    /// </summary>
    public static bool TakesJsonBodies(IServiceProvider services, string pattern) =>
        Endpoints(services).Where(e => e.RoutePattern.RawText == pattern)
            .Select(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes)
            .Any(types => types is { Count: > 0 } && types.All(t => t == "application/json"));

    /// <summary>Newsroom roles and anonymous (null), the principals every rule is tried with.</summary>
    public static IReadOnlyList<string?> Principals => [null, .. NewsroomRoles.All];
}
