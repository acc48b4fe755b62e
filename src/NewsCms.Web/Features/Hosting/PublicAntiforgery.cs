using Microsoft.AspNetCore.Antiforgery;

namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// Blazor asks antiforgery to store its tokens before every page it renders starts, which sets the antiforgery
/// cookie (and no-cache headers). A public page has no form that posts, and a cached one is the same for every reader,
/// so on public responses no token is made or stored: no <c>Set-Cookie</c> is ever part of a public response,
/// rendered or cached, and a reader's own antiforgery cookie (from a sign-in form open in another tab) is left alone.
/// Everything else (account pages, the newsroom) gets the framework's behaviour unchanged.
/// </summary>
internal sealed class PublicAntiforgery(IAntiforgery inner, AntiforgeryOptions options) : IAntiforgery
{
    public static void Register(IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(IAntiforgery))) services.AddAntiforgery();
        var framework = services.Last(d => d.ServiceType == typeof(IAntiforgery));
        services.Remove(framework);
        services.AddSingleton<IAntiforgery>(provider => new PublicAntiforgery(framework switch
        {
            { ImplementationInstance: IAntiforgery instance } => instance,
            { ImplementationFactory: { } factory } => (IAntiforgery)factory(provider),
            { ImplementationType: { } type } => (IAntiforgery)ActivatorUtilities.CreateInstance(provider, type),
            _ => throw new InvalidOperationException("The antiforgery service registration has no implementation."),
        }, provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<AntiforgeryOptions>>().Value));
    }

    // No form on a public page posts (the search form is a GET; PublicFormsTests keeps it so), so a public render
    // needs no token at all: making one cost every fresh render an HMAC and random bytes, for nothing in the page.
    // The set names the form field so a token component would render nothing rather than fail.
    private readonly AntiforgeryTokenSet none = new(null, null, options.FormFieldName, options.HeaderName);

    public AntiforgeryTokenSet GetAndStoreTokens(HttpContext httpContext) =>
        PublicCache.IsPublic(httpContext) ? none : inner.GetAndStoreTokens(httpContext);

    public AntiforgeryTokenSet GetTokens(HttpContext httpContext) =>
        PublicCache.IsPublic(httpContext) ? none : inner.GetTokens(httpContext);

    public Task<bool> IsRequestValidAsync(HttpContext httpContext) => inner.IsRequestValidAsync(httpContext);

    public Task ValidateRequestAsync(HttpContext httpContext) => inner.ValidateRequestAsync(httpContext);

    public void SetCookieTokenAndHeader(HttpContext httpContext)
    {
        if (!PublicCache.IsPublic(httpContext)) inner.SetCookieTokenAndHeader(httpContext);
    }
}
