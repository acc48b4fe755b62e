using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Webhooks;
using WebhookService = NewsCms.Web.Features.Webhooks.Webhooks;

namespace NewsCms.Web.Features.GhostApi;

/// <summary>A webhook as the Admin API writes it (Ghost's fields; the secret only echoes what the caller just sent).</summary>
public sealed record GhostWebhook
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("event")] public required string Event { get; init; }
    [JsonPropertyName("target_url")] public required string TargetUrl { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("secret")] public string? Secret { get; init; }
    [JsonPropertyName("api_version")] public string? ApiVersion { get; init; }
    [JsonPropertyName("integration_id")] public required string IntegrationId { get; init; }

    /// <summary>"available", or "disabled" once its receiver answered 410 Gone (or it was turned off).</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("last_triggered_at")] public string? LastTriggeredAt { get; init; }
    [JsonPropertyName("last_triggered_status")] public string? LastTriggeredStatus { get; init; }
    [JsonPropertyName("last_triggered_error")] public string? LastTriggeredError { get; init; }
    [JsonPropertyName("created_at")] public required string CreatedAt { get; init; }
    [JsonPropertyName("updated_at")] public required string UpdatedAt { get; init; }
}

public sealed record GhostWebhooksBody([property: JsonPropertyName("webhooks")] IReadOnlyList<GhostWebhook> Webhooks);

/// <summary>What an add or edit sends (for the OpenAPI document; the handlers read the body themselves). On an edit, absent fields stay.</summary>
public sealed record GhostWebhookInput(
    [property: JsonPropertyName("event")] string? Event,
    [property: JsonPropertyName("target_url")] string? TargetUrl,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("secret")] string? Secret,
    [property: JsonPropertyName("api_version")] string? ApiVersion);

public sealed record GhostWebhooksRequest([property: JsonPropertyName("webhooks")] IReadOnlyList<GhostWebhookInput> Webhooks);

