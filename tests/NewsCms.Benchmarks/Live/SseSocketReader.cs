using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NewsCms.Benchmarks.Live;

/// <summary>
/// One reader's open page, as lean as a browser's EventSource on the wire: a socket, a GET for the event stream and a
/// small buffer. It notes when each entry id first arrives (Stopwatch timestamps) and whether the stream ended.
/// </summary>
public sealed class SseSocketReader : IAsyncDisposable
{
    private readonly Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Dictionary<long, long> arrivals = [];
    private readonly TaskCompletionSource connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object gate = new();
    private Task? loop;

    /// <summary>Completes once the response headers and the first frame (the banner) have arrived.</summary>
    public Task Connected => connected.Task;

    /// <summary>Completes when the server ends the stream.</summary>
    public Task Ended => ended.Task;

    /// <param name="host">The Host header (a name the site answers to); the address and port when null.</param>
    public async Task OpenAsync(IPEndPoint server, string path, CancellationToken ct, string? host = null)
    {
        await socket.ConnectAsync(server, ct);
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host ?? server.Address.ToString()}:{server.Port}\r\nAccept: text/event-stream\r\n\r\n");
        await socket.SendAsync(request, SocketFlags.None, ct);
        loop = ReadAsync(ct);
    }

    /// <summary>When the entry with this Seq arrived, or null.</summary>
    public long? Arrived(long seq)
    {
        lock (gate) return arrivals.TryGetValue(seq, out var at) ? at : null;
    }

    private async Task ReadAsync(CancellationToken ct)
    {
        var buffer = new byte[2048];
        var pending = new StringBuilder();
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (read == 0) break;
                // Refused (the site's hosts, the node's limit): not a stream; it ends here.
                if (pending.Length == 0 && arrivals.Count == 0 && !connected.Task.IsCompleted && !Encoding.ASCII.GetString(buffer, 0, Math.Min(read, 12)).Contains(" 200", StringComparison.Ordinal)) break;
                var now = Stopwatch.GetTimestamp();
                pending.Append(Encoding.UTF8.GetString(buffer, 0, read));
                var text = pending.ToString();
                var end = text.LastIndexOf("\n\n", StringComparison.Ordinal);
                if (end < 0) continue;
                // Whole frames only; chunked framing lines between them are ignored (they never start with "id: ").
                foreach (var line in text[..end].Split('\n'))
                {
                    if (line.StartsWith("event: banner", StringComparison.Ordinal)) connected.TrySetResult();
                    if (line.StartsWith("id: ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(4).TrimEnd('\r'), out var seq))
                    {
                        lock (gate) arrivals.TryAdd(seq, now);
                    }
                }
                pending.Clear().Append(text, end + 2, text.Length - end - 2);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            connected.TrySetResult();
            ended.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        socket.Dispose();
        if (loop is not null) await loop;
    }
}
