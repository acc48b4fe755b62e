using System.Net;
using System.Security.Claims;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Characters XML forbids (U+0001, U+000B, U+FFFE, a lone surrogate…) pasted into any field never reach a feed or a
/// sitemap: services drop them on save, and the feeds drop them again while writing.
/// </summary>
public sealed class XmlSafeTextTests : IAsyncLifetime
{
    // Every kind of forbidden character, between ordinary text.
    private const string Dirty = "\u0001\u000B\u0008\u001F\uFFFE\uD800";

    // What the database can hold of it: SQLite stores UTF-8, where a lone surrogate becomes U+FFFD (allowed in XML).
    private const string Stored = "\u0001\u000B\u0008\u001F\uFFFE";

    private NewsCmsAppFactory app = default!;
    private AsyncServiceScope scope;
    private ClaimsPrincipal admin = default!;

    public async ValueTask InitializeAsync()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        app.CreateClient().Dispose();
        scope = app.Services.CreateAsyncScope();
        admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
    }

    public async ValueTask DisposeAsync()
    {
        await scope.DisposeAsync();
        await app.DisposeAsync();
    }

    private T Service<T>() where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    [Fact]
    public void Clean_drops_only_what_XML_forbids()
    {
        Assert.Equal("Tide\ttables\r\nfor 🌊 Marram", XmlSafeText.Clean($"Ti{Dirty}de\ttables\r\nfor 🌊 Mar\u000Cram\uFFFF"));
        Assert.Equal("", XmlSafeText.Clean(null));
        Assert.Equal("ab", XmlSafeText.Clean("a\uDC00b"));
        const string clean = "Crème brûlée — “quoted” 🌊";
        Assert.Same(clean, XmlSafeText.Clean(clean));
    }

    [Fact]
    public async Task Text_typed_with_forbidden_characters_is_stored_without_them_and_every_feed_and_sitemap_parses()
    {
        var section = (await Service<TaxonomyService>().CreateSectionAsync(admin, new TaxonomyInput { Name = $"Coast{Dirty} news", Description = $"By{Dirty} the sea" })).Value!;
        var tag = (await Service<TaxonomyService>().CreateTagAsync(admin, new TaxonomyInput { Name = $"Tides{Dirty}", Description = $"Hi{Dirty}gh" })).Value!;
        var author = (await Service<AuthorProfiles>().CreateAsync(admin, new AuthorInput { DisplayName = $"Rosa{Dirty} Reed", JobTitle = $"Re{Dirty}porter", Bio = $"Wri{Dirty}tes." })).Value;
        var created = await Service<UserAdministration>().CreateAsync(admin, new NewUserInput { DisplayName = $"Sam{Dirty} Lee", Email = "sam@newsroom.test", Role = NewsroomRoles.Author });
        Assert.True(created.Succeeded, created.Error);
        var samProfile = await Service<AuthorProfiles>().EnsureForAccountAsync(created.Value!.UserId, "unused");
        var settings = await Service<SiteSettingsService>().SaveAsync(admin, new SiteSettingsInput
        {
            Title = $"Kestrel{Dirty} Courier", Tagline = $"News{Dirty} of the bay", FooterText = $"Fo{Dirty}oter", PublicationName = $"Kestrel{Dirty} Bay",
            FollowLinks = [new FollowLink($"Fe{Dirty}ed", "https://example.test/feed")],
        });
        Assert.True(settings.Succeeded, settings.Error);
        var image = (await Service<MediaLibrary>().UploadAsync(admin, new MemoryStream(TestImages.Jpeg(320, 200)), $"pier{Dirty}.jpg", -1)).Value!;
        var described = await Service<MediaLibrary>().UpdateDetailsAsync(admin, image.Id, new MediaDetailsInput
        {
            AltText = $"The{Dirty} pier", Caption = $"Storm{Dirty} over the pier.", Credit = $"Jane{Dirty} Doe",
        });
        Assert.True(described.Succeeded, described.Error);

        var articles = Service<IServiceProvider>().NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput
        {
            Headline = $"Tide{Dirty} tables change", Standfirst = $"Higher{Dirty} than ever", BodyHtml = $"<p>The sea{Dirty} rose &#1;&#xB; again.</p><img src=\"{image.WebpUrl(320)}\" alt=\"Pier{Dirty}\">",
            SeoTitle = $"S{Dirty}EO", MetaDescription = $"Me{Dirty}ta", TagIds = [tag.Id], SectionId = section.Id, AuthorIds = [author, samProfile],
            FeaturedImageId = image.Id,
        }, null, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);

        await AssertNothingStoredHasForbiddenCharactersAsync();
        await AssertEveryFeedAndSitemapParsesAsync("tide-tables-change", tag.Slug, section.Slug);
    }

    [Fact]
    public async Task Feeds_and_sitemaps_parse_even_when_stored_text_has_forbidden_characters()
    {
        var section = (await Service<TaxonomyService>().CreateSectionAsync(admin, new TaxonomyInput { Name = "Coast" })).Value!;
        var tag = (await Service<TaxonomyService>().CreateTagAsync(admin, new TaxonomyInput { Name = "Tides" })).Value!;
        var author = (await Service<AuthorProfiles>().CreateAsync(admin, new AuthorInput { DisplayName = "Rosa Reed" })).Value;
        var articles = Service<IServiceProvider>().NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput
        {
            Headline = "Tide tables change", Standfirst = "Higher", BodyHtml = "<p>The sea rose.</p>", TagIds = [tag.Id], SectionId = section.Id, AuthorIds = [author],
        }, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);

        // As an import or an older version might have left it: straight into the database, past every service.
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            await db.Articles.ExecuteUpdateAsync(s => s.SetProperty(a => a.Headline, $"Tide{Stored} tables").SetProperty(a => a.Standfirst, $"Hi{Stored}gher")
                .SetProperty(a => a.BodyHtml, $"<p>The sea{Stored} rose.</p>"));
            await db.Tags.ExecuteUpdateAsync(s => s.SetProperty(t => t.Name, $"Ti{Stored}des"));
            await db.Sections.ExecuteUpdateAsync(s => s.SetProperty(t => t.Name, $"Co{Stored}ast"));
            await db.AuthorProfiles.ExecuteUpdateAsync(s => s.SetProperty(a => a.DisplayName, $"Ro{Stored}sa"));
            db.SiteSettings.AddRange(
                new SiteSetting { Key = SiteSettingsStore.TitleKey, Value = $"Kes{Stored}trel", UpdatedAt = DateTime.UtcNow },
                new SiteSetting { Key = SiteSettingsStore.TaglineKey, Value = $"Ba{Stored}y", UpdatedAt = DateTime.UtcNow },
                new SiteSetting { Key = SiteSettingsStore.PublicationNameKey, Value = $"Pub{Stored}", UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        Service<SiteSettingsStore>().Invalidate();
        await Service<PublicContent>().NotifyChangedAsync(NewsCms.Web.Features.Hosting.PublicChange.EverythingBecause("written past every service"));

        await AssertEveryFeedAndSitemapParsesAsync("tide-tables-change", tag.Slug, section.Slug);
    }

    private async Task AssertNothingStoredHasForbiddenCharactersAsync()
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
        var texts = new List<(string Where, string Text)>();
        foreach (var a in await db.Articles.AsNoTracking().ToListAsync())
        {
            texts.AddRange([("headline", a.Headline), ("standfirst", a.Standfirst), ("body", a.BodyHtml), ("plain text", a.BodyText), ("SEO title", a.SeoTitle ?? ""), ("meta description", a.MetaDescription ?? "")]);
        }
        texts.AddRange((await db.Tags.AsNoTracking().ToListAsync()).SelectMany(t => new[] { ("tag", t.Name), ("tag description", t.Description) }));
        texts.AddRange((await db.Sections.AsNoTracking().ToListAsync()).SelectMany(s => new[] { ("section", s.Name), ("section description", s.Description) }));
        texts.AddRange((await db.AuthorProfiles.AsNoTracking().ToListAsync()).SelectMany(p => new[] { ("author", p.DisplayName), ("job title", p.JobTitle), ("bio", p.Bio) }));
        texts.AddRange((await db.Users.AsNoTracking().ToListAsync()).Select(u => ("user", u.DisplayName)));
        texts.AddRange((await db.SiteSettings.AsNoTracking().ToListAsync()).Select(s => ("setting " + s.Key, s.Value)));
        texts.AddRange((await db.MediaItems.AsNoTracking().ToListAsync()).SelectMany(m => new[] { ("alt", m.AltText), ("caption", m.Caption), ("credit", m.Credit), ("file name", m.OriginalFileName) }));
        Assert.All(texts, t => Assert.True(XmlSafeText.IsClean(t.Text), $"The {t.Where} \"{t.Text}\" kept a forbidden character"));
        Assert.Contains(texts, t => t.Text == "Tide tables change");
        Assert.Contains(texts, t => t.Text == "Sam Lee");
    }

    private async Task AssertEveryFeedAndSitemapParsesAsync(string articleSlug, string tagSlug, string sectionSlug)
    {
        using var reader = app.CreateClient();
        string authorSlug;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            authorSlug = await db.ArticleAuthors.OrderBy(a => a.Position).Join(db.AuthorProfiles, a => a.AuthorProfileId, p => p.Id, (a, p) => p.Slug).FirstAsync();
        }
        var paths = new[]
        {
            "/feed.xml", "/atom.xml", "/news-sitemap.xml", "/sitemap.xml", "/sitemaps/pages.xml", "/sitemaps/articles-1.xml",
            $"/author/{authorSlug}/feed.xml", $"/author/{authorSlug}/atom.xml", $"/tag/{tagSlug}/feed.xml", $"/tag/{tagSlug}/atom.xml",
            $"/section/{sectionSlug}/feed.xml", $"/section/{sectionSlug}/atom.xml",
        };
        foreach (var path in paths)
        {
            var response = await reader.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
            var document = XDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.NotNull(document.Root);
        }
        var siteFeed = await reader.GetStringAsync("/feed.xml");
        Assert.True(siteFeed.Contains("Tide tables", StringComparison.Ordinal), siteFeed);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/news/{articleSlug}")).StatusCode);
    }
}
