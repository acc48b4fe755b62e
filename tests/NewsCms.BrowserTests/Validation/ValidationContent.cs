using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.BrowserTests.Validation;

/// <summary>
/// A site with every public page type filled, made through the app's own services: a logo and "Follow us" links, a
/// section, tags, authors with photos, bios and links, an article with every block the editor makes (two heading levels,
/// bold, italic, underline, links inside and outside the site and one opening in a new tab, a line break, bulleted
/// and numbered lists, a quote, a rule, a body image, a See-also card) and a featured image with caption and credit,
/// enough stories for a second home page, and a published-then-trashed story (410).
/// </summary>
public sealed record ValidationContent(string Article, string Trashed, string Section, string Tag, string Author, string SearchWord, string Page, string TrashedPage)
{
    public const string ArticleHeadline = "Harbour wall rebuilt in time for the winter storms";

    /// <summary>The body as the newsroom editor (TipTap) writes it: list items hold paragraphs, images stand alone.</summary>
    public static string EveryBlockBody(MediaImage bodyImage, int linkedId, string linkedSlug, string linkedHeadline)
    {
        var width = bodyImage.WidthNear(960);
        var picture = $"<img src=\"{bodyImage.WebpUrl(width)}\" alt=\"{bodyImage.AltText}\" width=\"{width}\" height=\"{bodyImage.HeightFor(width)}\">";
        return "<aside class=\"key-points\"><ul><li><p>The new harbour wall is finished.</p></li><li><p>It cost £4.1m, within budget.</p></li></ul></aside>"
            + "<p>The council finished the <strong>new harbour wall</strong> on Friday, <em>three weeks early</em> and "
            + "<u>within budget</u>.<br>Engineers said it would hold.</p>"
            + $"<p>Read <a href=\"{ArticleUrls.ForSlug(linkedSlug)}\">last winter's damage report</a>, the "
            + "<a href=\"https://example.org/harbour/plans\">published plans</a> or the "
            + "<a href=\"https://example.org/harbour/map\" target=\"_blank\">map of the works</a>.</p>"
            + "<h2>How the wall was built</h2>"
            + "<p>Crews worked at low tide for eleven months.</p>"
            + $"<img src=\"{bodyImage.WebpUrl(width)}\" alt=\"{bodyImage.AltText}\" width=\"{width}\" height=\"{bodyImage.HeightFor(width)}\">"
            + "<h3>What changed</h3>"
            + "<ul><li><p>Granite capstones replace the concrete ones.</p></li><li><p>The wall is a metre higher.</p></li></ul>"
            + "<ol start=\"2\"><li><p>Survey the old wall.</p></li><li><p>Lay the new footings.</p></li></ol>"
            + "<blockquote><p>It will outlast all of us.</p></blockquote>"
            // The editor's structured blocks (ArticleBlocks): table, pull quote, gallery, fact box.
            + "<table><tbody><tr><th><p>Stage</p></th><th><p>Months</p></th><th><p>Cost</p></th></tr>"
            + "<tr><td><p>Footings</p></td><td><p>4</p></td><td><p>£1.6m</p></td></tr><tr><td><p>Capstones</p></td><td><p>7</p></td><td><p>£2.5m</p></td></tr></tbody></table>"
            + "<aside class=\"pull-quote\"><p>It will outlast all of us.</p></aside>"
            + "<div class=\"gallery\">" + picture + picture + "</div>"
            + "<aside class=\"fact-box\"><h2 class=\"fact-box__title\">What we know so far</h2><p>The old wall dated from 1887.</p><ul><li><p>No homes flooded this winter.</p></li></ul></aside>"
            + "<hr>"
            + $"<aside class=\"see-also\" data-article-id=\"{linkedId}\"><span class=\"see-also__label\">See also:</span> "
            + $"<a href=\"{ArticleUrls.ForSlug(linkedSlug)}\">{linkedHeadline}</a></aside>"
            + "<figure class=\"embed\" data-provider=\"youtube\"><a href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\">https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></figure>"
            + "<p>The harbour reopens to small boats on Monday.</p>";
    }

