using System.Globalization;
using System.IO.Compression;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Import;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Redirects;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.SiteExport;

/// <summary>
/// Loads a site archive (<see cref="SiteArchive"/>) into this site: into an empty one, or merged into one with content,
/// matched by the exporting site's id and each item's id there (<see cref="ImportedItem"/>, Source "newscms:{site id}").
/// Each item is written in a transaction of its own, so a failure leaves no half item and a second run goes on where
/// the first stopped. An item imported before is updated only if nobody changed it here since; a slug another thing
/// has here gets a suffix. Images go through the media library's checks and processing. Articles are committed through
/// <see cref="ArticleCommit"/> (search index); related articles are ranked and every public cache hears of the change
/// at the end. From the web only an Administrator may import.
/// </summary>
public sealed partial class SiteImporter(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    MediaLibrary media,
    ArticleCommit commit,
    PublicContent publicContent,
    TimeProvider clock,
    ILogger<SiteImporter> logger)
{
    // Fields, so that the run (a nested class) reaches them.
    private readonly IDbContextFactory<NewsCmsDbContext> dbFactory = dbFactory;
    private readonly MediaLibrary media = media;
    private readonly ArticleCommit commit = commit;
    private readonly PublicContent publicContent = publicContent;
    private readonly TimeProvider clock = clock;
    private readonly ILogger<SiteImporter> logger = logger;

    public const string SourcePrefix = "newscms:";
    public const string ImporterName = "Site import";

    // Kinds in ImportedItems and in the report.
    public const string ArticleKind = "article";
    public const string SectionKind = "section";
    public const string TagKind = "tag";
    public const string AuthorKind = "author";
    public const string MediaKind = "media";
    public const string RedirectKind = "redirect";
    public const string SettingKind = "setting";

    // Outcomes in the report.
    public const string Imported = "imported";
    public const string Updated = "updated";
    public const string Unchanged = "unchanged";
    public const string Skipped = "skipped";
    public const string Failed = "failed";

    /// <summary>Who the import acts as: the Administrator who started it, or (on the command line) the site's first Administrator.</summary>
    private sealed record Importer(string? UserId, string Name);

    /// <summary>An Administrator imports <paramref name="file"/> (checked here); audited.</summary>
    public async Task<ServiceResult<ImportReport>> ImportAsync(ClaimsPrincipal acting, string file, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageSettings, ct);
        if (!actor.Succeeded) return ServiceResult<ImportReport>.Fail(actor.Error!);
        return await RunAsync(file, new Importer(actor.Value!.UserId, actor.Value.DisplayName), progress, ct);
    }

    /// <summary>The import for the command line, acting as the site's first Administrator (for scheduled articles) when there is one.</summary>
    internal async Task<ServiceResult<ImportReport>> ImportFromCommandLineAsync(string file, IProgress<string> progress, CancellationToken ct)
    {
        var administrator = await actors.FirstAdministratorAsync(ct);
        return await RunAsync(file, new Importer(administrator?.UserId, administrator?.DisplayName ?? ImporterName), progress, ct);
    }

    private async Task<ServiceResult<ImportReport>> RunAsync(string file, Importer importer, IProgress<string>? progress, CancellationToken ct)
    {
        if (!File.Exists(file)) return ServiceResult<ImportReport>.Fail($"There is no file {file}.");
        ZipArchive zip;
        try
        {
            zip = await ZipFile.OpenReadAsync(file, ct);
        }
        catch (InvalidDataException)
        {
            return Refused(file, "it is not a zip file, or it is damaged.");
        }
        await using (zip)
        {
            var unexpected = zip.Entries.FirstOrDefault(e => !SiteArchive.IsExpectedEntry(e.FullName));
            if (unexpected is not null)
            {
                return Refused(file, $"it holds '{unexpected.FullName}', which a NewsCms site export never does (only {SiteArchive.SiteEntry} and media/<key>/original.<ext>).");
            }
            if (zip.GetEntry(SiteArchive.SiteEntry) is not { } siteEntry)
            {
                return Refused(file, $"it has no {SiteArchive.SiteEntry}, so it is not a NewsCms site export.");
            }

            var run = new Run(this, zip, importer, progress, ct);
            await using var stream = await siteEntry.OpenAsync(ct);
            var items = new SiteJsonReader(stream).ReadAsync(ct).GetAsyncEnumerator(ct);
            string? failure = null;
            try
            {
                var head = await run.ReadHeadAsync(items);
                if (head is not null) return Refused(file, head);
                await run.StartAsync(Path.GetFileName(file));
                while (await items.MoveNextAsync()) await run.ImportAsync(items.Current);
            }
            catch (JsonException ex)
            {
                failure = $"its {SiteArchive.SiteEntry} is not valid JSON ({ex.Message}). What was imported before this point stays; a corrected archive can be imported again.";
            }
            catch (InvalidDataException ex)
            {
                failure = $"it is damaged ({ex.Message}). What was imported before this point stays; a corrected archive can be imported again.";
            }
            finally
            {
                await items.DisposeAsync();
            }
            // Refused before anything was written: nothing to finish or record.
            if (!run.Started) return Refused(file, failure!.Replace(" What was imported before this point stays; a corrected archive can be imported again.", ""));
            // Also after a failure: what was imported is searchable, ranked and shown.
            await run.FinishAsync(failure);
            var report = run.Report;
            await audit.WriteAsync(importer.UserId, importer.Name, AuditActions.SiteImported, $"{Path.GetFileName(file)} from site {run.SourceId}",
                (failure is null ? "" : "Stopped: " + failure + " ") + Summary(report), CancellationToken.None);
            if (failure is not null) return Refused(file, failure);
            logger.LogInformation("{User} imported {File} from site {Source}: {Summary}", importer.Name, Path.GetFileName(file), run.SourceId, Summary(report));
            return ServiceResult<ImportReport>.Success(report);
        }
    }

    private static ServiceResult<ImportReport> Refused(string file, string reason) =>
        ServiceResult<ImportReport>.Fail($"{file} cannot be imported: {reason}");

    /// <summary>"article: imported 12, skipped 1; tag: imported 4; 2 warnings".</summary>
    public static string Summary(ImportReport report) =>
        string.Join("; ", report.Counts.Select(k => $"{k.Key}: {string.Join(", ", k.Value.Select(o => $"{o.Key} {o.Value}"))}"))
        + $"; {report.Warnings.Count} warning{(report.Warnings.Count == 1 ? "" : "s")}";

    /// <summary>A fingerprint of the fields an import wrote: a different one now means someone changed the thing here.</summary>
    internal static Guid Fingerprint(params object?[] fields)
    {
        var text = string.Join('\u001f', fields.Select(f => f switch
        {
            null => "\u0000",
            DateTime time => time.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => f.ToString(),
        }));
        return new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }

    [GeneratedRegex("/media/(?<key>[0-9a-f]{24})/", RegexOptions.CultureInvariant)]
    private static partial Regex MediaAddress();

    [GeneratedRegex(@"data-article-id=""(?<id>\d{1,9})""", RegexOptions.CultureInvariant)]
    private static partial Regex SeeAlsoId();

    /// <summary>One import run: what it has mapped so far and its report.</summary>
    private sealed class Run(SiteImporter owner, ZipArchive zip, Importer importer, IProgress<string>? progress, CancellationToken ct)
    {
        private readonly Dictionary<string, Dictionary<string, ImportedItem>> known = [];
        private readonly Dictionary<string, Dictionary<int, int>> maps = new()
        {
            [ArticleKind] = [], [SectionKind] = [], [TagKind] = [], [AuthorKind] = [], [MediaKind] = [],
        };
        private readonly Dictionary<string, string> keys = new(StringComparer.Ordinal);
        private readonly List<int> publicArticles = [];
        private readonly List<int> forwardReferences = [];
        private ImportRun? record;
        private bool siteHasOwnContent;
        private bool anythingChanged;
        private int processed;

        public ImportReport Report { get; } = new();

        /// <summary>Whether the run got past the checks and may have written something.</summary>
        public bool Started => record is not null;
        public string SourceId { get; private set; } = "";
        private string Source => SourcePrefix + SourceId;
        private DateTime Now => owner.clock.GetUtcNow().UtcDateTime;

        /// <summary>Reads format, version and site (the first three values); null when they are right, else why not.</summary>
        public async Task<string?> ReadHeadAsync(IAsyncEnumerator<SiteJsonItem> items)
        {
            string? format = null;
            int? version = null;
            for (var i = 0; i < 3; i++)
            {
                if (!await items.MoveNextAsync() || items.Current.InArray) break;
                var (name, value, _) = items.Current;
                if (name == "format") format = value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString();
                else if (name == "version" && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var v)) version = v;
                else if (name == "site" && value.ValueKind == JsonValueKind.Object && value.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    SourceId = id.GetString()!.Trim();
                }
                if (format is not null && format != SiteArchive.Format)
                {
                    return $"its format is \"{format}\", not \"{SiteArchive.Format}\": it is not a NewsCms site export.";
                }
            }
            if (format is null || version is null || SourceId.Length == 0)
            {
                return $"its {SiteArchive.SiteEntry} does not start with \"format\", \"version\" and \"site\" (with the site's id), as a NewsCms site export does.";
            }
            if (version > SiteArchive.Version)
            {
                return $"it is version {version} of the format, newer than this NewsCms reads (version {SiteArchive.Version}). Update NewsCms, then import it.";
            }
            if (version < 1) return $"it names version {version} of the format, which does not exist.";
            if (SourceId.Length > 200) return "its site id is longer than 200 characters.";
            var own = await SiteId.GetOrCreateAsync(owner.dbFactory);
            if (SourceId == own)
            {
                return $"it was exported from this very site (id {own}); importing it here would copy everything a second time. To bring the site back to an earlier state, restore a backup.";
            }
            return null;
        }

        public async Task StartAsync(string fileName)
        {
            await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
            foreach (var item in await db.ImportedItems.AsNoTracking().Where(i => i.Source == Source).ToListAsync(ct))
            {
                Known(item.Kind)[item.ExternalId] = item;
                if (maps.TryGetValue(item.Kind, out var map) && int.TryParse(item.ExternalId, CultureInfo.InvariantCulture, out var external))
                {
                    map[external] = item.LocalId;
                }
            }
            // Content of its own: things that did not come from this source. Then this site's settings are its own too.
            var fromHere = db.ImportedItems.Where(i => i.Source == Source);
            siteHasOwnContent =
                await db.Articles.CountAsync(ct) > await fromHere.CountAsync(i => i.Kind == ArticleKind, ct)
                || await db.Sections.CountAsync(ct) > await fromHere.CountAsync(i => i.Kind == SectionKind, ct)
                || await db.Tags.CountAsync(ct) > await fromHere.CountAsync(i => i.Kind == TagKind, ct)
                || await db.MediaItems.CountAsync(ct) > await fromHere.CountAsync(i => i.Kind == MediaKind, ct);
            var now = Now;
            record = new ImportRun
            {
                Id = Guid.NewGuid(), Kind = ImportRunKind.Site, Status = ImportRunStatus.Running, FileName = Truncate(fileName, 260),
                StartedById = importer.UserId ?? "", StartedByName = Truncate(importer.Name, 256), StartedAt = now, UpdatedAt = now,
            };
            db.ImportRuns.Add(record);
            await db.SaveChangesAsync(ct);
        }

        public async Task ImportAsync(SiteJsonItem item)
        {
            switch (item.Property, item.InArray)
            {
                case (SiteArchive.MediaArray, true): await OneAsync<MediaEntry>(MediaKind, item.Value, ImportMediaAsync); break;
                case (SiteArchive.SectionsArray, true): await OneAsync<SectionEntry>(SectionKind, item.Value, ImportSectionAsync); break;
                case (SiteArchive.TagsArray, true): await OneAsync<TagEntry>(TagKind, item.Value, ImportTagAsync); break;
                case (SiteArchive.AuthorsArray, true): await OneAsync<AuthorEntry>(AuthorKind, item.Value, ImportAuthorAsync); break;
                case (SiteArchive.ArticlesArray, true): await OneAsync<ArticleEntry>(ArticleKind, item.Value, ImportArticleAsync); break;
                case (SiteArchive.RedirectsArray, true): await OneAsync<RedirectEntry>(RedirectKind, item.Value, ImportRedirectAsync); break;
                case (SiteArchive.SettingsObject, false): await ImportSettingsAsync(item.Value); break;
                default:
                    // A later version's additions are reported, not guessed at.
                    if (!item.InArray || Report.Warnings.All(w => w.ExternalId != item.Property))
                    {
                        Report.Warn("archive", item.Property, "", $"\"{item.Property}\" is not part of version {SiteArchive.Version} of the format; it was not imported.");
                    }
                    break;
            }
        }

        /// <summary>One item: read, imported in its own transaction(s); a failure is counted and reported, and the run goes on.</summary>
        private async Task OneAsync<T>(string kind, JsonElement value, Func<T, Task<string>> import)
        {
            T? entry;
            try
            {
                entry = value.Deserialize<T>(SiteArchive.Json);
            }
            catch (JsonException ex)
            {
                Report.Count(kind, Failed);
                Report.Warn(kind, IdOf(value), "", $"not readable: {ex.Message}");
                return;
            }
            if (entry is null) return;
            try
            {
                Report.Count(kind, await import(entry));
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException)
            {
                Report.Count(kind, Failed);
                Report.Warn(kind, IdOf(value), "", $"not imported: {ex.GetBaseException().Message}");
                owner.logger.LogWarning(ex, "Importing {Kind} {Id} failed", kind, IdOf(value));
            }
            if (++processed % 100 == 0)
            {
                progress?.Report($"{processed} items imported.");
                await SaveProgressAsync(ImportRunStatus.Running, null);
            }
        }

        private static string IdOf(JsonElement value) =>
            value.ValueKind == JsonValueKind.Object && value.TryGetProperty("id", out var id) ? id.ToString() : "?";

        private Dictionary<string, ImportedItem> Known(string kind) =>
            known.TryGetValue(kind, out var items) ? items : known[kind] = new Dictionary<string, ImportedItem>(StringComparer.Ordinal);

        private int? Local(string kind, int? external) =>
            external is { } id && maps[kind].TryGetValue(id, out var local) ? local : null;

        /// <summary>What the item being written will be recorded as, once its transaction commits (see <see cref="Remembered"/>).</summary>
        private (ImportedItem Item, bool IsNew)? pending;

        /// <summary>Records (or updates) what an item became here, in the caller's context and transaction.</summary>
        private async Task RememberAsync(NewsCmsDbContext db, string kind, string externalId, int localId, Guid version)
        {
            var now = Now;
            if (Known(kind).TryGetValue(externalId, out var existing))
            {
                await db.ImportedItems.Where(i => i.Id == existing.Id).ExecuteUpdateAsync(set => set
                    .SetProperty(i => i.LocalId, localId).SetProperty(i => i.ImportedVersion, version).SetProperty(i => i.ImportedAt, now), ct);
                pending = (new ImportedItem { Id = existing.Id, Source = Source, Kind = kind, ExternalId = externalId, LocalId = localId, ImportedVersion = version, ImportedAt = now }, false);
            }
            else
            {
                var created = new ImportedItem { Source = Source, Kind = kind, ExternalId = externalId, LocalId = localId, ImportedVersion = version, ImportedAt = now };
                db.ImportedItems.Add(created);
                pending = (created, true);
            }
        }

        /// <summary>After the commit: later lookups (and a later item) see what the item became.</summary>
        private void Remembered(string kind, string externalId, int localId)
        {
            if (pending is { } done) Known(kind)[externalId] = done.Item;
            pending = null;
            if (maps.TryGetValue(kind, out var map)) map[int.Parse(externalId, CultureInfo.InvariantCulture)] = localId;
            anythingChanged = true;
        }

        /// <summary>
        /// The slug an item gets here: its own when free, else with a suffix (and a warning once, when it is given).
        /// <paramref name="taken"/> are the slugs (and old addresses) of every other thing of the kind here.
        /// </summary>
        private async Task<string> SlugAsync(string kind, int externalId, string? wanted, string fallbackText, string? current,
            IQueryable<string> taken)
        {
            var slug = Slugs.IsValid(wanted) ? wanted! : Slugs.From(wanted) is { Length: > 0 } made ? made : Slugs.From(fallbackText) is { Length: > 0 } named ? named : kind;
            if (!await taken.AnyAsync(s => s == slug, ct)) return slug;
            var similar = await taken.Where(s => s == slug || s.StartsWith(slug + "-")).ToListAsync(ct);
            var free = Slugs.FirstFree(slug, similar);
            if (current != free)
            {
                Report.Warn(kind, Id(externalId), "", $"the slug \"{slug}\" is taken here by another {kind}; it was imported as \"{free}\".");
            }
            return free;
        }

        private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// The common path of sections, tags, authors, media details and redirects: an item imported before is updated
        /// when nobody changed it here (its fingerprint is what the import wrote), left alone with a warning otherwise.
        /// </summary>
        private async Task<string> UpsertAsync<TEntity>(string kind, int externalId, string label,
            Func<NewsCmsDbContext, int, Task<TEntity?>> find, Func<TEntity> create, Func<TEntity, Guid> fingerprint,
            Func<NewsCmsDbContext, TEntity, bool, Task<string?>> apply, Func<TEntity, int> idOf, Func<NewsCmsDbContext, TEntity, Task>? alsoWrite = null)
            where TEntity : class
        {
            var externalKey = Id(externalId);
            await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
            TEntity entity;
            var isNew = true;
            if (Known(kind).TryGetValue(externalKey, out var imported))
            {
                var existing = await find(db, imported.LocalId);
                if (existing is null)
                {
                    Report.Warn(kind, externalKey, "", $"{label} was deleted here since it was imported; it was not brought back.");
                    return Skipped;
                }
                if (fingerprint(existing) != imported.ImportedVersion)
                {
                    Report.Warn(kind, externalKey, "", $"{label} was changed here since it was imported; it was left as it is.");
                    return Skipped;
                }
                entity = existing;
                isNew = false;
            }
            else
            {
                entity = create();
            }

            var before = isNew ? (Guid?)null : fingerprint(entity);
            if (await apply(db, entity, isNew) is { } problem)
            {
                Report.Warn(kind, externalKey, "", $"{label}: {problem}");
                return Failed;
            }
            if (!isNew && fingerprint(entity) == before) return Unchanged;

            await using (var transaction = await db.Database.BeginTransactionAsync(ct))
            {
                if (isNew) db.Add(entity);
                await db.SaveChangesAsync(ct);
                if (alsoWrite is not null) await alsoWrite(db, entity);
                await RememberAsync(db, kind, externalKey, idOf(entity), fingerprint(entity));
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            Remembered(kind, externalKey, idOf(entity));
            return isNew ? Imported : Updated;
        }

        // ----- media -----

        private async Task<string> ImportMediaAsync(MediaEntry entry)
        {
            var externalKey = Id(entry.Id);
            var label = $"image {entry.OriginalFileName}";
            if (Known(MediaKind).TryGetValue(externalKey, out var imported))
            {
                // The files are there already: only the details can change.
                await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
                if (await db.MediaItems.AsNoTracking().Where(m => m.Id == imported.LocalId).Select(m => m.StorageKey).FirstOrDefaultAsync(ct) is { } key
                    && key != entry.StorageKey)
                {
                    keys[entry.StorageKey] = key;
                }
                return await UpsertAsync(MediaKind, entry.Id, label, FindMediaAsync, () => new MediaItem(), MediaFingerprint,
                    (_, item, _) => Task.FromResult(ApplyMediaDetails(item, entry)), item => item.Id);
            }

            // A hand-written archive may leave "file" out; an entry must be the one its storage key names.
            if (entry.File is not { } name || zip.GetEntry(name) is not { } file
                || file.FullName != SiteArchive.MediaEntry(entry.StorageKey, Path.GetExtension(name).TrimStart('.')))
            {
                Report.Warn(MediaKind, externalKey, "", $"{label}: its file {entry.File} is not in the archive; the image was not imported.");
                return Skipped;
            }
            MediaItem stored;
            await using (var content = await file.OpenAsync(ct))
            {
                var result = await owner.media.StoreImportedAsync(content, file.Length, entry.OriginalFileName, entry.StorageKey, Truncate(XmlSafeText.Clean(entry.UploadedByName), 256), ct);
                if (!result.Succeeded)
                {
                    Report.Warn(MediaKind, externalKey, "", $"{label} was refused by the media library: {result.Error}");
                    return Failed;
                }
                stored = result.Value!;
            }
            var saved = false;
            try
            {
                if (ApplyMediaDetails(stored, entry) is { } problem)
                {
                    Report.Warn(MediaKind, externalKey, "", $"{label}: {problem}");
                    return Failed;
                }
                stored.CreatedAt = entry.CreatedAt;
                await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                db.MediaItems.Add(stored);
                await db.SaveChangesAsync(ct);
                await RememberAsync(db, MediaKind, externalKey, stored.Id, MediaFingerprint(stored));
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                saved = true;
            }
            finally
            {
                if (!saved) owner.media.DeleteFiles(stored);
            }
            if (stored.StorageKey != entry.StorageKey)
            {
                keys[entry.StorageKey] = stored.StorageKey;
                Report.Warn(MediaKind, externalKey, "", $"{label}: its storage key {entry.StorageKey} is in use here; its addresses now use {stored.StorageKey}.");
            }
            Remembered(MediaKind, externalKey, stored.Id);
            return Imported;
        }

        private static Task<MediaItem?> FindMediaAsync(NewsCmsDbContext db, int id) => db.MediaItems.FirstOrDefaultAsync(m => m.Id == id);

        private static Guid MediaFingerprint(MediaItem m) => Fingerprint(m.AltText, m.Caption, m.Credit);

        private static string? ApplyMediaDetails(MediaItem item, MediaEntry entry)
        {
            var alt = XmlSafeText.Clean(entry.AltText).Trim();
            var caption = XmlSafeText.Clean(entry.Caption).Trim();
            var credit = MediaCredit.WithoutPrefix(XmlSafeText.Clean(entry.Credit));
            if (alt.Length > MediaDetailsInput.AltTextMaxLength || caption.Length > MediaDetailsInput.CaptionMaxLength || credit.Length > MediaDetailsInput.CreditMaxLength)
            {
                return "its alt text, caption or credit is longer than NewsCms allows.";
            }
            item.AltText = alt;
            item.Caption = caption;
            item.Credit = credit;
            return null;
        }

        // ----- sections and tags -----

        private Task<string> ImportSectionAsync(SectionEntry entry) =>
            UpsertAsync(SectionKind, entry.Id, $"section \"{entry.Name}\"",
                (db, id) => db.Sections.FirstOrDefaultAsync(s => s.Id == id, ct), () => new Section { CreatedAt = entry.CreatedAt },
                s => Fingerprint(s.Name, s.Slug, s.Description, s.Position, s.ShowInNavigation),
                async (db, section, isNew) =>
                {
                    if (TermProblem(entry.Name, entry.Description) is { } problem) return problem;
                    section.Name = XmlSafeText.Clean(entry.Name).Trim();
                    section.Description = XmlSafeText.Clean(entry.Description).Trim();
                    section.Position = entry.Position;
                    section.ShowInNavigation = entry.ShowInNavigation;
                    section.Slug = await SlugAsync(SectionKind, entry.Id, entry.Slug, entry.Name, isNew ? null : section.Slug,
                        db.Sections.Where(s => s.Id != section.Id).Select(s => s.Slug)
                            .Concat(db.TaxonomyRedirects.Where(r => r.Kind == TaxonomyKind.Section && r.TargetId != section.Id).Select(r => r.Slug)));
                    return null;
                },
                s => s.Id,
                (db, section) => OldTermSlugsAsync(db, SectionKind, TaxonomyKind.Section, section.Id, entry.Id, entry.OldSlugs ?? []));

        private Task<string> ImportTagAsync(TagEntry entry) =>
            UpsertAsync(TagKind, entry.Id, $"tag \"{entry.Name}\"",
                (db, id) => db.Tags.FirstOrDefaultAsync(t => t.Id == id, ct), () => new Tag { CreatedAt = entry.CreatedAt },
                t => Fingerprint(t.Name, t.Slug, t.Description),
                async (db, tag, isNew) =>
                {
                    if (TermProblem(entry.Name, entry.Description) is { } problem) return problem;
                    tag.Name = XmlSafeText.Clean(entry.Name).Trim();
                    tag.Description = XmlSafeText.Clean(entry.Description).Trim();
                    tag.Slug = await SlugAsync(TagKind, entry.Id, entry.Slug, entry.Name, isNew ? null : tag.Slug,
                        db.Tags.Where(t => t.Id != tag.Id).Select(t => t.Slug)
                            .Concat(db.TaxonomyRedirects.Where(r => r.Kind == TaxonomyKind.Tag && r.TargetId != tag.Id).Select(r => r.Slug)));
                    return null;
                },
                t => t.Id,
                (db, tag) => OldTermSlugsAsync(db, TagKind, TaxonomyKind.Tag, tag.Id, entry.Id, entry.OldSlugs ?? []));

        private static string? TermProblem(string name, string description) =>
            string.IsNullOrWhiteSpace(name) ? "it has no name."
            : name.Trim().Length > 100 ? "its name is longer than 100 characters."
            : (description ?? "").Trim().Length > 1000 ? "its description is longer than 1000 characters."
            : null;

        /// <summary>The term's old addresses, except those another term (or page) here answers to.</summary>
        private async Task OldTermSlugsAsync(NewsCmsDbContext db, string kind, TaxonomyKind taxonomy, int localId, int externalId, IReadOnlyList<string> oldSlugs)
        {
            foreach (var slug in oldSlugs.Where(Slugs.IsValid).Distinct())
            {
                var mine = await db.TaxonomyRedirects.AnyAsync(r => r.Kind == taxonomy && r.Slug == slug && r.TargetId == localId, ct);
                if (mine) continue;
                var taken = await db.TaxonomyRedirects.AnyAsync(r => r.Kind == taxonomy && r.Slug == slug, ct)
                    || (taxonomy == TaxonomyKind.Tag ? await db.Tags.AnyAsync(t => t.Slug == slug, ct) : await db.Sections.AnyAsync(s => s.Slug == slug, ct));
                if (taken)
                {
                    Report.Warn(kind, Id(externalId), "", $"its old address \"{slug}\" leads to another {kind} here; it was left to that one.");
                    continue;
                }
                db.TaxonomyRedirects.Add(new TaxonomyRedirect { Kind = taxonomy, Slug = slug, TargetId = localId, CreatedAt = Now });
            }
            await db.SaveChangesAsync(ct);
        }

        // ----- authors -----

        private Task<string> ImportAuthorAsync(AuthorEntry entry) =>
            UpsertAsync(AuthorKind, entry.Id, $"author \"{entry.DisplayName}\"",
                (db, id) => db.AuthorProfiles.FirstOrDefaultAsync(a => a.Id == id, ct), () => new AuthorProfile { CreatedAt = entry.CreatedAt },
                a => Fingerprint(a.DisplayName, a.Slug, a.JobTitle, a.Bio, a.AvatarId, a.Website, a.X, a.Facebook, a.LinkedIn, a.Instagram, a.Email),
                async (db, author, isNew) =>
                {
                    var input = new AuthorInput
                    {
                        DisplayName = entry.DisplayName, JobTitle = entry.JobTitle ?? "", Bio = entry.Bio ?? "", Website = entry.Website, X = entry.X,
                        Facebook = entry.Facebook, LinkedIn = entry.LinkedIn, Instagram = entry.Instagram, Email = entry.Email,
                    };
                    if (AuthorProfiles.Normalize(input) is { } problem) return problem;
                    author.DisplayName = input.DisplayName;
                    author.JobTitle = input.JobTitle;
                    author.Bio = input.Bio;
                    author.Website = input.Website;
                    author.X = input.X;
                    author.Facebook = input.Facebook;
                    author.LinkedIn = input.LinkedIn;
                    author.Instagram = input.Instagram;
                    author.Email = input.Email;
                    author.AvatarId = Local(MediaKind, entry.AvatarId);
                    if (entry.AvatarId is not null && author.AvatarId is null)
                    {
                        Report.Warn(AuthorKind, Id(entry.Id), "", $"author \"{entry.DisplayName}\": their photo (image {entry.AvatarId}) was not imported.");
                    }
                    author.UpdatedAt = entry.UpdatedAt;
                    author.Slug = await SlugAsync(AuthorKind, entry.Id, entry.Slug, entry.DisplayName, isNew ? null : author.Slug,
                        db.AuthorProfiles.Where(a => a.Id != author.Id).Select(a => a.Slug));
                    return null;
                },
                a => a.Id);

        // ----- articles and pages -----

        private async Task<string> ImportArticleAsync(ArticleEntry entry)
        {
            var externalKey = Id(entry.Id);
            var label = $"{(entry.Kind == Articles.ArticleKind.Page ? "page" : "article")} \"{entry.Headline}\"";
            await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
            Article article;
            var isNew = true;
            if (Known(ArticleKind).TryGetValue(externalKey, out var imported))
            {
                var existing = await db.Articles.FirstOrDefaultAsync(a => a.Id == imported.LocalId, ct);
                if (existing is null)
                {
                    Report.Warn(ArticleKind, externalKey, "", $"{label} was deleted here since it was imported; it was not brought back.");
                    return Skipped;
                }
                if (existing.Version != imported.ImportedVersion)
                {
                    Report.Warn(ArticleKind, externalKey, "", $"{label} was edited here since it was imported; it was left as it is.");
                    return Skipped;
                }
                article = existing;
                isNew = false;
            }
            else
            {
                article = new Article { CreatedAt = entry.CreatedAt, CreatedById = "", CreatedByName = Truncate(XmlSafeText.Clean(entry.CreatedByName), 256) };
            }

            if (!Enum.IsDefined(entry.Kind) || !Enum.IsDefined(entry.Status))
            {
                Report.Warn(ArticleKind, externalKey, "", $"{label}: its kind or status is not one NewsCms knows; it was not imported.");
                return Failed;
            }
            var headline = XmlSafeText.Clean(entry.Headline).Trim();
            if (headline.Length is 0 or > 300 || XmlSafeText.Clean(entry.Standfirst ?? "").Trim().Length > 1000
                || (entry.SeoTitle ?? "").Length > 300 || (entry.MetaDescription ?? "").Length > 500 || (entry.CanonicalUrl ?? "").Length > 1000)
            {
                Report.Warn(ArticleKind, externalKey, "", $"{label}: its headline is empty, or a field is longer than NewsCms allows; it was not imported.");
                return Failed;
            }

            // The text, with image addresses and See-also cards pointing at what they became here.
            var body = MediaAddress().Replace(entry.BodyHtml ?? "", m => keys.TryGetValue(m.Groups["key"].Value, out var key) ? $"/media/{key}/" : m.Value);
            var unresolved = false;
            body = SeeAlsoId().Replace(body, m =>
            {
                if (Local(ArticleKind, int.Parse(m.Groups["id"].Value, CultureInfo.InvariantCulture)) is { } local) return $"data-article-id=\"{local}\"";
                unresolved = true;
                return m.Value;
            });
            var slugBefore = isNew ? null : article.Slug;
            var slug = await SlugAsync(ArticleKind, entry.Id, entry.Slug, headline, slugBefore,
                db.Articles.Where(a => a.Id != article.Id).Select(a => a.Slug).Concat(db.ArticleSlugRedirects.Where(r => r.ArticleId != article.Id).Select(r => r.Slug)));
            ArticleEditing.Apply(article, new ArticleInput
            {
                Headline = headline, Standfirst = XmlSafeText.Clean(entry.Standfirst ?? ""), BodyHtml = body,
                SeoTitle = XmlSafeText.CleanOptional(entry.SeoTitle), MetaDescription = XmlSafeText.CleanOptional(entry.MetaDescription),
                CanonicalUrl = XmlSafeText.CleanOptional(entry.CanonicalUrl),
            }, slug);
            if (article.BodyHtml != body.Trim())
            {
                Report.Warn(ArticleKind, externalKey, "", $"{label}: markup outside NewsCms's HTML policy was removed from its text.");
            }

            article.Kind = entry.Kind;
            article.Status = entry.Status;
            article.UpdatedAt = entry.UpdatedAt;
            article.PublishedAt = entry.Status == ArticleStatus.Published ? entry.PublishedAt ?? entry.UpdatedAt : entry.PublishedAt;
            article.FirstPublishedAt = entry.FirstPublishedAt ?? article.PublishedAt;
            article.TrashedAt = entry.TrashedAt;
            article.IsFeatured = entry.IsFeatured;
            article.LastEditedById = "";
            article.LastEditedByName = Truncate(XmlSafeText.Clean(entry.LastEditedByName), 256);
            if (entry.Status == ArticleStatus.Scheduled && entry.ScheduledAt is { } scheduledAt)
            {
                article.ScheduledAt = scheduledAt;
                // The scheduler publishes in the name of who scheduled it, and checks they still may.
                article.ScheduledById = importer.UserId;
                article.ScheduledByName = importer.UserId is null ? null : Truncate(importer.Name, 256);
                if (importer.UserId is null)
                {
                    Report.Warn(ArticleKind, externalKey, "", $"{label} is scheduled, but this site has no Administrator to publish it: schedule it again.");
                }
            }
            else
            {
                if (entry.Status == ArticleStatus.Scheduled) article.Status = ArticleStatus.Draft;
                article.ScheduledAt = null;
                article.ScheduledById = null;
                article.ScheduledByName = null;
            }

            // Pages have no section, tags or bylines.
            var isPage = entry.Kind == Articles.ArticleKind.Page;
            article.SectionId = isPage ? null : Resolve(SectionKind, entry.SectionId, externalKey, label, "its section");
            article.FeaturedImageId = Resolve(MediaKind, entry.FeaturedImageId, externalKey, label, "its featured image");
            var tagIds = isPage ? [] : (entry.TagIds ?? []).Select(t => Resolve(TagKind, t, externalKey, label, "a tag")).OfType<int>().Distinct().ToList();
            var authorIds = isPage ? [] : (entry.AuthorIds ?? []).Select(a => Resolve(AuthorKind, a, externalKey, label, "a byline")).OfType<int>().Distinct().ToList();
            var oldSlugs = new List<string>();
            foreach (var old in (entry.OldSlugs ?? []).Where(s => Slugs.IsValid(s) && s != article.Slug).Distinct())
            {
                var takenByOther = await db.Articles.AnyAsync(a => a.Slug == old && a.Id != article.Id, ct)
                    || await db.ArticleSlugRedirects.AnyAsync(r => r.Slug == old && r.ArticleId != article.Id, ct);
                if (takenByOther) Report.Warn(ArticleKind, externalKey, "", $"{label}: its old address \"{old}\" belongs to another article here; it was left to that one.");
                else oldSlugs.Add(old);
            }

            if (!isNew)
            {
                db.ChangeTracker.DetectChanges();
                var sameFiling = (await db.ArticleTags.Where(t => t.ArticleId == article.Id).Select(t => t.TagId).ToListAsync(ct)).Order().SequenceEqual(tagIds.Order())
                    && (await db.ArticleAuthors.Where(a => a.ArticleId == article.Id).OrderBy(a => a.Position).Select(a => a.AuthorProfileId).ToListAsync(ct)).SequenceEqual(authorIds)
                    && (await db.ArticleSlugRedirects.Where(r => r.ArticleId == article.Id).Select(r => r.Slug).ToListAsync(ct)).Order(StringComparer.Ordinal)
                        .SequenceEqual(oldSlugs.Order(StringComparer.Ordinal));
                if (!db.Entry(article).Properties.Any(p => p.IsModified) && sameFiling) return Unchanged;
            }

            var now = Now;
            article.Version = Guid.NewGuid();
            article.Revisions.Add(new ArticleRevision
            {
                CreatedAt = now, AuthorId = importer.UserId ?? "", AuthorName = Truncate($"{ImporterName} ({importer.Name})", 256),
                Kind = isNew ? RevisionKind.Created : RevisionKind.Saved, Headline = article.Headline, Standfirst = article.Standfirst, BodyHtml = article.BodyHtml,
            });
            if (isNew) db.Articles.Add(article);
            var committed = await owner.commit.CommitAsync(db, article, new ArticleCommit.Plan
            {
                FiresWebhooks = false, // an import tells no webhooks
                AlsoWrite = async ct =>
                {
                    await db.ArticleTags.Where(t => t.ArticleId == article.Id).ExecuteDeleteAsync(ct);
                    await db.ArticleAuthors.Where(a => a.ArticleId == article.Id).ExecuteDeleteAsync(ct);
                    await db.ArticleSlugRedirects.Where(r => r.ArticleId == article.Id).ExecuteDeleteAsync(ct);
                    db.ArticleTags.AddRange(tagIds.Select(t => new ArticleTag { ArticleId = article.Id, TagId = t }));
                    db.ArticleAuthors.AddRange(authorIds.Select((a, i) => new ArticleAuthor { ArticleId = article.Id, AuthorProfileId = a, Position = i }));
                    db.ArticleSlugRedirects.AddRange(oldSlugs.Select(s => new ArticleSlugRedirect { Slug = s, ArticleId = article.Id, CreatedAt = now }));
                    await RememberAsync(db, ArticleKind, externalKey, article.Id, article.Version);
                    await db.SaveChangesAsync(ct);
                },
            }, ct);
            if (!committed)
            {
                Report.Warn(ArticleKind, externalKey, "", $"{label} was changed here while it was being imported; it was left as it is.");
                return Skipped;
            }
            Remembered(ArticleKind, externalKey, article.Id);
            if (article.IsPublic) publicArticles.Add(article.Id);
            if (unresolved) forwardReferences.Add(article.Id);
            return isNew ? Imported : Updated;
        }

        /// <summary>What an id of the archive became here; a warning when it was not imported.</summary>
        private int? Resolve(string kind, int? external, string externalKey, string label, string what)
        {
            if (external is null) return null;
            if (Local(kind, external) is { } local) return local;
            Report.Warn(ArticleKind, externalKey, "", $"{label}: {what} ({kind} {external}) was not imported, so it was left out.");
            return null;
        }

        // ----- redirects -----

        private Task<string> ImportRedirectAsync(RedirectEntry entry) =>
            UpsertAsync(RedirectKind, entry.Id, $"redirect {entry.FromPath}",
                (db, id) => db.Redirects.FirstOrDefaultAsync(r => r.Id == id, ct), () => new Redirect { CreatedAt = entry.CreatedAt },
                r => Fingerprint(r.FromPath, r.TargetKind, r.TargetId, r.TargetPath, r.Origin),
                async (db, redirect, isNew) =>
                {
                    var from = XmlSafeText.Clean(entry.FromPath ?? "").Trim();
                    if (from.Length is 0 or > 1000 || !from.StartsWith('/')) return "its old path is not a path on the site.";
                    if ((entry.TargetPath ?? "").Length > 1000) return "its new path is longer than 1000 characters.";
                    if (await db.Redirects.AnyAsync(r => r.FromPath == from && r.Id != redirect.Id, ct)) return $"{from} already redirects elsewhere here; that one was kept.";
                    int? target = null;
                    if (entry.TargetKind is RedirectTargetKind.Article or RedirectTargetKind.Section or RedirectTargetKind.Tag or RedirectTargetKind.Author)
                    {
                        var kind = entry.TargetKind switch
                        {
                            RedirectTargetKind.Article => ArticleKind, RedirectTargetKind.Section => SectionKind,
                            RedirectTargetKind.Tag => TagKind, _ => AuthorKind,
                        };
                        target = Local(kind, entry.TargetId);
                        if (target is null) return $"what it leads to ({kind} {entry.TargetId}) was not imported.";
                    }
                    redirect.FromPath = from;
                    redirect.TargetKind = entry.TargetKind;
                    redirect.TargetId = target;
                    redirect.TargetPath = entry.TargetKind == RedirectTargetKind.Path ? XmlSafeText.CleanOptional(entry.TargetPath) : null;
                    redirect.Origin = entry.Origin;
                    redirect.UpdatedAt = entry.UpdatedAt;
                    return null;
                },
                r => r.Id);

        // ----- settings -----

        /// <summary>
        /// A setting is taken when this site has no content of its own yet, when it is not set here, or when it was
        /// imported before and not changed here since; otherwise this site's value stays, with a warning.
        /// </summary>
        private async Task ImportSettingsAsync(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                Report.Warn(SettingKind, "settings", "", "\"settings\" is not an object; no setting was imported.");
                return;
            }
            foreach (var property in value.EnumerateObject())
            {
                var key = property.Name;
                if (SiteArchive.IsSecretSetting(key) || key.Length > 100) continue;
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    Report.Count(SettingKind, Failed);
                    Report.Warn(SettingKind, key, "", "its value is not text.");
                    continue;
                }
                var wanted = XmlSafeText.Clean(property.Value.GetString()!);
                if (key is SiteSettingsStore.LogoKey or SiteSettingsStore.SocialImageKey && wanted.Length > 0)
                {
                    var local = int.TryParse(wanted, CultureInfo.InvariantCulture, out var id) ? Local(MediaKind, id) : null;
                    if (local is null) Report.Warn(SettingKind, key, "", $"the image it names ({wanted}) was not imported; it was left empty.");
                    wanted = local?.ToString(CultureInfo.InvariantCulture) ?? "";
                }
                if (key is SiteSettingsStore.NavigationPagesKey or SiteSettingsStore.FooterPagesKey && wanted.Length > 0)
                {
                    // Pages linked from the navigation or footer are named by their ids in the exporting site.
                    var pages = new List<string>();
                    foreach (var part in wanted.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        var local = int.TryParse(part, CultureInfo.InvariantCulture, out var id) ? Local(ArticleKind, id) : null;
                        if (local is null) Report.Warn(SettingKind, key, "", $"the page it links ({part}) was not imported; the link was left out.");
                        else pages.Add(local.Value.ToString(CultureInfo.InvariantCulture));
                    }
                    wanted = string.Join(',', pages);
                }

                await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
                var setting = await db.SiteSettings.FirstOrDefaultAsync(s => s.Key == key, ct);
                var current = setting?.Value;
                string outcome;
                if (Known(SettingKind).TryGetValue(key, out var imported))
                {
                    if (Fingerprint(current ?? "") != imported.ImportedVersion)
                    {
                        Report.Warn(SettingKind, key, "", "it was changed here since it was imported; this site's value was kept.");
                        Report.Count(SettingKind, Skipped);
                        continue;
                    }
                    outcome = current == wanted ? Unchanged : Updated;
                }
                else if (siteHasOwnContent && !string.IsNullOrEmpty(current) && current != wanted)
                {
                    Report.Warn(SettingKind, key, "", "this site has its own value; it was kept.");
                    Report.Count(SettingKind, Skipped);
                    continue;
                }
                else
                {
                    outcome = Imported;
                }
                if (outcome != Unchanged)
                {
                    await using var transaction = await db.Database.BeginTransactionAsync(ct);
                    if (setting is null) db.SiteSettings.Add(new SiteSetting { Key = key, Value = wanted, UpdatedAt = Now });
                    else if (setting.Value != wanted)
                    {
                        setting.Value = wanted;
                        setting.UpdatedAt = Now;
                    }
                    await RememberAsync(db, SettingKind, key, 0, Fingerprint(wanted));
                    await db.SaveChangesAsync(ct);
                    await transaction.CommitAsync(ct);
                    Remembered(SettingKind, key, 0);
                    if (current != wanted) anythingChanged = true;
                }
                Report.Count(SettingKind, outcome);
            }
        }

        // ----- the end -----

        /// <summary>Completes what the imported items need (cards, ranking, caches) and records how the run ended.</summary>
        public async Task FinishAsync(string? failure)
        {
            await ResolveForwardReferencesAsync();
            if (publicArticles.Count > 0) progress?.Report($"Ranking related articles for {publicArticles.Count} published articles.");
            // Once every article is in, so each list can find all the others (as a publish would, the others' lists too).
            foreach (var id in publicArticles)
            {
                await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                await RelatedArticles.RefreshAsync(db, id, andTheirs: true, ct);
                await transaction.CommitAsync(ct);
            }
            // An import can touch anything readers see: every page of every node is refreshed, once (which also makes
            // every node read the settings again).
            if (anythingChanged) await owner.publicContent.NotifyChangedAsync(PublicChange.EverythingBecause("site import from " + SourceId));
            await SaveProgressAsync(failure is null ? ImportRunStatus.Completed : ImportRunStatus.Failed, failure);
            progress?.Report($"{(failure is null ? "Done" : "Stopped")}: {Summary(Report)}.");
        }

        /// <summary>See-also cards that named articles later in the archive now get those articles' ids here.</summary>
        private async Task ResolveForwardReferencesAsync()
        {
            foreach (var id in forwardReferences)
            {
                await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
                var article = await db.Articles.FirstAsync(a => a.Id == id, ct);
                var imported = Known(ArticleKind).Values.First(i => i.LocalId == id);
                if (article.Version != imported.ImportedVersion) continue;
                var body = SeeAlsoId().Replace(article.BodyHtml, m =>
                {
                    var external = int.Parse(m.Groups["id"].Value, CultureInfo.InvariantCulture);
                    if (Local(ArticleKind, external) is { } local) return $"data-article-id=\"{local}\"";
                    Report.Warn(ArticleKind, imported.ExternalId, "", $"a See-also card points to article {external}, which was not imported.");
                    return "";
                });
                if (body == article.BodyHtml) continue;
                article.BodyHtml = ArticleHtml.Sanitize(body);
                article.AnnotatedBodyHtml = null; // the text changed under any note marks (an import's own articles have none)
                article.Version = Guid.NewGuid();
                var committed = await owner.commit.CommitAsync(db, article, new ArticleCommit.Plan
                {
                    FiresWebhooks = false, // an import tells no webhooks
                    AlsoWrite = async ct =>
                    {
                        await RememberAsync(db, ArticleKind, imported.ExternalId, id, article.Version);
                        await db.SaveChangesAsync(ct);
                    },
                }, ct);
                if (committed) Remembered(ArticleKind, imported.ExternalId, id);
            }
        }

        private async Task SaveProgressAsync(ImportRunStatus status, string? error)
        {
            if (record is null) return;
            await using var db = await owner.dbFactory.CreateDbContextAsync(CancellationToken.None);
            var run = db.ImportRuns.Attach(record).Entity;
            run.Status = status;
            run.ProcessedItems = processed;
            run.TotalItems = Math.Max(run.TotalItems, processed);
            run.ReportJson = JsonSerializer.Serialize(Report, SiteArchive.Json);
            run.Error = error;
            run.UpdatedAt = Now;
            if (status != ImportRunStatus.Running) run.FinishedAt = Now;
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
