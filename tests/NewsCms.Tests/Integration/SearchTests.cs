using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Search;

namespace NewsCms.Tests.Integration;

public class SearchTests
{
    /// <summary>An app with the administrator, who writes and publishes the stories each test searches.</summary>
    private sealed class Newsroom : IAsyncDisposable
    {
        private Newsroom(NewsCmsAppFactory app, AsyncServiceScope scope, System.Security.Claims.ClaimsPrincipal admin)
        {
            App = app;
            Scope = scope;
            Admin = admin;
            Articles = scope.ServiceProvider.NewsroomArticles();
        }

        public NewsCmsAppFactory App { get; }
        public AsyncServiceScope Scope { get; }
        public IServiceProvider Services => Scope.ServiceProvider;
        public System.Security.Claims.ClaimsPrincipal Admin { get; }
        public NewsroomArticles Articles { get; }
        public ArticleSearch Search => Services.GetRequiredService<ArticleSearch>();

        public static async Task<Newsroom> StartAsync()
        {
            var app = await NewsCmsAppFactory.CreateAsync();
            return new Newsroom(app, app.Services.CreateAsyncScope(), await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail));
        }

        /// <summary>A new story (body HTML as given), published unless told not to; its id and version after that.</summary>
        public async Task<SaveOutcome> WriteAsync(string headline, string bodyHtml, bool publish = true)
        {
            var saved = await Articles.Editing.SaveAsync(Admin, null, new ArticleInput { Headline = headline, BodyHtml = bodyHtml }, null, SaveKind.Manual);
            if (!publish) return saved;
            var published = await Articles.Workflow.PublishAsync(Admin, saved.Id, saved.Version);
            Assert.True(published.Succeeded, published.Error);
            return saved with { Version = published.Value!.Version };
        }

