using System.ComponentModel.DataAnnotations;

namespace NewsCms.Web.Features.Settings;

/// <summary>Settings under NewsCms:Site: defaults for a new site and its public origin.</summary>
public sealed class SiteOptions : IValidatableObject
{
    public const string Section = "NewsCms:Site";

    /// <summary>The title of a new site; after setup the title lives in the database.</summary>
    [Required, StringLength(200)]
    public string Title { get; set; } = "NewsCms";

    /// <summary>The public origin for canonical URLs, feeds, sitemaps and e-mailed links (never the request's Host).</summary>
    [Required]
    public string BaseUrl { get; set; } = "http://localhost:5080";

    public Uri BaseUri => new(BaseUrl.TrimEnd('/') + "/");

    /// <summary>
    /// Other host names the site answers to (e.g. www.example.org beside example.org), besides BaseUrl's host. Requests
    /// for any other Host get 400.
    /// </summary>
    public List<string> AdditionalHosts { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            yield return new ValidationResult(
                $"NewsCms:Site:BaseUrl must be an absolute http(s) URL such as https://news.example.org, not '{BaseUrl}'.",
                [nameof(BaseUrl)]);
        }
        foreach (var host in AdditionalHosts)
        {
            if (Uri.CheckHostName(host) is UriHostNameType.Unknown or UriHostNameType.Basic)
            {
                yield return new ValidationResult(
                    $"NewsCms:Site:AdditionalHosts must list host names only (such as www.example.org, without scheme or port), not '{host}'.",
                    [nameof(AdditionalHosts)]);
            }
        }
    }
}
