using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Notifications;

public enum NotificationKind
{
    /// <summary>To Editors and Administrators: an article was submitted for review.</summary>
    Submitted = 0,

    /// <summary>To the writer: an editor asked for changes (the message is in <see cref="Notification.Message"/>).</summary>
    ChangesRequested = 1,

    /// <summary>To the writer: their article was published.</summary>
    Published = 2,

    /// <summary>To Editors and Administrators: a submission was withdrawn before anyone reviewed it.</summary>
    Withdrawn = 3,
}

/// <summary>
/// A notification for one person, stored so that whoever was offline sees it on their next sign-in; it is pushed live
/// to their open newsroom pages when it is written.
/// </summary>
public class Notification
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    public NotificationKind Kind { get; set; }
    public int? ArticleId { get; set; }

    /// <summary>The article's headline when the notification was written (it stays readable if the article goes).</summary>
    public string ArticleHeadline { get; set; } = "";

    public string ActorName { get; set; } = "";
    public string Message { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? ReadAt { get; set; }

    /// <summary>
    /// The e-mail outbox: when the e-mail for this notification is due (written with the notification, in the same
    /// transaction, when SMTP is configured and the kind sends one); null once sent or given up.
    /// <see cref="NotificationMailer"/> claims, sends and retries it.
    /// </summary>
    public DateTime? EmailDueAt { get; set; }

    /// <summary>Failed attempts to send the e-mail so far.</summary>
    public int EmailAttempts { get; set; }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> notification)
    {
        notification.Property(n => n.UserId).HasMaxLength(450);
        notification.Property(n => n.ArticleHeadline).HasMaxLength(300);
        notification.Property(n => n.ActorName).HasMaxLength(256);
        notification.Property(n => n.Message).HasMaxLength(4000);
        notification.HasIndex(n => new { n.UserId, n.ReadAt, n.CreatedAt });
        notification.HasIndex(n => n.EmailDueAt);
        notification.HasOne<ApplicationUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
        notification.HasOne<Article>().WithMany().HasForeignKey(n => n.ArticleId).OnDelete(DeleteBehavior.SetNull);
    }
}
