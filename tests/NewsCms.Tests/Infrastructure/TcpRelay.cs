using System.Net;
using System.Net.Sockets;

namespace NewsCms.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 to a real server (Redis), which a test can cut (every connection through it is closed and
/// new ones are refused, as when the network to the server fails) or freeze (connections stay open but nothing gets
/// through any more, as when the server hangs).
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly EndPoint target;
    private readonly List<TcpClient> open = [];
    private readonly CancellationTokenSource cut = new();
    private readonly Task accepting;

    public TcpRelay(EndPoint target)
    {
        this.target = target;
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    private volatile bool frozen;

    /// <summary>From now on, what is sent either way is dropped; the connections stay open.</summary>
    public void Freeze() => frozen = true;

    /// <summary>Closes every connection and refuses new ones.</summary>
    public async Task CutAsync()
    {
        await cut.CancelAsync();
        listener.Stop();
        lock (open)
        {
            foreach (var client in open) client.Dispose();
            open.Clear();
        }
        try { await accepting; } catch (Exception) { /* the listener was stopped */ }
    }

    private async Task AcceptAsync()
    {
        while (!cut.IsCancellationRequested)
        {
            var inbound = await listener.AcceptTcpClientAsync(cut.Token);
            var outbound = new TcpClient();
            await outbound.Client.ConnectAsync(target, cut.Token);
            lock (open)
            {
                open.Add(inbound);
                open.Add(outbound);
            }
            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await from.GetStream().ReadAsync(buffer, cut.Token)) > 0)
            {
                if (!frozen) await to.GetStream().WriteAsync(buffer.AsMemory(0, read), cut.Token);
            }
        }
        catch (Exception)
        {
            // Cut, or one side closed.
        }
        from.Dispose();
        to.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (!cut.IsCancellationRequested) await CutAsync();
        cut.Dispose();
    }
}
