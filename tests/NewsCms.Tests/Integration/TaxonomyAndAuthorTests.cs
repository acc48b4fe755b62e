using System.Net;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

public class TaxonomyAndAuthorTests : IAsyncLifetime
{
    private NewsCmsAppFactory app = default!;
    private AsyncServiceScope scope;
    private NewsroomArticles articles = default!;
    private TaxonomyService taxonomy = default!;
    private AuthorProfiles authors = default!;
    private ClaimsPrincipal admin = default!;

    public async ValueTask InitializeAsync()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        app.CreateClient().Dispose();
        scope = app.Services.CreateAsyncScope();
        articles = scope.ServiceProvider.NewsroomArticles();
        taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        authors = scope.ServiceProvider.GetRequiredService<AuthorProfiles>();
        admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
    }

    public async ValueTask DisposeAsync()
    {
        await scope.DisposeAsync();
        await app.DisposeAsync();
    }

    private async Task<(ClaimsPrincipal Principal, int ProfileId)> WriterAsync(string role, string name)
    {
        var (id, email, _) = await app.CreateUserAsync(role, displayName: name);
        var principal = await app.PrincipalForAsync(email);
        return (principal, await authors.EnsureForAccountAsync(id, name));
    }

    private async Task<int> PublishAsync(string headline, List<int>? tags = null, int? section = null, List<int>? bylines = null)
    {
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput
        {
            Headline = headline, BodyHtml = "<p>Text.</p>", TagIds = tags ?? [], SectionId = section, AuthorIds = bylines ?? [],
        }, null, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
        return saved.Id;
    }

    [Fact]
    public async Task Renaming_a_tag_redirects_its_old_address_and_merging_moves_articles_and_redirects()
    {
        var budget = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Budget" })).Value!;
        var finance = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "City finance" })).Value!;
        await PublishAsync("Budget passes", [budget.Id]);
        await PublishAsync("Tax rise", [budget.Id, finance.Id]);
        await PublishAsync("Audit report", [finance.Id]);
        using var reader = app.CreateBrowserlikeClient();
        Assert.Contains("Budget passes", await reader.GetStringAsync("/tag/budget"));

        Assert.True((await taxonomy.UpdateTagAsync(admin, budget.Id, new TaxonomyInput { Name = "Council budget" , Slug = "council-budget" })).Succeeded);
        var old = await reader.GetAsync("/tag/budget");
        Assert.Equal(HttpStatusCode.MovedPermanently, old.StatusCode);
        Assert.Equal("/tag/council-budget", old.Headers.Location!.OriginalString);

        Assert.True((await taxonomy.MergeTagsAsync(admin, budget.Id, finance.Id)).Succeeded);
        var merged = await reader.GetStringAsync("/tag/city-finance");
        Assert.Contains("Budget passes", merged);
        Assert.Contains("Tax rise", merged);
        Assert.Contains("Audit report", merged);
        Assert.Equal("/tag/city-finance", (await reader.GetAsync("/tag/council-budget")).Headers.Location!.OriginalString);
        Assert.Equal("/tag/city-finance", (await reader.GetAsync("/tag/budget")).Headers.Location!.OriginalString);
        var list = (await taxonomy.ListTagsAsync(admin, null, 0, 10)).Value!;
        Assert.Equal(3, Assert.Single(list.Items).ArticleCount);
        await SetupTests.AssertAuditedAsync(app, AuditActions.TagsMerged, "Council budget");
    }

    [Fact]
    public async Task Deleting_a_tag_keeps_the_articles_other_tags()
    {
        var a = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Alpha" })).Value!;
        var b = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Beta" })).Value!;
        var id = await PublishAsync("Two tags", [a.Id, b.Id]);
        Assert.True((await taxonomy.DeleteTagAsync(admin, a.Id)).Succeeded);
        var edit = (await articles.Reads.GetForEditAsync(admin, id)).Value!;
        Assert.Equal(["Beta"], edit.Tags.Select(t => t.Name));
        using var reader = app.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/tag/alpha")).StatusCode);
    }

    [Fact]
    public async Task Tag_and_section_rules_by_role()
    {
        var (author, _) = await WriterAsync(NewsroomRoles.Author, "Ann Author");
        var (contributor, _) = await WriterAsync(NewsroomRoles.Contributor, "Cody Contributor");
        Assert.True((await taxonomy.CreateTagAsync(author, new TaxonomyInput { Name = "Made while writing" })).Succeeded);
        Assert.Contains("pick an existing one", (await taxonomy.CreateTagAsync(contributor, new TaxonomyInput { Name = "Nope" })).Error);
        var tag = (await taxonomy.FindTagsAsync(author, "while")).Single();
        Assert.Equal(NewsroomActors.NotAllowed, (await taxonomy.UpdateTagAsync(author, tag.Id, new TaxonomyInput { Name = "Renamed" })).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await taxonomy.CreateSectionAsync(author, new TaxonomyInput { Name = "Sport" })).Error);
        Assert.Contains("already", (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "x", Slug = "made-while-writing" })).Error);
        Assert.Equal(tag.Id, (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "MADE WHILE WRITING" })).Value!.Id);
    }

    [Fact]
    public async Task Sections_are_ordered_shown_in_navigation_and_renamed_with_a_redirect()
    {
        var news = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "News" })).Value!;
        var sport = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Sport" })).Value!;
        await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Hidden desk", ShowInNavigation = false });
        Assert.True((await taxonomy.MoveSectionAsync(admin, sport.Id, -1)).Succeeded);
        Assert.Equal(["Sport", "News", "Hidden desk"], (await taxonomy.ListSectionsAsync()).Select(s => s.Name));

        await PublishAsync("Cup final tonight", section: sport.Id);
        using var reader = app.CreateBrowserlikeClient();
        var home = await reader.GetStringAsync("/");
        Assert.Contains("href=\"/section/sport\"", home);
        Assert.DoesNotContain("hidden-desk", home);
        Assert.Contains("Cup final tonight", await reader.GetStringAsync("/section/sport"));

        // Previous and next within the section.
        await PublishAsync("Semi-final report", section: sport.Id);
        var final = await reader.GetStringAsync("/news/cup-final-tonight");
        Assert.Contains("rel=\"next\" href=\"/news/semi-final-report\"", final);
        Assert.DoesNotContain("rel=\"prev\"", final);
        Assert.Contains("rel=\"prev\" href=\"/news/cup-final-tonight\"", await reader.GetStringAsync("/news/semi-final-report"));
        // One in the middle has both, each on its side.
        await PublishAsync("Trophy parade", section: sport.Id);
        var middle = await reader.GetStringAsync("/news/semi-final-report");
        Assert.Contains("<a rel=\"prev\" href=\"/news/cup-final-tonight\"><span>Previous in Sport</span>Cup final tonight</a>", middle);
        Assert.Contains("<a rel=\"next\" href=\"/news/trophy-parade\"><span>Next in Sport</span>Trophy parade</a>", middle);

        Assert.True((await taxonomy.UpdateSectionAsync(admin, sport.Id, new TaxonomyInput { Name = "Sports", Slug = "sports" })).Succeeded);
        Assert.Equal("/section/sports", (await reader.GetAsync("/section/sport")).Headers.Location!.OriginalString);
        Assert.True((await taxonomy.DeleteSectionAsync(admin, news.Id)).Succeeded);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/section/news")).StatusCode);
    }

    [Fact]
    public async Task Bylines_decide_who_may_edit_and_the_public_page_links_every_author()
    {
        var (first, firstProfile) = await WriterAsync(NewsroomRoles.Author, "Ada First");
        var (second, secondProfile) = await WriterAsync(NewsroomRoles.Author, "Bo Second");
        var guest = (await authors.CreateAsync(admin, new AuthorInput { DisplayName = "Gail Guest", JobTitle = "Wire reporter", Bio = "Writes from the coast. See https://example.org/gail." })).Value;

        var draft = await articles.Editing.SaveAsync(first, null, new ArticleInput { Headline = "Joint report" }, null, SaveKind.Manual);
        Assert.Equal(["Ada First"], (await articles.Reads.GetForEditAsync(first, draft.Id)).Value!.Authors.Select(a => a.Name));
        Assert.Equal(NewsroomActors.NotAllowed, (await articles.Reads.GetForEditAsync(second, draft.Id)).Error);

        // The first writer adds the second and a guest: now the second may edit too.
        var shared = await articles.Editing.SaveAsync(first, draft.Id, new ArticleInput { Headline = "Joint report", AuthorIds = [firstProfile, secondProfile, guest] }, draft.Version, SaveKind.Manual);
        Assert.True(shared.Succeeded, shared.Error);
        var bySecond = await articles.Editing.SaveAsync(second, draft.Id, new ArticleInput { Headline = "Joint report, updated" }, shared.Version, SaveKind.Manual);
        Assert.True(bySecond.Succeeded, bySecond.Error);
        Assert.Contains("Keep yourself among the authors", (await articles.Editing.SaveAsync(second, draft.Id,
            new ArticleInput { Headline = "Joint report", AuthorIds = [firstProfile] }, bySecond.Version, SaveKind.Manual)).Error);

        Assert.True((await articles.Workflow.PublishAsync(second, draft.Id, bySecond.Version)).Succeeded);
        using var reader = app.CreateClient();
        var page = await reader.GetStringAsync("/news/joint-report");
        Assert.Contains("href=\"/author/ada-first\"", page);
        Assert.Contains("href=\"/author/bo-second\"", page);
        Assert.Contains("href=\"/author/gail-guest\"", page);
        Assert.Contains("Wire reporter", page);
        var guestPage = await reader.GetStringAsync("/author/gail-guest");
        Assert.Contains("Writes from the coast.", guestPage);
        Assert.Contains("<a href=\"https://example.org/gail\" rel=\"noopener noreferrer\">", guestPage);
        Assert.Contains("Joint report, updated", guestPage);
    }

    [Fact]
    public async Task An_article_page_reads_its_bylines_in_their_order_with_their_author_boxes_and_its_tags_by_name()
    {
        var zoe = (await authors.CreateAsync(admin, new AuthorInput
        {
            DisplayName = "Zoe Last", JobTitle = "Harbour editor", Bio = "Covers the port.", Website = "https://example.org/zoe", X = "zoelast",
            Facebook = "zoe.last", LinkedIn = "zoelast", Instagram = "zoe.last", Email = "zoe@example.org",
        })).Value;
        var al = (await authors.CreateAsync(admin, new AuthorInput { DisplayName = "Al First" })).Value;
        var weather = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Weather" })).Value!.Id;
        var council = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Council" })).Value!.Id;
        var harbour = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Harbour" })).Value!.Id;
        await PublishAsync("Storm closes the port", tags: [weather, council, harbour], bylines: [zoe, al]);

        var found = Assert.IsType<ArticleLookup.Found>(await app.Services.GetRequiredService<PublicArticles>().FindAsync("storm-closes-the-port"));
        Assert.Equal(
            [
                new Byline(zoe, "Zoe Last", "zoe-last", "Harbour editor", "Covers the port.", null, "https://example.org/zoe", "https://x.com/zoelast",
                    "https://www.facebook.com/zoe.last", "https://www.linkedin.com/in/zoelast", "https://www.instagram.com/zoe.last", "zoe@example.org"),
                new Byline(al, "Al First", "al-first", "", "", null, null, null, null, null, null, null),
            ],
            found.Article.Authors);
        Assert.Equal([new TermLink("Council", "council"), new TermLink("Harbour", "harbour"), new TermLink("Weather", "weather")], found.Article.Tags);
    }

    [Fact]
    public async Task Author_profiles_validate_links_and_keep_bios_plain()
    {
        var (writer, profile) = await WriterAsync(NewsroomRoles.Contributor, "Pat Plain");
        var input = new AuthorInput { DisplayName = "Pat Plain", Bio = "<script>alert(1)</script><b>Bold</b> reporter", X = "@patplain", Website = "javascript:alert(1)" };
        Assert.Contains("Website", (await authors.UpdateAsync(writer, profile, input)).Error);
        input.Website = "pat.example.org";
        Assert.True((await authors.UpdateAsync(writer, profile, input)).Succeeded);
        var saved = (await authors.GetAsync(writer, profile)).Value!;
        Assert.Equal("Bold reporter", saved.Bio);
        Assert.Equal("https://x.com/patplain", saved.X);
        Assert.Equal("https://pat.example.org/", saved.Website);

        var (other, otherProfile) = await WriterAsync(NewsroomRoles.Author, "Other Writer");
        Assert.Contains("own profile", (await authors.UpdateAsync(other, profile, new AuthorInput { DisplayName = "Hijack" })).Error);
        Assert.Equal(NewsroomActors.NotAllowed, (await authors.CreateAsync(other, new AuthorInput { DisplayName = "Ghost" })).Error);
        Assert.True(otherProfile > 0);
    }

    [Fact]
    public async Task Deleting_a_user_hands_their_bylines_to_the_chosen_author_and_never_deletes_articles()
    {
        var (writerId, writerEmail, _) = await app.CreateUserAsync(NewsroomRoles.Author, displayName: "Leaving Writer");
        var writerProfile = await authors.EnsureForAccountAsync(writerId, "Leaving Writer");
        var desk = (await authors.CreateAsync(admin, new AuthorInput { DisplayName = "Staff Reporter" })).Value;
        var id = await PublishAsync("Legacy story", bylines: [writerProfile]);
        var kept = await PublishAsync("Kept byline story", bylines: [writerProfile]);

        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        Assert.True((await users.DeleteAsync(admin, writerId, desk)).Succeeded);
        Assert.Equal(["Staff Reporter"], (await articles.Reads.GetForEditAsync(admin, id)).Value!.Authors.Select(a => a.Name));
        Assert.Equal(["Staff Reporter"], (await articles.Reads.GetForEditAsync(admin, kept)).Value!.Authors.Select(a => a.Name));
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        Assert.Equal(2, await db.Articles.CountAsync(a => a.Id == id || a.Id == kept));
        Assert.False(await db.AuthorProfiles.AnyAsync(a => a.Id == writerProfile));

        // Without a target the byline stays, unlinked from the deleted account.
        var (otherId, _, _) = await app.CreateUserAsync(NewsroomRoles.Author, displayName: "Keeps Byline");
        var otherProfile = await authors.EnsureForAccountAsync(otherId, "Keeps Byline");
        await PublishAsync("Still signed", bylines: [otherProfile]);
        Assert.True((await users.DeleteAsync(admin, otherId)).Succeeded);
        var remaining = await db.AuthorProfiles.AsNoTracking().SingleAsync(a => a.Id == otherProfile);
        Assert.Null(remaining.UserId);
        Assert.NotNull(writerEmail);
    }

    [Fact]
    public async Task Deleting_a_user_or_an_author_profile_empties_the_public_cache()
    {
        using var reader = app.CreateClient();
        var (writerId, _, _) = await app.CreateUserAsync(NewsroomRoles.Author, displayName: "Departing Writer");
        var writerProfile = await authors.EnsureForAccountAsync(writerId, "Departing Writer");
        var desk = (await authors.CreateAsync(admin, new AuthorInput { DisplayName = "Night Desk" })).Value;
        var id = await PublishAsync("Harbour story", bylines: [writerProfile]);
        var page = "/news/" + (await articles.Reads.GetForEditAsync(admin, id)).Value!.Slug;
        Assert.Contains("Departing Writer", await reader.GetStringAsync(page));
        Assert.NotNull((await reader.GetAsync(page)).Headers.Age); // cached

        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        Assert.True((await users.DeleteAsync(admin, writerId, desk)).Succeeded);
        var afterUser = await reader.GetAsync(page);
        Assert.Null(afterUser.Headers.Age);
        Assert.Contains("Night Desk", await afterUser.Content.ReadAsStringAsync());

        var spare = (await authors.CreateAsync(admin, new AuthorInput { DisplayName = "Spare Byline" })).Value;
        var spareSlug = (await authors.GetAsync(admin, spare)).Value!.Slug;
        Assert.Contains("Spare Byline", await reader.GetStringAsync($"/author/{spareSlug}"));
        Assert.NotNull((await reader.GetAsync($"/author/{spareSlug}")).Headers.Age);
        Assert.True((await authors.DeleteAsync(admin, spare)).Succeeded);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await reader.GetAsync($"/author/{spareSlug}")).StatusCode);
    }

    [Fact]
    public void Merge_adds_each_source_article_to_the_target_once() =>
        Assert.Equal([1, 4], TagMerge.ArticlesToAdd([4, 1, 2, 4], new HashSet<int> { 2, 3 }));
}