    public static async Task<ValidationContent> CreateAsync(NewsCmsAppFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

        var media = services.GetRequiredService<MediaLibrary>();
        async Task<MediaImage> ImageAsync(string name, byte[] bytes, string alt, string caption = "", string credit = "")
        {
            var uploaded = await media.UploadAsync(admin, new MemoryStream(bytes), name, bytes.Length);
            Assert.True(uploaded.Succeeded, uploaded.Error);
            var described = await media.UpdateDetailsAsync(admin, uploaded.Value!.Id, new MediaDetailsInput { AltText = alt, Caption = caption, Credit = credit });
            Assert.True(described.Succeeded, described.Error);
            return (await media.GetByIdsAsync([uploaded.Value.Id]))[uploaded.Value.Id];
        }
        var logo = await ImageAsync("logo.png", TestImages.Png(240, 60), "The Harbour Gazette");
        var featured = await ImageAsync("wall.jpg", TestImages.Jpeg(1200, 750), "The new harbour wall at high tide",
            "The wall took eleven months to build.", "Port Ellery Council");
        var inBody = await ImageAsync("crew.jpg", TestImages.Jpeg(960, 640), "Two engineers lay a granite capstone",
            "A capstone goes in at low tide.", "Tom Brennan");
        var nadiaPhoto = await ImageAsync("nadia.jpg", TestImages.Jpeg(200, 200), "Nadia Okafor");

        var siteSettings = new SiteSettingsInput
        {
            Title = "The Harbour Gazette",
            Tagline = "News from the coast since 1921",
            FooterText = "Independent local journalism.",
            LogoImageId = logo.Id,
            SocialImageId = featured.Id,
            FollowLinks = [new FollowLink("Google News", "https://news.google.com/publications/harbour"), new FollowLink("RSS feed", "https://news.example.test/feed.xml")],
        };
        var settings = await services.GetRequiredService<SiteSettingsService>().SaveAsync(admin, siteSettings);
        Assert.True(settings.Succeeded, settings.Error);

        var taxonomy = services.GetRequiredService<TaxonomyService>();
        var section = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Coast", Description = "Harbour, shipping and shoreline news." })).Value!;
        var other = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Town", Description = "Council, schools and streets." })).Value!;
        var harbour = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Harbour", Description = "The harbour and its wall." })).Value!;
        var works = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Public works" })).Value!;

        var authors = services.GetRequiredService<AuthorProfiles>();
        var nadia = await authors.CreateAsync(admin, new AuthorInput
        {
            DisplayName = "Nadia Okafor", JobTitle = "Coast reporter", AvatarId = nadiaPhoto.Id,
            Bio = "Covers the coast, the harbour and the people who keep them running. Tips to https://example.org/tips.",
            Website = "https://example.org/nadia", X = "https://x.com/nadia_okafor",
        });
        var tom = await authors.CreateAsync(admin, new AuthorInput { DisplayName = "Tom Brennan", JobTitle = "Photographer" });
        Assert.True(nadia.Succeeded && tom.Succeeded, nadia.Error ?? tom.Error);

        var articles = services.NewsroomArticles();
        async Task<(int Id, string Slug, Guid Version)> PublishAsync(ArticleInput input)
        {
            var saved = await articles.Editing.SaveAsync(admin, null, input, null, SaveKind.Manual);
            Assert.True(saved.Succeeded, saved.Error);
            var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
            Assert.True(published.Succeeded, published.Error);
            return (saved.Id, saved.Slug, published.Value!.Version);
        }

        // Enough stories for "More news" (the front page shows thirteen: the lead, six top stories, six latest), spread over both sections.
        for (var i = 1; i <= 12; i++)
        {
            await PublishAsync(new ArticleInput
            {
                Headline = $"Harbour notebook, week {i}",
                Standfirst = $"Boats, tides and the lighthouse in week {i}.",
                BodyHtml = $"<p>Week {i} at the harbour: the lighthouse kept its watch.</p>",
                SectionId = i % 2 == 0 ? section.Id : other.Id, TagIds = [harbour.Id], AuthorIds = [nadia.Value],
                FeaturedImageId = i % 3 == 0 ? featured.Id : null,
            });
        }
        const string linkedHeadline = "Storm damage assessed along the harbour wall";
        var linked = await PublishAsync(new ArticleInput
        {
            Headline = linkedHeadline,
            Standfirst = "Engineers walked the wall at low tide to count the cost of last week's gale.",
            BodyHtml = "<p>Council engineers spent the morning on the harbour wall, where the gale lifted several capstones.</p>",
            SectionId = section.Id, TagIds = [harbour.Id, works.Id], AuthorIds = [nadia.Value, tom.Value],
        });
        var article = await PublishAsync(new ArticleInput
        {
            Headline = ArticleHeadline,
            Standfirst = "Eleven months of work at low tide end three weeks early, before the first gale of the winter.",
            BodyHtml = EveryBlockBody(inBody, linked.Id, linked.Slug, linkedHeadline),
            SectionId = section.Id, TagIds = [harbour.Id, works.Id], AuthorIds = [nadia.Value, tom.Value], FeaturedImageId = featured.Id,
        });

        // A correction and an update at its end (and /corrections lists them).
        var corrections = services.GetRequiredService<NewsCms.Web.Features.Corrections.ArticleCorrections>();
        foreach (var (kind, text) in new[] { (NewsCms.Web.Features.Corrections.CorrectionKind.Correction, "An earlier version said the work took twelve months."), (NewsCms.Web.Features.Corrections.CorrectionKind.Update, "The harbour master has since reopened the quay.") })
        {
            var corrected = await corrections.AddAsync(admin, article.Id, new NewsCms.Web.Features.Corrections.CorrectionInput(kind, text));
            Assert.True(corrected.Succeeded, corrected.Error);
        }

        var trashed = await PublishAsync(new ArticleInput
        {
            Headline = "Ferry timetable withdrawn", BodyHtml = "<p>The timetable was published by mistake.</p>", SectionId = section.Id,
        });
        var trash = await articles.Workflow.TrashAsync(admin, trashed.Id, trashed.Version);
        Assert.True(trash.Succeeded, trash.Error);

        // A page linked in the navigation and the footer, and one removed after it was public.
        var about = await PublishAsync(new ArticleInput
        {
            Kind = ArticleKind.Page, Headline = "About us", Standfirst = "Independent local journalism from Port Ellery since 1921.",
            BodyHtml = "<p>The Gazette is owned by its readers.</p><h2>Contact the newsroom</h2><p>Write to the editor at the harbour office.</p>",
        });
        var offers = await PublishAsync(new ArticleInput { Kind = ArticleKind.Page, Headline = "Summer offers", BodyHtml = "<p>Subscribe for less.</p>" });
        var trashPage = await articles.Workflow.TrashAsync(admin, offers.Id, offers.Version);
        Assert.True(trashPage.Succeeded, trashPage.Error);
        siteSettings.NavigationPages = [about.Id];
        siteSettings.FooterPages = [about.Id];
        var linkedPages = await services.GetRequiredService<SiteSettingsService>().SaveAsync(admin, siteSettings);
        Assert.True(linkedPages.Succeeded, linkedPages.Error);

        var authorSlug = (await authors.GetAsync(admin, nadia.Value)).Value!.Slug;
        return new ValidationContent(article.Slug, trashed.Slug, section.Slug, harbour.Slug, authorSlug, "harbour wall", about.Slug, offers.Slug);
    }
}
