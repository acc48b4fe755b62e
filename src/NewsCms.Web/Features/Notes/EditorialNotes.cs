using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Notes;

/// <summary>A note thread as the side panel shows it: the first note, its quote and anchor, its replies in order.</summary>
public sealed record NoteThread(long Id, string? AnchorId, string Quote, string Body, string AuthorName, DateTime CreatedAt,
    DateTime? ResolvedAt, string? ResolvedByName, IReadOnlyList<NoteReply> Replies)
{
    public bool IsResolved => ResolvedAt is not null;
}

public sealed record NoteReply(long Id, string Body, string AuthorName, DateTime CreatedAt);

/// <summary>An article's threads, oldest first, and whether the viewer may add, reply and resolve.</summary>
public sealed record ArticleNotes(IReadOnlyList<NoteThread> Threads, bool CanWrite);

/// <summary>
/// Inline editorial notes: newsroom-only threads anchored to text in an article (the mark is in
/// <see cref="Article.AnnotatedBodyHtml"/>, written by the editor's save). Whoever may open the article in the
/// newsroom reads them; whoever may edit it (<see cref="ArticleWorkflow"/>'s Edit rule) adds, replies, resolves and
/// reopens. Notes are never deleted; each change is audited and announced through <see cref="NoteEvents"/>.
/// </summary>
public sealed class EditorialNotes(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    NoteEvents events,
    TimeProvider clock)
{
    public const int MaxText = 4000;
    public const int MaxQuote = 1000;
    public const string CannotWrite = "You can read the notes on this article, but only someone who may edit it can add, reply or resolve.";

    public async Task<ServiceResult<ArticleNotes>> ListAsync(ClaimsPrincipal acting, int articleId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var access = await AccessAsync(db, acting, articleId, write: false, ct);
        if (access.Error is not null) return ServiceResult<ArticleNotes>.Fail(access.Error);
        var threads = await ThreadsAsync(db, articleId, threadId: null, ct);
        return ServiceResult<ArticleNotes>.Success(new ArticleNotes(threads, access.CanWrite));
    }

    /// <summary>Starts a thread on the text marked with <paramref name="anchorId"/> (the mark the editor just set).</summary>
    public async Task<ServiceResult<NoteThread>> AddAsync(ClaimsPrincipal acting, int articleId, string anchorId, string quote, string text, CancellationToken ct = default)
    {
        if (!ArticleHtml.IsAnchorId(anchorId)) return ServiceResult<NoteThread>.Fail("The note's place in the text is not valid. Select the text again.");
        if (Problem(text) is { } problem) return ServiceResult<NoteThread>.Fail(problem);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var access = await AccessAsync(db, acting, articleId, write: true, ct);
        if (access.Error is not null) return ServiceResult<NoteThread>.Fail(access.Error);
        if (await db.EditorialNotes.AnyAsync(n => n.ArticleId == articleId && n.AnchorId == anchorId, ct))
        {
            return ServiceResult<NoteThread>.Fail("There is already a note on that text.");
        }
        var cleanQuote = XmlSafeText.Clean(quote ?? "").Trim();
        if (cleanQuote.Length > MaxQuote) cleanQuote = cleanQuote[..(MaxQuote - 1)] + "…";
        var note = new EditorialNote
        {
            ArticleId = articleId, AnchorId = anchorId, Quote = cleanQuote, Body = Clean(text),
            AuthorId = access.Actor!.UserId, AuthorName = access.Actor.DisplayName, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.EditorialNotes.Add(note);
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(access.Actor, AuditActions.NoteAdded, access.Target!, $"On \"{Short(cleanQuote)}\"", ct);
        return await AnnounceAsync(db, articleId, note.Id, ct);
    }

    public async Task<ServiceResult<NoteThread>> ReplyAsync(ClaimsPrincipal acting, int articleId, long threadId, string text, CancellationToken ct = default)
    {
        if (Problem(text) is { } problem) return ServiceResult<NoteThread>.Fail(problem);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var access = await AccessAsync(db, acting, articleId, write: true, ct);
        if (access.Error is not null) return ServiceResult<NoteThread>.Fail(access.Error);
        var thread = await FindThreadAsync(db, articleId, threadId, ct);
        if (thread is null) return ServiceResult<NoteThread>.Fail(NoSuchThread);
        db.EditorialNotes.Add(new EditorialNote
        {
            ArticleId = articleId, ParentId = thread.Id, Body = Clean(text),
            AuthorId = access.Actor!.UserId, AuthorName = access.Actor.DisplayName, CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(access.Actor, AuditActions.NoteReplied, access.Target!, $"On \"{Short(thread.Quote)}\"", ct);
        return await AnnounceAsync(db, articleId, thread.Id, ct);
    }

    /// <summary>Resolves a thread: it moves to the panel's "Resolved" part and stays in the article's history.</summary>
    public Task<ServiceResult<NoteThread>> ResolveAsync(ClaimsPrincipal acting, int articleId, long threadId, CancellationToken ct = default) =>
        SetResolvedAsync(acting, articleId, threadId, resolve: true, ct);

    public Task<ServiceResult<NoteThread>> ReopenAsync(ClaimsPrincipal acting, int articleId, long threadId, CancellationToken ct = default) =>
        SetResolvedAsync(acting, articleId, threadId, resolve: false, ct);

    private async Task<ServiceResult<NoteThread>> SetResolvedAsync(ClaimsPrincipal acting, int articleId, long threadId, bool resolve, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var access = await AccessAsync(db, acting, articleId, write: true, ct);
        if (access.Error is not null) return ServiceResult<NoteThread>.Fail(access.Error);
        var thread = await FindThreadAsync(db, articleId, threadId, ct);
        if (thread is null) return ServiceResult<NoteThread>.Fail(NoSuchThread);
        if ((thread.ResolvedAt is not null) == resolve)
        {
            // Someone else was quicker: nothing to change, the panel shows the thread as it is.
            return ServiceResult<NoteThread>.Success((await ThreadsAsync(db, articleId, thread.Id, ct)).Single());
        }
        thread.ResolvedAt = resolve ? clock.GetUtcNow().UtcDateTime : null;
        thread.ResolvedByName = resolve ? access.Actor!.DisplayName : null;
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(access.Actor!, resolve ? AuditActions.NoteResolved : AuditActions.NoteReopened, access.Target!, $"On \"{Short(thread.Quote)}\"", ct);
        return await AnnounceAsync(db, articleId, thread.Id, ct);
    }

    private const string NoSuchThread = "That note no longer exists.";

    private async Task<ServiceResult<NoteThread>> AnnounceAsync(NewsCmsDbContext db, int articleId, long threadId, CancellationToken ct)
    {
        await events.PublishAsync(articleId);
        return ServiceResult<NoteThread>.Success((await ThreadsAsync(db, articleId, threadId, ct)).Single());
    }

    private static Task<EditorialNote?> FindThreadAsync(NewsCmsDbContext db, int articleId, long threadId, CancellationToken ct) =>
        db.EditorialNotes.FirstOrDefaultAsync(n => n.Id == threadId && n.ArticleId == articleId && n.ParentId == null, ct);

    private static async Task<IReadOnlyList<NoteThread>> ThreadsAsync(NewsCmsDbContext db, int articleId, long? threadId, CancellationToken ct)
    {
        var notes = await db.EditorialNotes.AsNoTracking()
            .Where(n => n.ArticleId == articleId && (threadId == null || n.Id == threadId || n.ParentId == threadId))
            .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id)
            .Select(n => new { n.Id, n.ParentId, n.AnchorId, n.Quote, n.Body, n.AuthorName, n.CreatedAt, n.ResolvedAt, n.ResolvedByName })
            .ToListAsync(ct);
        var replies = notes.Where(n => n.ParentId is not null).ToLookup(n => n.ParentId!.Value);
        return [.. notes.Where(n => n.ParentId is null).Select(n => new NoteThread(n.Id, n.AnchorId, n.Quote, n.Body, n.AuthorName, n.CreatedAt,
            n.ResolvedAt, n.ResolvedByName, [.. replies[n.Id].Select(r => new NoteReply(r.Id, r.Body, r.AuthorName, r.CreatedAt))]))];
    }

    /// <summary>
    /// Who may do what: reading needs the article to be openable in the newsroom (one's own, or any for those who edit
    /// any article); writing needs the workflow's Edit rule for the article as it is now.
    /// </summary>
    private async Task<(Actor? Actor, string? Target, bool CanWrite, string? Error)> AccessAsync(NewsCmsDbContext db, ClaimsPrincipal acting, int articleId, bool write,
        CancellationToken ct)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return (null, null, false, actorResult.Error);
        var actor = actorResult.Value!;
        var article = await db.Articles.AsNoTracking().Where(a => a.Id == articleId)
            .Select(a => new { a.Id, a.Headline, a.Status, Trashed = a.TrashedAt != null }).FirstOrDefaultAsync(ct);
        if (article is null) return (actor, null, false, "That article does not exist.");
        var isOwn = await db.Articles.Where(a => a.Id == articleId).AnyAsync(NewsroomArticleAccess.OwnedBy(db, actor.UserId), ct);
        if (!isOwn && !actor.Can(Capabilities.EditAnyArticle)) return (actor, null, false, NewsroomActors.NotAllowed);
        var canWrite = ArticleWorkflow.Allows(actor.Role, ArticleAction.Edit, isOwn, article.Status, article.Trashed);
        if (write && !canWrite) return (actor, null, false, CannotWrite);
        return (actor, $"{article.Headline} (#{article.Id})", canWrite, null);
    }

    private static string? Problem(string? text)
    {
        var clean = Clean(text);
        if (clean.Length == 0) return "Write the note first.";
        if (clean.Length > MaxText) return $"A note can be at most {MaxText} characters.";
        return null;
    }

    private static string Clean(string? text) => XmlSafeText.Clean(text ?? "").Trim();

    private static string Short(string text) => text.Length <= 60 ? text : text[..59] + "…";
}
