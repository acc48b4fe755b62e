using System.Security.Claims;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.WordPress;

namespace NewsCms.Web.Features.Import;

/// <summary>An import run as the newsroom sees it.</summary>
public sealed record ImportRunView(
    Guid Id, ImportRunKind Kind, ImportRunStatus Status, bool IsDryRun, string FileName, string? UploadsFileName, int TotalItems,
    int ProcessedItems, ImportReport Report, string? Error, string StartedByName, DateTime StartedAt, DateTime? FinishedAt)
{
    public bool IsActive => Status == ImportRunStatus.Running;

    /// <summary>A dry run that finished: the report is there and "Import" may run it for real.</summary>
    public bool IsReadyToImport => Status == ImportRunStatus.DryRun;

    public bool CanResume => Status is ImportRunStatus.Interrupted or ImportRunStatus.Failed && !IsDryRun;

    public int Percent => TotalItems == 0 ? (Status == ImportRunStatus.Running ? 0 : 100) : Math.Min(100, ProcessedItems * 100 / TotalItems);
}

/// <summary>
/// Imports started from /admin/import (Administrators only): the uploaded files are kept in the data folder, the run
/// goes on in the background (<see cref="ImportWorker"/>), and its progress and report live in the database so a page
/// reload, a restart or another node sees them. A run interrupted by a restart is resumed from where it stopped.
/// </summary>
public sealed class ImportRuns(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    ImportQueue queue,
    AuditLog audit,
    DatabaseLocation database,
    TimeProvider clock,
    ILogger<ImportRuns> logger)
{
    public const string NotAnExport = "Choose the WordPress export file (.xml, from Tools → Export in WordPress).";
    public const string NotAZip = "The uploads must be a .zip of the wp-content/uploads folder.";
    public const string AlreadyRunning = "An import is already running. Wait for it to finish.";

    /// <summary>A run whose last sign of life is older than this was stopped by a restart or a crash.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(60);

    /// <summary>Keeps the uploads and starts the dry run.</summary>
    public async Task<ServiceResult<Guid>> StartWordPressAsync(ClaimsPrincipal acting, Stream export, string exportName, Stream? uploadsZip,
        string? uploadsName, bool createAccounts, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ImportContent, ct);
        if (!actorResult.Succeeded) return ServiceResult<Guid>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;
        if (!exportName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)) return ServiceResult<Guid>.Fail(NotAnExport);
        if (uploadsZip is not null && !(uploadsName ?? "").EndsWith(".zip", StringComparison.OrdinalIgnoreCase)) return ServiceResult<Guid>.Fail(NotAZip);
        await MarkStaleRunsAsync(ct);
        if (await ActiveRunAsync(ct) is not null) return ServiceResult<Guid>.Fail(AlreadyRunning);

        var id = Guid.NewGuid();
        var folder = Path.Combine(database.Folder, "imports", id.ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await using (var file = File.Create(Path.Combine(folder, ExportFile)))
            {
                await export.CopyToAsync(file, ct);
            }
            if (uploadsZip is not null)
            {
                await using var file = File.Create(Path.Combine(folder, UploadsFile));
                await uploadsZip.CopyToAsync(file, ct);
            }
            var now = clock.GetUtcNow().UtcDateTime;
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.ImportRuns.Add(new ImportRun
            {
                Id = id, Kind = ImportRunKind.WordPress, Status = ImportRunStatus.Running, IsDryRun = true, CreateAccounts = createAccounts,
                FileName = Clip(Path.GetFileName(exportName)), UploadsFileName = uploadsZip is null ? null : Clip(Path.GetFileName(uploadsName ?? "")),
                WorkFolder = folder, StartedById = actor.UserId, StartedByName = actor.DisplayName, StartedAt = now, UpdatedAt = now,
            });
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            // Nothing is left behind for a run that never started.
            Directory.Delete(folder, recursive: true);
            throw;
        }
        await queue.EnqueueAsync(id, ct);
        return ServiceResult<Guid>.Success(id);
    }

    /// <summary>"Import" after the dry run: the same files, for real.</summary>
    public Task<ServiceResult> ImportAsync(ClaimsPrincipal acting, Guid id, CancellationToken ct = default) =>
        RunAgainAsync(acting, id, run => run.Status == ImportRunStatus.DryRun, "This import has no finished dry run to import.", ct);

    /// <summary>"Resume" after a restart or a failure: items already imported are skipped, the rest follow.</summary>
    public Task<ServiceResult> ResumeAsync(ClaimsPrincipal acting, Guid id, CancellationToken ct = default) =>
        RunAgainAsync(acting, id, run => run.Status is ImportRunStatus.Interrupted or ImportRunStatus.Failed && !run.IsDryRun,
            "Only an import that stopped before its end can be resumed.", ct);

    private async Task<ServiceResult> RunAgainAsync(ClaimsPrincipal acting, Guid id, Func<ImportRun, bool> allowed, string refusal, CancellationToken ct)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ImportContent, ct);
        if (!actorResult.Succeeded) return ServiceResult.Fail(actorResult.Error!);
        var actor = actorResult.Value!;
        await MarkStaleRunsAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.ImportRuns.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (run is null) return ServiceResult.Fail("That import is not there any more.");
        if (!allowed(run)) return ServiceResult.Fail(refusal);
        if (await ActiveRunAsync(ct) is not null) return ServiceResult.Fail(AlreadyRunning);
        if (!File.Exists(Path.Combine(run.WorkFolder, ExportFile)))
        {
            return ServiceResult.Fail("The uploaded export is not on this server any more (it is kept where it was uploaded). Upload it again.");
        }
        run.Status = ImportRunStatus.Running;
        run.IsDryRun = false;
        run.Error = null;
        run.ProcessedItems = 0;
        // The dry run's report is not the import's: the worker writes the import's as it goes.
        run.ReportJson = "";
        run.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(actor, AuditActions.ImportStarted, run.FileName, run.UploadsFileName is null ? null : "with " + run.UploadsFileName, ct);
        await queue.EnqueueAsync(id, ct);
        return ServiceResult.Ok;
    }

    public async Task<ServiceResult<ImportRunView>> GetAsync(ClaimsPrincipal acting, Guid id, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ImportContent, ct);
        if (!actorResult.Succeeded) return ServiceResult<ImportRunView>.Fail(actorResult.Error!);
        await MarkStaleRunsAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.ImportRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        return run is null ? ServiceResult<ImportRunView>.Fail("That import is not there any more.") : ServiceResult<ImportRunView>.Success(View(run));
    }

    /// <summary>The latest runs, newest first.</summary>
    public async Task<ServiceResult<IReadOnlyList<ImportRunView>>> ListAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ImportContent, ct);
        if (!actorResult.Succeeded) return ServiceResult<IReadOnlyList<ImportRunView>>.Fail(actorResult.Error!);
        await MarkStaleRunsAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var runs = await db.ImportRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).Take(20).ToListAsync(ct);
        return ServiceResult<IReadOnlyList<ImportRunView>>.Success([.. runs.Select(View)]);
    }

    /// <summary>Runs that stopped showing progress (their node restarted or crashed) are marked interrupted, so they can be resumed.</summary>
    internal async Task MarkStaleRunsAsync(CancellationToken ct)
    {
        var staleBefore = clock.GetUtcNow().UtcDateTime - StaleAfter;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stale = await db.ImportRuns.Where(r => r.Status == ImportRunStatus.Running && r.UpdatedAt < staleBefore)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, r => r.IsDryRun ? ImportRunStatus.Failed : ImportRunStatus.Interrupted)
                .SetProperty(r => r.Error, "The server stopped while this ran."), ct);
        if (stale > 0) logger.LogWarning("{Count} import run(s) stopped without finishing; they can be resumed.", stale);
    }

    /// <summary>The run going on now, if any; callers mark stale runs first.</summary>
    private async Task<ImportRun?> ActiveRunAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ImportRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Status == ImportRunStatus.Running, ct);
    }

    private static string Clip(string name) => name.Length <= 260 ? name : name[^260..];

    internal const string ExportFile = "export.xml";
    internal const string UploadsFile = "uploads.zip";

    private static ImportRunView View(ImportRun run) => new(run.Id, run.Kind, run.Status, run.IsDryRun, run.FileName, run.UploadsFileName,
        run.TotalItems, run.ProcessedItems, ImportReportText.FromJson(run.ReportJson), run.Error, run.StartedByName, run.StartedAt, run.FinishedAt);
}

