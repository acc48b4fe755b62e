using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.OutputCaching;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// The one rule for what a change evicts from the public cache. Every cached public response carries tags saying
/// what it shows; every change readers can see is a <see cref="PublicChange"/> naming the tags it evicts, sent to
/// every node (<see cref="PublicContent"/>). A later feature that shows something new tags its pages here and
/// declares a <see cref="PublicChange"/> for its writes.
/// <list type="bullet">
/// <item><c>public</c> (<see cref="Everything"/>): every public response. Evicted by a settings, navigation or logo
/// change, by anything shown on every page (a section in the navigation, its order), by media edits (an image can be
/// anywhere: logo, avatars, bodies), by account deletions and demo content, and when a node may have missed messages.</item>
/// <item><c>article:{id}</c>: every page that shows the article or names it: its own page, and every page listing it
/// (home, section, tag, author pages), showing it as previous/next in its section, in its stored Related list
/// (shown or not, so a republished story comes back) or in a See-also card.</item>
/// <item><c>article-page:{id}</c>: the article's own page only, for changes that alter it without touching what it
/// shows of itself (another article now its previous or next, its Related list ranked again).</item>
/// <item><c>section:{id}</c>, <c>tag:{id}</c>, <c>author:{id}</c>: the term's own listing pages (every page number; the
/// author page shows the profile too).</item>
/// <item><c>page:{id}</c>: every response that shows a static page or links it: its own address, and, while the
/// administrator links it in the navigation or the footer, every page (the layout tags each response with every
/// linked page, shown or not, so a page published again comes back to the links).</item>
/// <item><c>home</c>: every page of the home page. <c>feeds</c>: every feed and sitemap (every public endpoint that is
/// not a page). <c>search</c>: every search result page.</item>
/// <item><c>most-read</c>: the home page's "Most read" block, even while the list is empty. Evicted by each node's
/// <c>Readership.MostRead</c> when its list changes (other articles, another order, a headline), which it works out
/// every few minutes and at once when an article on it changes; the counts themselves are not shown, so counting
/// alone evicts nothing. Article pages show the block too but do not follow the list: readers reorder it every few
/// minutes, and evicting every article page each time would leave the long tail cold. An article page keeps the
/// list it was rendered with (for the entry's lifetime at most) and is tagged <c>article:{id}</c> of each story it
/// shows, so a story edited or unpublished leaves it at once; MostRead evicts those tags once more when its list
/// has taken the change in.</item>
/// </list>
/// The Content API's answers use the same tags (see <c>GhostApi.ContentApiDependencies</c>): its lists carry <c>feeds</c>,
/// its single items the item's own tag.
/// Only 200 answers are stored (404, 410 and redirects never are), so an unknown or removed address needs no tag.
/// What evicts what:
/// <list type="bullet">
/// <item>Publishing, editing (while public), unpublishing or trashing an article: <c>article:{id}</c>, <c>home</c>,
/// <c>feeds</c>, <c>search</c>, its section, tag and author pages before and after the change, the article pages that
/// now show it as previous or next (they showed something else) and those whose Related lists were ranked again with
/// it (<c>article-page:{id}</c> of each: their own pages, not every page listing them).</item>
/// <item>Publishing, editing (while public), unpublishing or trashing a page: <c>page:{id}</c> and <c>feeds</c> (the
/// sitemap lists pages). It is in no list, feed or search, so nothing else.</item>
/// <item>Editing or deleting an author or a section that is not in the navigation: its own pages, <c>feeds</c>,
/// <c>search</c>, plus <c>article:{id}</c> of every article filed under it. That is the simplest honest rule: an
/// article's page and every card of it show its section and bylines, so the pages showing its articles are the
/// pages that can show the term (a few more: Related lists show headlines only).</item>
/// <item>Editing, merging or deleting a tag: the same, but <c>article-page:{id}</c> of its articles, as only an
/// article's own page shows its tags.</item>
/// <item>Site settings (title, logo, navigation...), sections in the navigation or their order: <c>public</c>.</item>
/// <item>Related lists ranked in the background (an import's long tail): <c>article-page:{id}</c> of each article
/// whose stored list changed, and nothing when none did. When a publish ranks again the lists of the stories it
/// relates to, only those whose stored list came out different count as changed.</item>
/// <item>Editorial notes (adding, replying, resolving): nothing. Readers never see them, and the public body has no
/// marks (<see cref="ArticleHtml.SanitizeAnnotated"/>). A save that only moves a mark is an article edit like any
/// other and evicts as one.</item>
/// <item>A live-blog entry posted, edited or deleted (LiveBlogs): <c>article-page:{id}</c> (the article's page and its
/// Content API item show the entries), <c>live:{id}</c> (its catch-up windows, <c>/live/{id}/entries</c>) and
/// <c>feeds</c> (the RSS item and API lists carry the latest entries). No list changes: the article's card does not.</item>
/// <item>Live coverage turned on or ended: <c>article:{id}</c> (the "Live" badge on every list showing it, its page's
/// structured data), <c>live:{id}</c>, <c>home</c> and <c>feeds</c>.</item>
/// <item>The breaking-news banner set, cleared or expired (Breaking): <c>public</c>, as it is on every page.</item>
/// <item>The front page's slots saved, or a pin running out (FrontPage): <c>home</c>. The home page also carries
/// <c>live:{id}</c> of a live lead, as it shows the lead's latest key event.</item>
/// <item>A correction or update added, edited or withdrawn (Corrections): <c>article-page:{id}</c> (the article's page
/// shows it at the end, its JSON-LD and dateModified; its Content API item carries it), <c>corrections</c> (every page
/// of /corrections) and <c>feeds</c> (the RSS item and API lists carry it, the sitemap's lastmod moves). Lists show no
/// time of change, so no <c>article:{id}</c>. The /corrections pages also carry <c>article:{id}</c> of each article
/// they name, so a headline changed or an article unpublished drops out at once.</item>
/// </list>
/// </summary>
public static partial class PublicDependencies
{
    public const string Everything = "public";
    public const string Home = "home";
    public const string Feeds = "feeds";
    public const string Search = "search";
    public const string MostRead = "most-read";
    public const string Corrections = "corrections";

