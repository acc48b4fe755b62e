using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;
using static NewsCms.Web.Features.Articles.NewsroomArticleAccess;

namespace NewsCms.Web.Features.Articles;

/// <summary>
/// Writing an article's text and filing: create and save, resolve a conflict, bring a revision back, record a
/// take-over. Each call re-checks the acting user and the workflow rules, opens its own short-lived context, and never
/// overwrites a newer version than the caller saw. Commits go through <see cref="ArticleCommit"/>.
/// </summary>
public sealed class ArticleEditing(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    ArticleCommit commit,
    NewsroomArticleReads reads,
    AuthorProfiles authorProfiles,
    TimeProvider clock,
    ILogger<ArticleEditing> logger)
{
    /// <summary>Autosaves make a revision at most this often; manual saves always do.</summary>
    public static readonly TimeSpan AutosaveRevisionInterval = TimeSpan.FromMinutes(5);

    /// <summary>Creates (when <paramref name="id"/> is null) or saves an article's text.</summary>
    public Task<SaveOutcome> SaveAsync(ClaimsPrincipal acting, int? id, ArticleInput input, Guid? expectedVersion, SaveKind kind, CancellationToken ct = default) =>
        SaveAsync(acting, id, input, expectedVersion, kind, recordAs: null, auditAs: null, ct);

    /// <param name="recordAs">Always record a revision of this kind, in the same transaction as the save (a restore).</param>
    /// <param name="auditAs">The audit entry the save makes (action, details), if any.</param>
    private async Task<SaveOutcome> SaveAsync(ClaimsPrincipal acting, int? id, ArticleInput input, Guid? expectedVersion, SaveKind kind,
        RevisionKind? recordAs, (string Action, string Details)? auditAs, CancellationToken ct)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return SaveOutcome.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        RemoveXmlForbiddenCharacters(input);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        Article article;
        if (id is null)
        {
            article = new Article
            {
                Kind = input.Kind, Status = ArticleStatus.Draft, CreatedAt = now, CreatedById = actor.UserId, CreatedByName = actor.DisplayName,
            };
            db.Add(article);
        }
        else
        {
            var existing = await db.Set<Article>().FirstOrDefaultAsync(a => a.Id == id, ct);
            if (existing is null) return SaveOutcome.Fail(ArticleNotFound);
            article = existing;
            if (!ArticleWorkflow.Allows(actor.Role, ArticleAction.Edit, await IsAuthorAsync(db, article.Id, actor, ct), article.Status, article.TrashedAt is not null))
            {
                return SaveOutcome.Fail(EditRefusal(article));
            }
            if (expectedVersion is { } expected && expected != article.Version)
            {
                return Conflict(article);
            }
            // Checked again by SQLite at save time: the token makes a racing save fail instead of overwriting.
            db.Entry(article).Property(a => a.Version).OriginalValue = expectedVersion ?? article.Version;
        }
        // Checked once the kind is known: a page's slug is its address at the site's root.
        if (Validate(input, article.Kind) is { } invalid) return invalid;
        if (article.Kind == ArticleKind.Page)
        {
            // A page is not filed: whatever section, tags, bylines or lead mark come with it are not stored.
            input.SectionId = null;
            input.TagIds = [];
            input.AuthorIds = [];
            input.IsFeatured = false;
        }

        var slugResult = await ChooseSlugAsync(db, article, input, ct);
        if (slugResult.Error is not null) return SaveOutcome.Fail(slugResult.Error, "Slug");
        // The bylines and tags stored now: a save that keeps them (most autosaves) neither checks nor writes them again.
        var stored = article.Id == 0 ? StoredRelations.None : await StoredRelationsAsync(db, article.Id, ct);
        var relations = await CheckRelationsAsync(db, article, input, actor, stored, ct);
        if (relations.Error is not null) return SaveOutcome.Fail(relations.Error, relations.Field);
        if (article.Id != 0 && article.Slug != slugResult.Slug && article.FirstPublishedAt is not null)
        {
            // The old public address keeps working: it answers 301 to the new one.
            db.Add(new ArticleSlugRedirect { Slug = article.Slug, ArticleId = article.Id, CreatedAt = now });
        }
        // An article may take back one of its own old addresses; another article's are refused by ChooseSlugAsync.
        var stale = await db.Set<ArticleSlugRedirect>().FirstOrDefaultAsync(r => r.Slug == slugResult.Slug && r.ArticleId == article.Id, ct);
        if (stale is not null) db.Remove(stale);

        var isPublic = article.IsPublic;
        var isVisible = article.IsVisible;
        var rankedFrom = isPublic ? await RankingInputsAsync(db, article, ct) : default;
        var changedText = Apply(article, input, slugResult.Slug!);
        article.SectionId = input.SectionId;
        article.FeaturedImageId = input.FeaturedImageId;
        // Choosing the home page's lead is an editor's call: others keep the article's mark as it is.
        if (Capabilities.Allows(actor.Role, Capabilities.EditAnyArticle)) article.IsFeatured = input.IsFeatured;
        // A save that changes only the newsroom's copy of the body (a note's mark added or moved) changes nothing
        // readers see: the article keeps its time of change and last editor, and neither the public cache nor webhooks hear of it.
        var relationsChanged = !stored.AuthorIds.SequenceEqual(relations.AuthorIds!) || !stored.TagIds.Order().SequenceEqual(input.TagIds.Order());
        var readersSeeChange = id is null || ChangesWhatReadersSee(db.Entry(article)) || relationsChanged;
        if (readersSeeChange)
        {
            article.UpdatedAt = now;
            article.LastEditedById = actor.UserId;
            article.LastEditedByName = actor.DisplayName;
        }
        article.Version = Guid.NewGuid();
        // An editor changing a submission has started reviewing it: its writer can no longer withdraw it.
        if (ArticleWorkflow.StartsReview(actor.Role, actor.UserId, article.Status, article.SubmittedById, article.ReviewStartedAt is not null))
        {
            article.ReviewStartedAt = now;
            article.ReviewStartedByName = actor.DisplayName;
        }

        var revisionKind = recordAs ?? (id is null ? RevisionKind.Created : kind == SaveKind.Manual ? RevisionKind.Saved : RevisionKind.Autosaved);
        if (id is null || recordAs is not null || (changedText && await WantsRevisionAsync(db, article.Id, kind, now, ct)))
        {
            article.Revisions.Add(ArticleCommit.Revision(article, actor, revisionKind, now));
        }

        try
        {
            var committed = await commit.CommitAsync(db, article, new ArticleCommit.Plan
            {
                AlsoWrite = relationsChanged ? ct => SetRelationsAsync(db, article.Id, relations.AuthorIds!, input.TagIds, ct) : null,
                // Ranking reads the headline, standfirst, section and tags: it runs when one of them changed (or on a
                // manual save), after the save committed, so autosaves of the text neither wait for it nor hold the write lock for it.
                // The tags this save stores are the input's, so what ranking will read is known without reading it back.
                RankRelated = isPublic && (kind == SaveKind.Manual || rankedFrom != RankingInputs(article, input.TagIds)),
                NotifyPublic = isVisible && readersSeeChange,
                FiresWebhooks = readersSeeChange,
                Audit = auditAs is { } note ? ArticleCommit.AuditNote.By(actor, note.Action, note.Details) : null,
            }, ct);
            if (!committed)
            {
                await using var fresh = await dbFactory.CreateDbContextAsync(ct);
                var current = await fresh.Set<Article>().AsNoTracking().FirstAsync(a => a.Id == article.Id, ct);
                return Conflict(current);
            }
        }
        catch (Exception ex) when (ConstraintViolation.Of(ex) is { } constraint)
        {
            // Only the unique slug index means another article was quicker; any other broken constraint is a bug.
            if (constraint.IsUniqueOn("Articles", "Slug"))
            {
                return SaveOutcome.Fail($"The slug \"{article.Slug}\" was just taken by another article. Choose another.", "Slug");
            }
            logger.LogError(ex, "Saving article {Id} broke a database constraint other than the unique slug: {Constraint}", id?.ToString() ?? "(new)", constraint.Message);
            return SaveOutcome.Fail(SaveFailed);
        }

        // The editor's new state, from this context: the bylines just written decide whether it is still the writer's own
        // (an account has one author profile, so being on the byline is having that profile on it).
        var isOwnNow = article.Kind == ArticleKind.Page ? article.CreatedById == actor.UserId : relations.AuthorIds!.Contains(relations.OwnProfile);
        return new SaveOutcome(null, null, article.Id, article.Version, article.UpdatedAt, article.Slug, null)
        {
            Article = await ToEditAsync(db, article, actor, isOwnNow, ct),
        };
    }

    /// <summary>
    /// Resolves a conflict without losing either side: the text not kept is stored as a revision.
    /// With <paramref name="keepMine"/> the caller's text is saved over the current version they have now seen.
    /// </summary>
    public async Task<SaveOutcome> ResolveConflictAsync(ClaimsPrincipal acting, int id, ArticleInput mine, Guid theirVersion, bool keepMine, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return SaveOutcome.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var article = await db.Set<Article>().FirstOrDefaultAsync(a => a.Id == id, ct);
            if (article is null) return SaveOutcome.Fail(ArticleNotFound);
            if (!ArticleWorkflow.Allows(actor.Role, ArticleAction.Edit, await IsAuthorAsync(db, id, actor, ct), article.Status, article.TrashedAt is not null))
            {
                return SaveOutcome.Fail(EditRefusal(article));
            }
            var now = clock.GetUtcNow().UtcDateTime;
            // Keep the side that loses as a revision, so History can bring it back.
            db.Add(keepMine
                ? ArticleCommit.Revision(article, new Actor(article.LastEditedById, article.LastEditedByName, ""), RevisionKind.ConflictCopy, now)
                : new ArticleRevision
                {
                    ArticleId = id, CreatedAt = now, AuthorId = actor.UserId, AuthorName = actor.DisplayName, Kind = RevisionKind.ConflictCopy,
                    Headline = Truncate(mine.Headline, 300), Standfirst = Truncate(mine.Standfirst, 1000), BodyHtml = ArticleHtml.Sanitize(mine.BodyHtml),
                });
            await db.SaveChangesAsync(ct);
            if (!keepMine)
            {
                return new SaveOutcome(null, null, article.Id, article.Version, now, article.Slug, null);
            }
        }
        return await SaveAsync(acting, id, mine, theirVersion, SaveKind.Manual, ct);
    }

    /// <summary>Records a take-over (presence itself is not in the database, see <see cref="ArticlePresence"/>).</summary>
    public async Task<ServiceResult> AuthorizeTakeOverAsync(ClaimsPrincipal acting, int id, string fromName, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return actorResult;
        var actor = actorResult.Value!;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var article = await db.Set<Article>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null) return ServiceResult.Fail(ArticleNotFound);
        if (!ArticleWorkflow.Allows(actor.Role, ArticleAction.TakeOver, await IsAuthorAsync(db, id, actor, ct), article.Status, article.TrashedAt is not null))
        {
            return ServiceResult.Fail("Only Editors and Administrators can take over an article someone else is editing.");
        }
        await audit.WriteAsync(actor, AuditActions.ArticleTakenOver, ArticleCommit.Target(article), $"From {fromName}", ct);
        return ServiceResult.Ok;
    }

    /// <summary>Brings a revision's text back as the current text, recorded as a new revision (history is never rewritten).</summary>
    public async Task<SaveOutcome> RestoreRevisionAsync(ClaimsPrincipal acting, int id, long revisionId, Guid expectedVersion, CancellationToken ct = default)
    {
        var revision = await reads.GetRevisionAsync(acting, id, revisionId, ct);
        if (!revision.Succeeded) return SaveOutcome.Fail(revision.Error!);
        var current = await reads.GetForEditAsync(acting, id, ct);
        if (!current.Succeeded) return SaveOutcome.Fail(current.Error!);
        var c = current.Value!;
        var r = revision.Value!;
        // The text and its "Restored" revision are saved together, in one transaction: no other revision is touched.
        // Revisions hold the public body (no note marks): the restored text has none, and the writer is told which went.
        var saved = await SaveAsync(acting, id, new ArticleInput
        {
            Headline = r.Headline, Standfirst = r.Standfirst, BodyHtml = r.BodyHtml, Slug = c.Slug,
            SeoTitle = c.SeoTitle, MetaDescription = c.MetaDescription, CanonicalUrl = c.CanonicalUrl,
            SectionId = c.SectionId, FeaturedImageId = c.FeaturedImageId, IsFeatured = c.IsFeatured,
            TagIds = c.Tags.Select(t => t.Id).ToList(), AuthorIds = c.Authors.Select(a => a.Id).ToList(),
        }, expectedVersion, SaveKind.Manual, recordAs: RevisionKind.Restored,
            auditAs: (AuditActions.RevisionRestored, $"Revision of {r.CreatedAt:yyyy-MM-dd HH:mm} UTC by {r.AuthorName}"), ct);
        if (!saved.Succeeded) return saved;
        var lost = ArticleHtml.NoteAnchors(c.AnnotatedBodyHtml).Except(ArticleHtml.NoteAnchors(saved.Article?.AnnotatedBodyHtml)).Count();
        return lost == 0 ? saved : saved with
        {
            Notice = lost == 1
                ? "1 editorial note lost its place in the text; it stays in the Notes panel with the words it was on."
                : $"{lost} editorial notes lost their place in the text; they stay in the Notes panel with the words they were on.",
        };
    }

    // ----- helpers -----

    /// <summary>Characters XML forbids would break every feed and sitemap showing the article: they are dropped (the body's by ArticleHtml).</summary>
    private static void RemoveXmlForbiddenCharacters(ArticleInput input)
    {
        input.Headline = XmlSafeText.Clean(input.Headline);
        input.Standfirst = XmlSafeText.Clean(input.Standfirst);
        input.Slug = XmlSafeText.Clean(input.Slug);
        input.SeoTitle = XmlSafeText.CleanOptional(input.SeoTitle);
        input.MetaDescription = XmlSafeText.CleanOptional(input.MetaDescription);
        input.CanonicalUrl = XmlSafeText.CleanOptional(input.CanonicalUrl);
    }

    private static SaveOutcome? Validate(ArticleInput input, ArticleKind kind)
    {
        var headline = kind == ArticleKind.Page ? "title" : "headline"; // as the editor labels the field
        if (string.IsNullOrWhiteSpace(input.Headline)) return SaveOutcome.Fail($"Enter a {headline}.", "Headline");
        if (input.Headline.Trim().Length > 300) return SaveOutcome.Fail($"The {headline} can be at most 300 characters.", "Headline");
        if ((input.Standfirst ?? "").Trim().Length > 1000) return SaveOutcome.Fail("The standfirst can be at most 1000 characters.", "Standfirst");
        if ((input.SeoTitle ?? "").Trim().Length > 300) return SaveOutcome.Fail("The SEO title can be at most 300 characters.", "SeoTitle");
        if ((input.MetaDescription ?? "").Trim().Length > 500) return SaveOutcome.Fail("The meta description can be at most 500 characters.", "MetaDescription");
        if (!string.IsNullOrWhiteSpace(input.CanonicalUrl)
            && (!Uri.TryCreate(input.CanonicalUrl.Trim(), UriKind.Absolute, out var canonical) || (canonical.Scheme != Uri.UriSchemeHttp && canonical.Scheme != Uri.UriSchemeHttps)))
        {
            return SaveOutcome.Fail("The canonical URL must be a full http(s) address, or empty.", "CanonicalUrl");
        }
        // Said before the slug's form: "Admin" is refused for what it names, not for its capital letter.
        if (kind == ArticleKind.Page && !input.SlugFollowsHeadline && Pages.PageSlugs.IsReserved(input.Slug)) return SaveOutcome.Fail(Pages.PageSlugs.ReservedMessage(input.Slug), "Slug");
        if (Slugs.Problem(input.Slug) is { } slugProblem) return SaveOutcome.Fail(slugProblem, "Slug");
        return null;
    }

    /// <summary>
    /// The slug to store: the one typed by hand, when free; while it follows the headline, the headline's slug with
    /// "-2", "-3"… until free. Another article's old addresses count as taken: they still answer 301 for it.
    /// </summary>
    private static async Task<(string? Slug, string? Error)> ChooseSlugAsync(NewsCmsDbContext db, Article article, ArticleInput input, CancellationToken ct)
    {
        var others = db.Set<Article>().Where(a => a.Id != article.Id);
        var othersRedirects = db.Set<ArticleSlugRedirect>().Where(r => r.ArticleId != article.Id);
        var takenSlugs = others.Select(a => a.Slug).Concat(othersRedirects.Select(r => r.Slug));
        var follows = input.SlugFollowsHeadline;
        var page = article.Kind == ArticleKind.Page;
        var (slug, taken) = await Slugs.ChooseAsync(takenSlugs, follows ? null : input.Slug, follows ? null : article.Slug, input.Headline, page ? "page" : "article", ct,
            reserved: page ? Pages.PageSlugs.Reserved : null);
        if (!taken) return (slug, null);
        var typed = input.Slug.Trim();
        var owner = await others.Where(a => a.Slug == typed).Select(a => a.Headline).FirstOrDefaultAsync(ct);
        if (owner is not null) return (null, $"The slug \"{typed}\" is already used by \"{owner}\". Choose another.");
        var movedFrom = await othersRedirects.Where(r => r.Slug == typed)
            .Join(db.Set<Article>(), r => r.ArticleId, a => a.Id, (r, a) => a.Headline).FirstOrDefaultAsync(ct);
        return (null, $"The slug \"{typed}\" is an old address of \"{movedFrom}\" and still takes readers there. Choose another.");
    }

    /// <summary>What related-article ranking reads of an article (its tags as stored now, in id order).</summary>
    private static async Task<(string Headline, string Standfirst, int? SectionId, string Tags)> RankingInputsAsync(NewsCmsDbContext db, Article article,
        CancellationToken ct)
    {
        var tags = article.Id == 0 ? [] : await db.ArticleTags.AsNoTracking().Where(at => at.ArticleId == article.Id).Select(at => at.TagId).ToListAsync(ct);
        return RankingInputs(article, tags);
    }

    private static (string Headline, string Standfirst, int? SectionId, string Tags) RankingInputs(Article article, IEnumerable<int> tagIds) =>
        (article.Headline, article.Standfirst, article.SectionId, string.Join(',', tagIds.Order()));

    private const string SaveFailed = "The article could not be saved because of an error on the server. Your text is still here; "
        + "try again, and tell an administrator if it keeps happening.";

    /// <summary>Copies the input onto the article; returns whether the text (not just metadata) changed.</summary>
    internal static bool Apply(Article article, ArticleInput input, string slug)
    {
        var (body, annotated) = BodyToStore(article, input);
        var headline = input.Headline.Trim();
        var standfirst = (input.Standfirst ?? "").Trim();
        var changed = article.Headline != headline || article.Standfirst != standfirst || article.BodyHtml != body;
        article.Headline = headline;
        article.Standfirst = standfirst;
        article.Slug = slug;
        article.BodyHtml = body;
        article.AnnotatedBodyHtml = annotated;
        article.BodyText = ArticleHtml.ToPlainText(body);
        article.WordCount = ArticleHtml.CountWords(article.BodyText);
        article.ReadingMinutes = ArticleHtml.ReadingMinutes(article.WordCount);
        article.SeoTitle = Blank(input.SeoTitle);
        article.MetaDescription = Blank(input.MetaDescription);
        article.CanonicalUrl = Blank(input.CanonicalUrl);
        return changed;
    }

    /// <summary>
    /// The public body and the newsroom's annotated copy (see <see cref="ArticleInput.BodyCarriesNotes"/>): the editor's
    /// marks are kept; a writer that cannot see them keeps the stored ones only while the text is unchanged.
    /// </summary>
    internal static AnnotatedBody BodyToStore(Article article, ArticleInput input)
    {
        if (input.BodyCarriesNotes) return ArticleHtml.SanitizeAnnotated(input.BodyHtml);
        var body = ArticleHtml.Sanitize(input.BodyHtml);
        return new AnnotatedBody(body, body == article.BodyHtml ? article.AnnotatedBodyHtml : null);
    }

    private static async Task<bool> WantsRevisionAsync(NewsCmsDbContext db, int articleId, SaveKind kind, DateTime now, CancellationToken ct)
    {
        if (kind == SaveKind.Manual) return true;
        var last = await db.Set<ArticleRevision>().Where(r => r.ArticleId == articleId).MaxAsync(r => (DateTime?)r.CreatedAt, ct);
        return last is null || now - last >= AutosaveRevisionInterval;
    }

    private SaveOutcome Conflict(Article current) => new(null, null, current.Id, current.Version, current.UpdatedAt, current.Slug,
        new ArticleConflict(current.Headline, current.Standfirst, current.BodyHtml, current.Version, current.LastEditedByName, current.UpdatedAt));



    /// <summary>Checks the bylines, tags, section and featured image the input names; returns the bylines to store.</summary>
    private async Task<(List<int>? AuthorIds, int OwnProfile, string? Error, string? Field)> CheckRelationsAsync(NewsCmsDbContext db, Article article, ArticleInput input,
        Actor actor, StoredRelations stored, CancellationToken ct)
    {
        if (article.Kind == ArticleKind.Page)
        {
            if (input.FeaturedImageId is { } pageImage && !await db.MediaItems.AnyAsync(m => m.Id == pageImage, ct)) return (null, 0, "That image is no longer in the media library.", "FeaturedImage");
            return ([], 0, null, null); // no bylines: a page is its creator's
        }
        var ownProfile = await authorProfiles.EnsureForAccountAsync(actor.UserId, actor.DisplayName, ct);
        var authorIds = input.AuthorIds.Distinct().ToList();
        if (authorIds.Count == 0) authorIds = article.Id == 0 ? [ownProfile] : [.. stored.AuthorIds];
        // Bylines and tags already on the article exist (their rows go with the profile or tag); only new ones are looked up.
        if (!authorIds.All(stored.AuthorIds.Contains) && await db.AuthorProfiles.CountAsync(p => authorIds.Contains(p.Id), ct) != authorIds.Count)
        {
            return (null, ownProfile, "One of the authors no longer exists.", "Authors");
        }
        if (!actor.Can(Capabilities.EditAnyArticle) && !authorIds.Contains(ownProfile))
        {
            return (null, ownProfile, "Keep yourself among the authors: without your byline you could no longer open this article.", "Authors");
        }
        var tagIds = input.TagIds.Distinct().ToList();
        if (!tagIds.All(stored.TagIds.Contains) && await db.Tags.CountAsync(t => tagIds.Contains(t.Id), ct) != tagIds.Count) return (null, ownProfile, "One of the tags no longer exists.", "Tags");
        input.TagIds = tagIds;
        if (input.SectionId is { } sectionId && !await db.Sections.AnyAsync(s => s.Id == sectionId, ct)) return (null, ownProfile, "That section no longer exists.", "Section");
        if (input.FeaturedImageId is { } imageId && !await db.MediaItems.AnyAsync(m => m.Id == imageId, ct)) return (null, ownProfile, "That image is no longer in the media library.", "FeaturedImage");
        return (authorIds, ownProfile, null, null);
    }

    /// <summary>What only the newsroom sees of an article: a change to these alone is no change for readers.</summary>
    private static readonly HashSet<string> NewsroomOnly = [nameof(Article.AnnotatedBodyHtml), nameof(Article.ReviewStartedAt), nameof(Article.ReviewStartedByName)];

    private static bool ChangesWhatReadersSee(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<Article> entry) =>
        entry.Properties.Any(p => p.IsModified && !NewsroomOnly.Contains(p.Metadata.Name));

    /// <summary>An article's stored bylines (in order) and tags; read-only, as <see cref="None"/> is shared by every new article's save.</summary>
    private sealed record StoredRelations(IReadOnlyList<int> AuthorIds, IReadOnlyList<int> TagIds)
    {
        public static readonly StoredRelations None = new([], []);
    }

    /// <summary>The stored bylines and tags in one query.</summary>
    private static async Task<StoredRelations> StoredRelationsAsync(NewsCmsDbContext db, int articleId, CancellationToken ct)
    {
        var rows = await db.ArticleAuthors.AsNoTracking().Where(aa => aa.ArticleId == articleId)
            .Select(aa => new { IsTag = false, Id = aa.AuthorProfileId, aa.Position })
            .Concat(db.ArticleTags.AsNoTracking().Where(at => at.ArticleId == articleId).Select(at => new { IsTag = true, Id = at.TagId, Position = 0 }))
            .ToListAsync(ct);
        return new([.. rows.Where(r => !r.IsTag).OrderBy(r => r.Position).Select(r => r.Id)], [.. rows.Where(r => r.IsTag).Select(r => r.Id)]);
    }

    private static async Task SetRelationsAsync(NewsCmsDbContext db, int articleId, List<int> authorIds, List<int> tagIds, CancellationToken ct)
    {
        await db.ArticleAuthors.Where(aa => aa.ArticleId == articleId).ExecuteDeleteAsync(ct);
        await db.ArticleTags.Where(at => at.ArticleId == articleId).ExecuteDeleteAsync(ct);
        db.ArticleAuthors.AddRange(authorIds.Select((authorId, position) => new ArticleAuthor { ArticleId = articleId, AuthorProfileId = authorId, Position = position }));
        db.ArticleTags.AddRange(tagIds.Select(tagId => new ArticleTag { ArticleId = articleId, TagId = tagId }));
        await db.SaveChangesAsync(ct);
    }


    private static string EditRefusal(Article article) =>
        article.TrashedAt is not null ? "This article is in the trash. Restore it before editing."
        : article.Status == ArticleStatus.Draft ? NewsroomActors.NotAllowed
        : $"This article is {ArticleWorkflow.Describe(article.Status, false).ToLowerInvariant()}: only the desk can change it now.";


    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Truncate(string? value, int length) => (value ?? "").Length <= length ? value ?? "" : value![..length];

}
