using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace NewsCms.Web.Features.GhostApi;

// The Admin API's answers besides posts, pages and tags (GhostPostsResponse, GhostTagsResponse...), as typed records
// so the OpenAPI document describes exactly what is sent.

/// <summary>What GET /site/ tells a client about the site.</summary>
public sealed record GhostSite
{
    [JsonPropertyName("title")] public required string Title { get; init; }
    [JsonPropertyName("description")] public required string Description { get; init; }
    [JsonPropertyName("logo")] public string? Logo { get; init; }
    [JsonPropertyName("icon")] public string? Icon { get; init; }
    [JsonPropertyName("cover_image")] public string? CoverImage { get; init; }
    [JsonPropertyName("accent_color")] public string? AccentColor { get; init; }
    [JsonPropertyName("locale")] public required string Locale { get; init; }
    [JsonPropertyName("timezone")] public required string Timezone { get; init; }
    [JsonPropertyName("url")] public required string Url { get; init; }
    [JsonPropertyName("version")] public required string Version { get; init; }

    /// <summary>No members here: nobody signs up from outside.</summary>
    [JsonPropertyName("allow_external_signup")] public bool AllowExternalSignup { get; init; }
}

/// <summary><c>{"site":{…}}</c>.</summary>
public sealed record GhostSiteResponse([property: JsonPropertyName("site")] GhostSite Site);

/// <summary>An uploaded image: its address and the caller's <c>ref</c> back (null when none was sent).</summary>
public sealed record GhostImage([property: JsonPropertyName("url")] string Url, [property: JsonPropertyName("ref")] string? Ref);

/// <summary><c>{"images":[{"url","ref"}]}</c>.</summary>
public sealed record GhostImagesResponse([property: JsonPropertyName("images")] IReadOnlyList<GhostImage> Images);

// What the Admin API reads, for the document (the handlers read the JSON themselves, field by field, so that a
// missing field keeps its value and a wrong type is Ghost's 422 rather than a binding failure).

/// <summary>A tag given by id, slug or name (a plain name is taken too).</summary>
public sealed record GhostTagInput
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("slug")] public string? Slug { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
}

/// <summary>A byline given by id, slug, e-mail or name.</summary>
public sealed record GhostAuthorInput
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("slug")] public string? Slug { get; init; }
    [JsonPropertyName("email")] public string? Email { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
}

/// <summary>A post or page as added or edited; on edit <c>updated_at</c> is the concurrency check.</summary>
public sealed record GhostPostInput
{
    [JsonPropertyName("title")] public string? Title { get; init; }
    [JsonPropertyName("slug")] public string? Slug { get; init; }
    [JsonPropertyName("html")] public string? Html { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("published_at")] public DateTime? PublishedAt { get; init; }
    [JsonPropertyName("updated_at")] public DateTime? UpdatedAt { get; init; }
    [JsonPropertyName("featured")] public bool? Featured { get; init; }
    [JsonPropertyName("custom_excerpt")] public string? CustomExcerpt { get; init; }
    [JsonPropertyName("feature_image")] public string? FeatureImage { get; init; }
    [JsonPropertyName("meta_title")] public string? MetaTitle { get; init; }
    [JsonPropertyName("meta_description")] public string? MetaDescription { get; init; }
    [JsonPropertyName("canonical_url")] public string? CanonicalUrl { get; init; }
    [JsonPropertyName("tags")] public IReadOnlyList<GhostTagInput>? Tags { get; init; }
    [JsonPropertyName("authors")] public IReadOnlyList<GhostAuthorInput>? Authors { get; init; }
}

public sealed record GhostPostsRequest([property: JsonPropertyName("posts")] IReadOnlyList<GhostPostInput> Posts);

public sealed record GhostPagesRequest([property: JsonPropertyName("pages")] IReadOnlyList<GhostPostInput> Pages);

public sealed record GhostTagsRequest([property: JsonPropertyName("tags")] IReadOnlyList<GhostTagInput> Tags);

/// <summary>The multipart form of an image upload: the file, and optionally its purpose and the caller's ref.</summary>
public sealed record GhostImageUpload
{
    [FromForm(Name = "file")] public IFormFile? File { get; init; }
    [FromForm(Name = "purpose")] public string? Purpose { get; init; }
    [FromForm(Name = "ref")] public string? Ref { get; init; }
}

/// <summary>The query string of an Admin API browse (read by <see cref="GhostAdminApi.Query"/>, declared here for the document).</summary>
public sealed record GhostAdminBrowseParameters
{
    [FromQuery(Name = "filter")] public string? Filter { get; init; }
    [FromQuery(Name = "limit")] public string? Limit { get; init; }
    [FromQuery(Name = "page")] public string? Page { get; init; }
    [FromQuery(Name = "order")] public string? Order { get; init; }
    [FromQuery(Name = "include")] public string? Include { get; init; }
    [FromQuery(Name = "fields")] public string? Fields { get; init; }
    [FromQuery(Name = "formats")] public string? Formats { get; init; }
}

/// <summary>The query string of an Admin API read.</summary>
public sealed record GhostAdminReadParameters
{
    [FromQuery(Name = "include")] public string? Include { get; init; }
    [FromQuery(Name = "fields")] public string? Fields { get; init; }
    [FromQuery(Name = "formats")] public string? Formats { get; init; }
}

/// <summary>The query string of a post or page write: <c>source=html</c>, and the formats of the answer (no fields, as in Ghost).</summary>
public sealed record GhostAdminWriteParameters
{
    [FromQuery(Name = "source")] public string? Source { get; init; }
    [FromQuery(Name = "include")] public string? Include { get; init; }
    [FromQuery(Name = "formats")] public string? Formats { get; init; }
}