    public static string Article(int id) => "article:" + id;
    public static string Section(int id) => SectionPrefix + id;
    internal const string SectionPrefix = "section:";
    public static string Tag(int id) => "tag:" + id;
    public static string Author(int id) => "author:" + id;
    public static string OwnPage(int articleId) => "article-page:" + articleId;
    public static string Page(int pageId) => "page:" + pageId;
    public static string Live(int articleId) => "live:" + articleId;

    /// <summary>Adds tags to the public response being rendered; nothing when it is not being cached (staff, a POST).</summary>
    public static void Show(HttpContext? context, IEnumerable<string> tags)
    {
        if (context?.Features.Get<IOutputCacheFeature>() is not { } feature) return;
        foreach (var tag in tags) feature.Context.Tags.Add(tag);
    }

    public static void Show(HttpContext? context, params string[] tags) => Show(context, (IEnumerable<string>)tags);

    /// <summary>Tags of a page listing these articles (besides its own).</summary>
    public static IEnumerable<string> Listing(IEnumerable<PublicArticleSummary> articles) => articles.Select(a => Article(a.Id));

    /// <summary>What an article page shows: the article (and its own page), and every other article it shows or names.</summary>
    public static IEnumerable<string> ForArticlePage(PublicArticle article) =>
        article.OtherArticleIds.Concat(SeeAlsoIds(article.BodyHtml)).Prepend(article.Id).Distinct().Select(Article).Append(OwnPage(article.Id));

    /// <summary>The articles the See-also cards in a body point to.</summary>
    internal static IEnumerable<int> SeeAlsoIds(string bodyHtml) =>
        bodyHtml.Contains("see-also", StringComparison.Ordinal)
            ? SeeAlsoCard().Matches(bodyHtml).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            : [];

    [GeneratedRegex(@"data-article-id=""(\d{1,9})""")]
    private static partial Regex SeeAlsoCard();
}

/// <summary>
/// One change readers can see: what changed (for logs) and the tags it evicts on every node (see
/// <see cref="PublicDependencies"/>). Sent over the message bus as JSON.
/// </summary>
public sealed record PublicChange(string What, IReadOnlyList<string> Evicts)
{
    public bool EvictsEverything => Evicts.Contains(PublicDependencies.Everything);

    /// <summary>Something shown on every page, or anywhere: everything is evicted.</summary>
    public static PublicChange EverythingBecause(string what) => new(what, [PublicDependencies.Everything]);

    public static PublicChange Settings => EverythingBecause("site settings");

