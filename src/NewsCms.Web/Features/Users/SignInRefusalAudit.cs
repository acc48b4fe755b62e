using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace NewsCms.Web.Features.Users;

/// <summary>
/// Decides which refused sign-ins reach the audit log. Anyone can make them without an account, so each one cannot be a
/// row: the first refusal per key (the account tried, or the address or account that hit its limit) per window is
/// written, and the rest are counted and reported with the key's next written refusal.
/// </summary>
public sealed class SignInRefusalAudit(TimeProvider clock, IOptions<SignInThrottleOptions> options, ILogger<SignInRefusalAudit> logger)
{
    // Keys an attacker makes up cost memory until their window is over; past this many, old windows are dropped.
    private const int MaxKeys = 10_000;

    private readonly ConcurrentDictionary<string, Window> windows = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Null when this refusal is only counted; otherwise the note to add to the row written for it (empty when nothing
    /// was counted since the key's last row).
    /// </summary>
    public string? Admit(string key)
    {
        var now = clock.GetUtcNow();
        var length = options.Value.Window;
        string? note = null;
        windows.AddOrUpdate(key,
            _ => { note = ""; return new Window(now, 0); },
            (_, current) =>
            {
                if (now - current.Start < length) return current with { Counted = current.Counted + 1 };
                note = current.Counted == 0 ? "" : Counted(current);
                return new Window(now, 0);
            });
        if (note is not null && windows.Count > MaxKeys) Prune(now, length);
        return note;
    }

    private static string Counted(Window window) =>
        string.Create(CultureInfo.InvariantCulture, $" ({window.Counted} more refused since {window.Start:yyyy-MM-dd HH:mm} UTC, counted, not written one by one)");

    private void Prune(DateTimeOffset now, TimeSpan length)
    {
        foreach (var (key, window) in windows)
        {
            if (now - window.Start < length) continue;
            if (windows.TryRemove(key, out var removed) && removed.Counted > 0)
            {
                logger.LogWarning("{Count} refused sign-ins for {Key} since {Since:u} were counted and not written to the audit log.", removed.Counted, key, removed.Start);
            }
        }
    }

    private sealed record Window(DateTimeOffset Start, int Counted);
}
