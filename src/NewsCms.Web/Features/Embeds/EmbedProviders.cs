using System.Text.RegularExpressions;

namespace NewsCms.Web.Features.Embeds;

/// <summary>How an embed is laid out on the page (a CSS modifier: sizes come from classes, never inline styles).</summary>
public enum EmbedShape
{
    Video,
    Post,
    Audio,
    Map,
    Chart,
}

/// <summary>
/// One provider: its URL patterns (the same regular expressions run in the editor, which gets them from
/// <see cref="EmbedProviders.ForEditor"/>), the hosts its player is framed from (the public CSP's frame-src), and how
/// the player address is made from a recognised URL. Patterns use only syntax .NET and JavaScript read alike.
/// </summary>
public sealed record EmbedProvider(string Id, string Name, EmbedShape Shape, IReadOnlyList<string> FrameHosts, IReadOnlyList<string> Patterns,
    Func<Match, string, string> FrameSrc)
{
    internal IReadOnlyList<Regex> Regexes { get; } =
        [.. Patterns.Select(p => new Regex(p, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)))];
}

/// <summary>A URL recognised as an embed: its provider and the player address (computed, never taken from the page).</summary>
public sealed record EmbedMatch(EmbedProvider Provider, string Url, string FrameSrc);

/// <summary>
/// The one table of embed providers. Embeds are recognised by URL pattern only: no oEmbed call, nothing fetched at
/// save or render time. A provider's player runs from <see cref="EmbedProvider.FrameHosts"/>, which is exactly what
/// the public Content-Security-Policy allows in frames. Mastodon is federated: only the servers listed here embed.
/// </summary>
public static class EmbedProviders
{
    /// <summary>Longest embed URL accepted.</summary>
    public const int MaxUrlLength = 2000;

    // Characters a URL may hold (RFC 3986 plus '%'); no spaces, quotes, angle brackets or backslashes.
    private static readonly Regex UrlCharacters = new(@"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$", RegexOptions.CultureInvariant);

    /// <summary>Mastodon servers whose posts embed (each is also a frame host).</summary>
    public static readonly IReadOnlyList<string> MastodonServers =
        ["mastodon.social", "mastodon.online", "mstdn.social", "mas.to", "mastodon.world", "fosstodon.org", "hachyderm.io", "journa.host"];

    private static string Enc(string value) => Uri.EscapeDataString(value);

    private static string G(Match m, string name) => m.Groups[name].Value;

