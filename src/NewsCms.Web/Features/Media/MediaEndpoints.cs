using Microsoft.AspNetCore.Antiforgery;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Media;

/// <summary>The error body of a refused upload.</summary>
public sealed record MediaUploadError(string Error);

public static partial class MediaEndpoints
{
    public const string UploadPath = "/api/media";

    /// <summary>Files never change (a new upload gets a new key): browsers and proxies may keep them for a year.</summary>
    public const string CacheControl = "public, max-age=31536000, immutable";

    // Room for the multipart framing around the file.
    private const long MultipartOverhead = 64 * 1024;

    public static WebApplicationBuilder AddMedia(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MediaOptions>, MediaOptionsValidation>();
        builder.Services.AddSingleton<MediaStorage>();
        builder.Services.AddScoped<MediaLibrary>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMedia(this IEndpointRouteBuilder endpoints)
    {
        var settings = endpoints.ServiceProvider.GetRequiredService<IOptions<MediaOptions>>().Value;
        // Made now, so a media folder that cannot be created stops start-up with a message naming the setting.
        endpoints.ServiceProvider.GetRequiredService<MediaStorage>();
        var requestLimit = settings.MaxUploadBytes + MultipartOverhead;

        // Plain status codes, not the HTML not-found page: a missing image needs no page, and re-executing a refused
        // upload (401, 403) as a POST to that page would turn it into an antiforgery 400.
        endpoints.MapGet("/media/{key}/{file}", Serve).AllowAnonymous().WithMetadata(PlainStatusCodes.Instance);

        endpoints.MapPost(UploadPath, UploadAsync)
            .RequireAuthorization(Capabilities.AccessNewsroom)
            .WithMetadata(PlainStatusCodes.Instance)
            .WithMetadata(new UploadSizeLimit(requestLimit))
            .WithFormOptions(multipartBodyLengthLimit: requestLimit);
        return endpoints;
    }

    private static Results<PhysicalFileHttpResult, NotFound> Serve(string key, string file, MediaStorage storage, HttpContext context)
    {
        var match = FileNamePattern().Match(file);
        if (!MediaStorage.IsValidKey(key) || !match.Success) return TypedResults.NotFound();
        var path = Path.Combine(storage.FolderFor(key), file);
        var info = new FileInfo(path);
        if (!info.Exists) return TypedResults.NotFound();

        context.Response.Headers.CacheControl = CacheControl;
        var contentType = match.Groups["ext"].Value switch
        {
            "webp" => "image/webp",
            "jpg" => "image/jpeg",
            "png" => "image/png",
            _ => "image/gif",
        };
        return TypedResults.PhysicalFile(path, contentType, lastModified: info.LastWriteTimeUtc,
            entityTag: new EntityTagHeaderValue($"\"{key}-{file}\""), enableRangeProcessing: true);
    }

    /// <summary>
    /// One image per request in the multipart field "file". The antiforgery token (the form field
    /// __RequestVerificationToken or the RequestVerificationToken header) is checked here, before the file is looked at
    /// (as the WordPress import's upload does), so a forged or expired one gets a 400 with a message. A request over the
    /// size limit (one that did not come through the upload area, which checks the size first) gets a 413 with the limit.
    /// </summary>
    private static async Task<Results<Ok<MediaImage>, BadRequest<MediaUploadError>, JsonHttpResult<MediaUploadError>>> UploadAsync(
        HttpContext context, IAntiforgery antiforgery, MediaLibrary library, IOptions<MediaOptions> options)
    {
        var ct = context.RequestAborted;
        IFormFile? file;
        try
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return TypedResults.BadRequest(new MediaUploadError("This page's security token has expired: reload the page and upload again."));
            }
            file = context.Request.HasFormContentType ? (await context.Request.ReadFormAsync(ct)).Files.GetFile("file") : null;
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return TypedResults.Json(new MediaUploadError($"The file is larger than the limit of {MediaSizes.Megabytes(options.Value.MaxUploadBytes)}."),
                statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        if (file is null) return TypedResults.BadRequest(new MediaUploadError("Choose an image file to upload."));
        await using var stream = file.OpenReadStream();
        var result = await library.UploadAsync(context.User, stream, file.FileName, file.Length, ct);
        return result.Succeeded
            ? TypedResults.Ok(result.Value!)
            : TypedResults.BadRequest(new MediaUploadError(result.Error!));
    }

    private sealed record UploadSizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

    private sealed class PlainStatusCodes : ISkipStatusCodePagesMetadata
    {
        public static readonly PlainStatusCodes Instance = new();
    }

    [GeneratedRegex(@"^(original|[0-9]{1,5})\.(?<ext>webp|jpg|png|gif)$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}
