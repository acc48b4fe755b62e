using System.IO.Compression;

namespace NewsCms.Web.Features.WordPress;

/// <summary>
/// The old site's wp-content/uploads, as a folder or a zip, where the importer finds attachments by their URL. The
/// importer never downloads anything: a file that is not here is a warning. Zip entries are read in place, never
/// extracted; a zip with an entry that climbs out of its folder (zip-slip) is refused as a whole.
/// </summary>
public sealed class WordPressUploads : IDisposable
{
    private readonly ZipArchive? zip;

    // Relative path under uploads ("2024/03/photo.jpg", lower case) → zip entry or file path.
    private readonly Dictionary<string, string> files = new(StringComparer.OrdinalIgnoreCase);

    private WordPressUploads(ZipArchive? zip) => this.zip = zip;

    /// <summary>Opens a folder or a .zip; throws <see cref="WordPressImportException"/> with a message for the user when it cannot.</summary>
    public static WordPressUploads Open(string path)
    {
        if (Directory.Exists(path))
        {
            var uploads = new WordPressUploads(null);
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
            {
                uploads.Index(Path.GetRelativePath(path, file).Replace('\\', '/'), file);
            }
            return uploads;
        }
        if (!File.Exists(path)) throw new WordPressImportException($"The uploads folder or zip {path} does not exist.");
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException)
        {
            throw new WordPressImportException($"{Path.GetFileName(path)} is not a zip file. Give the uploads as a folder or a .zip of wp-content/uploads.");
        }
        var zipped = new WordPressUploads(archive);
        try
        {
            foreach (var entry in archive.Entries)
            {
                if (IsOutside(entry.FullName))
                {
                    throw new WordPressImportException(
                        $"The uploads zip has an entry that points outside its folder ({entry.FullName}); it was refused and nothing was imported from it.");
                }
                if (entry.FullName.EndsWith('/')) continue;
                zipped.Index(entry.FullName, entry.FullName);
            }
        }
        catch (Exception ex) when (ex is WordPressImportException or InvalidDataException)
        {
            archive.Dispose();
            throw ex as WordPressImportException ?? new WordPressImportException($"{Path.GetFileName(path)} is a damaged zip file: {ex.Message}", ex);
        }
        return zipped;
    }

    /// <summary>An absolute or rooted name, or one with a ".." segment, would land outside the folder if extracted.</summary>
    internal static bool IsOutside(string entryName)
    {
        var name = entryName.Replace('\\', '/');
        if (name.StartsWith('/') || (name.Length > 1 && name[1] == ':')) return true;
        return name.Split('/').Any(segment => segment == "..");
    }

    private void Index(string relative, string location)
    {
        // A zip of wp-content/uploads may hold "wp-content/uploads/2024/…", "uploads/2024/…" or "2024/…".
        var key = relative.TrimStart('/');
        var at = key.IndexOf("uploads/", StringComparison.OrdinalIgnoreCase);
        if (at >= 0 && (at == 0 || key[at - 1] == '/')) key = key[(at + "uploads/".Length)..];
        files.TryAdd(key, location);
    }

    /// <summary>
    /// The file at a path inside the uploads folder (as <see cref="WxrUploads"/> gives it), trying the original when the
    /// path names one of WordPress's resized copies ("photo-300x200.jpg" → "photo.jpg"). Null when the uploads do not have it.
    /// </summary>
    public string? Find(string relativePath) => WxrUploads.Candidates(relativePath).FirstOrDefault(files.ContainsKey);

    /// <summary>The file a URL into the old site's uploads names, or null.</summary>
    public string? FindUrl(string url) => WxrUploads.RelativePath(url) is { } relative ? Find(relative) : null;

    /// <summary>Reads a file found by <see cref="Find"/>, at most <paramref name="maxBytes"/>; null when it is larger.</summary>
    public async Task<byte[]?> ReadAsync(string relative, long maxBytes, CancellationToken ct)
    {
        var location = files[relative];
        if (zip is not null)
        {
            var entry = zip.GetEntry(location)!;
            if (entry.Length > maxBytes) return null;
            // ZipArchive is not thread-safe; the importer reads one file at a time.
            await using var stream = await entry.OpenAsync(ct);
            using var buffer = new MemoryStream((int)entry.Length);
            await stream.CopyToAsync(buffer, ct);
            return buffer.ToArray();
        }
        var info = new FileInfo(location);
        if (info.Length > maxBytes) return null;
        return await File.ReadAllBytesAsync(location, ct);
    }

    public int Count => files.Count;

    public void Dispose() => zip?.Dispose();
}

/// <summary>A problem with the whole import (a file that cannot be read, a refused zip), told to the user as it is.</summary>
public sealed class WordPressImportException(string message, Exception? inner = null) : Exception(message, inner);
