using Microsoft.AspNetCore.Http.Features;

namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// HEAD answered as the GET it stands for, without the body (RFC 9110, 9.3.2). Link checkers, uptime monitors, feed
/// readers and link previews ask with HEAD, and the framework maps pages and endpoints for GET only, so they got 404.
/// The request goes through routing, authorization and the output cache as a GET (a HEAD that misses fills the cache
/// as the GET would) into a body that counts what is written and drops it; the answer is the GET's status and headers,
/// with its Content-Length. A reader's cache hit is answered before this, by <see cref="PublicFastPath"/>.
/// </summary>
public static class HeadRequests
{
    private static readonly object Marker = new();

    /// <summary>Whether the request now running as a GET was a HEAD (no body goes out; it is not a reader's view).</summary>
    public static bool Asked(HttpContext context) => context.Items.ContainsKey(Marker);

    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var dropped = new CountingNullStream();
        // Without the server's feature behind it, nothing written (or flushed) starts the server's response: the
        // headers go out when the request is back to HEAD, so the server sends no body and no chunked framing.
        var body = new DroppedBody(dropped);
        context.Features.Set<IHttpResponseBodyFeature>(body);
        context.Items[Marker] = true;
        context.Request.Method = HttpMethods.Get;
        try
        {
            await next(context);
            // What is still in the body's pipe writer (an output cache hit writes there) counts too.
            await body.CompleteAsync();
        }
        finally
        {
            context.Request.Method = HttpMethods.Head;
            context.Features.Set(original);
            context.Items.Remove(Marker);
        }
        var response = context.Response;
        if (!response.HasStarted && response.ContentLength is null && dropped.Length > 0) response.ContentLength = dropped.Length;
    });

    /// <summary>The body feature over the dropping stream; a file (media) is counted, not read.</summary>
    private sealed class DroppedBody(CountingNullStream dropped) : StreamResponseBodyFeature(dropped)
    {
        public override Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken)
        {
            dropped.Count(count ?? new FileInfo(path).Length - offset);
            return Task.CompletedTask;
        }
    }

    /// <summary>A body that keeps nothing and counts the bytes (the GET's Content-Length).</summary>
    private sealed class CountingNullStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => length;
        public override long Position { get => length; set => throw new NotSupportedException(); }

        private long length;

        public void Count(long bytes) => length += bytes;

        public override void Write(byte[] buffer, int offset, int count) => length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => length += buffer.Length;
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            length += count;
            return Task.CompletedTask;
        }
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            length += buffer.Length;
            return ValueTask.CompletedTask;
        }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
