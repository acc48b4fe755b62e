using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Media;

/// <summary>
/// The media library. Any newsroom member may upload and browse; Editors and Administrators may edit and delete any
/// image, others only the ones they uploaded, and only while no published article shows it (then its alt text,
/// caption and credit are what readers see, and changing them is an editor's call, like editing the article). Every call re-checks the acting user. An upload either ends with its
/// files in place and its row saved, or leaves nothing behind.
/// </summary>
public sealed partial class MediaLibrary(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    MediaStorage storage,
    IOptions<MediaOptions> options,
    Articles.PublicContent publicContent,
    TimeProvider clock,
    ILogger<MediaLibrary> logger)
{
    public const string ImageNotFound = "That image is not in the media library (it may have been deleted).";
    public const string NotYourImage = "You can change or delete only the images you uploaded. Ask an editor.";
    public const string EmptyFile = "The file is empty. Choose an image file.";

    // Decoding a large image holds its pixels in memory (4 bytes each): only a few decodes at a time.
    private static readonly SemaphoreSlim DecodeGate = new(Math.Clamp(Environment.ProcessorCount / 2, 1, 4));

    /// <summary>
    /// Validates and stores an upload. <paramref name="length"/> is the size the client announced (negative when
    /// unknown); a file over the limit is refused before it is read, and reading stops at the limit anyway.
    /// </summary>
    public async Task<ServiceResult<MediaImage>> UploadAsync(ClaimsPrincipal acting, Stream content, string fileName, long length, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<MediaImage>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        var read = await ReadFileAsync(content, length, ct);
        if (!read.Succeeded) return ServiceResult<MediaImage>.Fail(read.Error!);
        var bytes = read.Value!;

        var name = CleanFileName(fileName);
        var refusal = await DailyBudgetRefusalAsync(actor, bytes.Length, ct) ?? DiskSpaceRefusal(bytes.Length);
        if (refusal is not null)
        {
            logger.LogWarning("Upload of {FileName} by {User} refused: {Reason}", name, actor.DisplayName, refusal);
            return ServiceResult<MediaImage>.Fail(refusal);
        }
        var stored = await StoreFilesAsync(bytes, name, actor.UserId, actor.DisplayName, ct);
        if (!stored.Succeeded)
        {
            logger.LogInformation("Upload of {FileName} by {User} refused: {Reason}", name, actor.DisplayName, stored.Error);
            return ServiceResult<MediaImage>.Fail(stored.Error!);
        }
        var item = stored.Value!;
        var saved = false;
        try
        {
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                db.MediaItems.Add(item);
                await db.SaveChangesAsync(ct);
            }
            saved = true;
        }
        finally
        {
            if (!saved) DeleteFiles(item);
        }

        await audit.WriteAsync(actor, AuditActions.MediaUploaded, Target(item),
            $"{item.Width} × {item.Height} {item.Format}, {MediaSizes.Human(item.SizeBytes)}", CancellationToken.None);
        return ServiceResult<MediaImage>.Success(ToImage(item));
    }

    /// <summary>The file's bytes within NewsCms:Media:MaxUploadMegabytes, or why not (too large, empty).</summary>
    private async Task<ServiceResult<byte[]>> ReadFileAsync(Stream content, long length, CancellationToken ct)
    {
        var settings = options.Value;
        if (length > settings.MaxUploadBytes) return ServiceResult<byte[]>.Fail(MediaSizes.TooLarge(length, settings.MaxUploadMegabytes));
        if (length == 0) return ServiceResult<byte[]>.Fail(EmptyFile);
        var bytes = await ReadUpToAsync(content, settings.MaxUploadBytes, length, ct);
        if (bytes is null)
        {
            return ServiceResult<byte[]>.Fail($"The file is larger than the limit of {MediaSizes.MegabytesSetting(settings.MaxUploadMegabytes)}.");
        }
        return bytes.Length == 0 ? ServiceResult<byte[]>.Fail(EmptyFile) : ServiceResult<byte[]>.Success(bytes);
    }

    /// <summary>
    /// An image that comes with a site import: the same checks and processing as an upload (size limit, free disk,
    /// decoding, variants), without a person's daily budget. Keeps <paramref name="storageKey"/> when it is a valid key
    /// not used here, so the image's addresses stay the same; else a new key. Returns the row to save, not yet saved
    /// (see <see cref="StoreFilesAsync"/>).
    /// </summary>
    internal async Task<ServiceResult<MediaItem>> StoreImportedAsync(Stream content, long length, string fileName, string? storageKey,
        string uploadedByName, CancellationToken ct)
    {
        var read = await ReadFileAsync(content, length, ct);
        if (!read.Succeeded) return ServiceResult<MediaItem>.Fail(read.Error!);
        if (DiskSpaceRefusal(read.Value!.Length) is { } refusal) return ServiceResult<MediaItem>.Fail(refusal);
        return await StoreFilesAsync(read.Value!, CleanFileName(fileName), "", uploadedByName, ct, storageKey);
    }

    /// <summary>
    /// Decodes and re-encodes an image (original and variants) and moves its files into place. Returns the row to
    /// save, not yet saved: the caller saves it, or calls <see cref="DeleteFiles"/> if it does not, so no files stay
    /// behind without a row. A refusal (not an image, too large, damaged) leaves nothing.
    /// </summary>
    internal async Task<ServiceResult<MediaItem>> StoreFilesAsync(byte[] bytes, string fileName, string uploadedById, string uploadedByName,
        CancellationToken ct, string? storageKey = null)
    {
        var settings = options.Value;
        var key = MediaStorage.IsValidKey(storageKey) && !Directory.Exists(storage.FolderFor(storageKey!)) ? storageKey! : MediaStorage.NewKey();
        var incoming = storage.NewIncomingFolder();
        var placed = false;
        try
        {
            ServiceResult<ProcessedImage> processed;
            await DecodeGate.WaitAsync(ct);
            try
            {
                processed = await Task.Run(() => ImageProcessor.Process(bytes, settings.MaxPixels, settings.EffectiveVariantWidths, incoming,
                    settings.MaxAspectRatio), ct);
            }
            finally
            {
                DecodeGate.Release();
            }
            if (!processed.Succeeded) return ServiceResult<MediaItem>.Fail(processed.Error!);
            var image = processed.Value!;

            // Files first, row last (by the caller): a row never points at files that are not there.
            Directory.Move(incoming, storage.FolderFor(key));
            placed = true;
            return ServiceResult<MediaItem>.Success(new MediaItem
            {
                StorageKey = key,
                OriginalFileName = fileName,
                Format = image.Format,
                FallbackFormat = image.FallbackFormat,
                Width = image.Width,
                Height = image.Height,
                SizeBytes = bytes.Length,
                VariantWidths = MediaImage.FormatWidths(image.VariantWidths),
                CreatedAt = clock.GetUtcNow().UtcDateTime,
                UploadedById = uploadedById,
                UploadedByName = uploadedByName,
            });
        }
        finally
        {
            if (!placed) MediaStorage.TryDeleteFolder(incoming, logger);
        }
    }

    /// <summary>How long the daily upload budget looks back.</summary>
    public static readonly TimeSpan UploadBudgetWindow = TimeSpan.FromHours(24);

    /// <summary>
    /// Null while the user's uploads in the last 24 hours plus this one stay within NewsCms:Media:DailyUploadMegabytesPerUser;
    /// else the refusal. Counted from the library's rows (the uploaded files' sizes), so an image deleted again no longer counts.
    /// </summary>
    private async Task<string?> DailyBudgetRefusalAsync(Actor actor, long size, CancellationToken ct)
    {
        var settings = options.Value;
        var since = clock.GetUtcNow().UtcDateTime - UploadBudgetWindow;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var used = await db.MediaItems.Where(m => m.UploadedById == actor.UserId && m.CreatedAt >= since).SumAsync(m => (long?)m.SizeBytes, ct) ?? 0;
        if (used + size <= settings.DailyUploadBytesPerUser) return null;
        return $"You have uploaded {MediaSizes.Megabytes(used)} in the last 24 hours; the limit is " +
            $"{MediaSizes.MegabytesSetting(settings.DailyUploadMegabytesPerUser)} a day. This file ({MediaSizes.Megabytes(size)}) would go over it: " +
            "try again later, or ask an administrator.";
    }

    /// <summary>
    /// Null while the media disk keeps NewsCms:Media:MinFreeDiskMegabytes free after this upload and its variants
    /// (allowed for as four times the upload); else the refusal. Checked before anything is written.
    /// </summary>
    private string? DiskSpaceRefusal(long size)
    {
        var floor = options.Value.MinFreeDiskBytes;
        if (floor <= 0) return null;
        long free;
        try
        {
            free = storage.FreeBytes();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            logger.LogWarning(ex, "Could not read the free space of the media folder {Folder}", storage.RootPath);
            return null;
        }
        if (free - 4 * size >= floor) return null;
        return $"The server is low on disk space ({MediaSizes.Megabytes(free)} free; uploads stop below " +
            $"{MediaSizes.MegabytesSetting(options.Value.MinFreeDiskMegabytes)}). Nothing was stored. Ask an administrator to free space.";
    }

    /// <summary>Removes the files of an image whose row was not saved.</summary>
    internal void DeleteFiles(MediaItem item) => MediaStorage.TryDeleteFolder(storage.FolderFor(item.StorageKey), logger);

    public async Task<ServiceResult<PagedList<MediaImage>>> ListAsync(ClaimsPrincipal acting, string? search, int page, int pageSize, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actor.Succeeded) return ServiceResult<PagedList<MediaImage>>.Fail(actor.Error!);

        pageSize = Math.Clamp(pageSize, 1, 100);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var items = db.MediaItems.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            items = items.WhereAnyContains(db.Database, search, m => m.OriginalFileName, m => m.AltText, m => m.Caption, m => m.Credit);
        }
        var total = await items.CountAsync(ct);
        var rows = await items
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Skip(Math.Max(0, page) * pageSize).Take(pageSize)
            .Select(MediaImage.Projection)
            .ToListAsync(ct);
        return ServiceResult<PagedList<MediaImage>>.Success(new PagedList<MediaImage>(rows, total));
    }

    public async Task<ServiceResult<MediaImage>> GetAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actor.Succeeded) return ServiceResult<MediaImage>.Fail(actor.Error!);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var image = await db.MediaItems.AsNoTracking().Where(m => m.Id == id).Select(MediaImage.Projection).FirstOrDefaultAsync(ct);
        return image is null ? ServiceResult<MediaImage>.Fail(ImageNotFound) : ServiceResult<MediaImage>.Success(image);
    }

    /// <summary>
    /// Images by id, for rendering (public pages included: the files are public anyway). One query; ids that do not
    /// exist are left out.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, MediaImage>> GetByIdsAsync(IEnumerable<int> ids, CancellationToken ct = default) =>
        await GetByIdsAsync(ids, [], ct);

    /// <summary>
    /// As <see cref="GetByIdsAsync(IEnumerable{int}, CancellationToken)"/>, plus the images with the given storage keys
    /// (those an article's text shows, <see cref="BodyImages.StorageKeys"/>), still in one query.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, MediaImage>> GetByIdsAsync(IEnumerable<int> ids, IReadOnlyCollection<string> storageKeys, CancellationToken ct = default)
    {
        var wanted = ids.Distinct().ToList();
        var keys = storageKeys.Distinct().ToList();
        if (wanted.Count == 0 && keys.Count == 0) return new Dictionary<int, MediaImage>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var images = await ImagesByIdsOrKeys.For(db)(db, wanted, keys).ToListAsync(ct);
        return images.ToDictionary(i => i.Id);
    }

    /// <summary>Compiled once: every public page asks for its images, and EF's per-query preparation would cost more than the query.</summary>
    private static readonly CompiledForModel<Func<NewsCmsDbContext, List<int>, List<string>, IAsyncEnumerable<MediaImage>>> ImagesByIdsOrKeys = new(() => EF.CompileAsyncQuery(
        (NewsCmsDbContext db, List<int> ids, List<string> keys) => db.MediaItems.AsNoTracking().Where(m => ids.Contains(m.Id) || keys.Contains(m.StorageKey))
            .Select(MediaImage.Projection)));

    public async Task<ServiceResult<MediaImage>> UpdateDetailsAsync(ClaimsPrincipal acting, int id, MediaDetailsInput input, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<MediaImage>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        var clean = new MediaDetailsInput
        {
            AltText = SingleLine(input.AltText),
            Caption = MultiLine(input.Caption),
            // Pages print "Photo: " before the credit: a typed one would show twice.
            Credit = MediaCredit.WithoutPrefix(SingleLine(input.Credit)),
        };
        var validation = new List<ValidationResult>();
        if (!Validator.TryValidateObject(clean, new ValidationContext(clean), validation, validateAllProperties: true))
        {
            return ServiceResult<MediaImage>.Fail(validation[0].ErrorMessage!);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var item = await db.MediaItems.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (item is null) return ServiceResult<MediaImage>.Fail(ImageNotFound);
        if (!MayChange(actor, item)) return ServiceResult<MediaImage>.Fail(NotYourImage);

        var changes = new[]
        {
            item.AltText != clean.AltText ? "alt text" : null,
            item.Caption != clean.Caption ? "caption" : null,
            item.Credit != clean.Credit ? "credit" : null,
        }.OfType<string>().ToList();
        // What readers already see is the desk's to change: a published article's image is described by an editor.
        if (changes.Count > 0 && !actor.Can(Capabilities.EditAnyArticle) && await PublishedUseAsync(db, item, ct) is { } headline)
        {
            return ServiceResult<MediaImage>.Fail(
                $"This image is on a published article ({Headline(0, headline)}), so only an editor can change its alt text, caption or credit.");
        }
        item.AltText = clean.AltText;
        item.Caption = clean.Caption;
        item.Credit = clean.Credit;
        await db.SaveChangesAsync(ct);
        if (changes.Count > 0)
        {
            await audit.WriteAsync(actor, AuditActions.MediaUpdated, Target(item), "Changed " + string.Join(", ", changes), CancellationToken.None);
        }
        // Captions, credits and alt text show on public pages, wherever the image is: the logo, an avatar, a
        // featured image, an article's text. Edits are rare, so everything is evicted rather than tracking each use.
        if (changes.Count > 0) await publicContent.NotifyChangedAsync(PublicChange.EverythingBecause("media " + item.Id));
        return ServiceResult<MediaImage>.Success(ToImage(item));
    }

    /// <summary>
    /// Deletes an image and its files, unless the site settings (logo, default social image), an article (as its
    /// featured image or in its text, trashed articles included) or an author profile (as the photo) use it: then the
    /// refusal names them.
    /// </summary>
    public async Task<ServiceResult> DeleteAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult.Fail(actorResult.Error!);
        var actor = actorResult.Value!;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var item = await db.MediaItems.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (item is null) return ServiceResult.Fail(ImageNotFound);
        if (!MayChange(actor, item)) return ServiceResult.Fail(NotYourImage);

        var inUse = await DescribeUsesAsync(db, item, ct);
        if (inUse is not null) return ServiceResult.Fail(inUse);

        db.MediaItems.Remove(item);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ConstraintViolation.Of(ex) is not null)
        {
            // Someone chose it as a featured image or a photo between the check and the delete.
            return ServiceResult.Fail("This image was just put to use, so it was not deleted. Try again to see where.");
        }

        // Row first, then files: a failure here leaves unreachable files, never a row without its files.
        MediaStorage.TryDeleteFolder(storage.FolderFor(item.StorageKey), logger);
        await audit.WriteAsync(actor, AuditActions.MediaDeleted, Target(item), null, CancellationToken.None);
        return ServiceResult.Ok;
    }

    /// <summary>The headline of a published (not trashed) article that shows the image, featured or in its text; null if none.</summary>
    private static async Task<string?> PublishedUseAsync(NewsCmsDbContext db, MediaItem item, CancellationToken ct)
    {
        var marker = $"/media/{item.StorageKey}/";
        return await db.Set<Article>().AsNoTracking().WherePublic()
            .Where(a => a.FeaturedImageId == item.Id || a.BodyHtml.Contains(marker))
            .OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id)
            .Select(a => a.Headline).FirstOrDefaultAsync(ct);
    }

    private const int NamesShown = 3;

    private static async Task<string?> DescribeUsesAsync(NewsCmsDbContext db, MediaItem item, CancellationToken ct)
    {
        var marker = $"/media/{item.StorageKey}/";
        var featured = await db.Set<Article>().AsNoTracking().Where(a => a.FeaturedImageId == item.Id)
            .OrderByDescending(a => a.UpdatedAt).Select(a => new { a.Id, a.Headline }).Take(NamesShown + 1).ToListAsync(ct);
        var featuredCount = featured.Count > NamesShown
            ? await db.Set<Article>().CountAsync(a => a.FeaturedImageId == item.Id, ct) : featured.Count;
        var inText = await db.Set<Article>().AsNoTracking().Where(a => a.BodyHtml.Contains(marker))
            .OrderByDescending(a => a.UpdatedAt).Select(a => new { a.Id, a.Headline }).Take(NamesShown + 1).ToListAsync(ct);
        var inTextCount = inText.Count > NamesShown
            ? await db.Set<Article>().CountAsync(a => a.BodyHtml.Contains(marker), ct) : inText.Count;
        var authors = await db.AuthorProfiles.AsNoTracking().Where(p => p.AvatarId == item.Id)
            .OrderBy(p => p.DisplayName).Select(p => p.DisplayName).Take(NamesShown + 1).ToListAsync(ct);
        var authorCount = authors.Count > NamesShown ? await db.AuthorProfiles.CountAsync(p => p.AvatarId == item.Id, ct) : authors.Count;

        // The site settings name images by id: the logo and the image social networks show for pages without their own.
        var idText = item.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var siteUses = await db.SiteSettings.AsNoTracking()
            .Where(s => (s.Key == Settings.SiteSettingsStore.LogoKey || s.Key == Settings.SiteSettingsStore.SocialImageKey) && s.Value == idText)
            .Select(s => s.Key).ToListAsync(ct);

        var uses = new List<string>();
        if (siteUses.Contains(Settings.SiteSettingsStore.LogoKey)) uses.Add("the site logo (Settings)");
        if (siteUses.Contains(Settings.SiteSettingsStore.SocialImageKey)) uses.Add("the default social image (Settings)");
        if (featuredCount > 0)
        {
            uses.Add($"the featured image of {Names(featured.Select(a => Headline(a.Id, a.Headline)), featuredCount, "article")}");
        }
        if (inTextCount > 0)
        {
            uses.Add($"in the text of {Names(inText.Select(a => Headline(a.Id, a.Headline)), inTextCount, "article")}");
        }
        if (authorCount > 0)
        {
            uses.Add($"the photo of {Names(authors, authorCount, "author")}");
        }
        return uses.Count == 0
            ? null
            : $"This image is in use, so it was not deleted: {string.Join("; ", uses)}. Remove it there first.";
    }

    private static string Headline(int id, string headline) =>
        string.IsNullOrWhiteSpace(headline) ? $"“(untitled article #{id})”" : $"“{headline}”";

    private static string Names(IEnumerable<string> shown, int total, string noun)
    {
        var names = shown.Take(NamesShown).ToList();
        var text = string.Join(", ", names);
        var more = total - names.Count;
        return more > 0 ? $"{text} and {more} more {noun}{(more == 1 ? "" : "s")}" : text;
    }

    private static bool MayChange(Actor actor, MediaItem item) =>
        item.UploadedById == actor.UserId || actor.Can(Capabilities.EditAnyArticle);

    private static readonly Func<MediaItem, MediaImage> ToImageFromEntity = MediaImage.Projection.Compile();

    private static MediaImage ToImage(MediaItem item) => ToImageFromEntity(item);

    private static string Target(MediaItem item) => $"{item.OriginalFileName} (#{item.Id})";

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the stream holds more.</summary>
    private static async Task<byte[]?> ReadUpToAsync(Stream content, long limit, long announced, CancellationToken ct)
    {
        using var buffer = new MemoryStream(announced > 0 ? (int)Math.Min(announced, limit) : 0);
        var chunk = new byte[81920];
        while (true)
        {
            var read = await content.ReadAsync(chunk, ct);
            if (read == 0) break;
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    internal static string CleanFileName(string? fileName)
    {
        var name = Path.GetFileName((fileName ?? "").Replace('\\', '/'));
        name = XmlSafeText.Clean(new string(name.Where(c => !char.IsControl(c)).ToArray())).Trim();
        if (name.Length == 0) name = "image";
        // Cut at 260, then cleaned again: the cut may split a surrogate pair.
        return XmlSafeText.Clean(name.Length <= 260 ? name : name[..260]);
    }

    // Characters XML forbids are dropped (Whitespace turns U+000B and U+000C into spaces first): they would break feeds.
    private static string SingleLine(string? text) => XmlSafeText.Clean(Whitespace().Replace(text ?? "", " ")).Trim();

    private static string MultiLine(string? text)
    {
        var normalized = (text ?? "").Replace("\r\n", "\n").Replace('\r', '\n');
        var builder = new StringBuilder(normalized.Length);
        foreach (var c in normalized)
        {
            if (c == '\n' || !char.IsControl(c)) builder.Append(c);
        }
        return XmlSafeText.Clean(builder.ToString()).Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