        public async ValueTask DisposeAsync()
        {
            await Scope.DisposeAsync();
            await App.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("harbour", "\"harbour\"")]
    [InlineData("  harbour   ferries ", "\"harbour\" \"ferries\"")]
    [InlineData("\"city council\" budget", "\"city council\" \"budget\"")]
    [InlineData("budg*", "\"budg\"*")]
    [InlineData("a NEAR b", "\"a\" \"NEAR\" \"b\"")]
    [InlineData("\"unbalanced quote", "\"unbalanced quote\"")]
    [InlineData("col:umn OR -x (y)", "\"col umn\" \"OR\" \"x\" \"y\"")]
    [InlineData("Crème brûlée", "\"Crème\" \"brûlée\"")]
    public void Reader_text_becomes_quoted_fts_terms(string text, string expected) =>
        Assert.Equal(expected, ArticleSearch.ToMatchExpression(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("* \" ( ) : ^")]
    public void Text_without_words_searches_nothing(string? text) => Assert.Null(ArticleSearch.ToMatchExpression(text));

    [Fact]
    public void Snippets_are_encoded_before_highlighting() =>
        Assert.Equal("&lt;b&gt;x&lt;/b&gt; <mark>harbour</mark> &amp; more",
            ArticleSearch.Highlight("<b>x</b> \u0001harbour\u0002 & more"));

    [Fact]
    public async Task Search_finds_published_articles_ranked_with_highlights_and_stays_in_step()
    {
        await using var newsroom = await Newsroom.StartAsync();
        var (articles, admin) = (newsroom.Articles, newsroom.Admin);
        await newsroom.WriteAsync("Weather warning for the coast", "<p>The harbour will close if the storm arrives.</p>");
        var headlineHit = await newsroom.WriteAsync("Harbour reopens", "<p>Boats are back.</p>");
        await newsroom.WriteAsync("Harbour draft", "<p>Not public yet: harbour.</p>", publish: false);

        using var reader = newsroom.App.CreateClient();
        var page = await reader.GetStringAsync("/search?q=harbour");
        Assert.Contains("2 results", page);
        Assert.True(page.IndexOf("Harbour reopens", StringComparison.Ordinal) < page.IndexOf("Weather warning", StringComparison.Ordinal), "the headline match ranks first");
        Assert.Contains("<mark>harbour</mark>", page);
        Assert.DoesNotContain("Harbour draft", page);

        // Stemming and prefixes.
        Assert.Contains("Harbour reopens", await reader.GetStringAsync("/search?q=reopening"));
        Assert.Contains("Weather warning", await reader.GetStringAsync("/search?q=weath*"));

        // Edits and unpublishing keep the index in step.
        var edited = await articles.Editing.SaveAsync(admin, headlineHit.Id, new ArticleInput { Headline = "Marina reopens", BodyHtml = "<p>Boats are back.</p>" }, headlineHit.Version, SaveKind.Manual);
        Assert.Contains("Marina reopens", await reader.GetStringAsync("/search?q=marina"));
        var harbourAfterEdit = await reader.GetStringAsync("/search?q=harbour");
        Assert.Contains("1 result ", harbourAfterEdit);
        Assert.DoesNotContain("Marina reopens", harbourAfterEdit);
        await articles.Workflow.UnpublishAsync(admin, headlineHit.Id, edited.Version);
        Assert.Contains("No articles match", await reader.GetStringAsync("/search?q=marina"));
    }

    [Fact]
    public async Task An_older_better_match_outranks_a_thousand_newer_weaker_ones()
    {
        await using var newsroom = await Newsroom.StartAsync();
        // The best match is the oldest: "harbour" in its headline and all through its body.
        var best = (await newsroom.WriteAsync("Harbour strike ends", "<p>The harbour strike ended at the harbour gates; harbour workers return.</p>")).Id;
        // Then 1,001 newer stories that mention the harbour once, in passing (copies of one, made in a single save).
        var weak = (await newsroom.WriteAsync("Council weighs bus fares", "<p>Fares rise in spring; the route past the harbour is unchanged, the council said on Monday.</p>")).Id;
        await using (var db = await newsroom.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            var source = await db.Articles.AsNoTracking().SingleAsync(a => a.Id == weak);
            var copies = Enumerable.Range(1, 1_000).Select(i => new Article
            {
                Headline = source.Headline, Standfirst = source.Standfirst, Slug = $"council-weighs-bus-fares-{i}",
                BodyHtml = source.BodyHtml, BodyText = source.BodyText, WordCount = source.WordCount, ReadingMinutes = source.ReadingMinutes,
                Status = source.Status, CreatedAt = source.CreatedAt, UpdatedAt = source.UpdatedAt, PublishedAt = source.PublishedAt,
                FirstPublishedAt = source.FirstPublishedAt, CreatedById = source.CreatedById, CreatedByName = source.CreatedByName,
                LastEditedById = source.LastEditedById, LastEditedByName = source.LastEditedByName, SectionId = source.SectionId,
                Version = Guid.NewGuid(),
            }).ToList();
            db.Articles.AddRange(copies);
            await db.SaveChangesAsync();
            await ArticleSearch.SyncManyAsync(db, [.. copies.Select(c => c.Id)], default);
        }

        var found = await newsroom.Search.SearchAsync("harbour", 0, 20);
        Assert.Equal(1_002, found.Total);
        Assert.Equal(best, found.Items[0].Id);
        Assert.Equal(20, found.Items.Count);
        Assert.DoesNotContain(found.Items.Skip(1), hit => hit.Id == best);
    }

    [Fact]
    public async Task Every_page_of_a_search_follows_the_index_rank_of_the_whole_query()
    {
        await using var newsroom = await Newsroom.StartAsync();
        string[] headlines = ["Harbour ferry timetable", "Ferry crews at the harbour", "Harbour wall repairs", "New ferry", "Harbour ferry harbour ferry", "Council meets"];
        for (var i = 0; i < 24; i++)
        {
            var body = string.Join(' ', Enumerable.Range(0, i % 7).Select(n => n % 2 == 0 ? "harbour" : "ferry")) + " words to vary the length " + new string('x', i % 5);
            await newsroom.WriteAsync(headlines[i % headlines.Length] + " " + i, $"<p>{body}</p>");
        }

        foreach (var query in new[] { "harbour", "harbour ferry", "ferry harbour harbour", "\"harbour ferry\"", "harb* ferry" })
        {
            await AssertFollowsIndexRankAsync(newsroom, query);
        }
    }

    [Fact]
    public async Task A_publish_keeps_the_searched_lists_and_updates_them_to_the_index_rank()
    {
        await using var newsroom = await Newsroom.StartAsync();
        var (articles, admin) = (newsroom.Articles, newsroom.Admin);
        Task<SaveOutcome> Publish(string headline, string text) => newsroom.WriteAsync(headline, $"<p>{text}</p>");
        var published = new List<SaveOutcome>();
        for (var i = 0; i < 12; i++)
        {
            published.Add(await Publish($"Ferry notes {i}",
                string.Join(' ', Enumerable.Range(0, 1 + i % 5).Select(n => n % 2 == 0 ? "harbour" : "ferry")) + " and more words " + new string('x', i % 3)));
        }
        // Stories without the words, so that they are rare enough for bm25's idf to weigh them (and to move with a publish).
        for (var i = 0; i < 30; i++) await Publish($"Council meets {i}", "The council met " + new string('y', 1 + i % 4));
        var scores = newsroom.Services.GetRequiredService<SearchScores>();
        string[] queries = ["harbour", "harbour ferry", "\"harbour ferry\"", "harb* ferry"];
        foreach (var query in queries) await AssertFollowsIndexRankAsync(newsroom, query);
        var (reads, updates) = scores.Counts;

        // A new article that is the best match, an edit that takes the word out, an article unpublished.
        var best = await Publish("Harbour ferry: the harbour ferry returns", "The harbour ferry is back in the harbour.");
        var edited = published[0];
        await articles.Editing.SaveAsync(admin, edited.Id, new ArticleInput { Headline = "Ferry notes 0", BodyHtml = "<p>ferry only now</p>" }, edited.Version, SaveKind.Manual);
        var gone = published[4];
        await articles.Workflow.UnpublishAsync(admin, gone.Id, gone.Version);

        foreach (var query in queries)
        {
            var ranked = await AssertFollowsIndexRankAsync(newsroom, query);
            Assert.Equal(best.Id, ranked[0]);
            Assert.DoesNotContain(gone.Id, ranked);
        }
        Assert.DoesNotContain(edited.Id, await AssertFollowsIndexRankAsync(newsroom, "harbour"));
        // Every list was brought up to date, none read again.
        Assert.Equal(reads, scores.Counts.Reads);
        Assert.True(scores.Counts.Updates > updates);
    }

    /// <summary>Every page of <paramref name="query"/> in turn, compared with the index's own rank of the whole query; the ids found, best first.</summary>
    private static async Task<List<int>> AssertFollowsIndexRankAsync(Newsroom newsroom, string query)
    {
        var search = newsroom.Search;
        var expected = await IndexRankAsync(newsroom.Services, query);
        var ranked = new List<int>();
        for (var page = 0; ; page++)
        {
            var found = await search.SearchAsync(query, page, 5);
            Assert.Equal(expected.Count, found.Total);
            if (found.Items.Count == 0) break;
            ranked.AddRange(found.Items.Select(h => h.Id));
        }
        Assert.Equal(expected, ranked);
        return ranked;
    }

    /// <summary>The ids the index itself ranks for a whole query, best first (SQLite: bm25 of the query; PostgreSQL: the sum of its terms' ts_rank).</summary>
    private static async Task<List<int>> IndexRankAsync(IServiceProvider services, string query)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        if (db.Database.IsNpgsql())
        {
            var terms = ArticleSearch.Terms(query);
            var rank = string.Join(" + ", terms.Select((t, i) => $"ts_rank(\"Document\", {(t.Prefix ? $"to_tsquery('newscms', {{{i}}})" : $"websearch_to_tsquery('newscms', {{{i}}})")})::float8"));
            var match = string.Join(" AND ", terms.Select((t, i) => $"\"Document\" @@ {(t.Prefix ? $"to_tsquery('newscms', {{{i}}})" : $"websearch_to_tsquery('newscms', {{{i}}})")}"));
            object[] values = [.. terms.Select(t => (object)(t.Prefix ? t.Text + ":*" : "\"" + t.Text + "\""))];
            // Only the index's own expressions are put in; the terms go in as parameters.
            var sql = $"""SELECT "ArticleId" AS "Value" FROM "ArticleSearch" WHERE {match} ORDER BY {rank} DESC, "ArticleId" DESC""";
            return await db.Database.SqlQueryRaw<int>(sql, values).ToListAsync();
        }
        return await db.Database.SqlQueryRaw<int>(
            "SELECT rowid AS Value FROM ArticleSearch WHERE ArticleSearch MATCH {0} ORDER BY bm25(ArticleSearch, 10.0, 4.0, 1.0, 3.0, 3.0), rowid DESC",
            ArticleSearch.ToMatchExpression(query)!).ToListAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData("\"")]
    [InlineData("\"\"\"")]
    [InlineData("*")]
    [InlineData("NEAR(a b)")]
    [InlineData("harbour AND OR NOT")]
    [InlineData("'; DROP TABLE Articles; --")]
    [InlineData("<script>alert(1)</script>")]
    public async Task Hostile_or_odd_queries_never_fail(string query)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var reader = app.CreateClient();
        var response = await reader.GetAsync("/search?q=" + Uri.EscapeDataString(query));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("<script>alert(1)</script>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_prefix_finds_words_that_start_with_it_even_when_it_is_a_common_word()
    {
        await using var newsroom = await Newsroom.StartAsync();
        await newsroom.WriteAsync("Theatre reopens after repairs", "<p>Curtain up.</p>");
        using var reader = newsroom.App.CreateClient();

        // "the" is a word English search drops; as a prefix it still reaches "theatre", as SQLite's index does.
        Assert.Contains("Theatre reopens after repairs", await reader.GetStringAsync("/search?q=the*"));
        Assert.Contains("Theatre reopens after repairs", await reader.GetStringAsync("/search?q=the*+curtain"));
        Assert.Contains("Theatre reopens after repairs", await reader.GetStringAsync("/search?q=repa*+reop*"));
    }

    [Fact]
    public async Task A_kilobyte_of_junk_is_answered_with_no_results()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var reader = app.CreateClient();
        var junk = string.Concat(Enumerable.Range(0, 1024).Select(i => (char)('!' + i % 90)));
        var response = await reader.GetAsync("/search?q=" + Uri.EscapeDataString(junk));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("No articles match", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Both words highlighted where they stand together (SQLite marks adjacent matches as one).</summary>
    private const string BothMarked = "<mark>lighthouse</mark> <mark>keeper</mark>|<mark>lighthouse keeper</mark>";

    [Fact]
    public async Task Snippets_show_where_the_whole_search_matches_however_far_into_a_long_story()
    {
        await using var newsroom = await Newsroom.StartAsync();
        var filler = string.Concat(Enumerable.Repeat("<p>The tide came in over the sand and went out again by the pier.</p>", 60));
        // Found once, 4,000 characters in.
        await newsroom.WriteAsync("Evening on the coast", filler + "<p>At dusk the lighthouse lamp was lit for the last time.</p>");
        // One word early, both together only at the end.
        await newsroom.WriteAsync("Night shift", "<p>A keeper of the old ways spoke first.</p>" + filler + "<p>The lighthouse keeper climbed the stairs.</p>");
        // Words whose stem is not how they are written ("happy" is happi), and an accented one, far in.
        await newsroom.WriteAsync("Village fete", filler + "<p>A happy crowd ate crème brûlée on the green.</p>");
        // The word is first found inside another one ("start"), and as itself only far in.
        await newsroom.WriteAsync("Gallery opens", "<p>A start was made.</p>" + filler + "<p>Modern art fills the hall.</p>");

        var lighthouse = await newsroom.Search.SearchAsync("lighthouse", 0, 20);
        var evening = Assert.Single(lighthouse.Items, h => h.Headline == "Evening on the coast");
        Assert.Contains("<mark>lighthouse</mark> lamp", evening.SnippetHtml);
        // The snippet starts on a whole word of the text.
        var firstWord = evening.SnippetHtml.TrimStart('…', ' ').Split(' ')[0];
        Assert.Contains(" " + firstWord + " ", " " + filler.Replace("<p>", " ").Replace("</p>", " ") + " At dusk the lighthouse lamp was lit for the last time. ");

        var both = Assert.Single((await newsroom.Search.SearchAsync("lighthouse keeper", 0, 20)).Items);
        Assert.Equal("Night shift", both.Headline);
        Assert.Matches(BothMarked, both.SnippetHtml);

        var phrase = Assert.Single((await newsroom.Search.SearchAsync("\"lighthouse keeper\"", 0, 20)).Items);
        Assert.Matches(BothMarked, phrase.SnippetHtml);

        var happy = Assert.Single((await newsroom.Search.SearchAsync("happy", 0, 20)).Items);
        Assert.Contains("<mark>happy</mark> crowd", happy.SnippetHtml);
        var accented = Assert.Single((await newsroom.Search.SearchAsync("creme", 0, 20)).Items);
        Assert.Contains("<mark>crème</mark>", WebUtility.HtmlDecode(accented.SnippetHtml));
        var art = Assert.Single((await newsroom.Search.SearchAsync("art", 0, 20)).Items);
        Assert.Contains("<mark>art</mark> fills", art.SnippetHtml);

        // A phrase only the headline has: SQLite's snippet may take it from the headline; PostgreSQL's comes from the
        // text, and is then the text's opening.
        await newsroom.WriteAsync("Harbour plan approved", "<p>Councillors voted on Monday.</p>" + filler);
        var headlineOnly = Assert.Single((await newsroom.Search.SearchAsync("\"harbour plan\"", 0, 20)).Items);
#if NEWSCMS_POSTGRESQL
        Assert.StartsWith("Councillors voted on Monday.", headlineOnly.SnippetHtml.TrimStart());
        Assert.DoesNotContain("<mark>", headlineOnly.SnippetHtml);
#else
        Assert.Contains("<mark>Harbour plan</mark>", headlineOnly.SnippetHtml);
#endif
    }
}
