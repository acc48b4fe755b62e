using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsCms.Web.Features.Integrations;

namespace NewsCms.Web.Features.Webhooks;

/// <summary>An address told about one kind of event (<see cref="WebhookEvents"/>), on behalf of an integration.</summary>
public class Webhook
{
    public int Id { get; set; }
    public int IntegrationId { get; set; }

    /// <summary>One of <see cref="WebhookEvents.All"/>, such as "post.published".</summary>
    public string Event { get; set; } = "";

    public string TargetUrl { get; set; } = "";
    public string Name { get; set; } = "";

    /// <summary>The key deliveries are signed with (X-Ghost-Signature), protected by Data Protection; none: unsigned.</summary>
    public string? ProtectedSecret { get; set; }

    public string ApiVersion { get; set; } = "";

    /// <summary>Off after the receiver answered 410 Gone (or by hand): no new deliveries are queued.</summary>
    public bool IsActive { get; set; } = true;

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? LastTriggeredAt { get; set; }
    public int? LastTriggeredStatus { get; set; }
    public string? LastTriggeredError { get; set; }
}

public enum WebhookDeliveryStatus
{
    /// <summary>Waiting for its first or next attempt (<see cref="WebhookDelivery.NextAttemptAt"/>).</summary>
    Pending = 0,
    Delivered = 1,

    /// <summary>Every attempt failed; "Resend" queues it again.</summary>
    Failed = 2,

    /// <summary>Not sent: the webhook was turned off or deleted first.</summary>
    Cancelled = 3,
}

/// <summary>
/// The outbox: one event for one webhook, written in the same transaction as the change it reports, then delivered
/// (and retried) by the delivery worker. <see cref="EventId"/> is the same for every webhook told about one change, and
/// sent with each attempt, so a receiver can ignore a repeat.
/// </summary>
public class WebhookDelivery
{
    public long Id { get; set; }
    public Guid EventId { get; set; }
    public int WebhookId { get; set; }
    public string Event { get; set; } = "";

    /// <summary>The JSON body exactly as sent (the signature covers it).</summary>
    public string Payload { get; set; } = "";

    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTime? DeliveredAt { get; set; }
}

internal sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> webhook)
    {
        webhook.Property(w => w.Event).HasMaxLength(50);
        webhook.Property(w => w.TargetUrl).HasMaxLength(2000);
        webhook.Property(w => w.Name).HasMaxLength(200);
        webhook.Property(w => w.ProtectedSecret).HasMaxLength(2000);
        webhook.Property(w => w.ApiVersion).HasMaxLength(50);
        webhook.Property(w => w.LastTriggeredError).HasMaxLength(1000);
        webhook.HasIndex(w => new { w.Event, w.IsActive });
        webhook.HasIndex(w => w.IntegrationId);
        webhook.HasOne<Integration>().WithMany().HasForeignKey(w => w.IntegrationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> delivery)
    {
        delivery.Property(d => d.Event).HasMaxLength(50);
        delivery.Property(d => d.LastError).HasMaxLength(1000);
        delivery.HasIndex(d => new { d.Status, d.NextAttemptAt });
        delivery.HasIndex(d => new { d.WebhookId, d.CreatedAt });
        delivery.HasIndex(d => d.EventId);
        delivery.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
    }
}
