namespace NewsCms.Web.Features.Webhooks;

/// <summary>Settings under NewsCms:Webhooks.</summary>
public sealed class WebhookOptions
{
    public const string Section = "NewsCms:Webhooks";

    /// <summary>
    /// Lets webhooks call loopback, link-local and private addresses (a receiver on the same machine or network).
    /// Off by default: otherwise anyone who may add a webhook could make the server call inside its own network.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How long one delivery attempt may take, connection included; a slower answer is a failed attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(1);
}
