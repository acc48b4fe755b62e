using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.GhostApi;

/// <summary>
/// The Ghost-compatible Admin API (/ghost/api/admin/, and the older /v2/, /v3/, /v4/ and /canary/ prefixes): posts,
/// pages, tags, image uploads and the site's description. A request acts as its key's integration account through the
/// newsroom's own services, so the role of the key decides exactly as it does for a person. Only a Ghost Admin token is
/// accepted (never the newsroom's cookie), so no cross-site form can reach it and antiforgery does not apply.
/// </summary>
public static class GhostAdminApi
{
    /// <summary>Where the API answers: Ghost 5's prefix and the versioned ones older clients use.</summary>
    public static readonly IReadOnlyList<string> Prefixes =
        ["/ghost/api/admin", "/ghost/api/v2/admin", "/ghost/api/v3/admin", "/ghost/api/v4/admin", "/ghost/api/canary/admin"];

    /// <summary>The largest JSON body accepted (Ghost answers 413 to larger ones).</summary>
    public const long MaxJsonBytes = 5 * 1024 * 1024;

    // Room for the multipart framing around an uploaded image.
    private const long MultipartOverhead = 64 * 1024;

    public static WebApplicationBuilder AddGhostAdminApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<GhostAdminPosts>();
        builder.Services.AddScoped<GhostAdminTags>();
        return builder;
    }

    public static IEndpointRouteBuilder MapGhostAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var media = endpoints.ServiceProvider.GetRequiredService<IOptions<MediaOptions>>().Value;
        var uploadLimit = media.MaxUploadBytes + MultipartOverhead;
        foreach (var prefix in Prefixes)
        {
            // Ghost answers /site/ without a key: clients read it to find the site before they sign anything.
            endpoints.MapGet(prefix + "/site", SiteAsync).AllowAnonymous().WithMetadata(GhostResponses.Instance).DisableAntiforgery()
                .Produces<GhostSiteResponse>().Produces<GhostErrorBody>(Status400).WithTags(Tag).InDocument(prefix);

            var api = endpoints.MapGroup(prefix)
                .RequireAuthorization(GhostAdminAuthentication.Policy)
                .DisableAntiforgery()
                .WithMetadata(GhostResponses.Instance)
                .AddEndpointFilter(AnswerFailuresAsGhost)
                .WithTags(Tag);
            if (prefix != Prefixes[0]) api.ExcludeFromDescription();
            var json = new RequestSizeLimit(MaxJsonBytes);
            // The [AsParameters] records only declare the query string for the document: the handlers read it themselves.
            foreach (var (resource, kind) in new[] { ("posts", ArticleKind.Article), ("pages", ArticleKind.Page) })
            {
                var page = kind == ArticleKind.Page;
                api.MapGet(resource, (HttpContext http, [AsParameters] GhostAdminBrowseParameters _, GhostAdminPosts posts, CancellationToken ct) => posts.BrowseAsync(http, kind, ct))
                    .Answers(page ? typeof(GhostPagesResponse) : typeof(GhostPostsResponse), StatusCodes.Status200OK, Status400, Status422);
                api.MapGet(resource + "/{id}", (string id, HttpContext http, [AsParameters] GhostAdminReadParameters _, GhostAdminPosts posts, CancellationToken ct) => posts.ReadAsync(http, kind, id, null, ct))
                    .Answers(page ? typeof(GhostPagesResponse) : typeof(GhostPostsResponse), StatusCodes.Status200OK, Status404, Status422);
                api.MapGet(resource + "/slug/{slug}", (string slug, HttpContext http, [AsParameters] GhostAdminReadParameters _, GhostAdminPosts posts, CancellationToken ct) => posts.ReadAsync(http, kind, null, slug, ct))
                    .Answers(page ? typeof(GhostPagesResponse) : typeof(GhostPostsResponse), StatusCodes.Status200OK, Status404, Status422);
                api.MapPost(resource, (HttpContext http, [AsParameters] GhostAdminWriteParameters _, GhostAdminPosts posts, CancellationToken ct) => posts.AddAsync(http, kind, ct)).WithMetadata(json)
                    .Accepts(page ? typeof(GhostPagesRequest) : typeof(GhostPostsRequest), "application/json")
                    .Answers(page ? typeof(GhostPagesResponse) : typeof(GhostPostsResponse), StatusCodes.Status201Created, Status400, Status404, Status409, Status413, Status422);
                api.MapPut(resource + "/{id}", (string id, HttpContext http, [AsParameters] GhostAdminWriteParameters _, GhostAdminPosts posts, CancellationToken ct) => posts.EditAsync(http, kind, id, ct)).WithMetadata(json)
                    .Accepts(page ? typeof(GhostPagesRequest) : typeof(GhostPostsRequest), "application/json")
                    .Answers(page ? typeof(GhostPagesResponse) : typeof(GhostPostsResponse), StatusCodes.Status200OK, Status400, Status404, Status409, Status413, Status422);
                api.MapDelete(resource + "/{id}", (string id, HttpContext http, GhostAdminPosts posts, CancellationToken ct) => posts.DeleteAsync(http, kind, id, ct))
                    .Answers(null, StatusCodes.Status204NoContent, Status404, Status409, Status422);
            }
            api.MapGet("tags", (HttpContext http, [AsParameters] GhostAdminBrowseParameters _, GhostAdminTags tags, CancellationToken ct) => tags.BrowseAsync(http, ct))
                .Answers(typeof(GhostTagsResponse), StatusCodes.Status200OK, Status400, Status422);
            api.MapGet("tags/{id}", (string id, HttpContext http, [AsParameters] GhostAdminReadParameters _, GhostAdminTags tags, CancellationToken ct) => tags.ReadAsync(http, id, null, ct))
                .Answers(typeof(GhostTagsResponse), StatusCodes.Status200OK, Status404, Status422);
            api.MapGet("tags/slug/{slug}", (string slug, HttpContext http, [AsParameters] GhostAdminReadParameters _, GhostAdminTags tags, CancellationToken ct) => tags.ReadAsync(http, null, slug, ct))
                .Answers(typeof(GhostTagsResponse), StatusCodes.Status200OK, Status404, Status422);
            api.MapPost("tags", (HttpContext http, GhostAdminTags tags, CancellationToken ct) => tags.AddAsync(http, ct)).WithMetadata(json)
                .Accepts<GhostTagsRequest>("application/json")
                .Answers(typeof(GhostTagsResponse), StatusCodes.Status201Created, Status400, Status413, Status422);
            api.MapPut("tags/{id}", (string id, HttpContext http, GhostAdminTags tags, CancellationToken ct) => tags.EditAsync(http, id, ct)).WithMetadata(json)
                .Accepts<GhostTagsRequest>("application/json")
                .Answers(typeof(GhostTagsResponse), StatusCodes.Status200OK, Status400, Status404, Status413, Status422);
            api.MapDelete("tags/{id}", (string id, HttpContext http, GhostAdminTags tags, CancellationToken ct) => tags.DeleteAsync(http, id, ct))
                .Answers(null, StatusCodes.Status204NoContent, Status404, Status422);
            GhostAdminWebhooks.Map(api);
            api.MapPost("images/upload", UploadImageAsync)
                .WithMetadata(new RequestSizeLimit(uploadLimit))
                .WithFormOptions(multipartBodyLengthLimit: uploadLimit)
                .Accepts<GhostImageUpload>("multipart/form-data")
                .Answers(typeof(GhostImagesResponse), StatusCodes.Status201Created, Status400, Status413, Status415, Status422);
        }
        return endpoints;
    }

    /// <summary>The OpenAPI group (document tag) of the Admin API.</summary>
    public const string Tag = "Admin API";

    private const int Status400 = StatusCodes.Status400BadRequest, Status404 = StatusCodes.Status404NotFound, Status409 = StatusCodes.Status409Conflict,
        Status413 = StatusCodes.Status413PayloadTooLarge, Status415 = StatusCodes.Status415UnsupportedMediaType, Status422 = StatusCodes.Status422UnprocessableEntity;

    /// <summary>Only the first prefix is in the document: the older ones are the same API.</summary>
    private static RouteHandlerBuilder InDocument(this RouteHandlerBuilder route, string prefix) => prefix == Prefixes[0] ? route : route.ExcludeFromDescription();

    /// <summary>
    /// Declares what the route answers for the document: its success (<paramref name="body"/>, or none) and Ghost's error body
    /// for <paramref name="errors"/> and for what every signed route may answer (400 a request the server cannot read, such
    /// as a NUL in the path, answered by the server itself without a body; 401 refused token; 403 role; 500 defect).
    /// </summary>
    internal static RouteHandlerBuilder Answers(this RouteHandlerBuilder route, Type? body, int status, params int[] errors)
    {
        route = body is null ? route.Produces(status) : route.Produces(status, body, "application/json");
        foreach (var error in errors.Concat([Status400, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status500InternalServerError]).Distinct())
        {
            route = route.Produces<GhostErrorBody>(error, "application/json");
        }
        return route;
    }

    /// <summary>A defect (an exception) is logged and answered as Ghost does, in JSON, not with the site's HTML error page.</summary>
    private static async ValueTask<object?> AnswerFailuresAsGhost(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var http = context.HttpContext;
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GhostAdminApi))
                .LogError(ex, "Admin API {Method} {Path} failed.", http.Request.Method, http.Request.Path);
            return GhostErrors.Internal();
        }
    }

    /// <summary>GET /site/: what a client shows about the site before it does anything else.</summary>
    private static async Task<IResult> SiteAsync(SiteSettingsStore settings, IDbContextFactory<NewsCmsDbContext> dbFactory, IOptions<SiteOptions> site, CancellationToken ct)
    {
        var snapshot = await settings.GetAsync(ct);
        var baseUri = site.Value.BaseUri;
        string? logo = null;
        if (snapshot.LogoImageId is { } logoId)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var image = await db.MediaItems.AsNoTracking().Where(m => m.Id == logoId).Select(MediaImage.Projection).FirstOrDefaultAsync(ct);
            if (image is not null) logo = GhostShapes.ImageUrl(baseUri, image);
        }
        return TypedResults.Json(new GhostSiteResponse(new GhostSite
        {
            Title = snapshot.Title,
            Description = snapshot.Tagline,
            Logo = logo,
            Locale = snapshot.Language,
            Timezone = snapshot.TimeZoneId,
            Url = baseUri.ToString(),
            Version = GhostVersion,
        }));
    }

    /// <summary>The Ghost API version NewsCms answers as (the official clients send Accept-Version v6.0 by default).</summary>
    public const string GhostVersion = "6.0";

    /// <summary>POST images/upload/: multipart "file" (with "purpose" and "ref"), through the media library's checks.</summary>
    private static async Task<IResult> UploadImageAsync(HttpContext http, MediaLibrary library, IOptions<MediaOptions> mediaOptions, IOptions<SiteOptions> site, CancellationToken ct)
    {
        var limit = mediaOptions.Value.MaxUploadBytes;
        if (http.Request.ContentLength > limit + MultipartOverhead) return TooLarge(limit);
        if (!http.Request.HasFormContentType) return GhostErrors.Validation("Please select an image.", "file", "No file provided.");
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(ct);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException)
        {
            return TooLarge(limit);
        }
        var file = form.Files.GetFile("file");
        if (file is null) return GhostErrors.Validation("Please select an image.", "file", "No file provided.");
        if (file.Length > limit) return TooLarge(limit);
        var extension = Path.GetExtension(file.FileName).ToLowerInvariant();
        if (extension is not (".jpg" or ".jpeg" or ".png" or ".gif" or ".webp"))
        {
            return GhostErrors.UnsupportedMediaType("We only support these image types: .jpg, .jpeg, .png, .gif, .webp.", "Please select a valid image.");
        }
        await using var stream = file.OpenReadStream();
        var result = await library.UploadAsync(http.User, stream, file.FileName, file.Length, ct);
        if (!result.Succeeded)
        {
            var error = result.Error!;
            if (error is NewsroomActors.NotAllowed) return GhostErrors.NoPermission(error);
            if (error is NewsroomActors.SessionEnded) return GhostErrors.Unauthorized(error);
            // A file that is not an image it can read (or a kind it does not take) is the wrong media type, as for Ghost.
            if (error == ImageProcessor.Damaged || error.Contains("not accepted", StringComparison.Ordinal) || error.Contains("not an image", StringComparison.OrdinalIgnoreCase))
            {
                return GhostErrors.UnsupportedMediaType(error, "Please select a valid image.");
            }
            if (error.Contains("larger than the limit", StringComparison.Ordinal)) return TooLarge(limit);
            return GhostErrors.Validation(error, "file");
        }
        var reference = form["ref"].ToString();
        return TypedResults.Json(new GhostImagesResponse([new GhostImage(GhostShapes.ImageUrl(site.Value.BaseUri, result.Value!), reference.Length == 0 ? null : reference)]),
            statusCode: StatusCodes.Status201Created);
    }

    private static IResult TooLarge(long limit) =>
        GhostErrors.TooLarge($"The file is larger than the limit of {MediaSizes.MegabytesSetting(limit / (double)MediaSizes.BytesPerMegabyte)}.");

    /// <summary>
    /// The JSON body, read up to <see cref="MaxJsonBytes"/>: the document, or Ghost's error (413 too large, 400 not JSON).
    /// </summary>
    internal static async Task<(JsonDocument? Document, IResult? Error)> ReadJsonAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxJsonBytes) return (null, GhostErrors.TooLarge("Request body is larger than 5 MB."));
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxJsonBytes) return (null, GhostErrors.TooLarge("Request body is larger than 5 MB."));
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, GhostErrors.TooLarge("Request body is larger than 5 MB."));
        }
        try
        {
            buffer.Position = 0;
            return (await JsonDocument.ParseAsync(buffer, new JsonDocumentOptions { MaxDepth = 32 }, ct), null);
        }
        catch (JsonException)
        {
            return (null, GhostErrors.BadRequest("The request body is not valid JSON."));
        }
    }

    /// <summary>The single object of <c>{"resource":[{…}]}</c>, or Ghost's error when it is not there.</summary>
    internal static (JsonElement Item, IResult? Error) SingleItem(JsonDocument document, string resource)
    {
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(resource, out var list)
            || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0 || list[0].ValueKind != JsonValueKind.Object)
        {
            return (default, GhostErrors.Validation($"No root key ('{resource}') provided.", resource));
        }
        return (list[0], null);
    }

    /// <summary>A service's refusal in Ghost's terms: not allowed 403, session 401, anything else a validation error.</summary>
    internal static IResult FromServiceError(string error, string? property = null) => error switch
    {
        NewsroomActors.NotAllowed => GhostErrors.NoPermission(error),
        NewsroomActors.SessionEnded or NewsroomActors.MustChangePassword => GhostErrors.Unauthorized(error),
        _ => GhostErrors.Validation(error, property),
    };

    /// <summary>
    /// The query string of a browse or read (filter, order, limit, page, include, fields, formats), read exactly as
    /// the Content API reads it, with the same answers to what it refuses.
    /// </summary>
    internal static (ContentApiQuery? Query, IResult? Error) Query(HttpRequest request, IReadOnlyCollection<string> includes, IReadOnlyCollection<string> orderFields)
    {
        string? Get(string name) => request.Query.TryGetValue(name, out var value) ? value.ToString() : null;
        return ContentApiQuery.Parse(new ContentApiParameters
        {
            Include = Get("include"), Fields = Get("fields"), Formats = Get("formats"), Filter = Get("filter"),
            Limit = Get("limit"), Page = Get("page"), Order = Get("order"),
        }, includes, orderFields);
    }

    internal static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static bool Has(JsonElement item, string name) => item.TryGetProperty(name, out _);

    /// <summary>The response metadata of every Admin API route: Ghost's error bodies as they are, never the HTML status pages.</summary>
    private sealed class GhostResponses : ISkipStatusCodePagesMetadata
    {
        public static readonly GhostResponses Instance = new();
    }

    private sealed record RequestSizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}