/// <summary>Runs waiting for the worker on this node.</summary>
public sealed class ImportQueue
{
    private readonly Channel<Guid> runs = Channel.CreateUnbounded<Guid>();

    public ValueTask EnqueueAsync(Guid id, CancellationToken ct) => runs.Writer.WriteAsync(id, ct);

    public IAsyncEnumerable<Guid> ReadAllAsync(CancellationToken ct) => runs.Reader.ReadAllAsync(ct);
}

/// <summary>
/// Runs queued imports one at a time, writing progress to the run's row at most every second (which is also its sign
/// of life), and the report at the end. A failure ends the run with its message; items imported so far stay.
/// </summary>
public sealed class ImportWorker(
    ImportQueue queue,
    IServiceScopeFactory scopes,
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    TimeProvider clock,
    ILogger<ImportWorker> logger) : BackgroundService
{
    private readonly IDbContextFactory<NewsCmsDbContext> dbFactory = dbFactory;
    private readonly TimeProvider clock = clock;
    private readonly ILogger<ImportWorker> logger = logger;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var id in queue.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RunAsync(id, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down: the run stays Running, is found stale, and can be resumed.
                return;
            }
            catch (Exception ex)
            {
                // A database that could not be reached for the run's own row: the run is found stale later. The
                // worker (and the site) go on.
                logger.LogError(ex, "Import {Id} could not be run", id);
            }
        }
    }

    private async Task RunAsync(Guid id, CancellationToken ct)
    {
        ImportRun run;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var found = await db.ImportRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
            if (found is not { Status: ImportRunStatus.Running }) return;
            run = found;
        }
        var report = new ImportReport();
        var heartbeat = new Heartbeat(this, id);
        // A sign of life every few seconds whatever the importer is doing (a big image, ranking related articles).
        using var beating = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var beats = heartbeat.BeatAsync(beating.Token);
        string? error = null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var importer = scope.ServiceProvider.GetRequiredService<WordPressImporter>();
            var actor = await ActorAsync(run, ct);
            var uploads = Path.Combine(run.WorkFolder, ImportRuns.UploadsFile);
            await importer.ImportAsync(Path.Combine(run.WorkFolder, ImportRuns.ExportFile), File.Exists(uploads) ? uploads : null,
                new WordPressImportOptions(run.IsDryRun, run.CreateAccounts), actor, heartbeat.ReportAsync, ct, report);
        }
        catch (Exception ex) when (ex is WordPressImportException or WxrFormatException or IOException or UnauthorizedAccessException)
        {
            error = ex.Message;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogError(ex, "Import {Id} failed", id);
            error = "The import stopped on an unexpected error (it is in the server's log). What was imported stays; resume it to go on.";
        }
        finally
        {
            await beating.CancelAsync();
            await beats;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var status = error is not null ? ImportRunStatus.Failed : run.IsDryRun ? ImportRunStatus.DryRun : ImportRunStatus.Completed;
        var json = ImportReportText.Json(report);
        // The last progress too: the heartbeat writes at most once a second, so the final count may not be stored yet.
        var progress = heartbeat.Latest;
        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            // Only a run still ours: one marked stale meanwhile (and perhaps resumed elsewhere) is left as it is.
            await db.ImportRuns.Where(r => r.Id == id && r.Status == ImportRunStatus.Running && r.IsDryRun == run.IsDryRun).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.ProcessedItems, progress.Processed)
                .SetProperty(r => r.TotalItems, progress.Total)
                .SetProperty(r => r.Status, status)
                .SetProperty(r => r.Error, error)
                .SetProperty(r => r.ReportJson, json)
                .SetProperty(r => r.UpdatedAt, now)
                .SetProperty(r => r.FinishedAt, status == ImportRunStatus.DryRun ? null : now), CancellationToken.None);
        }
        // A finished import needs its uploads no more (a dry run keeps them for "Import", a failed one for "Resume").
        if (status == ImportRunStatus.Completed)
        {
            try
            {
                Directory.Delete(run.WorkFolder, recursive: true);
            }
            catch (IOException ex)
            {
                logger.LogWarning(ex, "Could not delete the uploads of import {Id} in {Folder}", id, run.WorkFolder);
            }
        }
    }

    /// <summary>The administrator who started the run, as they are now (a demoted or deleted one cannot import).</summary>
    private async Task<Users.Actor> ActorAsync(ImportRun run, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var role = await db.UserRoles.Where(ur => ur.UserId == run.StartedById).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name)
            .FirstOrDefaultAsync(ct);
        if (!Capabilities.Allows(role, Capabilities.ImportContent))
        {
            throw new WordPressImportException($"{run.StartedByName} may no longer import; an administrator must start it again.");
        }
        return new Users.Actor(run.StartedById, run.StartedByName, role!);
    }

    /// <summary>Progress to the run's row, at most once a second, and a sign of life every few seconds.</summary>
    private sealed class Heartbeat(ImportWorker worker, Guid id)
    {
        private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
        private ImportProgress latest = new(0, 0);

        /// <summary>The progress last reported, written or not.</summary>
        public ImportProgress Latest => latest;
        private DateTime lastWritten = DateTime.MinValue;
        private readonly SemaphoreSlim writing = new(1, 1);

        public async Task ReportAsync(ImportProgress value)
        {
            if (value.Total > 0 || latest.Total == 0) latest = value;
            if (worker.clock.GetUtcNow().UtcDateTime - lastWritten < TimeSpan.FromSeconds(1)) return;
            await FlushAsync();
        }

        public async Task BeatAsync(CancellationToken stop)
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(Every, worker.clock, stop);
                    await FlushAsync();
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task FlushAsync()
        {
            if (!await writing.WaitAsync(0)) return; // the other writer is at it
            try
            {
                var now = worker.clock.GetUtcNow().UtcDateTime;
                lastWritten = now;
                var progress = latest;
                await using var db = await worker.dbFactory.CreateDbContextAsync();
                await db.ImportRuns.Where(r => r.Id == id && r.Status == ImportRunStatus.Running).ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.ProcessedItems, progress.Processed)
                    .SetProperty(r => r.TotalItems, progress.Total)
                    .SetProperty(r => r.UpdatedAt, now));
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                // A missed beat is no reason to stop an import.
                worker.logger.LogWarning(ex, "Could not record the progress of import {Id}", id);
            }
            finally
            {
                writing.Release();
            }
        }
    }
}