/// <summary>
/// Admin API webhooks (add, edit, delete), as Ghost has them: always the calling integration's own, through the
/// <see cref="WebhookService"/> service, which checks that rule and the target address.
/// </summary>
public static class GhostAdminWebhooks
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("webhooks", AddAsync)
            .Accepts<GhostWebhooksRequest>("application/json")
            .Answers(typeof(GhostWebhooksBody), StatusCodes.Status201Created, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status422UnprocessableEntity);
        api.MapPut("webhooks/{id}", EditAsync)
            .Accepts<GhostWebhooksRequest>("application/json")
            .Answers(typeof(GhostWebhooksBody), StatusCodes.Status200OK, StatusCodes.Status404NotFound, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status422UnprocessableEntity);
        api.MapDelete("webhooks/{id}", DeleteAsync)
            .Answers(null, StatusCodes.Status204NoContent, StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> AddAsync(HttpContext http, WebhookService webhooks, CancellationToken ct)
    {
        var (input, secret, error) = await ReadAsync(http, ct);
        if (error is not null) return error;
        if (string.IsNullOrWhiteSpace(input!.Event)) return GhostErrors.Validation("Validation failed for 'event'.", "event");
        if (string.IsNullOrWhiteSpace(input.TargetUrl)) return GhostErrors.Validation("Validation failed for 'target_url'.", "target_url");
        var result = await webhooks.AddAsync(http.User, IntegrationOf(http.User), input, ct);
        if (!result.Succeeded) return Refusal(result.Error!, "add");
        return TypedResults.Json(new GhostWebhooksBody([Shape(result.Value!, secret)]), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> EditAsync(string id, HttpContext http, WebhookService webhooks, IDbContextFactory<NewsCmsDbContext> dbFactory, CancellationToken ct)
    {
        if (GhostShapes.ParseId(id) is not { } webhookId) return GhostErrors.NotFound("Webhook not found.");
        var (input, secret, error) = await ReadAsync(http, ct);
        if (error is not null) return error;
        var result = await webhooks.EditAsync(http.User, IntegrationOf(http.User), webhookId, input!, ct);
        if (!result.Succeeded) return await OthersOrRefusalAsync(result.Error!, webhookId, "edit", dbFactory, ct);
        return TypedResults.Json(new GhostWebhooksBody([Shape(result.Value!, secret)]));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, WebhookService webhooks, IDbContextFactory<NewsCmsDbContext> dbFactory, CancellationToken ct)
    {
        if (GhostShapes.ParseId(id) is not { } webhookId) return GhostErrors.NotFound("Webhook not found.");
        var result = await webhooks.DeleteAsync(http.User, IntegrationOf(http.User), webhookId, ct);
        if (!result.Succeeded) return await OthersOrRefusalAsync(result.Error!, webhookId, "delete", dbFactory, ct);
        return TypedResults.NoContent();
    }

    /// <summary>The integration whose key signed the request (the Admin API's policy guarantees the claim).</summary>
    private static int IntegrationOf(ClaimsPrincipal user) =>
        int.Parse(user.FindFirstValue(GhostAdminAuthentication.IntegrationClaim)!, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>A webhook of another integration is "not yours" (403), as Ghost answers, not "not found".</summary>
    private static async Task<IResult> OthersOrRefusalAsync(string error, int webhookId, string verb, IDbContextFactory<NewsCmsDbContext> dbFactory, CancellationToken ct)
    {
        if (error != WebhookService.NotFound) return Refusal(error, verb);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Webhooks.AnyAsync(w => w.Id == webhookId, ct)
            ? GhostErrors.NoPermission($"You may only {verb} webhooks that belong to the authenticated integration.")
            : GhostErrors.NotFound("Webhook not found.");
    }

    private static IResult Refusal(string error, string verb) => error switch
    {
        Users.NewsroomActors.NotAllowed => GhostErrors.NoPermission($"You may only {verb} webhooks that belong to the authenticated integration."),
        WebhookService.NotFound => GhostErrors.NotFound("Webhook not found."),
        _ => GhostAdminApi.FromServiceError(error),
    };

    /// <summary>Reads <c>{"webhooks":[{event, target_url, name, secret, api_version}]}</c>; absent fields stay null (an edit keeps them).</summary>
    private static async Task<(WebhookInput? Input, string? Secret, IResult? Error)> ReadAsync(HttpContext http, CancellationToken ct)
    {
        var (document, error) = await GhostAdminApi.ReadJsonAsync(http, ct);
        if (error is not null) return (null, null, error);
        using (document)
        {
            var (item, missing) = GhostAdminApi.SingleItem(document!, "webhooks");
            if (missing is not null) return (null, null, missing);
            foreach (var field in new[] { "event", "target_url", "name", "secret", "api_version" })
            {
                if (item.TryGetProperty(field, out var value) && value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    return (null, null, GhostErrors.Validation($"Validation failed for '{field}'.", field));
                }
            }
            var secret = GhostAdminApi.Text(item, "secret");
            return (new WebhookInput
            {
                Event = GhostAdminApi.Text(item, "event"),
                TargetUrl = GhostAdminApi.Text(item, "target_url"),
                Name = GhostAdminApi.Text(item, "name"),
                Secret = secret,
                ApiVersion = GhostAdminApi.Text(item, "api_version"),
            }, secret, null);
        }
    }

    private static GhostWebhook Shape(WebhookRow row, string? secret) => new()
    {
        Id = GhostShapes.Id(row.Id),
        Event = row.Event,
        TargetUrl = row.TargetUrl,
        Name = row.Name.Length == 0 ? null : row.Name,
        Secret = secret is { Length: > 0 } ? secret : null,
        ApiVersion = row.ApiVersion.Length == 0 ? null : row.ApiVersion,
        IntegrationId = GhostShapes.Id(row.IntegrationId),
        Status = row.IsActive ? "available" : "disabled",
        LastTriggeredAt = GhostShapes.Time(row.LastTriggeredAt),
        LastTriggeredStatus = row.LastTriggeredStatus?.ToString(CultureInfo.InvariantCulture),
        LastTriggeredError = row.LastTriggeredError,
        CreatedAt = GhostShapes.Time(row.CreatedAt),
        UpdatedAt = GhostShapes.Time(row.UpdatedAt),
    };
}
