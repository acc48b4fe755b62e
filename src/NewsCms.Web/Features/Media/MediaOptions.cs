using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;

namespace NewsCms.Web.Features.Media;

/// <summary>Settings under NewsCms:Media.</summary>
public sealed class MediaOptions
{
    public const string Section = "NewsCms:Media";

    public static readonly IReadOnlyList<int> DefaultVariantWidths = [320, 640, 960, 1280, 1920];

    /// <summary>
    /// The folder that holds the image files. Empty: a <c>media</c> folder next to the database file. A relative path
    /// is taken from the app's content root.
    /// </summary>
    public string Root { get; set; } = "";

    /// <summary>The largest file that may be uploaded, in megabytes (1 MB = 1,048,576 bytes).</summary>
    public double MaxUploadMegabytes { get; set; } = 10;

    /// <summary>
    /// The largest image, in megapixels (width × height / 1,000,000), that is decoded. Larger ones (decompression
    /// bombs among them) are refused from their header, before any pixel is decoded.
    /// </summary>
    public double MaxMegapixels { get; set; } = 50;

    /// <summary>
    /// How many megabytes of files one user may upload in 24 hours (a rolling window). Keeps one account (or a stolen
    /// one) from filling the disk or keeping the server busy re-encoding.
    /// </summary>
    public double DailyUploadMegabytesPerUser { get; set; } = 500;

    /// <summary>Uploads are refused, and nothing is written, while the media folder's disk has less free space than this.</summary>
    public double MinFreeDiskMegabytes { get; set; } = 1024;

    /// <summary>
    /// How many times longer an image's long side may be than its short side. Longer strips (a 20000 × 1 "image")
    /// are refused from the header: they render badly and make absurd variants.
    /// </summary>
    public double MaxAspectRatio { get; set; } = 10;

    /// <summary>Widths of the responsive variants made at upload. Empty: 320, 640, 960, 1280, 1920.</summary>
    public List<int> VariantWidths { get; set; } = [];

    public long MaxUploadBytes => (long)Math.Round(MaxUploadMegabytes * MediaSizes.BytesPerMegabyte);

    public long MaxPixels => (long)Math.Round(MaxMegapixels * 1_000_000);

    public long DailyUploadBytesPerUser => (long)Math.Round(DailyUploadMegabytesPerUser * MediaSizes.BytesPerMegabyte);

    public long MinFreeDiskBytes => (long)Math.Round(MinFreeDiskMegabytes * MediaSizes.BytesPerMegabyte);

    /// <summary>The configured widths, ascending and without repeats (the default when none are set).</summary>
    public IReadOnlyList<int> EffectiveVariantWidths =>
        VariantWidths.Count == 0 ? DefaultVariantWidths : VariantWidths.Distinct().Order().ToArray();
}

internal sealed class MediaOptionsValidation : IValidateOptions<MediaOptions>
{
    public const int MinVariantWidth = 16;
    public const int MaxVariantWidth = 8192;

