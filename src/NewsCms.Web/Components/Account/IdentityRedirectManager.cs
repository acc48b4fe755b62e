using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using NewsCms.Web.Data;

namespace NewsCms.Web.Components.Account;

/// <summary>
/// Redirects from the static account pages. The Location sent is always a path on this site (never an absolute URI
/// built from the request's Host or X-Forwarded-Host, which an untrusted client chooses).
/// </summary>
internal sealed class IdentityRedirectManager(NavigationManager navigationManager, IHttpContextAccessor httpContextAccessor)
{
    public const string StatusCookieName = "Identity.StatusMessage";

    private static readonly CookieBuilder StatusCookieBuilder = new()
    {
        SameSite = SameSiteMode.Strict,
        HttpOnly = true,
        IsEssential = true,
        MaxAge = TimeSpan.FromSeconds(5),
    };

    public void RedirectTo(string? uri)
    {
        uri ??= "";

        // Prevent open redirects.
        if (!Uri.IsWellFormedUriString(uri, UriKind.Relative)
            || uri.StartsWith("//", StringComparison.Ordinal))
        {
            uri = navigationManager.ToBaseRelativePath(uri);
        }

        // The framework answers NavigateTo with an absolute Location made from the request's host; send the path instead.
        var local = LocalUrl.PathOf(navigationManager.ToAbsoluteUri(uri), navigationManager.BaseUri);
        if (httpContextAccessor.HttpContext is { } context && local is not null)
        {
            context.Response.OnStarting(() =>
            {
                var response = context.Response;
                if (response.StatusCode is >= 300 and < 400 && response.Headers.Location.Count > 0) response.Headers.Location = local;
                if (response.Headers.ContainsKey(EnhancedNavRedirectHeader)) response.Headers[EnhancedNavRedirectHeader] = local;
                return Task.CompletedTask;
            });
        }
        navigationManager.NavigateTo(uri);
    }

    // Where Blazor's enhanced navigation is told to go instead of a 302.
    private const string EnhancedNavRedirectHeader = "blazor-enhanced-nav-redirect-location";

    public void RedirectTo(string uri, Dictionary<string, object?> queryParameters)
    {
        var uriWithoutQuery = navigationManager.ToAbsoluteUri(uri).GetLeftPart(UriPartial.Path);
        var newUri = navigationManager.GetUriWithQueryParameters(uriWithoutQuery, queryParameters);
        RedirectTo(newUri);
    }

    public void RedirectToWithStatus(string uri, string message, HttpContext context)
    {
        context.Response.Cookies.Append(StatusCookieName, message, StatusCookieBuilder.Build(context));
        RedirectTo(uri);
    }

    private string CurrentPath => navigationManager.ToAbsoluteUri(navigationManager.Uri).GetLeftPart(UriPartial.Path);

    public void RedirectToCurrentPage() => RedirectTo(CurrentPath);

    public void RedirectToCurrentPageWithStatus(string message, HttpContext context)
        => RedirectToWithStatus(CurrentPath, message, context);

    public void RedirectToInvalidUser(UserManager<ApplicationUser> userManager, HttpContext context)
        => RedirectToWithStatus("Account/InvalidUser", $"Error: Unable to load user with ID '{userManager.GetUserId(context.User)}'.", context);
}
