using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Tests.Unit;

/// <summary>The rule of what a change evicts from the public cache, and what an article page says it shows.</summary>
public class PublicDependenciesTests
{
    [Fact]
    public void An_article_change_evicts_its_pages_before_and_after_and_the_own_pages_of_those_it_moved()
    {
        var change = PublicChange.Articles([new ArticleChange(7,
            Before: new ArticleFiling(SectionId: 1, TagIds: [10, 11], AuthorIds: [20]),
            After: new ArticleFiling(SectionId: 2, TagIds: [11, 12], AuthorIds: [21]),
            Others: [30, 31])]);

        Assert.Equivalent(new[]
        {
            "article:7", "home", "feeds", "search",
            "section:1", "section:2", "tag:10", "tag:11", "tag:12", "author:20", "author:21",
            "article-page:30", "article-page:31",
        }, change.Evicts, strict: true);
        Assert.Equal(change.Evicts.Count, change.Evicts.Distinct().Count());
        Assert.False(change.EvictsEverything);
        // Its neighbours and re-ranked articles are not shown differently anywhere else: their listings stay.
        Assert.DoesNotContain("article:30", change.Evicts);
    }

    [Fact]
    public void A_batch_of_articles_is_one_change_naming_each()
    {
        var change = PublicChange.Articles([
            new ArticleChange(1, ArticleFiling.None, new ArticleFiling(3, [], []), []),
            new ArticleChange(2, ArticleFiling.None, new ArticleFiling(3, [], []), [1]),
        ]);
        Assert.Contains("article:1", change.Evicts);
        Assert.Contains("article:2", change.Evicts);
        Assert.Contains("article-page:1", change.Evicts);
        Assert.Single(change.Evicts, "section:3");
    }

    [Fact]
    public void A_section_or_author_edit_evicts_its_pages_and_every_page_showing_its_articles_but_not_the_home_page()
    {
        var change = PublicChange.Term(PublicDependencies.Section(4), [7, 8, 7]);
        Assert.Equivalent(new[] { "section:4", "feeds", "search", "article:7", "article:8" }, change.Evicts, strict: true);
        Assert.DoesNotContain(PublicDependencies.Home, change.Evicts);
        Assert.False(change.EvictsEverything);
    }

    [Fact]
    public void A_tag_edit_evicts_its_pages_and_only_the_own_pages_of_its_articles()
    {
        var change = PublicChange.Tags([4, 5], [7, 8, 7]);
        Assert.Equivalent(new[] { "tag:4", "tag:5", "feeds", "search", "article-page:7", "article-page:8" }, change.Evicts, strict: true);
    }

    [Fact]
    public void Settings_and_navigation_evict_everything()
    {
        Assert.True(PublicChange.Settings.EvictsEverything);
        Assert.Equal([PublicDependencies.Everything], PublicChange.Settings.Evicts);
        Assert.Equal(PublicCache.Tag, PublicDependencies.Everything);
        Assert.True(PublicChange.EverythingBecause("navigation").EvictsEverything);
    }

    [Fact]
    public void A_change_travels_as_json_unchanged()
    {
        var change = PublicChange.Term(PublicDependencies.Author(3), [1, 2]);
        var back = PublicChange.FromJson(change.ToJson());
        Assert.Equal(change.What, back.What);
        Assert.Equal(change.Evicts, back.Evicts);
    }

    [Fact]
    public void An_article_page_shows_itself_its_neighbours_its_stored_related_list_and_its_see_also_cards()
    {
        var body = """
            <p>Text.</p>
            <aside class="see-also" data-article-id="41"><span class="see-also__label">See also:</span> <a href="/news/a">A</a></aside>
            <aside class="see-also" data-article-id="42"><span class="see-also__label">See also:</span> <a href="/news/b">B</a></aside>
            """;
        var article = new PublicArticle(9, "nine", "Nine", "", body, DateTime.UtcNow, DateTime.UtcNow, [], [], null, null, 1, 1, null, null, null,
            OtherArticles: [5, 6, 41]);

        Assert.Equivalent(new[] { "article:9", "article-page:9", "article:5", "article:6", "article:41", "article:42" },
            PublicDependencies.ForArticlePage(article).ToList(), strict: true);
        Assert.Empty(PublicDependencies.SeeAlsoIds("<p>No cards, data-article-id=\"3\" in text only.</p>"));
    }
}
