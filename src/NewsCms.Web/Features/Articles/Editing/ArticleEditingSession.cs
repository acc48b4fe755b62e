using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Features.Articles.Editing;

/// <summary>Where the writer's text stands with the server.</summary>
public enum EditorSaveState { Idle, Saving, Saved, Failed }

/// <summary>The copy of unsaved text the browser keeps (localStorage), with the version it was written against.</summary>
public sealed record EditorBackup(string Html, DateTime SavedAt, string? BaseVersion, Dictionary<string, string?>? Fields)
{
    public string? Headline => Fields?.GetValueOrDefault("headline");
    public string? Standfirst => Fields?.GetValueOrDefault("standfirst");
}

/// <summary>What the presence banner says, and whether it offers "Take over".</summary>
public sealed record PresenceView(string? Message, bool ShowTakeOver);

/// <summary>What the editor needs from the server: a save as the acting user (<see cref="ArticleEditing.SaveAsync"/>, which checks their rights on every call).</summary>
public delegate Task<SaveOutcome> SaveArticle(int? id, ArticleInput input, Guid? expectedVersion, SaveKind kind, CancellationToken ct = default);

/// <summary>
/// The article editor's state machine, apart from any component: the article as the server has it, the writer's
/// text, whether it is saved, autosave after a pause (debounced on <see cref="TimeProvider"/>) with retry after a
/// failure, conflicts, the browser backup and its base version, and losing the article to a take-over. The editor
/// component renders it and forwards the writer's events; the body's HTML lives in the browser and is read through
/// <c>readBody</c> when a save needs it.
/// </summary>
public sealed class ArticleEditingSession(
    SaveArticle save,
    TimeProvider clock,
    TimeSpan autosaveDelay,
    Func<Task<string>> readBody,
    Func<Func<Task>, Task> dispatch) : IDisposable
{
    /// <summary>After a failed save (database busy, a bug) the next attempt comes this much later.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim saving = new(1, 1);
    private CancellationTokenSource? autosaveTimer;
    private bool disposed;
    // Counts the writer's edits, so that typing that arrives while a save is on its way stays unsaved.
    private long edits;
    private long editsSaved;

    /// <summary>The article as the server last had it (null for a new article until its first save).</summary>
    public ArticleForEdit? Article { get; private set; }

    /// <summary>The writer's fields (the body as last read from the browser).</summary>
    public ArticleInput Input { get; private set; } = new();

    /// <summary>The writer has edits the server does not have yet.</summary>
    public bool Dirty => edits != editsSaved;
    public EditorSaveState SaveState { get; private set; } = EditorSaveState.Idle;
    public DateTime? SavedAt { get; private set; }

    /// <summary>A refusal from the last save (validation, rights) and the field it is about, if any.</summary>
    public string? Error { get; set; }
    public string? Field { get; private set; }

    /// <summary>The newer version someone else saved, while the conflict dialog is open; <see cref="ConflictMine"/> is the writer's side.</summary>
    public ArticleConflict? Conflict { get; private set; }
    public ArticleInput? ConflictMine { get; private set; }

    /// <summary>Who took the article over from this writer (their editor is read-only until it comes back).</summary>
    public string? TakenOverBy { get; private set; }

    /// <summary>Read-only for reasons outside the session (someone else holds the article).</summary>
    public bool LockedByPresence { get; set; }

    /// <summary>Fills what the component keeps apart (section, tags, bylines, featured image) into an input before it is saved.</summary>
    public Action<ArticleInput>? FillRelations { get; set; }

    /// <summary>Runs after each successful save with the outcome and the body that was saved.</summary>
    public Func<SaveOutcome, string, Task>? Saved { get; set; }

    /// <summary>Told about a save that failed with an exception (to log it; the session retries on its own).</summary>
    public Action<Exception>? SaveFailed { get; set; }

    /// <summary>Raised whenever something shown changed.</summary>
    public event Action? Changed;

    public bool ReadOnly => LockedByPresence || TakenOverBy is not null || (Article is not null && !Article.Allowed.Contains(ArticleAction.Edit));

    /// <summary>What the writer may do with a new article, which will be their own draft (its first save happens as part of the action).</summary>
    public IReadOnlySet<ArticleAction> NewArticleActions { get; set; } = new HashSet<ArticleAction>();

    /// <summary>
    /// The workflow actions offered now: a new article's from <see cref="NewArticleActions"/>; a loaded article's as the
    /// server allowed them, and none while someone else holds it or it was taken over. An article the writer may not edit
    /// still offers what the server allows (a Contributor's submission: "Withdraw").
    /// </summary>
    public IReadOnlySet<ArticleAction> Actions => Article is null ? NewArticleActions
        : LockedByPresence || TakenOverBy is not null ? new HashSet<ArticleAction>()
        : Article.Allowed;

    /// <summary>
    /// The UTC time for "Publish at": the writer types a wall-clock time in the site's time zone. Null (with the reason in
    /// <see cref="Error"/>) when no time was chosen or the time does not exist there (the clocks go forward then).
    /// </summary>
    public DateTime? ScheduleTimeUtc(DateTime? publishAt, TimeZoneInfo zone)
    {
        if (publishAt is null)
        {
            Error = "Choose the date and time to publish at.";
            return null;
        }
        var wallClock = DateTime.SpecifyKind(publishAt.Value, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wallClock))
        {
            Error = $"{wallClock:yyyy-MM-dd HH:mm} does not exist in {zone.Id} (the clocks go forward then). Choose another time.";
            return null;
        }
        return TimeZoneInfo.ConvertTimeToUtc(wallClock, zone);
    }

    public void Load(ArticleForEdit article)
    {
        Article = article;
        Input = new ArticleInput
        {
            Headline = article.Headline, Standfirst = article.Standfirst, Slug = article.Slug, BodyHtml = article.EditorBodyHtml,
            SeoTitle = article.SeoTitle, MetaDescription = article.MetaDescription, CanonicalUrl = article.CanonicalUrl,
        };
        editsSaved = edits;
        SlugEdited = true; // a saved article's slug is its own: changing the headline no longer moves its address
        CancelAutosave();
    }

    /// <summary>
    /// False while the slug follows the headline: a new article until the writer types a slug (the server then makes it
    /// from the headline, with "-2"… when taken). True once the writer typed one, or the article was loaded.
    /// </summary>
    public bool SlugEdited { get; private set; }

    public void SetHeadline(string value)
    {
        Input.Headline = value;
        if (!SlugEdited) Input.Slug = Slugs.From(value);
        MarkDirty();
    }

    /// <summary>A slug typed by the writer; emptying it lets it follow the headline again.</summary>
    public void SetSlug(string value)
    {
        Input.Slug = value;
        SlugEdited = !string.IsNullOrEmpty(value);
        MarkDirty();
    }

    /// <summary>The writer changed something: it is unsaved, and saves on its own after the autosave delay.</summary>
    public void MarkDirty()
    {
        if (ReadOnly) return;
        edits++;
        if (Field is not null)
        {
            Field = null;
            Error = null;
        }
        ScheduleAutosave(autosaveDelay);
    }

    /// <summary>The body's HTML after a pause in typing: the browser's own autosave trigger.</summary>
    public Task BodyIdleAsync(string html)
    {
        Input.BodyHtml = html;
        return AutosaveAsync();
    }

    public async Task AutosaveAsync()
    {
        // Autosave needs a headline (the article's address is made from it); until then the text is kept in the browser.
        if (!Dirty || ReadOnly || Conflict is not null || string.IsNullOrWhiteSpace(Input.Headline)) return;
        await SaveAsync(SaveKind.Autosave);
    }

    /// <summary>Saves the current text; true when the server has it.</summary>
    public async Task<bool> SaveAsync(SaveKind kind)
    {
        if (ReadOnly) return false;
        await saving.WaitAsync();
        try
        {
            CancelAutosave();
            SaveState = EditorSaveState.Saving;
            Changed?.Invoke();
            Input.BodyHtml = await readBody();
            // Counted after the read: the editor sends its pending change notice before the body, so an edit
            // counted by now is in the text read; only what comes after it keeps the article unsaved.
            var editsTaken = edits;
            FillRelations?.Invoke(Input);
            Input.SlugFollowsHeadline = !SlugEdited;
            Input.BodyCarriesNotes = true; // the editor's body: its note marks are the article's

            var body = Input.BodyHtml;
            var outcome = await save(Article?.Id, Input, Article?.Version, kind);
            if (outcome.Conflict is not null)
            {
                SaveState = EditorSaveState.Idle;
                ShowConflict(outcome.Conflict);
                return false;
            }
            if (!outcome.Succeeded)
            {
                // A refusal (validation, rights) is shown where the writer is; nothing of theirs is touched.
                SaveState = EditorSaveState.Idle;
                Error = outcome.Error;
                Field = outcome.Field;
                return false;
            }
            await AcceptSavedAsync(outcome, body, editsTaken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The server could not save: keep everything and try again shortly.
            SaveState = EditorSaveState.Failed;
            LastFailure = ex;
            SaveFailed?.Invoke(ex);
            ScheduleAutosave(RetryDelay);
            return false;
        }
        finally
        {
            saving.Release();
            Changed?.Invoke();
        }
    }

    /// <summary>The exception behind the last failed save, for the component to log.</summary>
    public Exception? LastFailure { get; private set; }

    /// <summary>A save (or "keep mine") went through: the outcome carries the article's new state, so nothing is fetched again.</summary>
    public async Task AcceptSavedAsync(SaveOutcome outcome, string savedBody, long? editsTaken = null)
    {
        editsSaved = editsTaken ?? edits;
        if (outcome.Article is { } fresh) Article = fresh;
        Input.Slug = outcome.Slug;
        SaveState = EditorSaveState.Saved;
        SavedAt = outcome.SavedAt;
        Error = null;
        Field = null;
        Conflict = null;
        ConflictMine = null;
        if (Saved is not null) await Saved(outcome, savedBody);
    }

    /// <summary>Opens the conflict: the writer's current text against <paramref name="theirs"/>. No autosave while it is open.</summary>
    public void ShowConflict(ArticleConflict theirs)
    {
        CancelAutosave();
        Conflict = theirs;
        ConflictMine = new ArticleInput
        {
            Headline = Input.Headline, Standfirst = Input.Standfirst, Slug = Input.Slug, BodyHtml = Input.BodyHtml, BodyCarriesNotes = true,
            SeoTitle = Input.SeoTitle, MetaDescription = Input.MetaDescription, CanonicalUrl = Input.CanonicalUrl,
        };
        FillRelations?.Invoke(ConflictMine);
        Changed?.Invoke();
    }

    public void CloseConflict()
    {
        Conflict = null;
        ConflictMine = null;
    }

    /// <summary>Whether a backup found in the browser holds something the server does not have (then it is offered).</summary>
    public bool ShouldOffer(EditorBackup? backup) =>
        backup is not null && !ReadOnly
        && (backup.Html != (Article?.EditorBodyHtml ?? "")
            || (backup.Headline is { } headline && headline != Input.Headline)
            || (backup.Standfirst is { } standfirst && standfirst != Input.Standfirst));

    /// <summary>
    /// Takes the backup's text as the writer's. When it was written against the version the server has, it is saved
    /// (true). When someone saved since (after a take-over, say), the conflict dialog opens instead and nothing is
    /// saved over the newer text (false).
    /// </summary>
    public async Task<bool> RestoreAsync(EditorBackup backup)
    {
        Input.BodyHtml = backup.Html;
        if (backup.Headline is { Length: > 0 } headline)
        {
            Input.Headline = headline;
            if (!SlugEdited) Input.Slug = Slugs.From(headline);
        }
        if (backup.Standfirst is { } standfirst) Input.Standfirst = standfirst;
        edits++;
        if (Article is not null && backup.BaseVersion != Article.Version.ToString())
        {
            ShowConflict(new ArticleConflict(Article.Headline, Article.Standfirst, Article.BodyHtml, Article.Version, Article.LastEditedByName, Article.UpdatedAt));
            return false;
        }
        if (string.IsNullOrWhiteSpace(Input.Headline)) return false;
        return await SaveAsync(SaveKind.Manual);
    }

    /// <summary>Someone took the article over: no more saves from here; the writer's text stays where it is.</summary>
    public void LoseTo(string byName)
    {
        CancelAutosave();
        TakenOverBy = byName;
        Changed?.Invoke();
    }

    /// <summary>The article came back to this writer.</summary>
    public void Regain() => TakenOverBy = null;

    /// <summary>
    /// Applies who is present (<paramref name="holder"/> first among <paramref name="everyone"/>) to this editor
    /// (<paramref name="ownSession"/>): read-only while someone else holds the article, and what the banner says —
    /// who has it and since when (<paramref name="local"/> turns UTC into the site's time), and "Take over" only for
    /// those allowed to (<paramref name="canTakeOver"/>) and not before <paramref name="takeBackFrom"/> for the one it
    /// was taken from. Returns true when the article has just come back to this editor.
    /// </summary>
    public bool ApplyPresence(PresenceEntry? holder, IReadOnlyList<PresenceEntry> everyone, string ownSession, bool canTakeOver,
        DateTime? takeBackFrom, Func<DateTime, DateTime> local, out PresenceView view)
    {
        var wasLocked = LockedByPresence;
        LockedByPresence = holder is not null && holder.SessionId != ownSession;
        var cameBack = wasLocked && !LockedByPresence;
        if (cameBack) Regain();
        var others = everyone.Where(p => p.SessionId != ownSession).Select(p => p.DisplayName).Distinct().ToList();
        string? message;
        if (LockedByPresence)
        {
            message = TakenOverBy is not null
                ? $"{TakenOverBy} took over this article at {local(holder!.Since):HH:mm}. Your editor is read-only now; your unsaved text stays here and in this browser."
                  + (takeBackFrom is { } from && canTakeOver ? $" You can take it back after {local(from):HH:mm}." : "")
                : $"{holder!.DisplayName} is editing this article (since {local(holder.Since):HH:mm}). You can read it, but not change it{(canTakeOver ? " unless you take over" : "")}.";
        }
        else
        {
            message = others.Count > 0 ? $"{string.Join(", ", others)} {(others.Count == 1 ? "is" : "are")} also looking at this article." : null;
        }
        view = new PresenceView(message, LockedByPresence && canTakeOver && takeBackFrom is null);
        return cameBack;
    }

    /// <summary>
    /// A workflow action (submit, publish, schedule…) on the article. With <paramref name="saveFirst"/> pending text
    /// is saved first, so what is published is what the writer sees; a new article gets its first save. A refusal is
    /// kept in <see cref="Error"/>. Returns the article's new state, as the action answered it, when the action went
    /// through (the caller then loads it; nothing is fetched again), or null.
    /// </summary>
    public async Task<ArticleForEdit?> TransitionAsync(Func<int, Guid, Task<ServiceResult<ArticleForEdit>>> action, bool saveFirst)
    {
        if (saveFirst && (Dirty || Article is null) && !await SaveAsync(SaveKind.Manual)) return null;
        if (Article is null) return null;
        var result = await action(Article.Id, Article.Version);
        if (!result.Succeeded)
        {
            Error = result.Error;
            return null;
        }
        return result.Value;
    }

    private void ScheduleAutosave(TimeSpan delay)
    {
        CancelAutosave();
        if (disposed) return;
        var cts = new CancellationTokenSource();
        autosaveTimer = cts;
        _ = RunAfterAsync(delay, cts.Token);
    }

    private async Task RunAfterAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, clock, ct);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (!ct.IsCancellationRequested) await dispatch(AutosaveAsync);
    }

    public void CancelAutosave()
    {
        autosaveTimer?.Cancel();
        autosaveTimer?.Dispose();
        autosaveTimer = null;
    }

    /// <summary>Whether an autosave (or a retry) is waiting for its time.</summary>
    public bool AutosavePending => autosaveTimer is not null;

    public void Dispose()
    {
        disposed = true;
        CancelAutosave();
    }
}
