using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Breaking;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.LiveBlogs;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Unit;

/// <summary>The live blog's and the banner's rules, and the per-reader queue's bound.</summary>
public sealed class LiveBlogRulesTests
{
    [Theory]
    [InlineData(NewsroomRoles.Administrator, false, true)]
    [InlineData(NewsroomRoles.Editor, false, true)]
    [InlineData(NewsroomRoles.Author, true, true)]
    [InlineData(NewsroomRoles.Author, false, false)]
    [InlineData(NewsroomRoles.Contributor, true, false)]
    [InlineData(NewsroomRoles.Contributor, false, false)]
    [InlineData("Reader", true, false)]
    public void Desk_runs_any_coverage_authors_their_own_contributors_none(string role, bool own, bool allowed) =>
        Assert.Equal(allowed, LiveBlogRules.MayRunCoverage(role, own));

    [Fact]
    public void Only_articles_outside_the_trash_carry_coverage()
    {
        Assert.Null(LiveBlogRules.Refusal(ArticleKind.Article, trashed: false));
        Assert.Equal(LiveBlogRules.NotAnArticle, LiveBlogRules.Refusal(ArticleKind.Page, trashed: false));
        Assert.Equal(LiveBlogRules.Trashed, LiveBlogRules.Refusal(ArticleKind.Article, trashed: true));
    }

    [Fact]
    public void An_entry_needs_text_or_an_image_and_stays_short()
    {
        Assert.Equal(LiveBlogRules.Empty, LiveBlogRules.CheckEntry("<p></p>", " ", null));
        Assert.Null(LiveBlogRules.CheckEntry("<p></p>", "", 7));
        Assert.Null(LiveBlogRules.CheckEntry("<p>x</p>", "x", null));
        Assert.Equal(LiveBlogRules.TooLong, LiveBlogRules.CheckEntry(new string('x', LiveBlogRules.MaxHtmlLength + 1), "x", null));
    }

    [Fact]
    public void Readers_see_pinned_entries_on_top_then_newest_first_ties_by_id()
    {
        var at = new DateTime(2026, 12, 5, 10, 0, 0, DateTimeKind.Utc);
        (long Id, bool Pinned, DateTime At)[] entries = [(1, false, at), (2, true, at.AddMinutes(-5)), (3, false, at.AddMinutes(1)), (4, false, at)];
        var order = LiveBlogRules.ReaderOrder(entries, e => e.Pinned, e => e.At, e => e.Id).Select(e => e.Id);
        Assert.Equal([2L, 3, 4, 1], order);
    }

    [Fact]
    public void A_key_event_title_is_the_start_of_its_text_cut_at_a_word()
    {
        Assert.Equal("Polls close", LiveBlogRules.KeyEventTitle("  Polls \n close "));
        var title = LiveBlogRules.KeyEventTitle(string.Join(' ', Enumerable.Repeat("word", 50)), 30);
        Assert.EndsWith("…", title);
        Assert.True(title.Length <= 31);
    }

    [Fact]
    public void A_banner_needs_text_and_an_expiry_in_the_next_thirty_days_and_its_html_is_encoded()
    {
        var now = new DateTime(2026, 12, 5, 10, 0, 0, DateTimeKind.Utc);
        Assert.NotNull(BreakingRules.Check(new BannerInput(" ", null, now.AddHours(1)), now));
        Assert.NotNull(BreakingRules.Check(new BannerInput("Flood", null, now), now));
        Assert.NotNull(BreakingRules.Check(new BannerInput("Flood", null, now.AddDays(31)), now));
        Assert.Null(BreakingRules.Check(new BannerInput("Flood", null, now.AddDays(1)), now));
        Assert.False(BreakingRules.IsShown(now, now));
        Assert.Equal("", BreakingRules.InnerHtml(null));
        var html = BreakingRules.InnerHtml(new BannerView("<b>Flood</b>", 3, "Headline", "/news/flood", now, now, "Ed"));
        Assert.Contains("&lt;b&gt;Flood&lt;/b&gt;", html);
        Assert.Contains("href=\"/news/flood\"", html);
    }

    [Fact]
    public void A_reader_that_falls_a_queue_behind_is_disconnected_instead_of_holding_memory()
    {
        var options = Options.Create(new LiveOptions { QueueLength = 4, Heartbeat = TimeSpan.FromMinutes(5) });
        var bus = new MessageBus(new RedisConnection(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), NullLogger<RedisConnection>.Instance),
            NullLogger<MessageBus>.Instance);
        using var stream = new LiveStream(bus, options, new FakeTimeProvider());
        var reader = stream.Connect(7)!;
        Assert.Equal(1, stream.CountOf(7));
        for (var i = 0; i < 5; i++) stream.SendToAll(LiveFrame.Of("event: x\ndata: {}\n\n"));
        // The fifth frame did not fit: the stream is ended (its browser reconnects and catches up from the database).
        Assert.False(reader.Queue.Writer.TryWrite(LiveFrame.Of("")));
        stream.Disconnect(reader);
        Assert.Equal(0, stream.Count);
    }
}