    /// <summary>Articles published, edited while public, unpublished or trashed, with what each showed before and shows after.</summary>
    public static PublicChange Articles(IReadOnlyCollection<ArticleChange> changes) => new(
        "articles " + string.Join(", ", changes.Select(c => c.Id)),
        [
            // Pages are in no list and no search: only articles change the home page and search results.
            .. changes.Any(c => !c.IsPage) ? [PublicDependencies.Home, PublicDependencies.Search] : Array.Empty<string>(),
            PublicDependencies.Feeds,
            .. changes.SelectMany(c => c.Tags()).Distinct(),
        ]);

    /// <summary>A section or an author edited or deleted: its pages, feeds, search and every page showing one of its articles.</summary>
    public static PublicChange Term(string termTag, IEnumerable<int> articleIds) => new(
        termTag, [termTag, PublicDependencies.Feeds, PublicDependencies.Search, .. articleIds.Distinct().Select(PublicDependencies.Article)]);

    /// <summary>Tags edited, merged or deleted: their pages, feeds, search and the own pages of their articles.</summary>
    public static PublicChange Tags(IEnumerable<int> tagIds, IEnumerable<int> articleIds)
    {
        string[] tags = [.. tagIds.Select(PublicDependencies.Tag)];
        return new(string.Join(", ", tags), [.. tags, PublicDependencies.Feeds, PublicDependencies.Search, .. articleIds.Distinct().Select(PublicDependencies.OwnPage)]);
    }

    /// <summary>A live-blog entry posted, edited or deleted (see <see cref="PublicDependencies"/>).</summary>
    public static PublicChange LiveEntries(int articleId) => new(
        "live entries of article " + articleId, [PublicDependencies.OwnPage(articleId), PublicDependencies.Live(articleId), PublicDependencies.Feeds]);

    /// <summary>Live coverage turned on or ended: the badge on the lists showing the article.</summary>
    public static PublicChange LiveCoverage(int articleId) => new(
        "live coverage of article " + articleId,
        [PublicDependencies.Article(articleId), PublicDependencies.Live(articleId), PublicDependencies.Home, PublicDependencies.Feeds]);

    /// <summary>Related lists ranked in the background (RelatedBackfill): each shows only on its article's own page.</summary>
    public static PublicChange RelatedLists(IReadOnlyCollection<int> articleIds) => new(
        "related articles of " + articleIds.Count + " articles", [.. articleIds.Select(PublicDependencies.OwnPage)]);

    /// <summary>The front page's slots saved, or a pin ran out: only the home page shows them.</summary>
    public static PublicChange FrontPage => new("front page", [PublicDependencies.Home]);
    /// <summary>A correction or update added, edited or withdrawn (see <see cref="PublicDependencies"/>).</summary>
    public static PublicChange Corrections(int articleId) => new(
        "corrections of article " + articleId, [PublicDependencies.OwnPage(articleId), PublicDependencies.Corrections, PublicDependencies.Feeds]);

    internal string ToJson() => JsonSerializer.Serialize(this);

    internal static PublicChange FromJson(string json) =>
        JsonSerializer.Deserialize<PublicChange>(json) ?? throw new JsonException("An empty public change.");
}

/// <summary>
/// What one article showed before a change and shows after it. <paramref name="Others"/>: the articles whose pages
/// change with it although they did not show it (its new previous and next in its section, the articles whose
/// Related lists were ranked again with it).
/// </summary>
public sealed record ArticleChange(int Id, ArticleFiling Before, ArticleFiling After, IReadOnlyCollection<int> Others)
{
    /// <summary>A static page: shown at its own address and where it is linked (<see cref="PublicDependencies.Page"/>).</summary>
    public bool IsPage { get; private init; }

    public static ArticleChange Page(int id) => new(id, ArticleFiling.None, ArticleFiling.None, []) { IsPage = true };

    internal IEnumerable<string> Tags() => IsPage ? [PublicDependencies.Page(Id)] :
        new[] { Before, After }.SelectMany(f => f.Tags())
            .Prepend(PublicDependencies.Article(Id))
            .Concat(Others.Select(PublicDependencies.OwnPage));
}

/// <summary>Where an article is filed: its section, tags and bylines (none when it does not exist).</summary>
public sealed record ArticleFiling(int? SectionId, IReadOnlyCollection<int> TagIds, IReadOnlyCollection<int> AuthorIds)
{
    public static readonly ArticleFiling None = new(null, [], []);

    internal IEnumerable<string> Tags() =>
        TagIds.Select(PublicDependencies.Tag).Concat(AuthorIds.Select(PublicDependencies.Author))
            .Concat(SectionId is { } section ? [PublicDependencies.Section(section)] : []);
}
