using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.GhostApi;

/// <summary>
/// Admin API posts and pages. Writes go through <see cref="ArticleEditing"/> (the editor's sanitizer, slug and byline
/// rules, the version token) and <see cref="ArticleWorkflowService"/> (publish, schedule, unpublish, trash), so a key
/// can do exactly what its role can do in the newsroom. What the role may not do is answered 403 before anything is
/// written. Delete moves the item to the trash, from which the desk can restore it (as in the newsroom).
/// </summary>
public sealed class GhostAdminPosts(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    ArticleEditing editing,
    ArticleWorkflowService workflow,
    NewsroomArticleReads reads,
    TaxonomyService taxonomy,
    IOptions<SiteOptions> site,
    TimeProvider clock)
{
    private Uri BaseUri => site.Value.BaseUri;

    // ----- browse and read -----

    public async Task<IResult> BrowseAsync(HttpContext http, ArticleKind kind, CancellationToken ct)
    {
        var actorResult = await actors.ResolveAsync(http.User, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return GhostAdminApi.FromServiceError(actorResult.Error!);
        var actor = actorResult.Value!;
        var (query, queryError) = GhostAdminApi.Query(http.Request, PostIncludes, ContentApiFilters.PostOrder.Names);
        if (queryError is not null) return queryError;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var items = db.Articles.AsNoTracking().Where(a => a.Kind == kind && a.TrashedAt == null);
        // As in the newsroom's lists: writers see their own articles, the desk sees all. The filter only narrows this.
        if (!actor.Can(Capabilities.EditAnyArticle)) items = items.Where(NewsroomArticleAccess.OwnedBy(db, actor.UserId));
        if (query!.Filter is { } filter)
        {
            try
            {
                items = items.Where(ContentApiFilters.Posts(db, admin: true).Translate(filter));
            }
            catch (NqlException ex)
            {
                return ContentApiQuery.FilterError(ex);
            }
        }

        var total = await items.CountAsync(ct);
        var ids = total <= query.Skip ? [] : await ContentApiFilters.PostOrder
            .Apply(items, query.Order, [("updated_at", true)], ("id", true))
            .Skip(query.Skip).Take(query.Limit).Select(a => a.Id).ToListAsync(ct);
        var shaped = await GhostShapes.PostsAsync(db, ids, Options(http.Request, query), BaseUri, ct);
        return Respond(kind, shaped, new GhostMeta(GhostPagination.For(query.Page, query.Limit, total)), query.Fields);
    }

    private static readonly string[] PostIncludes = ["authors", "tags"];

    public async Task<IResult> ReadAsync(HttpContext http, ArticleKind kind, string? id, string? slug, CancellationToken ct)
    {
        if (GhostAdminApi.Query(http.Request, PostIncludes, ContentApiFilters.PostOrder.Names).Error is { } queryError) return queryError;
        var articleId = id is not null ? GhostShapes.ParseId(id) : await IdBySlugAsync(kind, slug!, ct);
        if (articleId is not { } found) return NotFound(kind);
        var (current, refusal) = await LoadAsync(http, kind, found, ct);
        if (refusal is not null) return refusal;
        return await RespondWithAsync(http, kind, current!.Id, StatusCodes.Status200OK, ct, withFields: true);
    }

    // ----- add, edit, delete -----

    public async Task<IResult> AddAsync(HttpContext http, ArticleKind kind, CancellationToken ct)
    {
        var actorResult = await actors.ResolveAsync(http.User, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return GhostAdminApi.FromServiceError(actorResult.Error!);
        var actor = actorResult.Value!;
        if (SourceProblem(http) is { } badSource) return badSource;
        var (document, readError) = await GhostAdminApi.ReadJsonAsync(http, ct);
        if (readError is not null) return readError;
        using (document)
        {
            var (item, missing) = GhostAdminApi.SingleItem(document!, Resource(kind));
            if (missing is not null) return missing;
            var input = new ArticleInput { Kind = kind, Headline = "(Untitled)", SlugFollowsHeadline = true };
            if (await ApplyAsync(http, actor, kind, item, input, ct) is { } invalid) return invalid;
            var (status, publishAt, statusError) = Status(item);
            if (statusError is not null) return statusError;

            if (status != "draft")
            {
                // Checked before anything is written: a role that may not publish gets nothing half-done.
                var ownProfile = await OwnProfileAsync(actor, ct);
                var isOwn = kind == ArticleKind.Page || input.AuthorIds.Count == 0 || (ownProfile is { } own && input.AuthorIds.Contains(own));
                if (!ArticleWorkflow.Allows(actor.Role, status == "scheduled" ? ArticleAction.Schedule : ArticleAction.Publish, isOwn, ArticleStatus.Draft, trashed: false))
                {
                    return GhostErrors.NoPermission($"You do not have permission to {(status == "scheduled" ? "schedule" : "publish")} this {Singular(kind)}.");
                }
            }

            var saved = await editing.SaveAsync(http.User, null, input, null, SaveKind.Manual, ct);
            if (!saved.Succeeded) return FromSave(saved);
            if (await TransitionAsync(http, saved.Id, saved.Version, ArticleStatus.Draft, status, publishAt, ct) is { } failed) return failed;
            return await RespondWithAsync(http, kind, saved.Id, StatusCodes.Status201Created, ct);
        }
    }

    public async Task<IResult> EditAsync(HttpContext http, ArticleKind kind, string id, CancellationToken ct)
    {
        if (GhostShapes.ParseId(id) is not { } articleId) return NotFound(kind);
        var actorResult = await actors.ResolveAsync(http.User, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return GhostAdminApi.FromServiceError(actorResult.Error!);
        var actor = actorResult.Value!;
        if (SourceProblem(http) is { } badSource) return badSource;
        var (current, refusal) = await LoadAsync(http, kind, articleId, ct);
        if (refusal is not null) return refusal;
        var (document, readError) = await GhostAdminApi.ReadJsonAsync(http, ct);
        if (readError is not null) return readError;
        using (document)
        {
            var (item, missing) = GhostAdminApi.SingleItem(document!, Resource(kind));
            if (missing is not null) return missing;

            // updated_at is the concurrency check: the caller says which version it edits.
            var updatedAt = GhostAdminApi.Text(item, "updated_at");
            if (updatedAt is null) return GhostErrors.Validation($"data.{Resource(kind)}[0] must have required property 'updated_at'", "updated_at", $"Validation error, cannot edit {Singular(kind)}.");
            if (!DateTimeOffset.TryParse(updatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var seen))
            {
                return GhostErrors.Validation("Validation (isDate) failed for updated_at", "updated_at");
            }
            if (GhostShapes.Time(seen.UtcDateTime) != GhostShapes.Time(current!.UpdatedAt)) return Collision(kind);

            var input = new ArticleInput
            {
                Kind = kind, Headline = current.Headline, Standfirst = current.Standfirst, Slug = current.Slug, BodyHtml = current.BodyHtml,
                SeoTitle = current.SeoTitle, MetaDescription = current.MetaDescription, CanonicalUrl = current.CanonicalUrl, SectionId = current.SectionId,
                TagIds = [.. current.Tags.Select(t => t.Id)], AuthorIds = [.. current.Authors.Select(a => a.Id)], FeaturedImageId = current.FeaturedImageId,
                IsFeatured = current.IsFeatured,
            };
            var contentFields = new[] { "title", "slug", "html", "custom_excerpt", "meta_title", "meta_description", "canonical_url", "tags", "authors", "feature_image", "featured" };
            var changesText = contentFields.Any(f => GhostAdminApi.Has(item, f) && (f != "html" || IsHtmlSource(http)));
            if (await ApplyAsync(http, actor, kind, item, input, ct) is { } invalid) return invalid;
            var (status, publishAt, statusError) = Has(item, "status") || Has(item, "published_at") ? Status(item, Ghost(current)) : (Ghost(current), null, null);
            if (statusError is not null) return statusError;

            var version = current.Version;
            var articleStatus = current.Status;
            if (changesText)
            {
                if (!current.Allowed.Contains(ArticleAction.Edit)) return GhostErrors.NoPermission($"You do not have permission to edit this {Singular(kind)}.");
                var saved = await editing.SaveAsync(http.User, articleId, input, current.Version, SaveKind.Manual, ct);
                if (saved.Conflict is not null) return Collision(kind);
                if (!saved.Succeeded) return FromSave(saved);
                version = saved.Version;
            }
            if (await TransitionAsync(http, articleId, version, articleStatus, status, publishAt, ct, current.Allowed, current.ScheduledAt) is { } failed) return failed;
            return await RespondWithAsync(http, kind, articleId, StatusCodes.Status200OK, ct);
        }
    }

    /// <summary>DELETE: the item goes to the trash (only roles that may trash in the newsroom, Editors and Administrators).</summary>
    public async Task<IResult> DeleteAsync(HttpContext http, ArticleKind kind, string id, CancellationToken ct)
    {
        if (GhostShapes.ParseId(id) is not { } articleId) return NotFound(kind);
        var (current, refusal) = await LoadAsync(http, kind, articleId, ct);
        if (refusal is not null) return refusal;
        if (!current!.Allowed.Contains(ArticleAction.Trash)) return GhostErrors.NoPermission($"You do not have permission to delete this {Singular(kind)}.");
        var trashed = await workflow.TrashAsync(http.User, articleId, current.Version, ct);
        return trashed.Succeeded ? TypedResults.NoContent() : FromWorkflow(kind, trashed.Error!);
    }

    // ----- helpers -----

    /// <summary>The item as the acting account may see it in the newsroom; 404 when it does not exist (or is in the trash), 403 when not theirs to open.</summary>
    private async Task<(ArticleForEdit? Article, IResult? Refusal)> LoadAsync(HttpContext http, ArticleKind kind, int id, CancellationToken ct)
    {
        var loaded = await reads.GetForEditAsync(http.User, id, ct);
        if (!loaded.Succeeded)
        {
            var error = loaded.Error!;
            if (error == NewsroomArticleAccess.ArticleNotFound) return (null, NotFound(kind));
            return (null, error is NewsroomActors.SessionEnded or NewsroomActors.MustChangePassword ? GhostErrors.Unauthorized(error) : GhostErrors.NoPermission(error));
        }
        var article = loaded.Value!;
        return article.Kind != kind || article.Trashed ? (null, NotFound(kind)) : (article, null);
    }

    /// <summary>Copies the fields the body names onto <paramref name="input"/>; Ghost's error when one cannot be used.</summary>
    private async Task<IResult?> ApplyAsync(HttpContext http, Actor actor, ArticleKind kind, JsonElement item, ArticleInput input, CancellationToken ct)
    {
        if (GhostAdminApi.Has(item, "title")) input.Headline = GhostAdminApi.Text(item, "title") ?? "";
        if (GhostAdminApi.Text(item, "slug") is { Length: > 0 } slug)
        {
            input.Slug = slug;
            input.SlugFollowsHeadline = false;
        }
        // As Ghost: html is read only with ?source=html (otherwise the body would come as Lexical or Mobiledoc, which NewsCms does not take).
        if (IsHtmlSource(http) && GhostAdminApi.Has(item, "html")) input.BodyHtml = GhostAdminApi.Text(item, "html") ?? "";
        if (GhostAdminApi.Has(item, "custom_excerpt")) input.Standfirst = GhostAdminApi.Text(item, "custom_excerpt") ?? "";
        if (GhostAdminApi.Has(item, "meta_title")) input.SeoTitle = GhostAdminApi.Text(item, "meta_title");
        if (GhostAdminApi.Has(item, "meta_description")) input.MetaDescription = GhostAdminApi.Text(item, "meta_description");
        if (GhostAdminApi.Has(item, "canonical_url")) input.CanonicalUrl = GhostAdminApi.Text(item, "canonical_url");
        if (item.TryGetProperty("featured", out var featured))
        {
            if (featured.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return GhostErrors.Validation("Validation (isBoolean) failed for featured", "featured");
            input.IsFeatured = featured.GetBoolean();
        }
        if (item.TryGetProperty("feature_image", out var image))
        {
            if (image.ValueKind == JsonValueKind.Null || (image.ValueKind == JsonValueKind.String && image.GetString() is { Length: 0 })) input.FeaturedImageId = null;
            else if (image.ValueKind != JsonValueKind.String || await ImageIdAsync(image.GetString()!, ct) is not { } imageId)
            {
                return GhostErrors.Validation("feature_image must be the address of an image uploaded to this site (images/upload/).", "feature_image");
            }
            else input.FeaturedImageId = imageId;
        }
        if (kind == ArticleKind.Article && item.TryGetProperty("tags", out var tags))
        {
            var (tagIds, error) = await TagIdsAsync(http, actor, tags, ct);
            if (error is not null) return error;
            input.TagIds = tagIds!;
        }
        if (kind == ArticleKind.Article && item.TryGetProperty("authors", out var authors))
        {
            var (authorIds, error) = await AuthorIdsAsync(authors, ct);
            if (error is not null) return error;
            input.AuthorIds = authorIds!;
        }
        return null;
    }

    /// <summary>Moves the item from <paramref name="from"/> to the Ghost status asked for, through the workflow service.</summary>
    private async Task<IResult?> TransitionAsync(HttpContext http, int id, Guid version, ArticleStatus from, string to, DateTime? publishAt, CancellationToken ct,
        IReadOnlySet<ArticleAction>? allowed = null, DateTime? scheduledAt = null)
    {
        ArticleAction? action = to switch
        {
            "published" when from != ArticleStatus.Published => ArticleAction.Publish,
            "scheduled" when from != ArticleStatus.Scheduled || scheduledAt != publishAt => ArticleAction.Schedule,
            "draft" when from is ArticleStatus.Published or ArticleStatus.Scheduled => ArticleAction.Unpublish,
            _ => null,
        };
        if (action is null) return null;
        var kind = await KindAsync(id, ct);
        if (allowed is not null && !allowed.Contains(action.Value))
        {
            return GhostErrors.NoPermission($"You do not have permission to {action.Value.ToString().ToLowerInvariant()} this {Singular(kind)}.");
        }
        var result = action switch
        {
            ArticleAction.Publish => await workflow.PublishAsync(http.User, id, version, ct),
            ArticleAction.Schedule => await workflow.ScheduleAsync(http.User, id, version, publishAt!.Value, ct),
            _ => await workflow.UnpublishAsync(http.User, id, version, ct),
        };
        return result.Succeeded ? null : FromWorkflow(kind, result.Error!);
    }

    private async Task<ArticleKind> KindAsync(int id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Articles.Where(a => a.Id == id).Select(a => a.Kind).FirstOrDefaultAsync(ct);
    }

    /// <summary>The status asked for (draft, published or scheduled) and, for scheduled, when.</summary>
    private (string Status, DateTime? PublishAt, IResult? Error) Status(JsonElement item, string current = "draft")
    {
        var status = GhostAdminApi.Has(item, "status") ? GhostAdminApi.Text(item, "status") : current;
        if (status is not ("draft" or "published" or "scheduled"))
        {
            return ("", null, GhostErrors.Validation($"Validation (isIn) failed for status", "status"));
        }
        DateTime? at = null;
        if (GhostAdminApi.Text(item, "published_at") is { Length: > 0 } text)
        {
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return ("", null, GhostErrors.Validation("Validation (isDate) failed for published_at", "published_at"));
            }
            at = parsed.UtcDateTime;
        }
        if (status == "scheduled" && (at is null || at <= clock.GetUtcNow().UtcDateTime))
        {
            return ("", null, GhostErrors.Validation("Date must be at least 2 minutes in the future.", "published_at", "Error scheduling post."));
        }
        return (status, status == "scheduled" ? at : null, null);
    }

    private static bool Has(JsonElement item, string name) => GhostAdminApi.Has(item, name);

    private static string Ghost(ArticleForEdit article) => GhostShapes.Status(article.Status);

    /// <summary>Tags by id, slug or name (objects or plain names); new ones are added when the role may add tags.</summary>
    private async Task<(List<int>? Ids, IResult? Error)> TagIdsAsync(HttpContext http, Actor actor, JsonElement tags, CancellationToken ct)
    {
        if (tags.ValueKind != JsonValueKind.Array) return (null, GhostErrors.Validation("Validation (isArray) failed for tags", "tags"));
        var ids = new List<int>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var tag in tags.EnumerateArray())
        {
            string? id = null, slug = null, name = null;
            if (tag.ValueKind == JsonValueKind.String) name = tag.GetString();
            else if (tag.ValueKind == JsonValueKind.Object)
            {
                id = GhostAdminApi.Text(tag, "id");
                slug = GhostAdminApi.Text(tag, "slug");
                name = GhostAdminApi.Text(tag, "name");
            }
            Tag? found = null;
            if (id is not null)
            {
                found = GhostShapes.ParseId(id) is { } tagId ? await db.Tags.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tagId, ct) : null;
                if (found is null) return (null, GhostErrors.Validation($"Tag {id} not found.", "tags"));
            }
            found ??= slug is not null ? await db.Tags.AsNoTracking().FirstOrDefaultAsync(t => t.Slug == slug, ct) : null;
            var lowered = name?.Trim().ToLowerInvariant();
            found ??= lowered is { Length: > 0 } ? await db.Tags.AsNoTracking().FirstOrDefaultAsync(t => t.Name.ToLower() == lowered, ct) : null;
            if (found is null)
            {
                if (string.IsNullOrWhiteSpace(name) && string.IsNullOrWhiteSpace(slug)) return (null, GhostErrors.Validation("A tag needs an id, a slug or a name.", "tags"));
                if (!actor.Can(Capabilities.CreateTags)) return (null, GhostErrors.NoPermission($"You do not have permission to add the tag \"{name ?? slug}\"; use an existing one."));
                var created = await taxonomy.CreateTagAsync(http.User, new TaxonomyInput { Name = string.IsNullOrWhiteSpace(name) ? slug! : name, Slug = slug ?? "" }, ct);
                if (!created.Succeeded) return (null, GhostAdminApi.FromServiceError(created.Error!, "tags"));
                ids.Add(created.Value!.Id);
            }
            else ids.Add(found.Id);
        }
        return (ids.Distinct().ToList(), null);
    }

    /// <summary>Bylines by id, slug, e-mail or name (objects, or strings taken as e-mail, slug or name).</summary>
    private async Task<(List<int>? Ids, IResult? Error)> AuthorIdsAsync(JsonElement authors, CancellationToken ct)
    {
        if (authors.ValueKind != JsonValueKind.Array) return (null, GhostErrors.Validation("Validation (isArray) failed for authors", "authors"));
        var ids = new List<int>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var author in authors.EnumerateArray())
        {
            string? id = null, slug = null, email = null, name = null;
            if (author.ValueKind == JsonValueKind.String) email = slug = name = author.GetString();
            else if (author.ValueKind == JsonValueKind.Object)
            {
                id = GhostAdminApi.Text(author, "id");
                slug = GhostAdminApi.Text(author, "slug");
                email = GhostAdminApi.Text(author, "email");
                name = GhostAdminApi.Text(author, "name");
            }
            var profiles = db.AuthorProfiles.AsNoTracking();
            int? found = null;
            if (id is not null && GhostShapes.ParseId(id) is { } profileId) found = await profiles.Where(p => p.Id == profileId).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct);
            if (found is null && slug is not null) found = await profiles.Where(p => p.Slug == slug).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct);
            if (found is null && email is not null)
            {
                var lowered = email.Trim().ToLowerInvariant();
                found = await profiles.Where(p => p.Email != null && p.Email.ToLower() == lowered).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct)
                    ?? await db.Users.Where(u => u.NormalizedEmail == email.Trim().ToUpperInvariant())
                        .Join(db.AuthorProfiles, u => u.Id, p => p.UserId, (u, p) => (int?)p.Id).FirstOrDefaultAsync(ct);
            }
            if (found is null && name is not null) found = await profiles.Where(p => p.DisplayName == name).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct);
            if (found is null) return (null, GhostErrors.Validation($"Author {id ?? email ?? slug ?? name} not found.", "authors"));
            ids.Add(found.Value);
        }
        return (ids.Distinct().ToList(), null);
    }

    /// <summary>The library image at an address of this site (absolute or a path), or null.</summary>
    private async Task<int?> ImageIdAsync(string address, CancellationToken ct)
    {
        if (!Uri.TryCreate(BaseUri, address, out var uri) || !string.Equals(uri.Host, BaseUri.Host, StringComparison.OrdinalIgnoreCase)) return null;
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is not ["media", var key, _]) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.MediaItems.Where(m => m.StorageKey == key).Select(m => (int?)m.Id).FirstOrDefaultAsync(ct);
    }

    private async Task<int?> OwnProfileAsync(Actor actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AuthorProfiles.Where(p => p.UserId == actor.UserId).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct);
    }

    private async Task<int?> IdBySlugAsync(ArticleKind kind, string slug, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Articles.Where(a => a.Slug == slug && a.Kind == kind && a.TrashedAt == null).Select(a => (int?)a.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>The item as answered; fields= only on a read (Ghost's add and edit take formats but not fields).</summary>
    private async Task<IResult> RespondWithAsync(HttpContext http, ArticleKind kind, int id, int status, CancellationToken ct, bool withFields = false)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // After a write the answer takes formats= when it can be read (the write itself has happened).
        var query = GhostAdminApi.Query(http.Request, PostIncludes, ContentApiFilters.PostOrder.Names).Query;
        var posts = await GhostShapes.PostsAsync(db, [id], Options(http.Request, query), BaseUri, ct);
        return posts.Count == 0 ? NotFound(kind) : Respond(kind, posts, null, withFields ? query?.Fields : null, status);
    }

    private static IResult Respond(ArticleKind kind, IReadOnlyList<GhostPost> posts, GhostMeta? meta, IReadOnlySet<string>? fields, int status = StatusCodes.Status200OK) =>
        kind == ArticleKind.Page
            ? ContentApiEndpoints.Respond(new GhostPagesResponse(posts, meta), "pages", fields, status)
            : ContentApiEndpoints.Respond(new GhostPostsResponse(posts, meta), "posts", fields, status);

    /// <summary>The Admin API always includes tags and authors; html and plaintext come only with formats= (as in Ghost's Admin API).</summary>
    private static GhostShapeOptions Options(HttpRequest request, ContentApiQuery? query)
    {
        var formatsGiven = request.Query["formats"].ToString().Length > 0;
        return new GhostShapeOptions(Tags: true, Authors: true, Html: formatsGiven && query is { Html: true }, Plaintext: formatsGiven && query is { Plaintext: true }, AdminFields: true);
    }

    private static bool IsHtmlSource(HttpContext http) => http.Request.Query["source"].ToString() == "html";

    /// <summary>Ghost takes source=html only.</summary>
    private static IResult? SourceProblem(HttpContext http) =>
        http.Request.Query.TryGetValue("source", out var source) && source.ToString() != "html"
            ? GhostErrors.Validation("Validation (isIn) failed for source", "source")
            : null;

    private static IResult FromSave(SaveOutcome saved) =>
        saved.Conflict is not null ? GhostErrors.UpdateCollision()
        : saved.Error is NewsroomActors.NotAllowed or NewsroomActors.SessionEnded ? GhostAdminApi.FromServiceError(saved.Error)
        : saved.Error!.StartsWith("This article is", StringComparison.Ordinal) ? GhostErrors.NoPermission(saved.Error)
        : GhostErrors.Validation(saved.Error, Property(saved.Field));

    private static IResult FromWorkflow(ArticleKind kind, string error) =>
        error.Contains("meanwhile", StringComparison.Ordinal) ? Collision(kind)
        : error.StartsWith("You are not allowed", StringComparison.Ordinal) ? GhostErrors.NoPermission(error)
        : GhostAdminApi.FromServiceError(error);

    private static string? Property(string? field) => field switch
    {
        "Headline" => "title",
        "Slug" => "slug",
        "Standfirst" => "custom_excerpt",
        "SeoTitle" => "meta_title",
        "MetaDescription" => "meta_description",
        "CanonicalUrl" => "canonical_url",
        "Tags" => "tags",
        "Authors" => "authors",
        "FeaturedImage" => "feature_image",
        _ => null,
    };

    private static IResult Collision(ArticleKind kind) => GhostErrors.UpdateCollision($"Someone else is editing this {Singular(kind)}.", $"Saving failed! Someone else is editing this {Singular(kind)}.");

    private static IResult NotFound(ArticleKind kind) => GhostErrors.NotFound($"{(kind == ArticleKind.Page ? "Page" : "Post")} not found.");

    private static string Resource(ArticleKind kind) => kind == ArticleKind.Page ? "pages" : "posts";

    private static string Singular(ArticleKind kind) => kind == ArticleKind.Page ? "page" : "post";
}
