using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Webhooks;

/// <summary>One webhook as the integrations page and the Admin API see it (its secret never leaves the service).</summary>
public sealed record WebhookRow(
    int Id, int IntegrationId, string Event, string TargetUrl, string Name, bool HasSecret, string ApiVersion, bool IsActive,
    DateTime CreatedAt, DateTime UpdatedAt, DateTime? LastTriggeredAt, int? LastTriggeredStatus, string? LastTriggeredError,
    int Pending, int Delivered, int Failed);

/// <summary>One outbox row in the delivery log.</summary>
public sealed record WebhookDeliveryRow(
    long Id, Guid EventId, int WebhookId, string Event, string TargetUrl, WebhookDeliveryStatus Status, int Attempts,
    int? LastStatusCode, string? LastError, DateTime CreatedAt, DateTime? LastAttemptAt, DateTime NextAttemptAt, DateTime? DeliveredAt);

/// <summary>What to add, or change: on an edit every null field keeps its value.</summary>
public sealed class WebhookInput
{
    /// <summary>One of <see cref="WebhookEvents.All"/>.</summary>
    public string? Event { get; set; }

    public string? TargetUrl { get; set; }
    public string? Name { get; set; }

    /// <summary>The key deliveries are signed with. On an edit: null keeps the current one, empty removes it.</summary>
    public string? Secret { get; set; }

    public string? ApiVersion { get; set; }

    /// <summary>On or off (null: as it is; a new webhook is on). Turning one on again after a 410 is done here.</summary>
    public bool? Active { get; set; }
}

