using System.Net.Http.Headers;
using System.Text;

namespace NewsCms.Tests.Infrastructure;

/// <summary>One Server-Sent Event as read off the wire.</summary>
public sealed record SseEvent(string? Id, string Event, string Data);

/// <summary>
/// A reader's event stream, read as a browser's EventSource would (id, event and data lines, comments skipped).
/// Every wait has a deadline, so a missing event fails the test instead of hanging it.
/// </summary>
public sealed class SseClient : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly HttpResponseMessage response;
    private readonly StreamReader reader;

    private SseClient(HttpResponseMessage response, Stream body)
    {
        this.response = response;
        reader = new StreamReader(body, Encoding.UTF8);
    }

    public static async Task<SseClient> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        using var timeout = new CancellationTokenSource(Deadline);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseClient(response, await response.Content.ReadAsStreamAsync(timeout.Token));
    }

    public HttpResponseMessage Response => response;

    /// <summary>The next event of any kind.</summary>
    public async Task<SseEvent> NextAsync(CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Deadline);
        string? id = null, name = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.Length == 0)
            {
                if (name is null && data.Length == 0) continue; // a comment block or the retry line
                return new SseEvent(id, name ?? "message", data.ToString());
            }
            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": name = value; break;
                case "data": data.Append(data.Length > 0 ? "\n" : "").Append(value); break;
            }
        }
    }

    /// <summary>The next event named <paramref name="name"/> (others are skipped).</summary>
    public async Task<SseEvent> NextAsync(string name, CancellationToken ct = default)
    {
        while (true)
        {
            var next = await NextAsync(ct);
            if (next.Event == name) return next;
        }
    }

    public ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}
