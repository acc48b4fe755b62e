using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Feeds;
using NewsCms.Web.Features.Media;

namespace NewsCms.Web.Features.GhostApi;

// The resources as the Ghost APIs write them: the field names, and which fields are always there (null when NewsCms has
// nothing for them) and which come only when asked for (include=, formats=). Ids are NewsCms's own ids as strings.

/// <summary>A post or page. <see cref="Tags"/>, <see cref="Authors"/> and the primaries come with include=tags,authors.</summary>
public sealed record GhostPost
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("uuid")] public required string Uuid { get; init; }
    [JsonPropertyName("title")] public required string Title { get; init; }
    [JsonPropertyName("slug")] public required string Slug { get; init; }
    [JsonPropertyName("html"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Html { get; init; }
    [JsonPropertyName("plaintext"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Plaintext { get; init; }
    [JsonPropertyName("comment_id")] public required string CommentId { get; init; }
    [JsonPropertyName("feature_image")] public string? FeatureImage { get; init; }
    [JsonPropertyName("feature_image_alt")] public string? FeatureImageAlt { get; init; }
    [JsonPropertyName("feature_image_caption")] public string? FeatureImageCaption { get; init; }
    [JsonPropertyName("featured")] public bool Featured { get; init; }

    /// <summary>Admin API only: draft, published or scheduled.</summary>
    [JsonPropertyName("status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Status { get; init; }

    [JsonPropertyName("visibility")] public string Visibility { get; init; } = "public";
    [JsonPropertyName("created_at")] public required string CreatedAt { get; init; }
    [JsonPropertyName("updated_at")] public required string UpdatedAt { get; init; }
    [JsonPropertyName("published_at")] public string? PublishedAt { get; init; }
    [JsonPropertyName("custom_excerpt")] public string? CustomExcerpt { get; init; }
    [JsonPropertyName("codeinjection_head")] public string? CodeinjectionHead { get; init; }
    [JsonPropertyName("codeinjection_foot")] public string? CodeinjectionFoot { get; init; }
    [JsonPropertyName("custom_template")] public string? CustomTemplate { get; init; }
    [JsonPropertyName("canonical_url")] public string? CanonicalUrl { get; init; }
    [JsonPropertyName("tags"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<GhostTag>? Tags { get; init; }
    [JsonPropertyName("authors"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<GhostAuthor>? Authors { get; init; }
    [JsonPropertyName("primary_author"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public GhostAuthor? PrimaryAuthor { get; init; }

    /// <summary>With include=tags: the first tag (left out when the post has none).</summary>
    [JsonPropertyName("primary_tag"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public GhostTag? PrimaryTag { get; init; }

    [JsonPropertyName("url")] public required string Url { get; init; }
    [JsonPropertyName("excerpt")] public required string Excerpt { get; init; }
    [JsonPropertyName("reading_time")] public int ReadingTime { get; init; }
    [JsonPropertyName("access")] public bool Access { get; init; } = true;
    [JsonPropertyName("comments")] public bool Comments { get; init; }
    [JsonPropertyName("og_image")] public string? OgImage { get; init; }
    [JsonPropertyName("og_title")] public string? OgTitle { get; init; }
    [JsonPropertyName("og_description")] public string? OgDescription { get; init; }
    [JsonPropertyName("twitter_image")] public string? TwitterImage { get; init; }
    [JsonPropertyName("twitter_title")] public string? TwitterTitle { get; init; }
    [JsonPropertyName("twitter_description")] public string? TwitterDescription { get; init; }
    [JsonPropertyName("meta_title")] public string? MetaTitle { get; init; }
    [JsonPropertyName("meta_description")] public string? MetaDescription { get; init; }
    [JsonPropertyName("email_subject")] public string? EmailSubject { get; init; }
    [JsonPropertyName("frontmatter")] public string? Frontmatter { get; init; }
}

public sealed record GhostTag
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("slug")] public required string Slug { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("feature_image")] public string? FeatureImage { get; init; }
    [JsonPropertyName("visibility")] public string Visibility { get; init; } = "public";
    [JsonPropertyName("og_image")] public string? OgImage { get; init; }
    [JsonPropertyName("og_title")] public string? OgTitle { get; init; }
    [JsonPropertyName("og_description")] public string? OgDescription { get; init; }
    [JsonPropertyName("twitter_image")] public string? TwitterImage { get; init; }
    [JsonPropertyName("twitter_title")] public string? TwitterTitle { get; init; }
    [JsonPropertyName("twitter_description")] public string? TwitterDescription { get; init; }
    [JsonPropertyName("meta_title")] public string? MetaTitle { get; init; }
    [JsonPropertyName("meta_description")] public string? MetaDescription { get; init; }
    [JsonPropertyName("codeinjection_head")] public string? CodeinjectionHead { get; init; }
    [JsonPropertyName("codeinjection_foot")] public string? CodeinjectionFoot { get; init; }
    [JsonPropertyName("canonical_url")] public string? CanonicalUrl { get; init; }
    [JsonPropertyName("accent_color")] public string? AccentColor { get; init; }
    [JsonPropertyName("url")] public required string Url { get; init; }
    [JsonPropertyName("count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public GhostCount? Count { get; init; }
}

public sealed record GhostAuthor
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("slug")] public required string Slug { get; init; }
    [JsonPropertyName("profile_image")] public string? ProfileImage { get; init; }
    [JsonPropertyName("cover_image")] public string? CoverImage { get; init; }
    [JsonPropertyName("bio")] public string? Bio { get; init; }
    [JsonPropertyName("website")] public string? Website { get; init; }
    [JsonPropertyName("location")] public string? Location { get; init; }
    [JsonPropertyName("facebook")] public string? Facebook { get; init; }
    [JsonPropertyName("twitter")] public string? Twitter { get; init; }
    [JsonPropertyName("meta_title")] public string? MetaTitle { get; init; }
    [JsonPropertyName("meta_description")] public string? MetaDescription { get; init; }
    [JsonPropertyName("url")] public required string Url { get; init; }
    [JsonPropertyName("count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public GhostCount? Count { get; init; }
}

public sealed record GhostCount([property: JsonPropertyName("posts")] int Posts);

public sealed record GhostPagination(
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("pages")] int Pages,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("next")] int? Next,
    [property: JsonPropertyName("prev")] int? Prev)
{
    public static GhostPagination For(int page, int limit, int total)
    {
        var pages = Math.Max(1, (int)Math.Ceiling(total / (double)limit));
        return new GhostPagination(page, limit, pages, total, page < pages ? page + 1 : null, page > 1 ? page - 1 : null);
    }
}

public sealed record GhostMeta([property: JsonPropertyName("pagination")] GhostPagination Pagination);

/// <summary>What to put in the shapes besides the fields always there.</summary>
/// <param name="Html">formats=html (the default).</param>
/// <param name="Plaintext">formats=plaintext.</param>
/// <param name="AdminFields">The Admin API's extra fields (status).</param>
public sealed record GhostShapeOptions(bool Tags, bool Authors, bool Html = true, bool Plaintext = false, bool AdminFields = false)
{
    public static readonly GhostShapeOptions Everything = new(Tags: true, Authors: true, Html: true, Plaintext: false, AdminFields: false);
}

/// <summary>
/// Builds the shapes from the database: posts and pages in three queries however many there are (the articles, then
/// their tags and bylines together, then their images).
/// </summary>
public static class GhostShapes
{
    /// <summary>Ghost writes times with milliseconds and an offset: 2026-12-04T09:30:00.000+00:00.</summary>
    public static string Time(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", CultureInfo.InvariantCulture);

    public static string? Time(DateTime? utc) => utc is { } value ? Time(value) : null;

    /// <summary>A stable UUID for an item that has none stored (made from its kind and id).</summary>
    public static string Uuid(string kind, int id)
    {
        var hash = MD5.HashData(Encoding.UTF8.GetBytes($"newscms:{kind}:{id}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x30); // version 3, name-based
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash, bigEndian: true).ToString();
    }

    public static string Status(ArticleStatus status) => status switch
    {
        ArticleStatus.Published => "published",
        ArticleStatus.Scheduled => "scheduled",
        _ => "draft",
    };

    /// <summary>Ghost's excerpt: the custom excerpt (our standfirst), else the first 500 characters of the text.</summary>
    public static string Excerpt(string standfirst, string bodyText)
    {
        if (!string.IsNullOrWhiteSpace(standfirst)) return standfirst;
        var text = string.Join(' ', bodyText.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 500 ? text : text[..500];
    }

    public static string PostUrl(Uri baseUri, ArticleKind kind, string slug) =>
        new Uri(baseUri, kind == ArticleKind.Page ? Pages.PageUrls.ForSlug(slug) : ArticleUrls.ForSlug(slug)).ToString();

    public static string TagUrl(Uri baseUri, string slug) => new Uri(baseUri, "/tag/" + slug).ToString();

    /// <summary>A tag as the APIs and webhooks show it; <paramref name="posts"/> is count.posts when asked for.</summary>
    public static GhostTag Tag(int id, string name, string slug, string? description, Uri baseUri, int? posts = null) => new()
    {
        Id = Id(id), Name = name, Slug = slug, Description = string.IsNullOrWhiteSpace(description) ? null : description,
        Url = TagUrl(baseUri, slug), Count = posts is { } count ? new GhostCount(count) : null,
    };

    public static string AuthorUrl(Uri baseUri, string slug) => new Uri(baseUri, "/author/" + slug).ToString();

    public static string ImageUrl(Uri baseUri, MediaImage image) => new Uri(baseUri, image.OriginalUrl).ToString();

    /// <summary>The posts or pages with these ids, in the order given; ids that do not exist are left out.</summary>
    public static async Task<IReadOnlyList<GhostPost>> PostsAsync(NewsCmsDbContext db, IReadOnlyList<int> ids, GhostShapeOptions options, Uri baseUri,
        CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var rows = await db.Articles.AsNoTracking().Where(a => ids.Contains(a.Id))
            .Select(a => new
            {
                a.Id, a.Kind, a.Headline, a.Slug, a.Standfirst, BodyHtml = options.Html ? a.BodyHtml : null, a.BodyText, a.Status, a.IsFeatured,
                a.CreatedAt, a.UpdatedAt, a.PublishedAt, a.ScheduledAt, a.CanonicalUrl, a.SeoTitle, a.MetaDescription, a.ReadingMinutes, a.FeaturedImageId,
            })
            .ToListAsync(ct);

        // Readers' shapes (the Content API) carry a live blog's latest entries after the body (see LiveEntriesInFeeds);
        // the Admin API's do not, so a client that saves the html back never copies entries into the body.
        var liveEntries = options.Html && !options.AdminFields ? await LiveBlogs.LiveEntriesInFeeds.ForAsync(db, ids, ct) : new Dictionary<int, string>();
        // Corrections and updates too, for the same readers and for the same reason (see PublicCorrections).
        var corrections = options.Html && !options.AdminFields ? await Corrections.PublicCorrections.InFeedsAsync(db, ids, ct) : new Dictionary<int, string>();
        var tagsByArticle = new Dictionary<int, List<GhostTag>>();
        var authorsByArticle = new Dictionary<int, List<(int Position, GhostAuthor Author, int? AvatarId)>>();
        if (options.Tags || options.Authors)
        {
            var terms = await db.ArticleTags.AsNoTracking().Where(at => options.Tags && ids.Contains(at.ArticleId))
                .Join(db.Tags, at => at.TagId, t => t.Id, (at, t) => new
                {
                    at.ArticleId, IsAuthor = false, Position = 0, TermId = t.Id, t.Name, t.Slug, Description = (string?)t.Description, AvatarId = (int?)null,
                    Website = (string?)null, X = (string?)null, Facebook = (string?)null, SortKey = t.Name.ToLower(), // PrimaryTagKey
                })
                .Concat(db.ArticleAuthors.AsNoTracking().Where(aa => options.Authors && ids.Contains(aa.ArticleId))
                    .Join(db.AuthorProfiles, aa => aa.AuthorProfileId, p => p.Id, (aa, p) => new
                    {
                        aa.ArticleId, IsAuthor = true, aa.Position, TermId = p.Id, Name = p.DisplayName, p.Slug, Description = (string?)p.Bio, AvatarId = p.AvatarId,
                        p.Website, p.X, p.Facebook, SortKey = "",
                    }))
                // Tags in the primary tag order, sorted by the database as the primary_tag filter sorts them.
                .OrderBy(x => x.SortKey).ThenBy(x => x.TermId)
                .ToListAsync(ct);
            foreach (var term in terms)
            {
                if (term.IsAuthor)
                {
                    var author = new GhostAuthor
                    {
                        Id = Id(term.TermId), Name = term.Name, Slug = term.Slug, Bio = Blank(term.Description), Website = Blank(term.Website),
                        Twitter = Blank(term.X), Facebook = Blank(term.Facebook), Url = AuthorUrl(baseUri, term.Slug),
                    };
                    Add(authorsByArticle, term.ArticleId, (term.Position, author, term.AvatarId));
                }
                else
                {
                    Add(tagsByArticle, term.ArticleId, new GhostTag
                    {
                        Id = Id(term.TermId), Name = term.Name, Slug = term.Slug, Description = Blank(term.Description), Url = TagUrl(baseUri, term.Slug),
                    });
                }
            }
        }

        var imageIds = rows.Select(r => r.FeaturedImageId).Concat(authorsByArticle.Values.SelectMany(list => list.Select(a => a.AvatarId)))
            .OfType<int>().Distinct().ToList();
        var images = imageIds.Count == 0 ? new Dictionary<int, MediaImage>()
            : await db.MediaItems.AsNoTracking().Where(m => imageIds.Contains(m.Id)).Select(MediaImage.Projection).ToDictionaryAsync(m => m.Id, ct);

        var byId = rows.ToDictionary(r => r.Id);
        var posts = new List<GhostPost>(rows.Count);
        foreach (var id in ids)
        {
            if (!byId.TryGetValue(id, out var a)) continue;
            var image = a.FeaturedImageId is { } imageId ? images.GetValueOrDefault(imageId) : null;
            var tags = options.Tags ? tagsByArticle.GetValueOrDefault(a.Id) ?? [] : null;
            var authors = options.Authors
                ? (authorsByArticle.GetValueOrDefault(a.Id) ?? []).OrderBy(x => x.Position)
                    .Select(x => x.AvatarId is { } avatar && images.GetValueOrDefault(avatar) is { } picture ? x.Author with { ProfileImage = ImageUrl(baseUri, picture) } : x.Author)
                    .ToList()
                : null;
            posts.Add(new GhostPost
            {
                Id = Id(a.Id),
                Uuid = Uuid("article", a.Id),
                Title = a.Headline,
                Slug = a.Slug,
                Html = a.BodyHtml is { } html ? FeedDocuments.AbsoluteUrls(html + liveEntries.GetValueOrDefault(a.Id) + corrections.GetValueOrDefault(a.Id), baseUri) : null,
                Plaintext = options.Plaintext ? a.BodyText : null,
                CommentId = Id(a.Id),
                FeatureImage = image is null ? null : ImageUrl(baseUri, image),
                FeatureImageAlt = image is null ? null : Blank(image.AltText),
                FeatureImageCaption = image is null ? null : Blank(image.Caption),
                Featured = a.IsFeatured,
                Status = options.AdminFields ? Status(a.Status) : null,
                CreatedAt = Time(a.CreatedAt),
                UpdatedAt = Time(a.UpdatedAt),
                PublishedAt = Time(a.Status == ArticleStatus.Scheduled ? a.ScheduledAt : a.PublishedAt),
                CustomExcerpt = Blank(a.Standfirst),
                CanonicalUrl = Blank(a.CanonicalUrl),
                Tags = tags,
                Authors = authors,
                PrimaryAuthor = authors?.FirstOrDefault(),
                PrimaryTag = tags?.FirstOrDefault(),
                Url = PostUrl(baseUri, a.Kind, a.Slug),
                Excerpt = Excerpt(a.Standfirst, a.BodyText),
                ReadingTime = a.ReadingMinutes,
                MetaTitle = Blank(a.SeoTitle),
                MetaDescription = Blank(a.MetaDescription),
            });
        }
        return posts;
    }

    /// <summary>
    /// The one rule for an article's primary tag: its tags ordered by this key (the lower-cased name, compared by the
    /// database), then by id; the first is the primary tag. <see cref="PostsAsync"/> sorts tags by it and the
    /// Content API's primary_tag filter picks by it, both in SQL, so they always agree.
    /// </summary>
    public static readonly System.Linq.Expressions.Expression<Func<Taxonomy.Tag, string>> PrimaryTagKey = t => t.Name.ToLower();

    public static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>An id as the APIs write it, read back; null when it is not one of ours.</summary>
    public static int? ParseId(string? id) =>
        int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 && Id(value) == id ? value : null;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static void Add<T>(Dictionary<int, List<T>> lists, int key, T item)
    {
        if (!lists.TryGetValue(key, out var list)) lists[key] = list = [];
        list.Add(item);
    }
}