/// <summary>Admin API tags: through <see cref="TaxonomyService"/>, so Authors may add tags and only the desk edits or deletes them.</summary>
public sealed class GhostAdminTags(TaxonomyService taxonomy, NewsroomActors actors, IDbContextFactory<NewsCmsDbContext> dbFactory, IOptions<SiteOptions> site)
{
    private static readonly string[] Includes = ["count.posts"];

    /// <summary>Every tag (as in the newsroom's tag list), filtered and ordered as the Content API does; counts are of all the tag's articles.</summary>
    public async Task<IResult> BrowseAsync(HttpContext http, CancellationToken ct)
    {
        var actor = await actors.ResolveAsync(http.User, Capabilities.AccessNewsroom, ct);
        if (!actor.Succeeded) return GhostAdminApi.FromServiceError(actor.Error!);
        var (query, error) = GhostAdminApi.Query(http.Request, Includes, ContentApiFilters.TagOrder.Names);
        if (error is not null) return error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Counts are of every article with the tag (the newsroom's count), drafts included.
        var asked = query!;
        var (total, rows, failed) = await ContentApiFilters.TagPageAsync(db, asked, db.Articles.Select(a => a.Id), ct);
        if (failed is not null) return failed;
        var baseUri = site.Value.BaseUri;
        var shaped = rows.Select(t => GhostShapes.Tag(t.Id, t.Name, t.Slug, t.Description, baseUri, asked.CountPosts ? t.Posts : null)).ToList();
        return ContentApiEndpoints.Respond(new GhostTagsResponse(shaped, new GhostMeta(GhostPagination.For(asked.Page, asked.Limit, total))), "tags", asked.Fields);
    }

    public async Task<IResult> ReadAsync(HttpContext http, string? id, string? slug, CancellationToken ct)
    {
        var actor = await actors.ResolveAsync(http.User, Capabilities.AccessNewsroom, ct);
        if (!actor.Succeeded) return GhostAdminApi.FromServiceError(actor.Error!);
        var (query, error) = GhostAdminApi.Query(http.Request, Includes, ContentApiFilters.TagOrder.Names);
        if (error is not null) return error;
        var tag = await FindAsync(id, slug, ct);
        return tag is null ? GhostErrors.NotFound("Tag not found.") : One(tag, query!.Fields);
    }

    private IResult One(Tag tag, IReadOnlySet<string>? fields = null, int status = StatusCodes.Status200OK) =>
        ContentApiEndpoints.Respond(new GhostTagsResponse([GhostShapes.Tag(tag.Id, tag.Name, tag.Slug, tag.Description, site.Value.BaseUri)], null), "tags", fields, status);

    public async Task<IResult> AddAsync(HttpContext http, CancellationToken ct)
    {
        var (document, error) = await GhostAdminApi.ReadJsonAsync(http, ct);
        if (error is not null) return error;
        using (document)
        {
            var (item, missing) = GhostAdminApi.SingleItem(document!, "tags");
            if (missing is not null) return missing;
            var name = GhostAdminApi.Text(item, "name");
            if (string.IsNullOrWhiteSpace(name)) return GhostErrors.Validation("Value in [tags.name] cannot be blank.", "name");
            var created = await taxonomy.CreateTagAsync(http.User, new TaxonomyInput
            {
                Name = name, Slug = GhostAdminApi.Text(item, "slug") ?? "", Description = GhostAdminApi.Text(item, "description") ?? "",
            }, ct);
            if (!created.Succeeded) return created.Error!.StartsWith("Only Authors", StringComparison.Ordinal) ? GhostErrors.NoPermission(created.Error!) : GhostAdminApi.FromServiceError(created.Error!);
            var tag = (await FindAsync(GhostShapes.Id(created.Value!.Id), null, ct))!;
            return One(tag, status: StatusCodes.Status201Created);
        }
    }

    public async Task<IResult> EditAsync(HttpContext http, string id, CancellationToken ct)
    {
        var actor = await actors.ResolveAsync(http.User, Capabilities.ManageTaxonomy, ct);
        if (!actor.Succeeded) return GhostAdminApi.FromServiceError(actor.Error!);
        var current = await FindAsync(id, null, ct);
        if (current is null) return GhostErrors.NotFound("Tag not found.");
        var (document, error) = await GhostAdminApi.ReadJsonAsync(http, ct);
        if (error is not null) return error;
        using (document)
        {
            var (item, missing) = GhostAdminApi.SingleItem(document!, "tags");
            if (missing is not null) return missing;
            var updated = await taxonomy.UpdateTagAsync(http.User, current.Id, new TaxonomyInput
            {
                Name = GhostAdminApi.Text(item, "name") ?? current.Name,
                Slug = GhostAdminApi.Text(item, "slug") ?? current.Slug,
                Description = GhostAdminApi.Has(item, "description") ? GhostAdminApi.Text(item, "description") ?? "" : current.Description,
            }, ct);
            if (!updated.Succeeded) return GhostAdminApi.FromServiceError(updated.Error!);
            var tag = (await FindAsync(id, null, ct))!;
            return One(tag);
        }
    }

    public async Task<IResult> DeleteAsync(HttpContext http, string id, CancellationToken ct)
    {
        if (GhostShapes.ParseId(id) is not { } tagId) return GhostErrors.NotFound("Tag not found.");
        var deleted = await taxonomy.DeleteTagAsync(http.User, tagId, ct);
        if (deleted.Succeeded) return TypedResults.NoContent();
        return deleted.Error == "That tag no longer exists." ? GhostErrors.NotFound("Tag not found.") : GhostAdminApi.FromServiceError(deleted.Error!);
    }

    private async Task<Tag?> FindAsync(string? id, string? slug, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (id is not null) return GhostShapes.ParseId(id) is { } tagId ? await db.Tags.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tagId, ct) : null;
        return await db.Tags.AsNoTracking().FirstOrDefaultAsync(t => t.Slug == slug, ct);
    }
}
