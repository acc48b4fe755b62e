using System.Text.Json.Serialization;

namespace NewsCms.Web.Features.GhostApi;

// The Content API's answers. Browse answers carry meta.pagination; a read answers a list of one and no meta (the
// official client tells the two apart by that).

public sealed record GhostPostsResponse(
    [property: JsonPropertyName("posts")] IReadOnlyList<GhostPost> Posts,
    [property: JsonPropertyName("meta"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GhostMeta? Meta);

public sealed record GhostPagesResponse(
    [property: JsonPropertyName("pages")] IReadOnlyList<GhostPost> Pages,
    [property: JsonPropertyName("meta"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GhostMeta? Meta);

public sealed record GhostTagsResponse(
    [property: JsonPropertyName("tags")] IReadOnlyList<GhostTag> Tags,
    [property: JsonPropertyName("meta"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GhostMeta? Meta);

public sealed record GhostAuthorsResponse(
    [property: JsonPropertyName("authors")] IReadOnlyList<GhostAuthor> Authors,
    [property: JsonPropertyName("meta"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GhostMeta? Meta);

/// <summary>A link of the site's navigation as Ghost's settings write it.</summary>
public sealed record GhostNavigationItem([property: JsonPropertyName("label")] string Label, [property: JsonPropertyName("url")] string Url);

/// <summary>The public settings Ghost's Content API gives (members, newsletters and portal are not NewsCms features: left out).</summary>
public sealed record GhostSettings
{
    [JsonPropertyName("title")] public required string Title { get; init; }
    [JsonPropertyName("description")] public required string Description { get; init; }
    [JsonPropertyName("logo")] public string? Logo { get; init; }
    [JsonPropertyName("icon")] public string? Icon { get; init; }
    [JsonPropertyName("accent_color")] public string? AccentColor { get; init; }
    [JsonPropertyName("cover_image")] public string? CoverImage { get; init; }
    [JsonPropertyName("facebook")] public string? Facebook { get; init; }
    [JsonPropertyName("twitter")] public string? Twitter { get; init; }
    [JsonPropertyName("lang")] public required string Lang { get; init; }
    [JsonPropertyName("locale")] public required string Locale { get; init; }
    [JsonPropertyName("timezone")] public required string Timezone { get; init; }
    [JsonPropertyName("codeinjection_head")] public string? CodeinjectionHead { get; init; }
    [JsonPropertyName("codeinjection_foot")] public string? CodeinjectionFoot { get; init; }
    [JsonPropertyName("navigation")] public required IReadOnlyList<GhostNavigationItem> Navigation { get; init; }
    [JsonPropertyName("secondary_navigation")] public required IReadOnlyList<GhostNavigationItem> SecondaryNavigation { get; init; }
    [JsonPropertyName("meta_title")] public string? MetaTitle { get; init; }
    [JsonPropertyName("meta_description")] public string? MetaDescription { get; init; }
    [JsonPropertyName("og_image")] public string? OgImage { get; init; }
    [JsonPropertyName("og_title")] public string? OgTitle { get; init; }
    [JsonPropertyName("og_description")] public string? OgDescription { get; init; }
    [JsonPropertyName("twitter_image")] public string? TwitterImage { get; init; }
    [JsonPropertyName("twitter_title")] public string? TwitterTitle { get; init; }
    [JsonPropertyName("twitter_description")] public string? TwitterDescription { get; init; }
    [JsonPropertyName("members_support_address")] public string? MembersSupportAddress { get; init; }
    [JsonPropertyName("url")] public required string Url { get; init; }
}

/// <summary><c>{"settings":{…},"meta":{}}</c>.</summary>
public sealed record ContentSettingsResponse(
    [property: JsonPropertyName("settings")] GhostSettings Settings,
    [property: JsonPropertyName("meta")] ContentEmptyMeta Meta);

public sealed record ContentEmptyMeta;