/// <summary>
/// Webhooks of integrations: list them with their delivery counts, read the delivery log, add, edit, delete, resend.
/// <para>
/// Who may: see <see cref="MayManage"/>. A newsroom account with <see cref="Capabilities.ManageIntegrations"/>
/// (Administrators) manages every integration's webhooks; an integration's own account (the Admin API acting as that
/// integration) manages its own integration's webhooks and no other's, whatever its key's role, as in Ghost. Nobody
/// else.
/// </para>
/// Everything is audited; secrets are kept protected by Data Protection and never returned.
/// </summary>
public sealed class Webhooks(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    WebhookOutbox outbox,
    IDataProtectionProvider protection,
    IOptions<WebhookOptions> options,
    TimeProvider clock)
{
    /// <summary>The Data Protection purpose of webhook secrets.</summary>
    public const string SecretPurpose = "NewsCms.Webhooks.Secret";

    public const string NotFound = "That webhook no longer exists.";
    public const string IntegrationNotFound = "That integration no longer exists.";
    public const string DeliveryNotFound = "That delivery is no longer in the log.";
    public const string AlreadyUsed = "Target URL has already been used for this event.";
    public const int MaxSecretLength = 500;

    private readonly IDataProtector secrets = protection.CreateProtector(SecretPurpose);

    /// <summary>
    /// The rule for every method here. An integration's account (<paramref name="actorIsIntegration"/>: the Admin
    /// API) may manage the webhooks of its own integration only (the one whose account is
    /// <paramref name="integrationUserId"/>), whatever its role; a newsroom account may manage any integration's
    /// when it holds <see cref="Capabilities.ManageIntegrations"/> (Administrators).
    /// </summary>
    public static bool MayManage(Actor actor, bool actorIsIntegration, string integrationUserId) => actorIsIntegration
        ? string.Equals(actor.UserId, integrationUserId, StringComparison.Ordinal)
        : actor.Can(Capabilities.ManageIntegrations);

    /// <summary>The integration's webhooks, with how many deliveries of each wait, arrived and failed.</summary>
    public async Task<ServiceResult<IReadOnlyList<WebhookRow>>> ListAsync(ClaimsPrincipal acting, int integrationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var allowed = await ManagerAsync(acting, db, integrationId, ct);
        if (!allowed.Succeeded) return ServiceResult<IReadOnlyList<WebhookRow>>.Fail(allowed.Error!);
        var rows = await Rows(db, db.Webhooks.Where(w => w.IntegrationId == integrationId).OrderBy(w => w.Event).ThenBy(w => w.Id)).ToListAsync(ct);
        return ServiceResult<IReadOnlyList<WebhookRow>>.Success(rows);
    }

    /// <summary>The integration's deliveries, newest first.</summary>
    public async Task<ServiceResult<PagedList<WebhookDeliveryRow>>> ListDeliveriesAsync(ClaimsPrincipal acting, int integrationId, int page, int pageSize, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var allowed = await ManagerAsync(acting, db, integrationId, ct);
        if (!allowed.Succeeded) return ServiceResult<PagedList<WebhookDeliveryRow>>.Fail(allowed.Error!);
        pageSize = Math.Clamp(pageSize, 1, 200);
        var deliveries = db.WebhookDeliveries.AsNoTracking()
            .Join(db.Webhooks.Where(w => w.IntegrationId == integrationId), d => d.WebhookId, w => w.Id, (d, w) => new { d, w.TargetUrl });
        var total = await deliveries.CountAsync(ct);
        var items = await deliveries
            .OrderByDescending(x => x.d.CreatedAt).ThenByDescending(x => x.d.Id)
            .Skip(Math.Max(0, page) * pageSize).Take(pageSize)
            .Select(x => new WebhookDeliveryRow(x.d.Id, x.d.EventId, x.d.WebhookId, x.d.Event, x.TargetUrl, x.d.Status, x.d.Attempts,
                x.d.LastStatusCode, x.d.LastError, x.d.CreatedAt, x.d.LastAttemptAt, x.d.NextAttemptAt, x.d.DeliveredAt))
            .ToListAsync(ct);
        return ServiceResult<PagedList<WebhookDeliveryRow>>.Success(new PagedList<WebhookDeliveryRow>(items, total));
    }

    public async Task<ServiceResult<WebhookRow>> AddAsync(ClaimsPrincipal acting, int integrationId, WebhookInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var allowed = await ManagerAsync(acting, db, integrationId, ct);
        if (!allowed.Succeeded) return ServiceResult<WebhookRow>.Fail(allowed.Error!);
        var now = clock.GetUtcNow().UtcDateTime;
        var webhook = new Webhook { IntegrationId = integrationId, CreatedAt = now, IsActive = input.Active ?? true };
        var invalid = await ApplyAsync(db, webhook, input, isNew: true, ct);
        if (invalid is not null) return ServiceResult<WebhookRow>.Fail(invalid);
        webhook.UpdatedAt = now;
        db.Webhooks.Add(webhook);
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(allowed.Value!, AuditActions.WebhookAdded, Describe(webhook.Event, webhook.TargetUrl), webhook.ProtectedSecret is null ? "unsigned" : "signed", ct);
        await outbox.NotifyChangedAsync();
        return ServiceResult<WebhookRow>.Success(await RowAsync(db, webhook.Id, ct));
    }

    public async Task<ServiceResult<WebhookRow>> EditAsync(ClaimsPrincipal acting, int integrationId, int webhookId, WebhookInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var allowed = await ManagerAsync(acting, db, integrationId, ct);
        if (!allowed.Succeeded) return ServiceResult<WebhookRow>.Fail(allowed.Error!);
        var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == webhookId && w.IntegrationId == integrationId, ct);
        if (webhook is null) return ServiceResult<WebhookRow>.Fail(NotFound);
        var before = Describe(webhook.Event, webhook.TargetUrl);
        var wasActive = webhook.IsActive;
        var invalid = await ApplyAsync(db, webhook, input, isNew: false, ct);
        if (invalid is not null) return ServiceResult<WebhookRow>.Fail(invalid);
        if (input.Active is { } active) webhook.IsActive = active;
        webhook.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            if (wasActive && !webhook.IsActive) await WebhookSender.CancelPendingAsync(db, webhook.Id, ct);
            await transaction.CommitAsync(ct);
        }
        var after = Describe(webhook.Event, webhook.TargetUrl);
        string?[] notes = [before == after ? null : "was " + before, wasActive == webhook.IsActive ? null : webhook.IsActive ? "turned on" : "turned off"];
        var details = string.Join("; ", notes.OfType<string>());
        await audit.WriteAsync(allowed.Value!, wasActive && !webhook.IsActive ? AuditActions.WebhookDisabled : AuditActions.WebhookEdited, after,
            details.Length == 0 ? null : details, ct);
        await outbox.NotifyChangedAsync();
        return ServiceResult<WebhookRow>.Success(await RowAsync(db, webhook.Id, ct));
    }

    /// <summary>Deletes the webhook and its delivery log; what was still waiting is not sent.</summary>
    public async Task<ServiceResult> DeleteAsync(ClaimsPrincipal acting, int integrationId, int webhookId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var allowed = await ManagerAsync(acting, db, integrationId, ct);
        if (!allowed.Succeeded) return allowed;
        var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == webhookId && w.IntegrationId == integrationId, ct);
        if (webhook is null) return ServiceResult.Fail(NotFound);
        db.Webhooks.Remove(webhook);
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(allowed.Value!, AuditActions.WebhookDeleted, Describe(webhook.Event, webhook.TargetUrl), null, ct);
        await outbox.NotifyChangedAsync();
        return ServiceResult.Ok;
    }

    /// <summary>
    /// Sends a delivery again: queues a copy (same event id and body, attempts from zero, due now) and leaves the
    /// original in the log as it ended, so the log keeps what happened; the receiver can tell the copy is the same
    /// event by its event id. Refused while the original is still being tried, or while the webhook is off.
    /// Returns the copy's id.
    /// </summary>
    public async Task<ServiceResult<long>> ResendAsync(ClaimsPrincipal acting, long deliveryId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await db.WebhookDeliveries.AsNoTracking().Where(d => d.Id == deliveryId)
            .Join(db.Webhooks, d => d.WebhookId, w => w.Id, (d, w) => new { d, w.IntegrationId, w.IsActive, w.TargetUrl })
            .FirstOrDefaultAsync(ct);
        // Who may not manage it learns nothing about whether it exists.
        var allowed = await ManagerAsync(acting, db, found?.IntegrationId ?? 0, ct);
        if (!allowed.Succeeded) return ServiceResult<long>.Fail(allowed.Error == IntegrationNotFound ? DeliveryNotFound : allowed.Error!);
        if (found is null) return ServiceResult<long>.Fail(DeliveryNotFound);
        if (found.d.Status == WebhookDeliveryStatus.Pending) return ServiceResult<long>.Fail("This delivery is still being tried; it needs no resend.");
        if (!found.IsActive) return ServiceResult<long>.Fail("The webhook is turned off; turn it on before resending.");
        var now = clock.GetUtcNow().UtcDateTime;
        var copy = new WebhookDelivery
        {
            EventId = found.d.EventId, WebhookId = found.d.WebhookId, Event = found.d.Event, Payload = found.d.Payload,
            Status = WebhookDeliveryStatus.Pending, CreatedAt = now, NextAttemptAt = now,
        };
        db.WebhookDeliveries.Add(copy);
        await db.SaveChangesAsync(ct);
        outbox.Wake();
        await audit.WriteAsync(allowed.Value!, AuditActions.WebhookResent, Describe(found.d.Event, found.TargetUrl), $"event {found.d.EventId}", ct);
        return ServiceResult<long>.Success(copy.Id);
    }

    /// <summary>How a webhook is named in the audit log and in messages.</summary>
    internal static string Describe(string eventName, string targetUrl) => $"{eventName} → {targetUrl}";

    /// <summary>
    /// Resolves the acting user (any role: an integration's account may have any) and checks <see cref="MayManage"/>
    /// against the integration. A missing integration is "not found" only to those who may manage every integration.
    /// </summary>
    private async Task<ServiceResult<Actor>> ManagerAsync(ClaimsPrincipal acting, NewsCmsDbContext db, int integrationId, CancellationToken ct)
    {
        var actor = await actors.ResolveAsync(acting, null, ct);
        if (!actor.Succeeded) return actor;
        var actorId = actor.Value!.UserId;
        var actorIsIntegration = await db.Users.AsNoTracking().Where(u => u.Id == actorId).Select(u => u.IsIntegration).FirstOrDefaultAsync(ct);
        var ownerId = await db.Integrations.AsNoTracking().Where(i => i.Id == integrationId).Select(i => i.UserId).FirstOrDefaultAsync(ct);
        if (ownerId is null)
        {
            return ServiceResult<Actor>.Fail(!actorIsIntegration && actor.Value.Can(Capabilities.ManageIntegrations) ? IntegrationNotFound : NewsroomActors.NotAllowed);
        }
        return MayManage(actor.Value, actorIsIntegration, ownerId) ? actor : ServiceResult<Actor>.Fail(NewsroomActors.NotAllowed);
    }

    /// <summary>Checks <paramref name="input"/> and applies it to <paramref name="webhook"/>; null, or why not.</summary>
    private async Task<string?> ApplyAsync(NewsCmsDbContext db, Webhook webhook, WebhookInput input, bool isNew, CancellationToken ct)
    {
        var eventName = input.Event?.Trim() ?? (isNew ? null : webhook.Event);
        if (!WebhookEvents.IsKnown(eventName))
        {
            return string.IsNullOrEmpty(eventName)
                ? "Choose the event."
                : $"\"{eventName}\" is not a webhook event. Known events: {string.Join(", ", WebhookEvents.All)}.";
        }
        var target = input.TargetUrl?.Trim() ?? (isNew ? null : webhook.TargetUrl);
        if (WebhookTargets.Validate(target, options.Value.AllowPrivateTargets) is { } badTarget) return badTarget;
        var name = input.Name?.Trim() ?? (isNew ? "" : webhook.Name);
        if (name.Length > 200) return "The name is too long (at most 200 characters).";
        var apiVersion = input.ApiVersion?.Trim() ?? (isNew ? "" : webhook.ApiVersion);
        if (apiVersion.Length > 50) return "The API version is too long (at most 50 characters).";
        if (input.Secret is { Length: > MaxSecretLength }) return $"The secret is too long (at most {MaxSecretLength} characters).";
        var integrationId = webhook.IntegrationId;
        var id = webhook.Id;
        if (await db.Webhooks.AnyAsync(w => w.IntegrationId == integrationId && w.Id != id && w.Event == eventName && w.TargetUrl == target, ct))
        {
            return AlreadyUsed;
        }

        webhook.Event = eventName!;
        webhook.TargetUrl = target!;
        webhook.Name = name;
        webhook.ApiVersion = apiVersion;
        if (input.Secret is { } secret) webhook.ProtectedSecret = secret.Length == 0 ? null : secrets.Protect(secret);
        return null;
    }

    private static IQueryable<WebhookRow> Rows(NewsCmsDbContext db, IQueryable<Webhook> webhooks) =>
        webhooks.AsNoTracking().Select(w => new WebhookRow(
            w.Id, w.IntegrationId, w.Event, w.TargetUrl, w.Name, w.ProtectedSecret != null, w.ApiVersion, w.IsActive,
            w.CreatedAt, w.UpdatedAt, w.LastTriggeredAt, w.LastTriggeredStatus, w.LastTriggeredError,
            db.WebhookDeliveries.Count(d => d.WebhookId == w.Id && d.Status == WebhookDeliveryStatus.Pending),
            db.WebhookDeliveries.Count(d => d.WebhookId == w.Id && d.Status == WebhookDeliveryStatus.Delivered),
            db.WebhookDeliveries.Count(d => d.WebhookId == w.Id && d.Status == WebhookDeliveryStatus.Failed)));

    private static Task<WebhookRow> RowAsync(NewsCmsDbContext db, int id, CancellationToken ct) =>
        Rows(db, db.Webhooks.Where(w => w.Id == id)).FirstAsync(ct);
}
