namespace NewsCms.Web.Features.WordPress;

/// <summary>
/// A read-only stream that drops the C0 control bytes XML forbids (all but tab, line feed and carriage return).
/// WordPress exports them raw inside CDATA when an author pasted them, and XmlReader refuses a file for one such byte.
/// In UTF-8 these bytes never occur inside a multi-byte character, so dropping them cannot break other text.
/// </summary>
internal sealed class XmlControlCharacterFilter(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            var read = inner.Read(buffer);
            if (read == 0) return 0;
            var kept = Filter(buffer[..read]);
            if (kept > 0) return kept;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            if (read == 0) return 0;
            var kept = Filter(buffer.Span[..read]);
            if (kept > 0) return kept;
        }
    }

    private static int Filter(Span<byte> bytes)
    {
        var kept = 0;
        foreach (var b in bytes)
        {
            if (b < 0x20 && b is not (0x09 or 0x0A or 0x0D)) continue;
            bytes[kept++] = b;
        }
        return kept;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
