using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

using Ghost = NewsCms.Web.Features.GhostApi;

namespace NewsCms.Web.Features.Taxonomy;

public sealed record TagSummary(int Id, string Name, string Slug, string Description, int ArticleCount);

public sealed record SectionSummary(int Id, string Name, string Slug, string Description, int Position, bool ShowInNavigation, int ArticleCount);

public sealed class TaxonomyInput
{
    public string Name { get; set; } = "";

    /// <summary>Empty: made from the name.</summary>
    public string Slug { get; set; } = "";

    public string Description { get; set; } = "";
    public bool ShowInNavigation { get; set; } = true;
}

/// <summary>
/// Tags and sections: create, rename (old addresses answer 301), delete, merge tags, order sections. Readers reach them
/// through <see cref="PublicTaxonomy"/>.
/// </summary>
public sealed class TaxonomyService(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    PublicContent publicContent,
    Webhooks.WebhookPayloads webhooks,
    TimeProvider clock)
{
    // ----- Tags -----

    public async Task<ServiceResult<PagedList<TagSummary>>> ListTagsAsync(ClaimsPrincipal acting, string? search, int page, int pageSize, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actor.Succeeded) return ServiceResult<PagedList<TagSummary>>.Fail(actor.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tags = db.Tags.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            tags = tags.WhereAnyContains(db.Database, search, t => t.Name, t => t.Slug);
        }
        var total = await tags.CountAsync(ct);
        var items = await tags.OrderBy(t => t.Name).Skip(Math.Max(0, page) * pageSize).Take(pageSize)
            .Select(t => new TagSummary(t.Id, t.Name, t.Slug, t.Description, db.ArticleTags.Count(at => at.TagId == t.Id)))
            .ToListAsync(ct);
        return ServiceResult<PagedList<TagSummary>>.Success(new PagedList<TagSummary>(items, total));
    }

    /// <summary>Tags whose name starts with or contains the text, for type-ahead in the editor.</summary>
    public async Task<IReadOnlyList<TagSummary>> FindTagsAsync(ClaimsPrincipal acting, string? text, CancellationToken ct = default)
    {
        if (!(await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct)).Succeeded) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tags = db.Tags.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(text)) tags = tags.WhereAnyContains(db.Database, text, t => t.Name);
        return await tags.OrderBy(t => t.Name.Length).ThenBy(t => t.Name).Take(10)
            .Select(t => new TagSummary(t.Id, t.Name, t.Slug, t.Description, 0)).ToListAsync(ct);
    }

    /// <summary>Creates a tag (Editors, Administrators, and Authors while writing), or returns the one with that name.</summary>
    public async Task<ServiceResult<TagSummary>> CreateTagAsync(ClaimsPrincipal acting, TaxonomyInput input, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.CreateTags, ct);
        if (!actorResult.Succeeded) return ServiceResult<TagSummary>.Fail(actorResult.Error == NewsroomActors.NotAllowed ? "Only Authors, Editors and Administrators can add tags; pick an existing one." : actorResult.Error!);
        var invalid = Validate(input);
        if (invalid is not null) return ServiceResult<TagSummary>.Fail(invalid);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var name = input.Name.Trim();
        var existing = await db.Tags.AsNoTracking().FirstOrDefaultAsync(t => t.Name.ToLower() == name.ToLower(), ct);
        if (existing is not null) return ServiceResult<TagSummary>.Success(new TagSummary(existing.Id, existing.Name, existing.Slug, existing.Description, 0));

        var slug = await ChooseSlugAsync(db.Tags.Select(t => t.Slug), input, name, null, ct);
        if (slug.Error is not null) return ServiceResult<TagSummary>.Fail(slug.Error);
        var tag = new Tag { Name = name, Slug = slug.Slug!, Description = input.Description.Trim(), CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Tags.Add(tag);
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            await QueueTagEventsAsync(db, Webhooks.WebhookEvents.TagAdded, tag, null, ct);
            await transaction.CommitAsync(ct);
        }
        await audit.WriteAsync(actorResult.Value!, AuditActions.TagCreated, $"{tag.Name} ({tag.Slug})", null, ct);
        // On no page yet, but in the Content API's list of tags.
        await publicContent.NotifyChangedAsync(PublicChange.Tags([tag.Id], []));
        return ServiceResult<TagSummary>.Success(new TagSummary(tag.Id, tag.Name, tag.Slug, tag.Description, 0));
    }

    public async Task<ServiceResult> UpdateTagAsync(ClaimsPrincipal acting, int id, TaxonomyInput input, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageTaxonomy, ct);
        if (!actorResult.Succeeded) return actorResult;
        var invalid = Validate(input);
        if (invalid is not null) return ServiceResult.Fail(invalid);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tag = await db.Tags.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (tag is null) return ServiceResult.Fail("That tag no longer exists.");
        var name = input.Name.Trim();
        if (await db.Tags.AnyAsync(t => t.Id != id && t.Name.ToLower() == name.ToLower(), ct))
        {
            return ServiceResult.Fail($"There is already a tag named \"{name}\". Merge the two instead.");
        }
        var slug = await ChooseSlugAsync(db.Tags.Where(t => t.Id != id).Select(t => t.Slug), input, name, tag.Slug, ct);
        if (slug.Error is not null) return ServiceResult.Fail(slug.Error);

        var before = $"{tag.Name} ({tag.Slug})";
        var previous = GhostShape(tag);
        var renamed = tag.Name != name;
        await AddRedirectIfMovedAsync(db, TaxonomyKind.Tag, tag.Slug, slug.Slug!, tag.Id, ct);
        tag.Name = name;
        tag.Slug = slug.Slug!;
        tag.Description = input.Description.Trim();
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            // Readers search by tag name: the tagged articles are found by the new name, no longer by the old.
            if (renamed) await Search.ArticleSearch.SyncTaggedAsync(db, tag.Id, ct);
            await QueueTagEventsAsync(db, Webhooks.WebhookEvents.TagEdited, tag, previous, ct);
            await transaction.CommitAsync(ct);
        }
        await audit.WriteAsync(actorResult.Value!, AuditActions.TagUpdated, before, $"Now {tag.Name} ({tag.Slug})", ct);
        await publicContent.NotifyChangedAsync(PublicChange.Tags([tag.Id], await db.ArticleTags.Where(at => at.TagId == tag.Id).Select(at => at.ArticleId).ToListAsync(ct)));
        return ServiceResult.Ok;
    }

    /// <summary>Deletes a tag; its articles keep their other tags.</summary>
    public async Task<ServiceResult> DeleteTagAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageTaxonomy, ct);
        if (!actorResult.Succeeded) return actorResult;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tag = await db.Tags.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (tag is null) return ServiceResult.Fail("That tag no longer exists.");
        db.TaxonomyRedirects.RemoveRange(await db.TaxonomyRedirects.Where(r => r.Kind == TaxonomyKind.Tag && r.TargetId == id).ToListAsync(ct));
        var tagged = await db.ArticleTags.Where(at => at.TagId == id).Select(at => at.ArticleId).ToListAsync(ct);
        db.Tags.Remove(tag);
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            await Search.ArticleSearch.SyncManyAsync(db, tagged, ct);
            await QueueTagEventsAsync(db, Webhooks.WebhookEvents.TagDeleted, null, GhostShape(tag), ct);
            await transaction.CommitAsync(ct);
        }
        await audit.WriteAsync(actorResult.Value!, AuditActions.TagDeleted, $"{tag.Name} ({tag.Slug})", null, ct);
        await publicContent.NotifyChangedAsync(PublicChange.Tags([id], tagged));
        return ServiceResult.Ok;
    }

    /// <summary>
    /// Merges <paramref name="sourceId"/> into <paramref name="targetId"/>: the source's articles get the target tag, the
    /// source disappears, and its address (and any older ones pointing at it) answers 301 to the target.
    /// </summary>
    public async Task<ServiceResult> MergeTagsAsync(ClaimsPrincipal acting, int sourceId, int targetId, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageTaxonomy, ct);
        if (!actorResult.Succeeded) return actorResult;
        if (sourceId == targetId) return ServiceResult.Fail("Choose two different tags to merge.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var source = await db.Tags.FirstOrDefaultAsync(t => t.Id == sourceId, ct);
        var target = await db.Tags.FirstOrDefaultAsync(t => t.Id == targetId, ct);
        if (source is null || target is null) return ServiceResult.Fail("One of the tags no longer exists.");

        var sourceArticles = await db.ArticleTags.Where(at => at.TagId == sourceId).Select(at => at.ArticleId).ToListAsync(ct);
        var targetArticles = (await db.ArticleTags.Where(at => at.TagId == targetId).Select(at => at.ArticleId).ToListAsync(ct)).ToHashSet();
        var moved = TagMerge.ArticlesToAdd(sourceArticles, targetArticles);
        db.ArticleTags.AddRange(moved.Select(articleId => new ArticleTag { ArticleId = articleId, TagId = targetId }));

        // Old addresses of the source now lead to the target.
        await db.TaxonomyRedirects.Where(r => r.Kind == TaxonomyKind.Tag && r.TargetId == sourceId)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.TargetId, targetId), ct);
        db.TaxonomyRedirects.Add(new TaxonomyRedirect { Kind = TaxonomyKind.Tag, Slug = source.Slug, TargetId = targetId, CreatedAt = clock.GetUtcNow().UtcDateTime });
        // So do the site's redirects to it (they reload when the change below names the source tag).
        await db.Redirects.Where(r => r.TargetKind == Redirects.RedirectTargetKind.Tag && r.TargetId == sourceId)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.TargetId, targetId), ct);
        db.Tags.Remove(source);
        await db.SaveChangesAsync(ct);
        await Search.ArticleSearch.SyncTaggedAsync(db, targetId, ct);
        // For the APIs a merge deletes the source tag (its articles now carry the target).
        await QueueTagEventsAsync(db, Webhooks.WebhookEvents.TagDeleted, null, GhostShape(source), ct);
        await transaction.CommitAsync(ct);

        await audit.WriteAsync(actorResult.Value!, AuditActions.TagsMerged, $"{source.Name} → {target.Name}",
            $"{sourceArticles.Count} article(s); {moved.Count} newly tagged {target.Name}", ct);
        await publicContent.NotifyChangedAsync(PublicChange.Tags([sourceId, targetId], [.. sourceArticles, .. targetArticles]));
        return ServiceResult.Ok;
    }

    /// <summary>
    /// Writes a tag event, and site.changed, to the webhook outbox inside the caller's transaction (and saves them):
    /// <paramref name="current"/> null for a deletion, <paramref name="previous"/> (as it was) null for an addition.
    /// </summary>
    private async Task QueueTagEventsAsync(NewsCmsDbContext db, string eventName, Tag? current, Ghost.GhostTag? previous, CancellationToken ct)
    {
        await webhooks.QueueTagEventAsync(db, eventName, current is null ? null : GhostShape(current), previous, ct);
        await webhooks.QueueSiteChangedAsync(db, ct);
        await db.SaveChangesAsync(ct);
    }

    private Ghost.GhostTag GhostShape(Tag tag) => Ghost.GhostShapes.Tag(tag.Id, tag.Name, tag.Slug, tag.Description, webhooks.BaseUri);

    // ----- Sections -----

    public async Task<IReadOnlyList<SectionSummary>> ListSectionsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Sections.AsNoTracking().OrderBy(s => s.Position).ThenBy(s => s.Name)
            .Select(s => new SectionSummary(s.Id, s.Name, s.Slug, s.Description, s.Position, s.ShowInNavigation,
                db.Articles.Count(a => a.SectionId == s.Id)))
            .ToListAsync(ct);
    }

    public async Task<ServiceResult<SectionSummary>> CreateSectionAsync(ClaimsPrincipal acting, TaxonomyInput input, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageTaxonomy, ct);
        if (!actorResult.Succeeded) return ServiceResult<SectionSummary>.Fail(actorResult.Error!);
        var invalid = Validate(input);
        if (invalid is not null) return ServiceResult<SectionSummary>.Fail(invalid);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var name = input.Name.Trim();
        if (await db.Sections.AnyAsync(s => s.Name.ToLower() == name.ToLower(), ct)) return ServiceResult<SectionSummary>.Fail($"There is already a section named \"{name}\".");
        var slug = await ChooseSlugAsync(db.Sections.Select(s => s.Slug), input, name, null, ct);
        if (slug.Error is not null) return ServiceResult<SectionSummary>.Fail(slug.Error);
        var position = (await db.Sections.MaxAsync(s => (int?)s.Position, ct) ?? 0) + 1;
        var section = new Section
        {
            Name = name, Slug = slug.Slug!, Description = input.Description.Trim(), Position = position,
            ShowInNavigation = input.ShowInNavigation, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Sections.Add(section);
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(actorResult.Value!, AuditActions.SectionCreated, $"{section.Name} ({section.Slug})", null, ct);
        await publicContent.NotifyChangedAsync(section.ShowInNavigation ? PublicChange.EverythingBecause("navigation") : PublicChange.Term(PublicDependencies.Section(section.Id), []));
        return ServiceResult<SectionSummary>.Success(new SectionSummary(section.Id, section.Name, section.Slug, section.Description, position, section.ShowInNavigation, 0));
    }

    public async Task<ServiceResult> UpdateSectionAsync(ClaimsPrincipal acting, int id, TaxonomyInput input, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageTaxonomy, ct);
        if (!actorResult.Succeeded) return actorResult;
        var invalid = Validate(input);
        if (invalid is not null) return ServiceResult.Fail(invalid);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var section = await db.Sections.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (section is null) return ServiceResult.Fail("That section no longer exists.");
        var name = input.Name.Trim();
        if (await db.Sections.AnyAsync(s => s.Id != id && s.Name.ToLower() == name.ToLower(), ct)) return ServiceResult.Fail($"There is already a section named \"{name}\".");
        var slug = await ChooseSlugAsync(db.Sections.Where(s => s.Id != id).Select(s => s.Slug), input, name, section.Slug, ct);
        if (slug.Error is not null) return ServiceResult.Fail(slug.Error);

        var before = $"{section.Name} ({section.Slug})";
        var wasInNavigation = section.ShowInNavigation;
        await AddRedirectIfMovedAsync(db, TaxonomyKind.Section, section.Slug, slug.Slug!, section.Id, ct);
        section.Name = name;
        section.Slug = slug.Slug!;
        section.Description = input.Description.Trim();
        section.ShowInNavigation = input.ShowInNavigation;
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(actorResult.Value!, AuditActions.SectionUpdated, before, $"Now {section.Name} ({section.Slug})", ct);
        await publicContent.NotifyChangedAsync(wasInNavigation || section.ShowInNavigation ? PublicChange.EverythingBecause("navigation")
            : PublicChange.Term(PublicDependencies.Section(id), await db.Articles.Where(a => a.SectionId == id).Select(a => a.Id).ToListAsync(ct)));
        return ServiceResult.Ok;
    }

    /// <summary>Moves a section one place up (-1) or down (+1) in the order.</summary>
    public async Task<ServiceResult> MoveSectionAsync(ClaimsPrincipal acting, int id, int direction, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageTaxonomy, ct);
        if (!actorResult.Succeeded) return actorResult;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ordered = await db.Sections.OrderBy(s => s.Position).ThenBy(s => s.Name).ToListAsync(ct);
        var index = ordered.FindIndex(s => s.Id == id);
        if (index < 0) return ServiceResult.Fail("That section no longer exists.");
        var swap = index + Math.Sign(direction);
        if (swap < 0 || swap >= ordered.Count) return ServiceResult.Ok;
        (ordered[index], ordered[swap]) = (ordered[swap], ordered[index]);
        for (var i = 0; i < ordered.Count; i++) ordered[i].Position = i + 1;
        await db.SaveChangesAsync(ct);
        var moved = ordered[swap];
        await audit.WriteAsync(actorResult.Value!, AuditActions.SectionMoved, $"{moved.Name} ({moved.Slug})",
            $"{(direction < 0 ? "Up" : "Down")} to place {moved.Position} of {ordered.Count}", ct);
        // The navigation lists sections in this order.
        await publicContent.NotifyChangedAsync(PublicChange.EverythingBecause("navigation"));
        return ServiceResult.Ok;
    }

    /// <summary>Deletes a section; its articles keep everything else and have no section until one is chosen.</summary>
    public async Task<ServiceResult> DeleteSectionAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageTaxonomy, ct);
        if (!actorResult.Succeeded) return actorResult;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var section = await db.Sections.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (section is null) return ServiceResult.Fail("That section no longer exists.");
        db.TaxonomyRedirects.RemoveRange(await db.TaxonomyRedirects.Where(r => r.Kind == TaxonomyKind.Section && r.TargetId == id).ToListAsync(ct));
        var filed = await db.Articles.Where(a => a.SectionId == id).Select(a => a.Id).ToListAsync(ct);
        db.Sections.Remove(section);
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(actorResult.Value!, AuditActions.SectionDeleted, $"{section.Name} ({section.Slug})", null, ct);
        await publicContent.NotifyChangedAsync(section.ShowInNavigation ? PublicChange.EverythingBecause("navigation") : PublicChange.Term(PublicDependencies.Section(id), filed));
        return ServiceResult.Ok;
    }

    // ----- helpers -----

    private static string? Validate(TaxonomyInput input)
    {
        // Characters XML forbids would break the feeds that name the tag or section.
        input.Name = XmlSafeText.Clean(input.Name);
        input.Slug = XmlSafeText.Clean(input.Slug);
        input.Description = XmlSafeText.Clean(input.Description);
        if (string.IsNullOrWhiteSpace(input.Name)) return "Enter a name.";
        if (input.Name.Trim().Length > 100) return "A name can be at most 100 characters.";
        if ((input.Description ?? "").Trim().Length > 1000) return "The description can be at most 1000 characters.";
        input.Description ??= "";
        if (Slugs.Problem(input.Slug) is { } slugProblem) return slugProblem;
        if (Slugs.From(input.Name).Length == 0 && string.IsNullOrWhiteSpace(input.Slug)) return "Enter a slug: the name has no letters or digits to make one from.";
        return null;
    }

    private static async Task<(string? Slug, string? Error)> ChooseSlugAsync(IQueryable<string> otherSlugs, TaxonomyInput input, string name,
        string? currentSlug, CancellationToken ct)
    {
        var (slug, taken) = await Slugs.ChooseAsync(otherSlugs, input.Slug, currentSlug, name, "tag", ct);
        return taken ? (null, $"The slug \"{input.Slug.Trim()}\" is already in use. Choose another.") : (slug, null);
    }

    private async Task AddRedirectIfMovedAsync(NewsCmsDbContext db, TaxonomyKind kind, string oldSlug, string newSlug, int id, CancellationToken ct)
    {
        if (oldSlug == newSlug) return;
        // A redirect from the new slug would shadow it; one from the old slug points readers on.
        db.TaxonomyRedirects.RemoveRange(await db.TaxonomyRedirects.Where(r => r.Kind == kind && (r.Slug == newSlug || r.Slug == oldSlug)).ToListAsync(ct));
        db.TaxonomyRedirects.Add(new TaxonomyRedirect { Kind = kind, Slug = oldSlug, TargetId = id, CreatedAt = clock.GetUtcNow().UtcDateTime });
    }
}

/// <summary>The rule of a tag merge, on its own so it can be tested: every article of the source gets the target once.</summary>
public static class TagMerge
{
    public static IReadOnlyList<int> ArticlesToAdd(IEnumerable<int> sourceArticles, IReadOnlySet<int> targetArticles) =>
        sourceArticles.Distinct().Where(id => !targetArticles.Contains(id)).Order().ToList();
}
