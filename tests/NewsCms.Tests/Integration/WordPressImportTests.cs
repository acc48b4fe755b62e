using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Import;
using NewsCms.Web.Features.Redirects;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.WordPress;

namespace NewsCms.Tests.Integration;

/// <summary>The WordPress importer on a real database, with the small news site of Fixtures/WordPress/site.xml.</summary>
public sealed class WordPressImportTests : IAsyncLifetime
{
    private NewsCmsAppFactory app = default!;
    private Actor admin = default!;

    public async ValueTask InitializeAsync()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        admin = new Actor(await app.UserIdAsync(NewsCmsAppFactory.AdminEmail), NewsCmsAppFactory.AdminName, NewsroomRoles.Administrator);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task<ImportReport> ImportAsync(string? export = null, string? uploads = "default", WordPressImportOptions? options = null,
        Func<ImportProgress, Task>? progress = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<WordPressImporter>();
        return await importer.ImportAsync(export ?? WordPressFixtures.Site, uploads == "default" ? WordPressFixtures.Uploads : uploads,
            options ?? new WordPressImportOptions(), admin, progress, TestContext.Current.CancellationToken);
    }

    private async Task<T> DbAsync<T>(Func<NewsCmsDbContext, Task<T>> read)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        return await read(db);
    }

    private Task<Article> ArticleAsync(string headline) =>
        DbAsync(db => db.Articles.AsNoTracking().SingleAsync(a => a.Headline == headline));

    [Fact]
    public async Task Posts_keep_their_dates_and_map_their_statuses()
    {
        var report = await ImportAsync();

        var harbour = await ArticleAsync("Harbour reopens after the storm");
        Assert.Equal(ArticleStatus.Published, harbour.Status);
        Assert.Equal(ArticleKind.Article, harbour.Kind);
        Assert.Equal("harbour-reopens-after-the-storm", harbour.Slug);
        Assert.NotNull(harbour.PublishedAt);
        Assert.Equal(harbour.PublishedAt, harbour.FirstPublishedAt);
        Assert.True(harbour.IsFeatured, "the sticky post is featured");
        Assert.Equal(2024, harbour.PublishedAt!.Value.Year);

        Assert.Equal(ArticleStatus.Scheduled, (await ArticleAsync("Regatta preview: the crews to watch")).Status);
        Assert.Equal(ArticleStatus.Draft, (await ArticleAsync("Draft: council budget")).Status);
        Assert.Equal(ArticleStatus.InReview, (await ArticleAsync("Lifeboat crew honoured")).Status);
        var privatePost = await ArticleAsync("Private: staff rota");
        Assert.Equal(ArticleStatus.Draft, privatePost.Status);
        Assert.Contains(report.Warnings, w => w.ExternalId == "33" && w.Message.Contains("private", StringComparison.Ordinal));

        var about = await ArticleAsync("About us");
        Assert.Equal(ArticleKind.Page, about.Kind);
        Assert.Equal(ArticleStatus.Published, about.Status);
        Assert.Equal("about-us", about.Slug);

        Assert.True(report.CountOf("comment", "not imported (NewsCms has no comments)") > 0);
        Assert.Equal(0, report.CountOf("post", "failed"));
    }

    [Fact]
    public async Task Unicode_titles_and_percent_encoded_slugs_come_through()
    {
        await ImportAsync();

        var tokyo = await ArticleAsync("東京の選挙 2024 🗳️");
        Assert.False(string.IsNullOrEmpty(tokyo.Slug));
        Assert.True(Slugs.IsValid(tokyo.Slug), tokyo.Slug);
        var zoe = await ArticleAsync("Zoë's café reopens — «enfin»");
        Assert.Equal("zoes-cafe-reopens", zoe.Slug);
    }

    [Fact]
    public async Task Authors_become_profiles_and_bylines_follow_the_creator()
    {
        await ImportAsync();

        var profiles = await DbAsync(db => db.AuthorProfiles.AsNoTracking().ToListAsync());
        var maria = Assert.Single(profiles, p => p.DisplayName == "Maria Göransson");
        Assert.Equal("maria@oldnews.example", maria.Email);
        Assert.Null(maria.UserId);
        Assert.Single(profiles, p => p.DisplayName == "Seán O’Brien");
        Assert.Single(profiles, p => p.DisplayName == "田中 美咲");

        var harbour = await ArticleAsync("Harbour reopens after the storm");
        var bylines = await DbAsync(db => db.ArticleAuthors.AsNoTracking().Where(a => a.ArticleId == harbour.Id).ToListAsync());
        Assert.Single(bylines);
        Assert.Null(await DbAsync(db => db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == "maria@oldnews.example")));
    }

    [Fact]
    public async Task With_accounts_the_authors_get_accounts_without_passwords()
    {
        await ImportAsync(options: new WordPressImportOptions(CreateAccounts: true));

        var user = await DbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == "maria@oldnews.example"));
        Assert.Null(user.PasswordHash);
        var profile = await DbAsync(db => db.AuthorProfiles.AsNoTracking().SingleAsync(p => p.Email == "maria@oldnews.example"));
        Assert.Equal(user.Id, profile.UserId);
    }

    [Fact]
    public async Task Categories_become_flat_sections_and_tags_keep_unicode_names()
    {
        var report = await ImportAsync();

        var sections = await DbAsync(db => db.Sections.AsNoTracking().ToListAsync());
        Assert.Contains(sections, s => s.Slug == "news");
        Assert.Contains(sections, s => s.Slug == "local");
        Assert.Contains(report.Warnings, w => w.Kind == "category" && w.ExternalId == "local" && w.Message.Contains("flat", StringComparison.Ordinal));
        Assert.Contains(sections, s => s.Slug == "cafe-culture");

        var tags = await DbAsync(db => db.Tags.AsNoTracking().ToListAsync());
        Assert.Contains(tags, t => t.Name == "東京");
        Assert.Equal(tags.Count, tags.Select(t => t.Name).Distinct().Count());
        Assert.Single(tags, t => t.Slug == "elections");
    }

    [Fact]
    public async Task Featured_images_come_into_the_library_with_alt_text_and_a_missing_file_is_a_warning()
    {
        var report = await ImportAsync();

        var harbour = await ArticleAsync("Harbour reopens after the storm");
        Assert.NotNull(harbour.FeaturedImageId);
        var image = await DbAsync(db => db.MediaItems.AsNoTracking().SingleAsync(m => m.Id == harbour.FeaturedImageId));
        Assert.False(string.IsNullOrWhiteSpace(image.AltText));
        Assert.False(string.IsNullOrEmpty(image.VariantWidths));
        Assert.Contains(report.Warnings, w => w.Message.Contains("missing.jpg", StringComparison.Ordinal));
        Assert.True(report.CountOf("attachment", "imported") >= 2);
    }

    [Fact]
    public async Task Redirects_are_made_for_old_post_category_tag_and_query_addresses()
    {
        await ImportAsync();

        var harbour = await ArticleAsync("Harbour reopens after the storm");
        var redirects = await DbAsync(db => db.Redirects.AsNoTracking().ToListAsync());
        Assert.Contains(redirects, r => r.FromPath == "/2024/03/04/harbour-reopens-after-the-storm" && r.TargetKind == RedirectTargetKind.Article && r.TargetId == harbour.Id);
        Assert.Contains(redirects, r => r.FromPath == "/?p=21" && r.TargetId == harbour.Id);
        var about = await ArticleAsync("About us");
        Assert.Contains(redirects, r => r.FromPath == "/?page_id=40" && r.TargetId == about.Id);
        Assert.Contains(redirects, r => r.FromPath == "/category/news/local" && r.TargetKind == RedirectTargetKind.Section);
        Assert.Contains(redirects, r => r.FromPath == "/tag/東京" && r.TargetKind == RedirectTargetKind.Tag);
        Assert.Contains(redirects, r => r.FromPath == "/feed" && r.TargetPath == "/feed.xml");
        Assert.Contains(redirects, r => r.FromPath == "/tag/elections/feed" && r.TargetPath == "/tag/elections/feed.xml");
        // A subcategory answers at its full path and at its own slug's, as WordPress did.
        Assert.Contains(redirects, r => r.FromPath == "/category/local" && r.TargetKind == RedirectTargetKind.Section);
        // Where the old address is the new one (/tag/elections, /author/editor, /about-us), there is nothing to redirect.
        Assert.DoesNotContain(redirects, r => r.FromPath is "/tag/elections" or "/author/editor" or "/about-us");
        Assert.All(redirects, r => Assert.Equal(RedirectOrigin.Import, r.Origin));
    }

    [Theory]
    [InlineData("/2024/03/04/harbour-reopens-after-the-storm/", "/news/harbour-reopens-after-the-storm")]
    [InlineData("/2024/03/04/harbour-reopens-after-the-storm", "/news/harbour-reopens-after-the-storm")]
    [InlineData("/?p=22", "/news/cafe-owners-welcome-new-rules")]
    [InlineData("/?page_id=41", "/corrections-policy")]
    [InlineData("/2024/03/13/zoes-caf%C3%A9-reopens/", "/news/zoes-cafe-reopens")]
    [InlineData("/category/news/local/", "/section/local")]
    [InlineData("/category/culture/caf%C3%A9-culture/", "/section/cafe-culture")]
    [InlineData("/feed/", "/feed.xml")]
    [InlineData("/category/news/feed/", "/section/news/feed.xml")]
    [InlineData("/tag/elections/feed/", "/tag/elections/feed.xml")]
    public async Task Old_addresses_answer_with_a_permanent_redirect_to_the_new_ones(string old, string expected)
    {
        await ImportAsync();
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(old, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location!.OriginalString);
        var landed = await client.GetAsync(expected, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, landed.StatusCode);
    }

    [Fact]
    public async Task The_old_address_of_a_post_imported_as_a_draft_is_not_redirected_until_it_is_published()
    {
        await ImportAsync();
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync("/?p=31", TestContext.Current.CancellationToken);

        Assert.NotEqual(System.Net.HttpStatusCode.MovedPermanently, response.StatusCode);
    }

    [Fact]
    public async Task Running_again_imports_nothing_twice_and_keeps_what_was_edited_here()
    {
        await ImportAsync();
        var counts = await DbAsync(async db => (await db.Articles.CountAsync(), await db.MediaItems.CountAsync(), await db.Tags.CountAsync(),
            await db.Sections.CountAsync(), await db.AuthorProfiles.CountAsync(), await db.Redirects.CountAsync()));
        var harbour = await ArticleAsync("Harbour reopens after the storm");
        await DbAsync(db => db.Articles.Where(a => a.Id == harbour.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Headline, "Harbour reopens (corrected)").SetProperty(a => a.Version, Guid.NewGuid())));

        var second = await ImportAsync();

        Assert.Equal(counts, await DbAsync(async db => (await db.Articles.CountAsync(), await db.MediaItems.CountAsync(), await db.Tags.CountAsync(),
            await db.Sections.CountAsync(), await db.AuthorProfiles.CountAsync(), await db.Redirects.CountAsync())));
        Assert.Equal("Harbour reopens (corrected)", (await DbAsync(db => db.Articles.AsNoTracking().SingleAsync(a => a.Id == harbour.Id))).Headline);
        Assert.Equal(0, second.CountOf("post", "imported"));
        Assert.True(second.CountOf("post", "already imported") > 0);
    }

    [Fact]
    public async Task A_run_stopped_part_way_is_resumed_by_running_it_again()
    {
        var stopAfter = 3;
        using var stop = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ImportAsync(progress: p =>
        {
            if (p.Processed >= stopAfter) throw new OperationCanceledException("the process stopped");
            return Task.CompletedTask;
        }));
        var partial = await DbAsync(db => db.Articles.CountAsync());
        Assert.InRange(partial, 1, 12);
        // Every article there is whole: it has its revision and its import record.
        Assert.Equal(partial, await DbAsync(db => db.ImportedItems.CountAsync(i => i.Kind == "post" || i.Kind == "page")));
        Assert.Equal(partial, await DbAsync(db => db.ArticleRevisions.Select(r => r.ArticleId).Distinct().CountAsync()));

        await ImportAsync();

        var all = await DbAsync(db => db.Articles.AsNoTracking().Select(a => a.Headline).ToListAsync());
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Contains("Corrections policy", all);
    }

    [Fact]
    public async Task A_dry_run_writes_nothing_and_reports_what_would_happen()
    {
        var before = await DatabaseSnapshot.TakeAsync(app.Database);

        var report = await ImportAsync(options: new WordPressImportOptions(DryRun: true));

        Assert.True(report.CountOf("post", "imported") >= 8);
        Assert.Equal(2, report.CountOf("page", "imported"));
        Assert.Empty((await DatabaseSnapshot.TakeAsync(app.Database)).ChangedSince(before));
        Assert.Empty(await DbAsync(db => db.Articles.ToListAsync()));
    }

    [Fact]
    public async Task An_uploads_zip_with_an_entry_outside_its_folder_is_refused()
    {
        var zipPath = Path.Combine(Path.GetTempPath(), $"slip-{Guid.NewGuid():N}.zip");
        try
        {
            using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
            {
                zip.CreateEntry("uploads/2024/03/harbour.jpg");
                zip.CreateEntry("../../etc/cron.d/evil");
            }
            var refused = await Assert.ThrowsAsync<WordPressImportException>(() => ImportAsync(uploads: zipPath));
            Assert.Contains("outside its folder", refused.Message, StringComparison.Ordinal);
            Assert.Empty(await DbAsync(db => db.Articles.ToListAsync()));
        }
        finally
        {
            File.Delete(zipPath);
        }
    }

    [Fact]
    public async Task Uploads_can_come_as_a_zip_of_wp_content()
    {
        var zipPath = Path.Combine(Path.GetTempPath(), $"uploads-{Guid.NewGuid():N}.zip");
        try
        {
            using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
            {
                foreach (var file in Directory.EnumerateFiles(WordPressFixtures.Uploads, "*", SearchOption.AllDirectories))
                {
                    zip.CreateEntryFromFile(file, "wp-content/uploads/" + Path.GetRelativePath(WordPressFixtures.Uploads, file).Replace('\\', '/'));
                }
            }
            await ImportAsync(uploads: zipPath);
            Assert.NotNull((await ArticleAsync("Harbour reopens after the storm")).FeaturedImageId);
        }
        finally
        {
            File.Delete(zipPath);
        }
    }

    [Fact]
    public async Task Without_uploads_every_image_is_a_warning_and_the_posts_still_come()
    {
        var report = await ImportAsync(uploads: null);

        Assert.Null((await ArticleAsync("Harbour reopens after the storm")).FeaturedImageId);
        Assert.Contains(report.Warnings, w => w.Message.Contains("none were given", StringComparison.Ordinal));
        Assert.Empty(await DbAsync(db => db.MediaItems.ToListAsync()));
    }

    [Fact]
    public async Task Published_imports_are_searchable()
    {
        await ImportAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var client = app.CreateClient();
        var html = await client.GetStringAsync("/search?q=harbour", TestContext.Current.CancellationToken);
        Assert.Contains("Harbour reopens after the storm", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Links_to_imported_posts_become_their_new_addresses()
    {
        await ImportAsync();

        var harbour = await ArticleAsync("Harbour reopens after the storm");
        var cafe = await ArticleAsync("Café owners welcome new rules");
        var tokyo = await ArticleAsync("東京の選挙 2024 🗳️");
        Assert.True(harbour.BodyHtml.Contains($"href=\"/news/{cafe.Slug}\"", StringComparison.Ordinal), harbour.BodyHtml);
        Assert.Contains($"href=\"/news/{tokyo.Slug}\"", harbour.BodyHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("oldnews.example/?p=", harbour.BodyHtml, StringComparison.Ordinal);
        var count = await ArticleAsync("How the count works");
        Assert.Contains("href=\"/about-us\"", count.BodyHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scripts_and_event_handlers_in_an_export_never_reach_a_page()
    {
        var export = Path.Combine(Path.GetTempPath(), $"xss-{Guid.NewGuid():N}.xml");
        await File.WriteAllBytesAsync(export, WordPressFixtures.XssExport(), TestContext.Current.CancellationToken);
        try
        {
            await ImportAsync(export, uploads: null);
        }
        finally
        {
            File.Delete(export);
        }

        var articles = await DbAsync(db => db.Articles.AsNoTracking().ToListAsync());
        Assert.Equal(XssCorpus.Vectors.Length * 2, articles.Count);
        var parser = new AngleSharp.Html.Parser.HtmlParser();
        var client = app.CreateClient();
        foreach (var article in articles)
        {
            var stored = parser.ParseDocument("<body>" + article.BodyHtml + "</body>").Body!;
            AssertHarmless(stored, article.Slug);

            var page = parser.ParseDocument(await client.GetStringAsync("/news/" + article.Slug, TestContext.Current.CancellationToken));
            var main = page.QuerySelector("main") ?? page.Body!;
            AssertHarmless(main, article.Slug);
            Assert.All(page.QuerySelectorAll("script"), script => Assert.True(
                script.GetAttribute("type") == "application/ld+json" || script.HasAttribute("src"), $"an inline script on /news/{article.Slug}"));
        }

        static void AssertHarmless(AngleSharp.Dom.IElement root, string slug)
        {
            foreach (var element in root.QuerySelectorAll("*"))
            {
                Assert.False(element.LocalName is "script" or "iframe" or "object" or "embed" or "svg" or "math" or "style" or "form" or "base",
                    $"<{element.LocalName}> in /news/{slug}");
                foreach (var attribute in element.Attributes)
                {
                    Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"{attribute.Name} on <{element.LocalName}> in /news/{slug}");
                    Assert.False(attribute.Name is "href" or "src" or "action" or "formaction" or "xlink:href"
                        && attribute.Value.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase), $"a script link in /news/{slug}");
                }
            }
        }
    }

    [Fact]
    public async Task An_old_address_that_a_page_here_answers_is_not_redirected_away()
    {
        await DbAsync(async db =>
        {
            db.Articles.Add(new Article
            {
                Kind = ArticleKind.Page, Headline = "About the Harbour Post", Slug = "about-us", BodyHtml = "<p>Ours.</p>", BodyText = "Ours.",
                Status = ArticleStatus.Published, PublishedAt = DateTime.UtcNow, FirstPublishedAt = DateTime.UtcNow, CreatedAt = DateTime.UtcNow,
                UpdatedAt = DateTime.UtcNow, Version = Guid.NewGuid(), CreatedById = admin.UserId, CreatedByName = admin.DisplayName,
            });
            return await db.SaveChangesAsync();
        });

        var report = await ImportAsync();

        var imported = await ArticleAsync("About us");
        Assert.Equal("about-us-2", imported.Slug);
        Assert.Contains(report.Warnings, w => w.Kind == "redirect" && w.ExternalId == "/about-us");
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var ours = await client.GetAsync("/about-us", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, ours.StatusCode);
        Assert.Contains("About the Harbour Post", await ours.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var old = await client.GetAsync("/?page_id=40", TestContext.Current.CancellationToken);
        Assert.Equal("/about-us-2", old.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Categories_whose_slugs_clean_to_the_same_one_become_two_sections()
    {
        var export = Path.Combine(Path.GetTempPath(), $"twins-{Guid.NewGuid():N}.xml");
        await File.WriteAllTextAsync(export, """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel><title>Twins</title><link>https://twins.example</link><wp:wxr_version>1.2</wp:wxr_version>
            <wp:base_site_url>https://twins.example</wp:base_site_url><wp:base_blog_url>https://twins.example</wp:base_blog_url>
            <wp:category><wp:term_id>1</wp:term_id><wp:category_nicename>world_news</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name>World (old)</wp:cat_name></wp:category>
            <wp:category><wp:term_id>2</wp:term_id><wp:category_nicename>world-news</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name>World</wp:cat_name></wp:category>
            <item><title>Twin story</title><link>https://twins.example/twin-story/</link><dc:creator>admin</dc:creator>
            <content:encoded><![CDATA[<p>Text.</p>]]></content:encoded><wp:post_id>5</wp:post_id><wp:post_date_gmt>2024-01-01 10:00:00</wp:post_date_gmt>
            <wp:post_name>twin-story</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
            <category domain="category" nicename="world_news">World (old)</category></item>
            </channel></rss>
            """, TestContext.Current.CancellationToken);
        try
        {
            var report = await ImportAsync(export, uploads: null);

            Assert.Equal(0, report.CountOf("post", "failed"));
            var sections = await DbAsync(db => db.Sections.AsNoTracking().Select(x => x.Slug).ToListAsync());
            Assert.Contains("world-news", sections);
            Assert.Contains("world-news-2", sections);
            Assert.Equal(ArticleStatus.Published, (await ArticleAsync("Twin story")).Status);
        }
        finally
        {
            File.Delete(export);
        }
    }

    [Fact]
    public async Task Related_articles_left_by_an_import_are_ranked_by_the_site_in_the_background()
    {
        await ImportAsync();
        var imported = await DbAsync(db => db.Articles.AsNoTracking().WherePublic().Select(a => a.Id).ToListAsync());
        Assert.NotEmpty(await DbAsync(db => db.ArticleRelations.Where(r => imported.Contains(r.ArticleId)).ToListAsync()));
        // As a large import leaves the older articles: no related articles yet.
        await DbAsync(db => db.ArticleRelations.ExecuteDeleteAsync());
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
            Assert.Equal(imported.Count, (await RelatedBackfill.UnrankedAsync(db, 1000, TestContext.Current.CancellationToken)).Count);
        }

        await app.Services.GetRequiredService<RelatedBackfill>().RoundAsync(TestContext.Current.CancellationToken);

        var ranked = await DbAsync(db => db.ArticleRelations.Select(r => r.ArticleId).Distinct().ToListAsync());
        Assert.Equal(imported.Order(), ranked.Order());
    }
}
