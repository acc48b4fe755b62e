using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Demo;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Tests.Integration;

/// <summary>The demo content that <c>--demo</c> adds at start-up, through the same call Program.cs makes.</summary>
public sealed partial class DemoContentTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] DemoArgs = ["--urls", "http://127.0.0.1:0", "--demo"];

    [Fact]
    public void The_demo_argument_is_kept_from_the_configuration()
    {
        Assert.Equal(new[] { "--urls", "http://127.0.0.1:0" }, DemoSetup.WithoutDemoArgument(DemoArgs));
        Assert.Equal(new[] { "--environment", "Production" }, DemoSetup.WithoutDemoArgument(["--environment", "Production"]));
    }

    [Fact]
    public void Demo_pictures_are_the_same_on_every_run()
    {
        Assert.Equal(DemoImages.Featured(7, 200).Jpeg, DemoImages.Featured(7, 200).Jpeg);
        Assert.NotEqual(DemoImages.Featured(7, 200).Jpeg, DemoImages.Featured(8, 200).Jpeg);
        Assert.Equal(DemoImages.Avatar("Maya Okonkwo", 18).Png, DemoImages.Avatar("Maya Okonkwo", 18).Png);
        Assert.Equal("MO", DemoImages.Initials("Maya Okonkwo"));
    }

    [Fact]
    public async Task Without_the_argument_nothing_is_added()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.CreateClient().Dispose();

        Assert.Null(await app.Services.AddDemoContentIfRequestedAsync(["--urls", "http://127.0.0.1:0"]));

        await using var db = await OpenAsync(app);
        Assert.Equal(0, await db.Articles.CountAsync());
        Assert.Equal(0, await db.MediaItems.CountAsync());
    }

    [Fact]
    public async Task Demo_fills_an_empty_site_that_readers_can_browse_and_a_second_run_changes_nothing()
    {
        // An Administrator account exists (bootstrapped, with its byline): accounts are not content.
        await using var app = await StartAsync();
        var outcome = await app.Services.AddDemoContentIfRequestedAsync(DemoArgs);

        Assert.NotNull(outcome);
        Assert.True(outcome.Added);
        Assert.Contains(app.Logs.Lines, l => l.Contains($"Demo content added: {outcome.Articles} articles, {outcome.Sections} sections"));

        await using var db = await OpenAsync(app);
        var articles = await db.Articles.AsNoTracking().ToListAsync();
        Assert.True(articles.Count >= 30, $"{articles.Count} articles");
        Assert.Equal(articles.Count, outcome.Articles);
        Assert.All(articles, a =>
        {
            Assert.Equal(ArticleStatus.Published, a.Status);
            Assert.NotNull(a.FirstPublishedAt);
            Assert.Equal(a.PublishedAt, a.FirstPublishedAt);
            Assert.InRange(a.PublishedAt!.Value, Now.UtcDateTime.AddDays(-11), Now.UtcDateTime);
            Assert.NotNull(a.FeaturedImageId);
            Assert.NotNull(a.SectionId);
            Assert.NotEmpty(a.Standfirst);
            // Stored exactly as the article service stores a save.
            Assert.Equal(ArticleHtml.Sanitize(a.BodyHtml), a.BodyHtml);
            Assert.Equal(ArticleHtml.ToPlainText(a.BodyHtml), a.BodyText);
            Assert.InRange(a.WordCount, 150, 2000);
            Assert.Equal(ArticleHtml.ReadingMinutes(a.WordCount), a.ReadingMinutes);
        });
        Assert.Equal(articles.Count, articles.Select(a => a.Slug).Distinct().Count());
        // Every block of the editor in at least one story (issue 15): an embed, kept by the policy as written.
        Assert.Contains(articles, a => a.BodyHtml.Contains("<figure class=\"embed\" data-provider=\"youtube\"><a href=\"https://www.youtube.com/watch?v=", StringComparison.Ordinal));
        var lead = Assert.Single(articles, a => a.IsFeatured);
        Assert.True(lead.PublishedAt > Now.UtcDateTime.AddHours(-48));
        Assert.True(articles.Count(a => a.PublishedAt > Now.UtcDateTime.AddHours(-48)) >= 5);

        var sections = await db.Sections.AsNoTracking().OrderBy(s => s.Position).ToListAsync();
        Assert.True(sections.Count >= 5);
        Assert.All(sections, s => Assert.True(s.ShowInNavigation));
        Assert.Equal(sections.Count, sections.Select(s => s.Position).Distinct().Count());

        var tagsPerArticle = await db.ArticleTags.GroupBy(at => at.ArticleId).Select(g => g.Count()).ToListAsync();
        Assert.Equal(articles.Count, tagsPerArticle.Count);
        Assert.All(tagsPerArticle, n => Assert.InRange(n, 3, 5));
        Assert.True(await db.Tags.CountAsync() >= 20);
        var bylinesPerArticle = await db.ArticleAuthors.GroupBy(aa => aa.ArticleId).Select(g => g.Count()).ToListAsync();
        Assert.Equal(articles.Count, bylinesPerArticle.Count);
        Assert.All(bylinesPerArticle, n => Assert.InRange(n, 1, 2));

        var authors = await db.AuthorProfiles.AsNoTracking().Where(p => p.UserId == null).ToListAsync();
        Assert.True(authors.Count >= 4);
        Assert.All(authors, p =>
        {
            Assert.NotEmpty(p.Bio);
            Assert.NotEmpty(p.JobTitle);
            Assert.NotNull(p.AvatarId);
            Assert.NotNull(p.Website);
        });
        Assert.Equal(1, await db.Users.CountAsync());

        var images = await db.MediaItems.AsNoTracking().Select(MediaImage.Projection).ToListAsync();
        Assert.Equal(outcome.Images, images.Count);
        Assert.All(images, i =>
        {
            Assert.NotEmpty(i.AltText);
            Assert.Equal(DemoContent.ImageCredit, i.Credit);
        });
        var featured = images.Where(i => articles.Any(a => a.FeaturedImageId == i.Id)).ToList();
        Assert.Equal(articles.Count, featured.Count);
        Assert.All(featured, i => Assert.Equal((DemoImages.FeaturedWidth, DemoImages.FeaturedHeight), (i.Width, i.Height)));
        // One story shows every editor block; its gallery's pictures are library images of their own.
        var gallery = images.Where(i => i.OriginalFileName.StartsWith("regatta-", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, gallery.Count);
        Assert.All(images.Except(featured).Except(gallery), i => Assert.Equal((DemoImages.AvatarSize, DemoImages.AvatarSize), (i.Width, i.Height)));
        var withBlocks = Assert.Single(articles, a => a.BodyHtml.Contains("<div class=\"gallery\">", StringComparison.Ordinal));
        foreach (var block in new[] { "<table><tbody><tr><th>", "<aside class=\"fact-box\"><h2 class=\"fact-box__title\">", "<aside class=\"pull-quote\">" })
        {
            Assert.Contains(block, withBlocks.BodyHtml);
        }
        Assert.StartsWith("<aside class=\"key-points\"><ul>", withBlocks.BodyHtml);
        Assert.All(gallery, i => Assert.Contains($"/media/{i.StorageKey}/", withBlocks.BodyHtml));

        // See-also cards point at other published demo articles, at their current address.
        var byId = articles.ToDictionary(a => a.Id);
        var seeAlso = articles.SelectMany(a => SeeAlsoCard().Matches(a.BodyHtml).Select(m => (From: a, Id: int.Parse(m.Groups["id"].Value), Href: m.Groups["href"].Value))).ToList();
        Assert.True(seeAlso.Count >= 5, $"{seeAlso.Count} See-also cards");
        Assert.All(seeAlso, s =>
        {
            Assert.NotEqual(s.From.Id, s.Id);
            Assert.True(byId.TryGetValue(s.Id, out var target), $"See-also to unknown article {s.Id}");
            Assert.Equal(ArticleUrls.ForSlug(target.Slug), s.Href);
        });

        // Every story has its Related articles ranked and stored, never itself.
        var relations = await db.ArticleRelations.ToListAsync();
        Assert.All(articles, a => Assert.InRange(relations.Count(r => r.ArticleId == a.Id), RelatedArticles.Minimum, 8));
        Assert.DoesNotContain(relations, r => r.ArticleId == r.RelatedArticleId);

        var site = await app.Services.GetRequiredService<SiteSettingsStore>().GetAsync();
        Assert.NotEmpty(site.Tagline);
        Assert.NotEmpty(site.FooterText);
        Assert.NotEqual("NewsCms", site.Title);
        Assert.Equal(site.Title, site.PublicationName);
        Assert.Contains(site.FollowLinks, l => l.Url == "https://news.example.test/feed.xml");

        Assert.Single(await db.AuditEntries.Where(e => e.Action == AuditActions.DemoContentAdded).ToListAsync());
        Assert.Equal(articles.Count, await db.ArticleRevisions.CountAsync(r => r.Kind == RevisionKind.Published));

        // Readers see it.
        using var reader = app.CreateClient();
        var home = await reader.GetStringAsync("/");
        Assert.Contains(lead.Headline, home);
        // The demo arranges the front page: its slots are stored, and the home page leads with the chosen story.
        Assert.Equal([0, 1, 2], await db.FrontPageSlots.OrderBy(s => s.Position).Select(s => s.Position).ToListAsync());
        var leadSlot = await db.FrontPageSlots.Where(s => s.Position == 0).Select(s => s.ArticleId).SingleAsync();
        Assert.Contains(await db.Articles.Where(a => a.Id == leadSlot).Select(a => a.Headline).SingleAsync(),
            new AngleSharp.Html.Parser.HtmlParser().ParseDocument(home).QuerySelector(".home-lead .article-card__headline")!.TextContent);
        Assert.Contains(WebUtility.HtmlEncode(site.Tagline), home);
        Assert.Contains($"href=\"/section/{sections[0].Slug}\"", home);

        var (from, toId, href) = seeAlso[0];
        var page = await reader.GetStringAsync(ArticleUrls.ForSlug(from.Slug));
        Assert.Contains("class=\"see-also\"", page);
        Assert.Contains($"href=\"{href}\"", page);
        Assert.Contains("class=\"author-box\"", page);
        Assert.Contains("Related articles", page);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(href)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/section/{sections[^1].Slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/author/{authors[0].Slug}")).StatusCode);

        // A correction and an update, at the end of their story and on /corrections.
        var corrections = await db.ArticleCorrections.AsNoTracking().ToListAsync();
        Assert.Contains(corrections, c => c.Kind == NewsCms.Web.Features.Corrections.CorrectionKind.Correction);
        Assert.Contains(corrections, c => c.Kind == NewsCms.Web.Features.Corrections.CorrectionKind.Update);
        var corrected = articles.Single(a => a.Id == corrections[0].ArticleId);
        Assert.Equal(corrections.Max(c => c.CreatedAt), corrected.UpdatedAt);
        Assert.Contains("Correction, ", await reader.GetStringAsync(ArticleUrls.ForSlug(corrected.Slug)));
        Assert.Contains($"href=\"{ArticleUrls.ForSlug(corrected.Slug)}#correction-", await reader.GetStringAsync("/corrections"));

        foreach (var image in images)
        {
            foreach (var url in new[] { image.OriginalUrl, image.WebpUrl(image.VariantWidths[^1]), image.FallbackUrl(image.VariantWidths[0]) })
            {
                Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(url)).StatusCode);
            }
        }

        var search = await reader.GetStringAsync("/search?q=seagrass");
        Assert.Contains("Seagrass meadow in the bay has doubled", search);

        var newsSitemap = XDocument.Parse(await reader.GetStringAsync("/news-sitemap.xml"));
        Assert.Equal(articles.Count(a => a.PublishedAt > Now.UtcDateTime.AddHours(-48)), newsSitemap.Root!.Elements().Count());

        // A second run finds articles, says so and changes nothing.
        var before = await SnapshotAsync(app);
        var again = await app.Services.AddDemoContentIfRequestedAsync(DemoArgs);
        Assert.NotNull(again);
        Assert.False(again.Added);
        Assert.Equal(articles.Count, again.ExistingArticles);
        Assert.Equal(before, await SnapshotAsync(app));
        Assert.Contains(app.Logs.Lines, l => l.Contains($"Demo content not added: this site already has {articles.Count} article(s). Serving it unchanged."));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_site_with_one_draft_or_trashed_article_is_left_as_it_is(bool trashed)
    {
        await using var app = await StartAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var service = scope.ServiceProvider.NewsroomArticles();
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var draft = await service.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Our first draft", BodyHtml = "<p>Not yet.</p>" }, null, SaveKind.Manual);
            if (trashed) Assert.True((await service.Workflow.TrashAsync(admin, draft.Id, draft.Version)).Succeeded);
        }
        var before = await SnapshotAsync(app);

        var outcome = await app.Services.AddDemoContentIfRequestedAsync(DemoArgs);

        Assert.NotNull(outcome);
        Assert.False(outcome.Added);
        Assert.Equal(1, outcome.ExistingArticles);
        Assert.Equal(before, await SnapshotAsync(app));
        Assert.Contains(app.Logs.Lines, l => l.Contains("Demo content not added: this site already has 1 article(s)."));
    }

    [Fact]
    public async Task A_failure_part_way_leaves_no_rows_and_no_files()
    {
        // Avatars (0.16 megapixels) pass, featured images (1.44) are refused: the demo stops after storing some images.
        await using var app = await StartAsync(new() { ["NewsCms:Media:MaxMegapixels"] = "1" });
        var before = await SnapshotAsync(app);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Services.AddDemoContentIfRequestedAsync(DemoArgs));

        Assert.Contains("megapixels", error.Message);
        Assert.Equal(before, await SnapshotAsync(app));
        var root = app.Services.GetRequiredService<MediaStorage>().RootPath;
        Assert.DoesNotContain(Directory.EnumerateDirectories(root), d => MediaStorage.IsValidKey(Path.GetFileName(d)));
    }

    private static async Task<NewsCmsAppFactory> StartAsync(Dictionary<string, string?>? settings = null)
    {
        // One small variant per image keeps the forty-odd images quick to process; the media tests cover the widths.
        settings ??= [];
        settings.TryAdd("NewsCms:Media:VariantWidths:0", "320");
        var app = await NewsCmsAppFactory.CreateAsync(settings);
        app.TestServices = services =>
        {
            services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        };
        app.CreateClient().Dispose();
        return app;
    }

    private static async Task<NewsCmsDbContext> OpenAsync(NewsCmsAppFactory app) =>
        await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();

    /// <summary>Rows of everything the demo writes, and the image folders on disk.</summary>
    private static async Task<string> SnapshotAsync(NewsCmsAppFactory app)
    {
        await using var db = await OpenAsync(app);
        var root = app.Services.GetRequiredService<MediaStorage>().RootPath;
        var settings = string.Join(",", await db.SiteSettings.OrderBy(s => s.Key).Select(s => s.Key + "=" + s.Value).ToListAsync());
        return $"articles {await db.Articles.CountAsync()}, sections {await db.Sections.CountAsync()}, tags {await db.Tags.CountAsync()}, " +
            $"authors {await db.AuthorProfiles.CountAsync()}, bylines {await db.ArticleAuthors.CountAsync()}, media {await db.MediaItems.CountAsync()}, " +
            $"folders {Directory.EnumerateDirectories(root).Count(d => MediaStorage.IsValidKey(Path.GetFileName(d)))}, " +
            $"revisions {await db.ArticleRevisions.CountAsync()}, audit {await db.AuditEntries.CountAsync(e => e.Action == AuditActions.DemoContentAdded)}, settings {settings}";
    }

    [GeneratedRegex("<aside class=\"see-also\" data-article-id=\"(?<id>[0-9]+)\"><span class=\"see-also__label\">See also:</span> <a href=\"(?<href>[^\"]+)\">")]
    private static partial Regex SeeAlsoCard();
}
