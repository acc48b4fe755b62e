using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.IO.Compression;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using NewsCms.Web.Features.Readership;

namespace NewsCms.Web.Features.Hosting;

/// <summary>Settings under NewsCms:PublicCache.</summary>
public sealed class PublicCacheOptions
{
    public const string Section = "NewsCms:PublicCache";

    /// <summary>
    /// The memory for cached public responses, in MB: half for the output cache (responses as rendered), half for the
    /// fast path's ready-to-send copies (each page as it is, in Brotli and in gzip). When full, the least used go.
    /// </summary>
    [Range(2, 1_048_576, ErrorMessage = "NewsCms:PublicCache:SizeLimitMB must be between 2 and 1048576 (MB).")]
    public int SizeLimitMB { get; set; } = 256;

    /// <summary>Whether anonymous cache hits are answered by <see cref="PublicFastPath"/> (off: by the whole pipeline, as before).</summary>
    public bool FastPath { get; set; } = true;

    internal long HalfBytes => (long)SizeLimitMB * 1024 * 1024 / 2;
}

/// <summary>
/// Cache hits for readers, answered near the front of the pipeline: a GET or HEAD with no sign-in cookie and no
/// Authorization header (so a reader the output cache would serve) whose page the output cache holds is answered
/// here, after the host check and the redirects but before routing, authentication and everything else, with bytes
/// compressed once per entry (Brotli, gzip or none, chosen by the framework's own Accept-Encoding rules) and headers
/// taken once from the answer the whole pipeline gave.
/// <para>
/// It learns an address from an output cache hit that the whole pipeline served (see <see cref="LearnAsync"/>): the
/// headers sent, the body, the article it showed, and the output cache's entry (its stamp). It serves that copy only
/// while the output cache still holds that very entry and would serve it (<see cref="PublicCacheStore.CurrentStamp"/>):
/// eviction by tag, expiry, the size limit and the "never a copy older than a change" stamp all act through the
/// output cache, so nothing here evicts. What varies per answer is computed per answer as the pipeline does it: the
/// ETag and Last-Modified of the current version, the 304 for a current copy, the Age, the encoding, and the
/// readership count (<see cref="ReadershipCounting"/>'s rules, with its record of served addresses).
/// </para>
/// </summary>
public sealed class PublicFastPath : IDisposable
{
    // Answers the pipeline gives per request that a copy must not keep: the server's and the transport's own, and
    // those computed per answer (validators, age, encoding).
    private static readonly HashSet<string> PerAnswer = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Date, HeaderNames.Server, HeaderNames.TransferEncoding, HeaderNames.Connection, HeaderNames.KeepAlive,
        HeaderNames.ContentLength, HeaderNames.ContentEncoding, HeaderNames.Age, HeaderNames.ETag, HeaderNames.LastModified,
        HeaderNames.Vary, ReadershipCounting.Header,
    };

    private static readonly AsyncLocal<Learning?> learning = new();

    private readonly PublicCacheVersion versions;
    private readonly PublicCacheStore store;
    private readonly IResponseCompressionProvider compression;
    private readonly ViewCounter counter;
    private readonly ReadershipCounting.ServedAddresses addresses;
    private readonly bool counting;
    private readonly string signInCookie;
    private readonly TimeProvider clock;
    private readonly ILogger<PublicFastPath> logger;
    private readonly int addressLimit;
    private readonly long maximumBody;

    /// <summary>Address (as requested) → the output cache's key for it. Bounded: emptied when full, then learned again.</summary>
    private readonly ConcurrentDictionary<Address, string> keys = new();

    /// <summary>The output cache's key → the copy to send, bounded by size (half of SizeLimitMB).</summary>
    private readonly MemoryCache copies;

    private volatile Validators validators = new(null, "", "");
    private long served;

    public PublicFastPath(IOptions<PublicCacheOptions> options, PublicCacheVersion versions, PublicCacheStore store,
        IResponseCompressionProvider compression, ViewCounter counter, ReadershipCounting.ServedAddresses addresses,
        IOptions<ReadershipOptions> readership, IOptionsMonitor<CookieAuthenticationOptions> cookies, IOptions<OutputCacheOptions> outputCache,
        ILogger<PublicFastPath> logger)
    {
        Enabled = options.Value.FastPath;
        this.versions = versions;
        this.store = store;
        this.compression = compression;
        this.counter = counter;
        this.addresses = addresses;
        counting = readership.Value.Enabled;
        signInCookie = cookies.Get(IdentityConstants.ApplicationScheme).Cookie.Name ?? ".AspNetCore.Identity.Application";
        // The output cache's clock (the system's: it takes no other), so Age counts as the output cache counts it.
        clock = TimeProvider.System;
        maximumBody = outputCache.Value.MaximumBodySize;
        this.logger = logger;
        copies = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.HalfBytes });
        // An address costs far less than the smallest page: one per 2 KB of the copies' share.
        addressLimit = (int)Math.Clamp(options.Value.HalfBytes / 2048, 1_000, 10_000_000);
    }

    public bool Enabled { get; }

    public void Dispose() => copies.Dispose();

    /// <summary>How many answers the fast path gave (200s and 304s), for tests and diagnostics.</summary>
    public long Served => Interlocked.Read(ref served);

    /// <summary>The answer for a request it can serve; null to let the pipeline answer.</summary>
    public Task? TryServe(HttpContext context)
    {
        var request = context.Request;
        var head = HttpMethods.IsHead(request.Method);
        if (!head && !HttpMethods.IsGet(request.Method)) return null;
        var headers = request.Headers;
        // The output cache serves neither a request with credentials nor a signed-in member of staff.
        if (headers.Authorization.Count > 0 || SignedIn(headers.Cookie)) return null;
        if (!keys.TryGetValue(new Address(request), out var key) || !copies.TryGetValue(key, out Copy? copy)) return null;
        // Taken before the lookup, as the pipeline does: a change after this point makes a new version, not this one.
        var version = versions.Current;
        if (!ReferenceEquals(store.CurrentStamp(key), copy!.Stamp))
        {
            // The output cache no longer serves that entry: the copy goes too (the next hit through the pipeline makes a new one).
            copies.Remove(key);
            return null;
        }
        var valid = ValidatorsOf(version);
        var response = context.Response;
        var countable = counting && ReaderRules.IsReaderView(request);

        if ((headers.IfNoneMatch.Count > 0 || headers.IfModifiedSince.Count > 0) && version.IsCurrent(request.GetTypedHeaders()))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            response.Headers.ETag = valid.ETag;
            response.Headers.LastModified = valid.LastModified;
            if (countable && addresses.Shows(request.Path, version.Number) is { } shown) counter.Count(shown);
            Interlocked.Increment(ref served);
            return Task.CompletedTask;
        }

        var target = response.Headers;
        foreach (var (name, value) in copy.Headers) target[name] = value;
        target.ETag = valid.ETag;
        target.LastModified = valid.LastModified;
        target.Age = AgeText((long)(clock.GetUtcNow() - copy.Created).TotalSeconds);
        var body = copy.Identity;
        // The framework's own rules for Accept-Encoding (q-values, its provider order), as the compression middleware has them.
        if (compression.CheckRequestAcceptsCompression(context))
        {
            if (!StringValues.IsNullOrEmpty(copy.VaryCompressed)) target.Vary = copy.VaryCompressed;
            switch (compression.GetCompressionProvider(context)?.EncodingName)
            {
                case "br":
                    body = copy.Brotli;
                    target.ContentEncoding = "br";
                    break;
                case "gzip":
                    body = copy.Gzip;
                    target.ContentEncoding = "gzip";
                    break;
            }
        }
        else if (!StringValues.IsNullOrEmpty(copy.Vary))
        {
            target.Vary = copy.Vary;
        }
        response.ContentLength = body.Length;
        if (countable && copy.ArticleId is { } articleId)
        {
            counter.Count(articleId);
            addresses.Served(request.Path, articleId, version.Number);
        }
        Interlocked.Increment(ref served);
        return head ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }

    private bool SignedIn(StringValues cookies)
    {
        foreach (var cookie in cookies)
        {
            if (cookie is not null && cookie.Contains(signInCookie, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private Validators ValidatorsOf(PublicVersion version)
    {
        var current = validators;
        if (ReferenceEquals(current.Version, version)) return current;
        current = new Validators(version, version.ETag, HeaderUtilities.FormatDate(version.LastModified));
        validators = current;
        return current;
    }

    private static readonly string[] SmallAges = [.. Enumerable.Range(0, 601).Select(a => a.ToString(CultureInfo.InvariantCulture))];

    private static string AgeText(long seconds) =>
        seconds < 0 ? SmallAges[0] : seconds < SmallAges.Length ? SmallAges[seconds] : seconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Inside <see cref="PublicCache.UsePublicCache"/>, just before the output cache: for an anonymous request of a
    /// public page that the fast path could serve, notes which output cache entry answers and what the pipeline sends;
    /// when it was an output cache hit, keeps the copy for the next requests of that address.
    /// </summary>
    internal async Task LearnAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var headers = request.Headers;
        // A HEAD (answered as a GET into a body that drops it) sends no body to learn from.
        if (!HttpMethods.IsGet(request.Method) || HeadRequests.Asked(context) || headers.Authorization.Count > 0 || SignedIn(headers.Cookie))
        {
            await next(context);
            return;
        }
        var learned = new Learning();
        learning.Value = learned;
        var response = context.Response;
        // Registered before the pipeline's own below, so it runs before them: the readership mark is still there.
        response.OnStarting(static state =>
        {
            var (context, learned) = ((HttpContext, Learning))state;
            learned.Mark = context.Response.Headers[ReadershipCounting.Header];
            return Task.CompletedTask;
        }, (context, learned));
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var capture = new CaptureStream(original.Stream, maximumBody);
        var captureFeature = new StreamResponseBodyFeature(capture, original);
        context.Features.Set<IHttpResponseBodyFeature>(captureFeature);
        try
        {
            await next(context);
            // Flushes what went through the pipe writer (an output cache hit writes there). Only once the response has
            // started: completing starts it, and a response not started yet (a 404) is still the status-code pages' to render.
            if (response.HasStarted) await captureFeature.CompleteAsync();
        }
        finally
        {
            context.Features.Set(original);
            learning.Value = null;
        }
        if (learned.Key is null || learned.Stamp is null || capture.Overflowed || response.StatusCode != StatusCodes.Status200OK
            || !response.HasStarted || response.Headers.Age.Count == 0 || response.Headers.SetCookie.Count > 0)
        {
            return;
        }
        try
        {
            Keep(context, learned, capture.Captured());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A copy not kept only means the next request takes the whole pipeline again.
            logger.LogWarning(ex, "Could not keep a fast copy of {Path}.", request.Path);
        }
    }

    private void Keep(HttpContext context, Learning learned, byte[] body)
    {
        var response = context.Response;
        var kept = new List<KeyValuePair<string, StringValues>>();
        foreach (var header in response.Headers)
        {
            if (!PerAnswer.Contains(header.Key)) kept.Add(header);
        }
        // The compression middleware adds Accept-Encoding to Vary when the request asked for an encoding.
        var vary = response.Headers.Vary;
        var plain = compression.CheckRequestAcceptsCompression(context) ? WithoutAcceptEncoding(vary) : vary;
        var compressed = StringValues.IsNullOrEmpty(plain) ? new StringValues(HeaderNames.AcceptEncoding)
            : plain.Any(v => v?.Contains(HeaderNames.AcceptEncoding, StringComparison.OrdinalIgnoreCase) == true) ? plain
            : new StringValues(plain.ToString() + "," + HeaderNames.AcceptEncoding);
        long.TryParse(response.Headers.Age.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var age);
        var articleId = int.TryParse(learned.Mark, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : (int?)null;
        var copy = new Copy(learned.Stamp!, [.. kept], plain, compressed, body, Compress(body, s => new BrotliStream(s, CompressionLevel.Optimal)),
            Compress(body, s => new GZipStream(s, CompressionLevel.Optimal)), articleId, clock.GetUtcNow() - TimeSpan.FromSeconds(age));
        copies.Set(learned.Key!, copy, new MemoryCacheEntryOptions { Size = copy.Size });
        if (keys.Count >= addressLimit) keys.Clear();
        keys[new Address(context.Request)] = learned.Key!;
    }

    private static StringValues WithoutAcceptEncoding(StringValues vary)
    {
        var rest = vary.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(v => !v.Equals(HeaderNames.AcceptEncoding, StringComparison.OrdinalIgnoreCase)).ToArray();
        return rest.Length == 0 ? StringValues.Empty : new StringValues(string.Join(",", rest));
    }

    private static byte[] Compress(byte[] body, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream(body.Length / 3 + 64);
        using (var compressing = compressor(output)) compressing.Write(body);
        return output.ToArray();
    }

    /// <summary>Called by <see cref="PublicCacheStore"/> when the output cache looks up an entry for a request being learned.</summary>
    internal static void Found(string key, object? stamp)
    {
        if (learning.Value is { } learned)
        {
            learned.Key = key;
            learned.Stamp = stamp;
        }
    }

    /// <summary>
    /// Everything that names the output cache entry for a request (scheme, host, path, query), as sent. Not the method:
    /// the pipeline answers a HEAD as its GET (<see cref="HeadRequests"/>), so a GET's copy answers a HEAD too.
    /// </summary>
    private readonly record struct Address(string Scheme, string Host, string? Path, string? Query)
    {
        public Address(HttpRequest request)
            : this(request.Scheme, request.Host.Value ?? "", request.Path.Value, request.QueryString.Value)
        {
        }
    }

    private sealed record Validators(PublicVersion? Version, string ETag, string LastModified);

    private sealed class Learning
    {
        public string? Key;
        public object? Stamp;
        public string? Mark;
    }

    private sealed record Copy(object Stamp, KeyValuePair<string, StringValues>[] Headers, StringValues Vary, StringValues VaryCompressed,
        byte[] Identity, byte[] Brotli, byte[] Gzip, int? ArticleId, DateTimeOffset Created)
    {
        public long Size => Identity.Length + Brotli.Length + Gzip.Length + 1024;
    }

    /// <summary>Passes every write on and keeps a copy, up to a limit.</summary>
    private sealed class CaptureStream(Stream inner, long limit) : Stream
    {
        private readonly MemoryStream copy = new();

        public bool Overflowed { get; private set; }

        public byte[] Captured() => copy.ToArray();

        private void Keep(ReadOnlySpan<byte> buffer)
        {
            if (Overflowed) return;
            if (copy.Length + buffer.Length > limit)
            {
                Overflowed = true;
                return;
            }
            copy.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Keep(buffer);
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Keep(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
