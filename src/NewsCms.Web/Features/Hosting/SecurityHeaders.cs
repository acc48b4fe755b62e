using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Components.Routing;

namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// The headers every response carries, with a Content-Security-Policy per kind of page: strict on public and account
/// pages (no inline script or style at all), and the least the newsroom needs for MudBlazor (inline styles) and the
/// circuit. The one inline script, Blazor's import map, is allowed by its hash, never by a nonce: a nonce would differ
/// per response and so break cached public pages.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Public pages, account pages, feeds, media and errors. Frames: exactly the embed providers' players
    /// (EmbedProviders.FrameHosts), which load only when a reader asks for one.
    /// </summary>
    public static readonly string PublicPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        $"frame-src {Embeds.EmbedProviders.FrameSources}; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private const string NewsroomPolicy =
        "default-src 'self'; script-src 'self'{0}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    // The import map changes only with a new build: its hash is computed once per definition.
    private static readonly ConcurrentDictionary<ImportMapDefinition, string> ImportMapHashes = new();

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers.ContentSecurityPolicy = PolicyFor(context);
                return Task.CompletedTask;
            });
            return next(context);
        });

    /// <summary>The policy of the page being answered: the newsroom's for interactive pages, the strict one otherwise.</summary>
    internal static string PolicyFor(HttpContext context)
    {
        if (context.GetEndpoint() is not { } endpoint || endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is null
            || !context.AcceptsInteractiveRouting())
        {
            return PublicPolicy;
        }
        var importMap = endpoint.Metadata.GetMetadata<ImportMapDefinition>();
        return string.Format(System.Globalization.CultureInfo.InvariantCulture, NewsroomPolicy,
            importMap is null ? "" : " " + ImportMapHashes.GetOrAdd(importMap, ImportMapHash));
    }

    /// <summary>The CSP source for the import map script exactly as the ImportMap component writes it.</summary>
    internal static string ImportMapHash(ImportMapDefinition importMap) =>
        $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(importMap.ToString())))}'";
}
