namespace NewsCms.Web.Features.Audit;

/// <summary>The names written to <see cref="AuditEntry.Action"/>; later features add theirs here.</summary>
public static class AuditActions
{
    public const string SetupCompleted = "setup.completed";
    public const string BootstrapAdminCreated = "setup.bootstrap-admin";
    public const string UserCreated = "user.created";
    public const string UserUpdated = "user.updated";
    public const string RoleChanged = "user.role-changed";
    public const string UserLocked = "user.locked";
    public const string UserUnlocked = "user.unlocked";
    public const string PasswordReset = "user.password-reset";
    public const string UserDeleted = "user.deleted";
    public const string SignInFailed = "signin.failed";
    public const string LockedOut = "signin.locked-out";
    public const string SignInThrottled = "signin.throttled";
    public const string PasswordChanged = "user.password-changed";
    public const string SettingsChanged = "settings.changed";
    public const string ArticleSubmitted = "article.submitted";
    public const string ArticlePublished = "article.published";
    public const string ArticleScheduled = "article.scheduled";
    public const string ArticleUnpublished = "article.unpublished";
    public const string ArticleTrashed = "article.trashed";
    public const string ArticleRestored = "article.restored";
    /// <summary>The scheduler sent a scheduled article back to review: who scheduled it may no longer publish it.</summary>
    public const string ArticleScheduleWithdrawn = "article.schedule-withdrawn";
    public const string ArticleTakenOver = "article.taken-over";
    /// <summary>An Editor or Administrator sent a submission back to its writer (the details hold the message).</summary>
    public const string ArticleChangesRequested = "article.changes-requested";
    /// <summary>A writer took their submission back before anyone started reviewing it.</summary>
    public const string ArticleWithdrawn = "article.withdrawn";
    public const string RevisionRestored = "article.revision-restored";
    public const string MediaUploaded = "media.uploaded";
    public const string MediaUpdated = "media.updated";
    public const string MediaDeleted = "media.deleted";
    public const string TagCreated = "tag.created";
    public const string TagUpdated = "tag.updated";
    public const string TagDeleted = "tag.deleted";
    public const string TagsMerged = "tag.merged";
    public const string SectionCreated = "section.created";
    public const string SectionUpdated = "section.updated";
    public const string SectionMoved = "section.moved";
    public const string SectionDeleted = "section.deleted";
    public const string AuthorCreated = "author.created";
    public const string AuthorUpdated = "author.updated";
    public const string AuthorDeleted = "author.deleted";
    public const string RedirectCreated = "redirect.created";
    public const string RedirectUpdated = "redirect.updated";
    public const string RedirectDeleted = "redirect.deleted";
    public const string DemoContentAdded = "demo.content-added";
    public const string BackupDownloaded = "backup.downloaded";
    public const string ImportStarted = "import.started";
    public const string SiteExported = "site.exported";
    public const string SiteImported = "site.imported";
    public const string WebhookAdded = "webhook.added";
    public const string WebhookEdited = "webhook.edited";
    public const string WebhookDeleted = "webhook.deleted";
    public const string WebhookResent = "webhook.resent";
    /// <summary>A webhook turned off: by hand, or by its receiver answering 410 Gone (then the actor is the delivery).</summary>
    public const string WebhookDisabled = "webhook.disabled";
    public const string IntegrationCreated = "integration.created";
    public const string IntegrationRenamed = "integration.renamed";
    public const string IntegrationRoleChanged = "integration.role-changed";
    public const string IntegrationKeyRegenerated = "integration.key-regenerated";
    public const string IntegrationKeyRevoked = "integration.key-revoked";
    public const string IntegrationDeleted = "integration.deleted";
    public const string NoteAdded = "note.added";
    public const string NoteReplied = "note.replied";
    public const string NoteResolved = "note.resolved";
    public const string NoteReopened = "note.reopened";
    public const string LiveCoverageStarted = "live.started";
    public const string LiveCoverageEnded = "live.ended";
    public const string LiveEntryPosted = "live.entry-posted";
    public const string LiveEntryEdited = "live.entry-edited";
    public const string LiveEntryDeleted = "live.entry-deleted";
    public const string BreakingSet = "breaking.set";
    public const string BreakingCleared = "breaking.cleared";
    /// <summary>The front page's slots saved (the details list each slot's story and pin).</summary>
    public const string FrontPageArranged = "front-page.arranged";
    public const string CorrectionAdded = "correction.added";
    public const string CorrectionEdited = "correction.edited";
    public const string CorrectionWithdrawn = "correction.withdrawn";

    public static readonly IReadOnlyList<string> All =
    [
        SetupCompleted, BootstrapAdminCreated, UserCreated, UserUpdated, RoleChanged, UserLocked, UserUnlocked,
        PasswordReset, UserDeleted, SignInFailed, LockedOut, SignInThrottled, PasswordChanged, SettingsChanged,
        ArticleSubmitted, ArticlePublished, ArticleScheduled, ArticleUnpublished, ArticleTrashed, ArticleRestored, ArticleScheduleWithdrawn,
        ArticleTakenOver, ArticleChangesRequested, ArticleWithdrawn, RevisionRestored, MediaUploaded, MediaUpdated, MediaDeleted, TagCreated, TagUpdated, TagDeleted, TagsMerged,
        SectionCreated, SectionUpdated, SectionMoved, SectionDeleted, AuthorCreated, AuthorUpdated, AuthorDeleted,
        RedirectCreated, RedirectUpdated, RedirectDeleted, DemoContentAdded, BackupDownloaded,
        ImportStarted, SiteExported, SiteImported,
        WebhookAdded, WebhookEdited, WebhookDeleted, WebhookResent, WebhookDisabled,
        IntegrationCreated, IntegrationRenamed, IntegrationRoleChanged, IntegrationKeyRegenerated, IntegrationKeyRevoked, IntegrationDeleted,
        NoteAdded, NoteReplied, NoteResolved, NoteReopened,
        LiveCoverageStarted, LiveCoverageEnded, LiveEntryPosted, LiveEntryEdited, LiveEntryDeleted, BreakingSet, BreakingCleared,
        FrontPageArranged,
        CorrectionAdded, CorrectionEdited, CorrectionWithdrawn,
    ];
}
