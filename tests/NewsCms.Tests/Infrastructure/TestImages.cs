using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace NewsCms.Tests.Infrastructure;

/// <summary>Images made in the test (SkiaSharp, or bytes written by hand where an encoder cannot make them).</summary>
public static class TestImages
{
    /// <summary>The camera make written into <see cref="WithExif"/> metadata; no stored file may contain it.</summary>
    public const string CameraMake = "LeakyCam Model X";

    /// <summary>A picture: left half red, right half blue, with a soft gradient and, optionally, noise (poorly compressible).</summary>
    public static SKBitmap Picture(int width, int height, bool alpha = false, bool noise = false)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, alpha ? SKAlphaType.Premul : SKAlphaType.Opaque));
        var random = new Random(42);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var shade = (byte)(40 * y / Math.Max(1, height - 1));
                var n = noise ? (byte)random.Next(0, 60) : (byte)0;
                var color = x < width / 2
                    ? new SKColor((byte)(215 + shade / 2), (byte)(n / 2), (byte)(n / 2))
                    : new SKColor((byte)(n / 2), (byte)(n / 2), (byte)(215 + shade / 2));
                bitmap.SetPixel(x, y, alpha && y < height / 4 ? color.WithAlpha(90) : color);
            }
        }
        return bitmap;
    }

    public static byte[] Png(int width, int height, bool alpha = false, bool noise = false)
    {
        using var bitmap = Picture(width, height, alpha, noise);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public static byte[] Jpeg(int width, int height, bool noise = false, int quality = 90)
    {
        using var bitmap = Picture(width, height, noise: noise);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    public static byte[] Webp(int width, int height)
    {
        using var bitmap = Picture(width, height);
        using var data = bitmap.Encode(SKEncodedImageFormat.Webp, 80);
        return data.ToArray();
    }

    /// <summary>A 1×1 GIF (the classic transparent pixel).</summary>
    public static byte[] Gif() => Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    /// <summary>A 1×1 24-bit BMP: an image, but not a format NewsCms accepts.</summary>
    public static byte[] Bmp()
    {
        var bytes = new byte[58];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), 1);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), 4);
        bytes[54] = 0x20; bytes[55] = 0x40; bytes[56] = 0xC0;
        return bytes;
    }

    /// <summary>
    /// A valid PNG header announcing <paramref name="width"/> × <paramref name="height"/> pixels, followed by a tiny
    /// compressed stream: a decompression bomb's shape (decoding it would need width × height × 4 bytes).
    /// </summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // truecolour
        WriteChunk(output, "IHDR", ihdr);
        // zlib stream of a few zero bytes (a real bomb would be a long run of zeros compressing ~1000:1).
        WriteChunk(output, "IDAT", [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]);
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>
    /// The JPEG with an APP1 Exif segment inserted after SOI: IFD0 with the camera make, an orientation and a pointer
    /// to a GPS IFD holding latitude and longitude (48°51'29.13"N 2°17'40.1"E).
    /// </summary>
    public static byte[] WithExif(byte[] jpeg, ushort orientation = 1)
    {
        Assert.True(jpeg[0] == 0xFF && jpeg[1] == 0xD8, "Not a JPEG");
        var tiff = new byte[170];
        var t = tiff.AsSpan();
        "MM"u8.CopyTo(t);
        BinaryPrimitives.WriteUInt16BigEndian(t[2..], 42);
        BinaryPrimitives.WriteUInt32BigEndian(t[4..], 8);

        // IFD0 at 8: 3 entries, then the next-IFD offset (0). Ends at 50.
        BinaryPrimitives.WriteUInt16BigEndian(t[8..], 3);
        var make = Encoding.ASCII.GetBytes(CameraMake + "\0");
        Entry(t, 10, 0x010F, 2, (uint)make.Length, 50); // Make, ASCII, at 50
        Entry(t, 22, 0x0112, 3, 1, (uint)orientation << 16); // Orientation, SHORT, inline
        Entry(t, 34, 0x8825, 4, 1, 68); // GPSInfo IFD pointer, LONG
        make.CopyTo(t[50..]);

        // GPS IFD at 68: 4 entries. Ends at 122; the rationals follow.
        BinaryPrimitives.WriteUInt16BigEndian(t[68..], 4);
        Entry(t, 70, 0x0001, 2, 2, (uint)'N' << 24); // GPSLatitudeRef "N"
        Entry(t, 82, 0x0002, 5, 3, 122); // GPSLatitude
        Entry(t, 94, 0x0003, 2, 2, (uint)'E' << 24); // GPSLongitudeRef "E"
        Entry(t, 106, 0x0004, 5, 3, 146); // GPSLongitude
        Rationals(t[122..], (48, 1), (51, 1), (2913, 100));
        Rationals(t[146..], (2, 1), (17, 1), (4010, 100));

        var segment = new byte[4 + 6 + tiff.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(2 + 6 + tiff.Length));
        "Exif\0\0"u8.CopyTo(segment.AsSpan(4));
        tiff.CopyTo(segment, 10);

        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];
    }

    /// <summary>Whether <paramref name="bytes"/> holds any trace of EXIF or XMP metadata or of <see cref="CameraMake"/>.</summary>
    public static bool HasMetadata(byte[] bytes) =>
        Contains(bytes, "Exif"u8) || Contains(bytes, "EXIF"u8) || Contains(bytes, "http://ns.adobe.com/xap"u8)
        || Contains(bytes, Encoding.ASCII.GetBytes(CameraMake)) || HasJpegApp1(bytes);

    public static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    public static SKBitmap Decode(byte[] bytes) => SKBitmap.Decode(bytes) ?? throw new InvalidOperationException("Not decodable");

    private static bool HasJpegApp1(byte[] bytes)
    {
        if (bytes.Length < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8) return false;
        var i = 2;
        while (i + 4 <= bytes.Length && bytes[i] == 0xFF)
        {
            var marker = bytes[i + 1];
            if (marker == 0xDA) return false; // start of scan: no more metadata segments
            if (marker == 0xE1) return true;
            i += 2 + BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(i + 2));
        }
        return false;
    }

    private static void Entry(Span<byte> tiff, int at, ushort tag, ushort type, uint count, uint value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(tiff[at..], tag);
        BinaryPrimitives.WriteUInt16BigEndian(tiff[(at + 2)..], type);
        BinaryPrimitives.WriteUInt32BigEndian(tiff[(at + 4)..], count);
        BinaryPrimitives.WriteUInt32BigEndian(tiff[(at + 8)..], value);
    }

    private static void Rationals(Span<byte> at, params (uint Numerator, uint Denominator)[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(at[(i * 8)..], values[i].Numerator);
            BinaryPrimitives.WriteUInt32BigEndian(at[(i * 8 + 4)..], values[i].Denominator);
        }
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typeAndData);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        output.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