    public static readonly IReadOnlyList<EmbedProvider> All =
    [
        new("youtube", "YouTube", EmbedShape.Video, ["www.youtube-nocookie.com"],
        [
            @"^https?://(?:www\.|m\.)?youtube\.com/watch\?(?:[^#]*&)?v=(?<id>[A-Za-z0-9_-]{11})(?:[&#]|$)",
            @"^https?://youtu\.be/(?<id>[A-Za-z0-9_-]{11})(?:[?#]|$)",
            @"^https?://(?:www\.|m\.)?youtube(?:-nocookie)?\.com/(?:shorts|embed|live)/(?<id>[A-Za-z0-9_-]{11})(?:[?#]|$)",
        ], (m, _) => $"https://www.youtube-nocookie.com/embed/{G(m, "id")}"),

        new("vimeo", "Vimeo", EmbedShape.Video, ["player.vimeo.com"],
        [
            @"^https?://(?:www\.)?vimeo\.com/(?<id>[0-9]{1,12})(?:/(?<hash>[0-9a-f]{6,20}))?/?(?:[?#]|$)",
            @"^https?://player\.vimeo\.com/video/(?<id>[0-9]{1,12})/?(?:[?#]|$)",
        ], (m, _) => $"https://player.vimeo.com/video/{G(m, "id")}?dnt=1" + (m.Groups["hash"].Success ? $"&h={G(m, "hash").ToLowerInvariant()}" : "")),

        new("x", "X", EmbedShape.Post, ["platform.twitter.com"],
        [
            @"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/[A-Za-z0-9_]{1,15}/status(?:es)?/(?<id>[0-9]{1,20})/?(?:[?#]|$)",
        ], (m, _) => $"https://platform.twitter.com/embed/Tweet.html?id={G(m, "id")}&dnt=true"),

        new("instagram", "Instagram", EmbedShape.Post, ["www.instagram.com"],
        [
            @"^https?://(?:www\.)?instagram\.com/(?:[A-Za-z0-9_.]{1,30}/)?(?<kind>p|reel|tv)/(?<id>[A-Za-z0-9_-]{5,40})/?(?:[?#]|$)",
        ], (m, _) => $"https://www.instagram.com/{G(m, "kind").ToLowerInvariant()}/{G(m, "id")}/embed/"),

        new("facebook", "Facebook", EmbedShape.Post, ["www.facebook.com"],
        [
            @"^https?://(?:www\.|m\.)?facebook\.com/[A-Za-z0-9.-]{1,80}/(?<kind>posts|videos)/[A-Za-z0-9_.:-]{1,80}/?(?:[?#]|$)",
            @"^https?://(?:www\.|m\.)?facebook\.com/(?<kind>watch)/?\?v=[0-9]{1,20}(?:[&#]|$)",
            @"^https?://(?:www\.|m\.)?facebook\.com/(?<kind>reel)/[0-9]{1,20}/?(?:[?#]|$)",
        ], (m, url) => G(m, "kind").Equals("posts", StringComparison.OrdinalIgnoreCase)
            ? $"https://www.facebook.com/plugins/post.php?href={Enc(url)}"
            : $"https://www.facebook.com/plugins/video.php?href={Enc(url)}"),

        new("tiktok", "TikTok", EmbedShape.Post, ["www.tiktok.com"],
        [
            @"^https?://(?:www\.|m\.)?tiktok\.com/@[A-Za-z0-9_.]{1,40}/video/(?<id>[0-9]{1,25})/?(?:[?#]|$)",
        ], (m, _) => $"https://www.tiktok.com/embed/v2/{G(m, "id")}"),

        new("bluesky", "Bluesky", EmbedShape.Post, ["embed.bsky.app"],
        [
            @"^https?://bsky\.app/profile/(?<actor>did:plc:[a-z0-9]{24}|[A-Za-z0-9][A-Za-z0-9.-]{1,252})/post/(?<id>[a-z0-9]{13})/?(?:[?#]|$)",
        ], (m, _) => $"https://embed.bsky.app/embed/{G(m, "actor").ToLowerInvariant()}/app.bsky.feed.post/{G(m, "id").ToLowerInvariant()}"),

        new("mastodon", "Mastodon", EmbedShape.Post, MastodonServers,
        [
            @"^https?://(?<host>" + string.Join("|", MastodonServers.Select(Regex.Escape)) + @")/@(?<user>[A-Za-z0-9_]{1,30})/(?<id>[0-9]{1,20})/?(?:[?#]|$)",
        ], (m, _) => $"https://{G(m, "host").ToLowerInvariant()}/@{G(m, "user")}/{G(m, "id")}/embed"),

        new("spotify", "Spotify", EmbedShape.Audio, ["open.spotify.com"],
        [
            @"^https?://open\.spotify\.com/(?:intl-[a-z]{2}(?:-[a-z]{2})?/)?(?<kind>track|album|playlist|episode|show|artist)/(?<id>[A-Za-z0-9]{22})/?(?:[?#]|$)",
        ], (m, _) => $"https://open.spotify.com/embed/{G(m, "kind").ToLowerInvariant()}/{G(m, "id")}"),

        new("soundcloud", "SoundCloud", EmbedShape.Audio, ["w.soundcloud.com"],
        [
            @"^https?://(?:www\.|m\.)?soundcloud\.com/(?<user>[A-Za-z0-9_-]{1,80})/(?<track>sets/[A-Za-z0-9_-]{1,120}|[A-Za-z0-9_-]{1,120})/?(?:[?#]|$)",
        ], (m, _) => $"https://w.soundcloud.com/player/?url={Enc($"https://soundcloud.com/{G(m, "user")}/{G(m, "track")}")}"),

        new("google-maps", "Google Maps", EmbedShape.Map, ["www.google.com"],
        [
            @"^https?://(?:www\.)?google\.com/maps/embed\?pb=(?<pb>[A-Za-z0-9!._%-]{1,1900})$",
            @"^https?://(?:www\.)?google\.com/maps/place/(?<q>[A-Za-z0-9%+.,_~-]{1,200})(?:[/?#]|$)",
            @"^https?://(?:www\.)?google\.com/maps/@(?<ll>-?[0-9]{1,3}\.[0-9]{1,10},-?[0-9]{1,3}\.[0-9]{1,10}),(?<z>[0-9]{1,2})(?:\.[0-9]{1,4})?z",
        ], (m, _) => m.Groups["pb"].Success ? $"https://www.google.com/maps/embed?pb={G(m, "pb")}"
            : m.Groups["q"].Success ? $"https://www.google.com/maps?q={G(m, "q")}&output=embed"
            : $"https://www.google.com/maps?q={G(m, "ll")}&z={G(m, "z")}&output=embed"),

        new("datawrapper", "Datawrapper", EmbedShape.Chart, ["datawrapper.dwcdn.net"],
        [
            @"^https?://datawrapper\.dwcdn\.net/(?<id>[A-Za-z0-9]{5})(?:/(?<v>[0-9]{1,4}))?/?(?:[?#]|$)",
            @"^https?://app\.datawrapper\.de/(?:chart|map|table)/(?<id>[A-Za-z0-9]{5})(?:/[a-z]{1,20})?/?(?:[?#]|$)",
        ], (m, _) => $"https://datawrapper.dwcdn.net/{G(m, "id")}/" + (m.Groups["v"].Success ? $"{G(m, "v")}/" : "")),

        new("flourish", "Flourish", EmbedShape.Chart, ["flo.uri.sh"],
        [
            @"^https?://public\.flourish\.studio/(?<kind>visualisation|story)/(?<id>[0-9]{1,12})/?(?:[?#]|$)",
            @"^https?://flo\.uri\.sh/(?<kind>visualisation|story)/(?<id>[0-9]{1,12})(?:/embed)?/?(?:[?#]|$)",
        ], (m, _) => $"https://flo.uri.sh/{G(m, "kind").ToLowerInvariant()}/{G(m, "id")}/embed"),
    ];

    private static readonly Dictionary<string, EmbedProvider> ById = All.ToDictionary(p => p.Id, StringComparer.Ordinal);

    /// <summary>The provider with this id, or null.</summary>
    public static EmbedProvider? Find(string? id) => id is not null && ById.TryGetValue(id, out var provider) ? provider : null;

    /// <summary>
    /// The provider and player address of <paramref name="url"/>, or null when it is not an http(s) address of a
    /// listed provider (an unknown site, a look-alike host, a javascript: or data: address, spaces or quotes).
    /// </summary>
    public static EmbedMatch? Recognize(string? url)
    {
        var value = url?.Trim();
        if (string.IsNullOrEmpty(value) || value.Length > MaxUrlLength || !UrlCharacters.IsMatch(value)) return null;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0) return null;
        foreach (var provider in All)
        {
            foreach (var regex in provider.Regexes)
            {
                var match = regex.Match(value);
                if (match.Success) return new EmbedMatch(provider, value, provider.FrameSrc(match, value));
            }
        }
        return null;
    }

    /// <summary>Every frame host, in table order, each once: the public CSP's frame-src.</summary>
    public static IReadOnlyList<string> FrameHosts { get; } = [.. All.SelectMany(p => p.FrameHosts).Distinct(StringComparer.Ordinal)];

    /// <summary>The public CSP's frame-src sources: exactly the providers' player hosts, over https.</summary>
    public static string FrameSources { get; } = string.Join(' ', FrameHosts.Select(h => "https://" + h));

    /// <summary>The table as the editor script takes it (id, name, patterns), so the editor recognises what the server keeps.</summary>
    public static IReadOnlyList<object> ForEditor() =>
        [.. All.Select(p => new { id = p.Id, name = p.Name, patterns = p.Patterns })];
}
