using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.GhostApi;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Web.Features.Webhooks;

/// <summary>
/// The events a committed change writes to the webhook outbox, with Ghost's payloads:
/// <c>{"post":{"current":{…},"previous":{…}}}</c> (the post as the APIs show it, with its status; "previous" holds
/// the fields that changed, as they were), the same under "page" or "tag", and <c>{}</c> for site.changed. Everything
/// is decided from memory first: a change nobody listens to costs no query.
/// </summary>
public sealed class WebhookPayloads(WebhookOutbox outbox, IOptions<SiteOptions> site, TimeProvider clock)
{
    private static readonly GhostShapeOptions PostShape = new(Tags: true, Authors: true, Html: true, Plaintext: false, AdminFields: true);

    /// <summary>What a change to a post or page will tell, worked out before it is written (the "previous" state is read then).</summary>
    internal sealed record PostEvents(ArticleKind Kind, IReadOnlyList<string> Events, JsonObject? Previous, bool SiteChanged);

    /// <summary>
    /// Before <paramref name="article"/>'s tracked changes are saved: the events they fire that someone listens to,
    /// and the item as the APIs showed it before (when an event needs it). Null when nobody listens to any of them.
    /// </summary>
    internal async Task<PostEvents?> BeforePostChangeAsync(NewsCmsDbContext db, Article article, bool publicChange, CancellationToken ct)
    {
        var entry = db.Entry(article);
        var isNew = entry.State == EntityState.Added || article.Id == 0;
        PostState? before = isNew ? null
            : new PostState(entry.Property(a => a.Status).OriginalValue, entry.Property(a => a.TrashedAt).OriginalValue is not null);
        var after = new PostState(article.Status, article.TrashedAt is not null);
        var listened = new List<string>();
        foreach (var name in WebhookTriggers.ForPost(article.Kind, before, after))
        {
            if (await outbox.IsSubscribedAsync(name)) listened.Add(name);
        }
        var siteChanged = publicChange && await outbox.IsSubscribedAsync(WebhookEvents.SiteChanged);
        if (listened.Count == 0 && !siteChanged) return null;
        // Read from the database (not the tracked entity): the item as it was before this change.
        var previous = isNew || listened.Count == 0 ? null : await ShapeAsync(db, article.Id, ct);
        return new PostEvents(article.Kind, listened, previous, siteChanged);
    }

    /// <summary>Inside the change's transaction, after it is written: queues the events (the caller saves them with the change).</summary>
    internal async Task QueuePostEventsAsync(NewsCmsDbContext db, int articleId, PostEvents events, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (events.Events.Count > 0)
        {
            var current = await ShapeAsync(db, articleId, ct) ?? [];
            var key = events.Kind == ArticleKind.Page ? "page" : "post";
            foreach (var name in events.Events)
            {
                var deleted = name.EndsWith(".deleted", StringComparison.Ordinal);
                var payload = Payload(key, deleted ? [] : current, deleted ? events.Previous ?? [] : Changed(events.Previous, current));
                await outbox.QueueAsync(db, name, payload, now, ct);
            }
        }
        if (events.SiteChanged) await QueueSiteChangedAsync(db, ct);
    }

    /// <summary>
    /// Inside a live-blog entry's transaction, on a published article: the article changed for readers without being
    /// saved, so its subscribers hear the edit Ghost would send (post.edited and post.published.edited, "previous" empty).
    /// </summary>
    internal async Task QueueLiveUpdateAsync(NewsCmsDbContext db, int articleId, CancellationToken ct)
    {
        var published = new PostState(ArticleStatus.Published, false);
        var listened = new List<string>();
        foreach (var name in WebhookTriggers.ForPost(ArticleKind.Article, published, published))
        {
            if (await outbox.IsSubscribedAsync(name)) listened.Add(name);
        }
        if (listened.Count == 0) return;
        await QueuePostEventsAsync(db, articleId, new PostEvents(ArticleKind.Article, listened, Previous: null, SiteChanged: false), ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Queues a tag event: <paramref name="current"/> null for a deletion, <paramref name="previous"/> null for an addition.</summary>
    internal async Task QueueTagEventAsync(NewsCmsDbContext db, string eventName, GhostTag? current, GhostTag? previous, CancellationToken ct)
    {
        if (!await outbox.IsSubscribedAsync(eventName)) return;
        var now = clock.GetUtcNow().UtcDateTime;
        var currentJson = current is null ? [] : (JsonObject)JsonSerializer.SerializeToNode(current)!;
        var previousJson = previous is null ? [] : (JsonObject)JsonSerializer.SerializeToNode(previous)!;
        await outbox.QueueAsync(db, eventName, Payload("tag", currentJson, current is null ? previousJson : Changed(previousJson, currentJson)), now, ct);
    }

    /// <summary>Queues site.changed (its payload is empty, as Ghost's is).</summary>
    internal async Task QueueSiteChangedAsync(NewsCmsDbContext db, CancellationToken ct)
    {
        if (!await outbox.IsSubscribedAsync(WebhookEvents.SiteChanged)) return;
        await outbox.QueueAsync(db, WebhookEvents.SiteChanged, "{}", clock.GetUtcNow().UtcDateTime, ct);
    }

    /// <summary>Whether anyone listens to site.changed (settings and other whole-site changes ask before opening a transaction).</summary>
    internal ValueTask<bool> ListensToSiteChangesAsync() => outbox.IsSubscribedAsync(WebhookEvents.SiteChanged);

    public Uri BaseUri => site.Value.BaseUri;

    private async Task<JsonObject?> ShapeAsync(NewsCmsDbContext db, int id, CancellationToken ct) =>
        (await GhostShapes.PostsAsync(db, [id], PostShape, site.Value.BaseUri, ct)).FirstOrDefault() is { } post
            ? (JsonObject)JsonSerializer.SerializeToNode(post)!
            : null;

    private static string Payload(string key, JsonObject current, JsonObject previous) =>
        new JsonObject { [key] = new JsonObject { ["current"] = current.DeepClone(), ["previous"] = previous.DeepClone() } }.ToJsonString();

    /// <summary>The fields of <paramref name="previous"/> whose values differ from <paramref name="current"/>'s, as they were.</summary>
    private static JsonObject Changed(JsonObject? previous, JsonObject current)
    {
        var changed = new JsonObject();
        if (previous is null) return changed;
        foreach (var (name, value) in previous)
        {
            if (!JsonNode.DeepEquals(value, current[name])) changed[name] = value?.DeepClone();
        }
        return changed;
    }
}
