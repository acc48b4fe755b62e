using NewsCms.Web.Features.Embeds;

namespace NewsCms.Tests.Unit;

/// <summary>The provider table: each provider recognised by its URL patterns, the player address computed from it, look-alikes refused.</summary>
public class EmbedProvidersTests
{
    public static TheoryData<string, string, string> Recognised() => new()
    {
        { "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" },
        { "https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" },
        { "https://youtu.be/dQw4w9WgXcQ?si=abc", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" },
        { "https://m.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" },
        { "https://vimeo.com/76979871", "vimeo", "https://player.vimeo.com/video/76979871?dnt=1" },
        { "https://vimeo.com/76979871/abc123def0", "vimeo", "https://player.vimeo.com/video/76979871?dnt=1&h=abc123def0" },
        { "https://x.com/newsdesk/status/1850000000000000000", "x", "https://platform.twitter.com/embed/Tweet.html?id=1850000000000000000&dnt=true" },
        { "https://twitter.com/newsdesk/status/20?s=20", "x", "https://platform.twitter.com/embed/Tweet.html?id=20&dnt=true" },
        { "https://www.instagram.com/p/C0abcDEF123/", "instagram", "https://www.instagram.com/p/C0abcDEF123/embed/" },
        { "https://www.instagram.com/reel/C0abcDEF123/?igsh=x", "instagram", "https://www.instagram.com/reel/C0abcDEF123/embed/" },
        { "https://www.facebook.com/harbourtrust/posts/pfbid02abc", "facebook", "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fharbourtrust%2Fposts%2Fpfbid02abc" },
        { "https://www.facebook.com/watch/?v=123456789", "facebook", "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fwatch%2F%3Fv%3D123456789" },
        { "https://www.tiktok.com/@harbour.trust/video/7300000000000000000", "tiktok", "https://www.tiktok.com/embed/v2/7300000000000000000" },
        { "https://bsky.app/profile/newsdesk.bsky.social/post/3kabcdefghij2", "bluesky", "https://embed.bsky.app/embed/newsdesk.bsky.social/app.bsky.feed.post/3kabcdefghij2" },
        { "https://mastodon.social/@newsdesk/111222333444555666", "mastodon", "https://mastodon.social/@newsdesk/111222333444555666/embed" },
        { "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk", "spotify", "https://open.spotify.com/embed/episode/4rOoJ6Egrf8K2IrywzwOMk" },
        { "https://open.spotify.com/intl-de/track/4rOoJ6Egrf8K2IrywzwOMk?si=1", "spotify", "https://open.spotify.com/embed/track/4rOoJ6Egrf8K2IrywzwOMk" },
        { "https://soundcloud.com/harbour-radio/storm-special", "soundcloud", "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fharbour-radio%2Fstorm-special" },
        { "https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2482", "google-maps", "https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2482" },
        { "https://www.google.com/maps/place/Fallow+Point/@50.1,-5.2,15z", "google-maps", "https://www.google.com/maps?q=Fallow+Point&output=embed" },
        { "https://www.google.com/maps/@50.123,-5.456,14z", "google-maps", "https://www.google.com/maps?q=50.123,-5.456&z=14&output=embed" },
        { "https://datawrapper.dwcdn.net/AbC12/3/", "datawrapper", "https://datawrapper.dwcdn.net/AbC12/3/" },
        { "https://app.datawrapper.de/chart/AbC12/visualize", "datawrapper", "https://datawrapper.dwcdn.net/AbC12/" },
        { "https://public.flourish.studio/visualisation/1234567/", "flourish", "https://flo.uri.sh/visualisation/1234567/embed" },
        { "https://flo.uri.sh/story/98765/embed", "flourish", "https://flo.uri.sh/story/98765/embed" },
    };

    [Theory]
    [MemberData(nameof(Recognised))]
    public void A_provider_is_recognised_by_its_URL_and_its_player_address_computed(string url, string provider, string frameSrc)
    {
        var match = EmbedProviders.Recognize(url);
        Assert.NotNull(match);
        Assert.Equal(provider, match.Provider.Id);
        Assert.Equal(url, match.Url);
        Assert.Equal(frameSrc, match.FrameSrc);
        Assert.Contains(new Uri(frameSrc).Host, match.Provider.FrameHosts);
    }

    [Fact]
    public void Every_provider_of_the_issue_is_in_the_table_with_a_sample()
    {
        Assert.Equal(
            ["youtube", "vimeo", "x", "instagram", "facebook", "tiktok", "bluesky", "mastodon", "spotify", "soundcloud", "google-maps", "datawrapper", "flourish"],
            EmbedProviders.All.Select(p => p.Id));
        var sampled = Recognised().Select(row => row.Data.Item2).ToHashSet();
        Assert.All(EmbedProviders.All, p => Assert.Contains(p.Id, sampled));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("javascript:alert(1)//https://www.youtube.com/watch?v=dQw4w9WgXcQ")]
    [InlineData("data:text/html,https://youtu.be/dQw4w9WgXcQ")]
    [InlineData("ftp://youtu.be/dQw4w9WgXcQ")]
    [InlineData("//youtu.be/dQw4w9WgXcQ")]
    [InlineData("https://example.com/watch?v=dQw4w9WgXcQ")]
    [InlineData("https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ")]
    [InlineData("https://evilyoutube.com/watch?v=dQw4w9WgXcQ")]
    [InlineData("https://www.youtube.com@evil.example/watch?v=dQw4w9WgXcQ")]
    [InlineData("https://user:pass@www.youtube.com/watch?v=dQw4w9WgXcQ")]
    [InlineData("https://evil.example/?u=https://www.youtube.com/watch?v=dQw4w9WgXcQ")]
    [InlineData("https://www.youtube.com/watch?v=dQw4w9WgXcQ\" onload=\"alert(1)")]
    [InlineData("https://www.youtube.com/watch?v=dQw4w9WgXcQ<script>")]
    [InlineData("https://www.youtube.com/watch?v=dQw4w9WgXcQ\nx")]
    [InlineData("https://www.youtube.com/watch?v=short")]
    [InlineData("https://www.youtube.com/channel/UCabc")]
    [InlineData("https://mastodon.evil.example/@newsdesk/111222333444555666")]
    [InlineData("https://evil.example/@newsdesk/111222333444555666")]
    [InlineData("https://open.spotify.com.evil.example/track/4rOoJ6Egrf8K2IrywzwOMk")]
    [InlineData("https://www.google.com/search?q=maps")]
    [InlineData("https://www.google.com/maps/embed?pb=x\"><script>")]
    public void Anything_else_is_not_an_embed(string url) => Assert.Null(EmbedProviders.Recognize(url));

    [Fact]
    public void A_URL_longer_than_the_limit_is_refused() =>
        Assert.Null(EmbedProviders.Recognize("https://www.youtube.com/watch?v=dQw4w9WgXcQ&x=" + new string('a', EmbedProviders.MaxUrlLength)));

    [Fact]
    public void The_frame_sources_are_exactly_the_providers_player_hosts_over_https()
    {
        var sources = EmbedProviders.FrameSources.Split(' ');
        Assert.All(sources, s => Assert.StartsWith("https://", s));
        Assert.Equal(EmbedProviders.All.SelectMany(p => p.FrameHosts).Distinct().Order(), sources.Select(s => s["https://".Length..]).Order());
        Assert.Contains("https://www.youtube-nocookie.com", sources);
        Assert.DoesNotContain("https://www.youtube.com", sources);
    }

    [Fact]
    public void The_editor_gets_the_same_patterns()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(EmbedProviders.ForEditor());
        foreach (var provider in EmbedProviders.All)
        {
            Assert.Contains($"\"id\":\"{provider.Id}\"", json);
            foreach (var pattern in provider.Patterns) Assert.Contains(System.Text.Json.JsonSerializer.Serialize(pattern), json);
        }
    }
}
