using System.IO.Compression;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.SiteExport;

/// <summary>What an export wrote.</summary>
public sealed record SiteExportSummary(string SiteId, int Articles, int Pages, int MediaFiles, int Sections, int Tags, int Authors, int Redirects, int Settings)
{
    public override string ToString() =>
        $"{Articles} articles, {Pages} pages, {Sections} sections, {Tags} tags, {Authors} authors, {MediaFiles} images, {Redirects} redirects, {Settings} settings";
}

/// <summary>
/// Writes the site as a portable archive (<see cref="SiteArchive"/>): streamed, articles read a page at a time, so a
/// large site is never held in memory. No accounts, password hashes, keys or secret settings go into it. From the web
/// only an Administrator may export, and each export is audited.
/// </summary>
public sealed class SiteExporter(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    MediaStorage storage,
    IOptions<SiteOptions> siteOptions,
    TimeProvider clock,
    ILogger<SiteExporter> logger)
{
    public const string CommandLineActor = "Command line";
    private const int PageSize = 200;

    /// <summary>The export for an Administrator (checked here), audited once it is written.</summary>
    public async Task<ServiceResult<SiteExportSummary>> ExportAsync(ClaimsPrincipal acting, Stream destination, string fileName, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.ManageSettings, ct);
        if (!actor.Succeeded) return ServiceResult<SiteExportSummary>.Fail(actor.Error!);
        var summary = await WriteAsync(destination, progress: null, ct);
        await audit.WriteAsync(actor.Value!, AuditActions.SiteExported, fileName, summary.ToString(), CancellationToken.None);
        logger.LogInformation("{User} exported the site as {File}: {Summary}.", actor.Value!.DisplayName, fileName, summary);
        return ServiceResult<SiteExportSummary>.Success(summary);
    }

    /// <summary>The export for the command line (whoever may run it on the server may read the database anyway), audited.</summary>
    internal async Task<SiteExportSummary> ExportFromCommandLineAsync(Stream destination, string fileName, IProgress<string> progress, CancellationToken ct)
    {
        var summary = await WriteAsync(destination, progress, ct);
        await audit.WriteAsync(null, CommandLineActor, AuditActions.SiteExported, fileName, summary.ToString(), CancellationToken.None);
        return summary;
    }

    private async Task<SiteExportSummary> WriteAsync(Stream destination, IProgress<string>? progress, CancellationToken ct)
    {
        var siteId = await SiteId.GetOrCreateAsync(dbFactory);
        Dictionary<string, string> settings;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            settings = (await db.SiteSettings.AsNoTracking().OrderBy(s => s.Key).ToListAsync(ct))
                .Where(s => !SiteArchive.IsSecretSetting(s.Key)).ToDictionary(s => s.Key, s => s.Value);
        }

        await using var zip = await ZipArchive.CreateAsync(destination, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
        var media = new List<MediaEntry>();
        int articles = 0, pages = 0, sections, tags, authors, redirects;
        await using (var entry = await zip.CreateEntry(SiteArchive.SiteEntry, CompressionLevel.Optimal).OpenAsync(ct))
        await using (var json = new Utf8JsonWriter(entry, new JsonWriterOptions { Indented = true, Encoder = SiteArchive.Json.Encoder }))
        {
            json.WriteStartObject();
            json.WriteString("format", SiteArchive.Format);
            json.WriteNumber("version", SiteArchive.Version);
            json.WritePropertyName("site");
            var title = settings.GetValueOrDefault(SiteSettingsStore.TitleKey) ?? siteOptions.Value.Title;
            JsonSerializer.Serialize(json, new SiteInfo(siteId, title, siteOptions.Value.BaseUri.AbsoluteUri, clock.GetUtcNow().UtcDateTime, Backup.SiteBackup.AppVersion),
                SiteArchive.Json);

            media = await WriteArrayAsync(json, SiteArchive.MediaArray, async db =>
                (await db.MediaItems.AsNoTracking().OrderBy(m => m.Id).ToListAsync(ct))
                    .Select(m => new MediaEntry(m.Id, m.StorageKey, SiteArchive.MediaEntry(m.StorageKey, ImageProcessor.OriginalExtension(m.Format)),
                        m.OriginalFileName, m.Format, m.Width, m.Height, m.SizeBytes, m.AltText, m.Caption, m.Credit, m.CreatedAt, m.UploadedByName)).ToList(), ct);
            progress?.Report($"{media.Count} images listed.");

            sections = (await WriteArrayAsync(json, SiteArchive.SectionsArray, async db =>
            {
                var old = await OldSlugsAsync(db, TaxonomyKind.Section, ct);
                return (await db.Sections.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct))
                    .Select(s => new SectionEntry(s.Id, s.Name, s.Slug, s.Description, s.Position, s.ShowInNavigation, s.CreatedAt, [.. old[s.Id]])).ToList();
            }, ct)).Count;
            tags = (await WriteArrayAsync(json, SiteArchive.TagsArray, async db =>
            {
                var old = await OldSlugsAsync(db, TaxonomyKind.Tag, ct);
                return (await db.Tags.AsNoTracking().OrderBy(t => t.Id).ToListAsync(ct))
                    .Select(t => new TagEntry(t.Id, t.Name, t.Slug, t.Description, t.CreatedAt, [.. old[t.Id]])).ToList();
            }, ct)).Count;
            authors = (await WriteArrayAsync(json, SiteArchive.AuthorsArray, async db =>
                (await db.AuthorProfiles.AsNoTracking().OrderBy(a => a.Id).ToListAsync(ct))
                    .Select(a => new AuthorEntry(a.Id, a.DisplayName, a.Slug, a.JobTitle, a.Bio, a.AvatarId, a.Website, a.X, a.Facebook, a.LinkedIn,
                        a.Instagram, a.Email, a.UserId is not null, a.CreatedAt, a.UpdatedAt)).ToList(), ct)).Count;

            // Articles a page at a time (by id), each page's tags, bylines, old addresses and revisions in one query each.
            json.WriteStartArray(SiteArchive.ArticlesArray);
            var after = 0;
            while (true)
            {
                List<ArticleEntry> page;
                await using (var db = await dbFactory.CreateDbContextAsync(ct))
                {
                    page = await ArticlePageAsync(db, after, ct);
                }
                foreach (var article in page)
                {
                    JsonSerializer.Serialize(json, article, SiteArchive.Json);
                    if (article.Kind == ArticleKind.Page) pages++;
                    else articles++;
                }
                await json.FlushAsync(ct);
                if (page.Count > 0) progress?.Report($"{articles + pages} articles and pages written.");
                if (page.Count < PageSize) break;
                after = page[^1].Id;
            }
            json.WriteEndArray();

            redirects = (await WriteArrayAsync(json, SiteArchive.RedirectsArray, async db =>
                (await db.Redirects.AsNoTracking().OrderBy(r => r.Id).ToListAsync(ct))
                    .Select(r => new RedirectEntry(r.Id, r.FromPath, r.TargetKind, r.TargetId, r.TargetPath, r.Origin, r.Hits, r.CreatedAt, r.UpdatedAt)).ToList(), ct)).Count;

            json.WritePropertyName(SiteArchive.SettingsObject);
            JsonSerializer.Serialize(json, settings, SiteArchive.Json);
            json.WriteEndObject();
            await json.FlushAsync(ct);
        }

        var files = 0;
        foreach (var item in media)
        {
            var path = Path.Combine(storage.FolderFor(item.StorageKey), Path.GetFileName(item.File));
            try
            {
                await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
                // Already compressed images: stored as they are.
                await using var entry = await zip.CreateEntry(item.File, CompressionLevel.NoCompression).OpenAsync(ct);
                await source.CopyToAsync(entry, ct);
                files++;
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // Its row says it exists: an import reports the missing file for that image.
                logger.LogWarning("The original of image {Id} ({File}) is missing from the media folder; the export goes on without it.", item.Id, path);
            }
            if (files % 100 == 0 && files > 0) progress?.Report($"{files} of {media.Count} images written.");
        }
        progress?.Report($"{files} images written.");
        return new SiteExportSummary(siteId, articles, pages, files, sections, tags, authors, redirects, settings.Count);
    }

    /// <summary>Writes a (small) table as one array; returns what it wrote.</summary>
    private async Task<List<T>> WriteArrayAsync<T>(Utf8JsonWriter json, string name, Func<NewsCmsDbContext, Task<List<T>>> read, CancellationToken ct)
    {
        List<T> items;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            items = await read(db);
        }
        json.WriteStartArray(name);
        foreach (var item in items) JsonSerializer.Serialize(json, item, SiteArchive.Json);
        json.WriteEndArray();
        await json.FlushAsync(ct);
        return items;
    }

    private static async Task<ILookup<int, string>> OldSlugsAsync(NewsCmsDbContext db, TaxonomyKind kind, CancellationToken ct) =>
        (await db.TaxonomyRedirects.AsNoTracking().Where(r => r.Kind == kind).OrderBy(r => r.Id).Select(r => new { r.TargetId, r.Slug }).ToListAsync(ct))
            .ToLookup(r => r.TargetId, r => r.Slug);

    private static async Task<List<ArticleEntry>> ArticlePageAsync(NewsCmsDbContext db, int after, CancellationToken ct)
    {
        var rows = await db.Articles.AsNoTracking().Where(a => a.Id > after).OrderBy(a => a.Id).Take(PageSize).ToListAsync(ct);
        if (rows.Count == 0) return [];
        var ids = rows.Select(a => a.Id).ToList();
        var tags = (await db.ArticleTags.AsNoTracking().Where(t => ids.Contains(t.ArticleId)).ToListAsync(ct)).ToLookup(t => t.ArticleId, t => t.TagId);
        var bylines = (await db.ArticleAuthors.AsNoTracking().Where(a => ids.Contains(a.ArticleId)).ToListAsync(ct))
            .OrderBy(a => a.Position).ToLookup(a => a.ArticleId, a => a.AuthorProfileId);
        var oldSlugs = (await db.ArticleSlugRedirects.AsNoTracking().Where(r => ids.Contains(r.ArticleId)).ToListAsync(ct))
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Slug, StringComparer.Ordinal).ToLookup(r => r.ArticleId, r => r.Slug);
        var revisions = (await db.ArticleRevisions.AsNoTracking().Where(r => ids.Contains(r.ArticleId))
                .Select(r => new { r.ArticleId, Entry = new RevisionEntry(r.Id, r.CreatedAt, r.Kind, r.AuthorName, r.Headline) }).ToListAsync(ct))
            .OrderBy(r => r.Entry.CreatedAt).ThenBy(r => r.Entry.Id).ToLookup(r => r.ArticleId, r => r.Entry);
        return [.. rows.Select(a => new ArticleEntry(a.Id, a.Kind, a.Headline, a.Standfirst, a.Slug, a.BodyHtml, a.Status, a.CreatedAt, a.UpdatedAt,
            a.PublishedAt, a.FirstPublishedAt, a.ScheduledAt, a.TrashedAt, a.IsFeatured, a.SeoTitle, a.MetaDescription, a.CanonicalUrl, a.SectionId,
            [.. tags[a.Id].Order()], [.. bylines[a.Id]], a.FeaturedImageId, a.CreatedByName, a.LastEditedByName, [.. oldSlugs[a.Id]], [.. revisions[a.Id]]))];
    }
}