    public ValidateOptionsResult Validate(string? name, MediaOptions options)
    {
        var failures = new List<string>();
        if (!(options.MaxUploadMegabytes > 0 && options.MaxUploadMegabytes <= 1024))
        {
            failures.Add($"{MediaOptions.Section}:MaxUploadMegabytes must be more than 0 and at most 1024 (it is {options.MaxUploadMegabytes}).");
        }
        if (!(options.MaxMegapixels >= 0.01 && options.MaxMegapixels <= 1000))
        {
            failures.Add($"{MediaOptions.Section}:MaxMegapixels must be between 0.01 and 1000 (it is {options.MaxMegapixels}).");
        }
        if (!(options.DailyUploadMegabytesPerUser > 0 && options.DailyUploadMegabytesPerUser <= 1_000_000))
        {
            failures.Add($"{MediaOptions.Section}:DailyUploadMegabytesPerUser must be more than 0 and at most 1000000 (it is {options.DailyUploadMegabytesPerUser}).");
        }
        if (!(options.MinFreeDiskMegabytes >= 0 && options.MinFreeDiskMegabytes <= 1_000_000_000))
        {
            failures.Add($"{MediaOptions.Section}:MinFreeDiskMegabytes must be between 0 (no floor) and 1000000000 (it is {options.MinFreeDiskMegabytes}).");
        }
        if (!(options.MaxAspectRatio >= 1 && options.MaxAspectRatio <= 1000))
        {
            failures.Add($"{MediaOptions.Section}:MaxAspectRatio must be between 1 and 1000 (it is {options.MaxAspectRatio}).");
        }
        if (options.VariantWidths.Any(w => w is < MinVariantWidth or > MaxVariantWidth))
        {
            failures.Add($"{MediaOptions.Section}:VariantWidths must be widths in pixels between {MinVariantWidth} and {MaxVariantWidth} " +
                $"(they are {string.Join(", ", options.VariantWidths)}).");
        }
        if (options.VariantWidths.Distinct().Count() > 12)
        {
            failures.Add($"{MediaOptions.Section}:VariantWidths may list at most 12 widths.");
        }
        if (options.Root.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"{MediaOptions.Section}:Root is not a valid folder path.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Where the files are: one folder per image under <see cref="RootPath"/>, named by its storage key. Uploads are
/// assembled in <c>.incoming</c> under the root (same file system, so moving them into place is a rename).
/// </summary>
public sealed partial class MediaStorage
{
    /// <summary>Uploads in progress, inside the root: not part of the library (nor of a backup).</summary>
    public const string IncomingFolderName = ".incoming";

    public MediaStorage(IOptions<MediaOptions> options, DatabaseLocation database, IHostEnvironment environment, ILogger<MediaStorage> logger)
    {
        RootPath = ResolveRoot(options.Value, database, environment);
        IncomingPath = Path.Combine(RootPath, IncomingFolderName);
        try
        {
            Directory.CreateDirectory(IncomingPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"NewsCms cannot create the media folder '{RootPath}' (setting {MediaOptions.Section}:Root): {ex.Message}", ex);
        }
        RemoveAbandonedUploads(logger);
    }

    public string RootPath { get; }

    internal string IncomingPath { get; }

    /// <summary>The media folder the settings name (also for the backup command, which makes no <see cref="MediaStorage"/>).</summary>
    public static string ResolveRoot(MediaOptions options, DatabaseLocation database, IHostEnvironment environment) =>
        string.IsNullOrWhiteSpace(options.Root)
            ? Path.Combine(database.Folder, "media")
            : Path.GetFullPath(options.Root, environment.ContentRootPath);

    /// <summary>A new random key: 24 lower-case hex digits (96 bits), also the folder name and part of public URLs.</summary>
    public static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static bool IsValidKey(string? key) => key is not null && KeyPattern().IsMatch(key);

    /// <summary>The folder of an image; only for keys that pass <see cref="IsValidKey"/>.</summary>
    public string FolderFor(string key) =>
        IsValidKey(key) ? Path.Combine(RootPath, key) : throw new ArgumentException("Not a media storage key.", nameof(key));

    internal string NewIncomingFolder() => Path.Combine(IncomingPath, Guid.NewGuid().ToString("N"));

    /// <summary>Free space, in bytes, on the disk that holds the media folder (for the calling user, as quotas apply).</summary>
    public long FreeBytes() => new DriveInfo(RootPath).AvailableFreeSpace;

    /// <summary>Deletes a folder and what is in it; a failure is logged, not thrown (the caller's outcome stands).</summary>
    internal static void TryDeleteFolder(string path, ILogger logger)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not delete the media folder {Folder}", path);
        }
    }

    // Uploads still in .incoming after a day were cut off by a crash or a restart.
    private void RemoveAbandonedUploads(ILogger logger)
    {
        foreach (var folder in Directory.EnumerateDirectories(IncomingPath))
        {
            if (Directory.GetLastWriteTimeUtc(folder) < DateTime.UtcNow.AddDays(-1)) TryDeleteFolder(folder, logger);
        }
    }

    [GeneratedRegex("^[0-9a-f]{24}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}

public static class MediaSizes
{
    public const double BytesPerMegabyte = 1024 * 1024;

    /// <summary>"12.3 MB", "0.05 MB", "10 MB".</summary>
    public static string Megabytes(double bytes)
    {
        var mb = bytes / BytesPerMegabyte;
        var format = mb >= 1 ? "0.#" : "0.###";
        return mb.ToString(format, System.Globalization.CultureInfo.InvariantCulture) + " MB";
    }

    /// <summary>A file size for people: "840 KB", "3.2 MB".</summary>
    public static string Human(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => (bytes / 1024d).ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " KB",
        _ => (bytes / BytesPerMegabyte).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " MB",
    };

    public static string MegabytesSetting(double megabytes) =>
        megabytes.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " MB";

    public static string TooLarge(long length, double limitMegabytes)
    {
        var size = Megabytes(length);
        var limit = MegabytesSetting(limitMegabytes);
        // Just over the limit can round to it: say the bytes then.
        if (size == limit) size = length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes";
        return $"The file is {size}; the limit is {limit}.";
    }
}
