using System.Text.Json.Serialization;

namespace NewsCms.Web.Features.GhostApi;

/// <summary>One error as the Ghost APIs report it; the clients read message, type and context.</summary>
public sealed record GhostError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("context")] string? Context,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("details")] object? Details,
    [property: JsonPropertyName("property")] string? Property,
    [property: JsonPropertyName("help")] string? Help,
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("ghostErrorCode")] string? GhostErrorCode);

/// <summary>The body of every error answer: <c>{"errors":[{…}]}</c>.</summary>
public sealed record GhostErrorBody([property: JsonPropertyName("errors")] IReadOnlyList<GhostError> Errors);

/// <summary>
/// Error answers in the shapes and status codes the Ghost APIs use, so clients that switch on <c>type</c> (the
/// official ones put it in the thrown error's name) behave as they would against Ghost.
/// </summary>
public static class GhostErrors
{
    public static IResult Result(int status, string type, string message, string? context = null, string? property = null, string? code = null) =>
        TypedResults.Json(new GhostErrorBody([new GhostError(message, context, type, null, property, null, code, Guid.NewGuid().ToString(), null)]),
            statusCode: status);

    public static IResult BadRequest(string context, string message = "Request not understood error, cannot process request.") =>
        Result(StatusCodes.Status400BadRequest, "BadRequestError", message, context);

    public static IResult Unauthorized(string context, string message = "Authorization failed") =>
        Result(StatusCodes.Status401Unauthorized, "UnauthorizedError", message, context);

    public static IResult NoPermission(string context, string message = "You do not have permission to perform this request") =>
        Result(StatusCodes.Status403Forbidden, "NoPermissionError", message, context);

    public static IResult NotFound(string context, string message = "Resource not found") =>
        Result(StatusCodes.Status404NotFound, "NotFoundError", message, context);

    /// <summary>An edit that names a stale <c>updated_at</c>: someone else changed the item since the caller read it.</summary>
    public static IResult UpdateCollision(string context = "Someone else is editing this post.", string message = "Saving failed! Someone else is editing this post.") =>
        Result(StatusCodes.Status409Conflict, "UpdateCollisionError", message, context, code: "UPDATE_COLLISION");

    public static IResult TooLarge(string context, string message = "Request is larger than the maximum file size the server allows") =>
        Result(StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLargeError", message, context);

    public static IResult UnsupportedMediaType(string context, string message = "The file type you uploaded is not supported.") =>
        Result(StatusCodes.Status415UnsupportedMediaType, "UnsupportedMediaTypeError", message, context);

    public static IResult Validation(string context, string? property = null, string message = "Validation error, cannot save resource.") =>
        Result(StatusCodes.Status422UnprocessableEntity, "ValidationError", message, context, property);

    public static IResult TooManyRequests(string context, string message = "Too many attempts.") =>
        Result(StatusCodes.Status429TooManyRequests, "TooManyRequestsError", message, context);

    public static IResult Internal(string context = "An unexpected error occurred, please try again.", string message = "Internal server error, cannot complete request.") =>
        Result(StatusCodes.Status500InternalServerError, "InternalServerError", message, context);
}
