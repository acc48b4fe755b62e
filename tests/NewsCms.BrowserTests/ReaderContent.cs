using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.BrowserTests;

/// <summary>
/// A small published site as readers meet it, made through the app's own services: a section, tags, two authors with
/// bios and photos, an illustrated article with a quote and a See-also card that links a second article, and
/// "Follow us" links, and an "About us" page linked in the navigation and the footer.
/// </summary>
public sealed record ReaderContent(string Article, string LinkedArticle, string Section, string Tag, string Author, string SearchWord, string Page)
{
    public const string ArticleHeadline = "Lighthouse keeper retires after forty years on the point";
    public const string LinkedHeadline = "Storm damage assessed along the harbour wall";
    public const string AuthorName = "Nadia Okafor";
    public const string AuthorBio = "Covers the coast, the harbour and the people who keep them running.";

    public static async Task<ReaderContent> CreateAsync(NewsCmsAppFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);

        var siteSettings = new SiteSettingsInput
        {
            Title = "The Harbour Gazette",
            Tagline = "News from the coast since 1921",
            FooterText = "Independent local journalism.",
            FollowLinks = [new FollowLink("Google News", "https://news.google.com/publications/harbour"), new FollowLink("RSS feed", "https://news.example.test/feed.xml")],
        };
        var settings = await services.GetRequiredService<SiteSettingsService>().SaveAsync(admin, siteSettings);
        Assert.True(settings.Succeeded, settings.Error);

        var media = services.GetRequiredService<MediaLibrary>();
        async Task<int> ImageAsync(string name, int width, int height, string alt, string caption = "", string credit = "")
        {
            var uploaded = await media.UploadAsync(admin, new MemoryStream(TestImages.Jpeg(width, height)), name, -1);
            Assert.True(uploaded.Succeeded, uploaded.Error);
            var described = await media.UpdateDetailsAsync(admin, uploaded.Value!.Id, new MediaDetailsInput { AltText = alt, Caption = caption, Credit = credit });
            Assert.True(described.Succeeded, described.Error);
            return uploaded.Value.Id;
        }
        var photo = await ImageAsync("lighthouse.jpg", 1600, 1000, "The red and white lighthouse on the point at dusk",
            "The lighthouse has been automated since 2019.", "Coastguard Agency press office, Port Ellery");
        var nadiaPhoto = await ImageAsync("nadia.jpg", 400, 400, "Nadia Okafor");
        // Two pictures for the article's gallery (the editor's blocks are checked by the HTML and accessibility tests too).
        var galleryImages = new List<MediaImage>();
        foreach (var (name, alt) in new[] { ("keeper.jpg", "The keeper on the gallery rail"), ("logbook.jpg", "The handwritten logbook open on a desk") })
        {
            var id = await ImageAsync(name, 1200, 800, alt, $"{alt}.", "Tom Brennan");
            galleryImages.Add((await media.GetAsync(admin, id)).Value!);
        }
        var tomPhoto = await ImageAsync("tom.jpg", 400, 400, "Tom Brennan");

        var taxonomy = services.GetRequiredService<TaxonomyService>();
        var section = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Coast", Description = "Harbour, shipping and shoreline news." })).Value!;
        var harbour = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Harbour" })).Value!;
        var people = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "People" })).Value!;
        var storms = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Storms" })).Value!;

        var authors = services.GetRequiredService<AuthorProfiles>();
        var nadia = await authors.CreateAsync(admin, new AuthorInput
        {
            DisplayName = AuthorName, JobTitle = "Coast reporter", Bio = AuthorBio, AvatarId = nadiaPhoto,
            Website = "https://example.org/nadia", X = "https://x.com/nadia_okafor",
        });
        var tom = await authors.CreateAsync(admin, new AuthorInput
        {
            DisplayName = "Tom Brennan", JobTitle = "Photographer", Bio = "Photographs the shoreline in every weather. Portfolio at https://example.org/photography/tom-brennan-shoreline-portfolio-2024.",
            AvatarId = tomPhoto,
        });
        Assert.True(nadia.Succeeded && tom.Succeeded, nadia.Error ?? tom.Error);

        var articles = services.NewsroomArticles();
        async Task<(int Id, string Slug)> PublishAsync(ArticleInput input)
        {
            var saved = await articles.Editing.SaveAsync(admin, null, input, null, SaveKind.Manual);
            Assert.True(saved.Succeeded, saved.Error);
            var published = await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version);
            Assert.True(published.Succeeded, published.Error);
            return (saved.Id, saved.Slug);
        }

        var linked = await PublishAsync(new ArticleInput
        {
            Headline = LinkedHeadline,
            Standfirst = "Engineers walked the wall at low tide to count the cost of last week's gale.",
            BodyHtml = "<p>Council engineers spent the morning on the harbour wall, where the gale lifted several capstones.</p>"
                + "<p>Repairs are expected to take until the spring.</p>",
            SectionId = section.Id, TagIds = [harbour.Id, storms.Id], AuthorIds = [nadia.Value, tom.Value],
        });
        var article = await PublishAsync(new ArticleInput
        {
            Headline = ArticleHeadline,
            Standfirst = "Forty years of foghorns, storms and visitors come to an end for the town's last keeper.",
            BodyHtml = "<aside class=\"key-points\"><ul><li><p>The last keeper retires after forty years.</p></li><li><p>The cottage becomes a museum.</p></li></ul></aside>"
                + "<p>For forty years he climbed the 117 steps of the lighthouse every evening.</p>"
                + "<table><tbody><tr><th><p>Year</p></th><th><p>Storms logged</p></th><th><p>Ships guided</p></th></tr>"
                + "<tr><td><p>1985</p></td><td><p>14</p></td><td><p>2,310</p></td></tr><tr><td><p>2024</p></td><td><p>22</p></td><td><p>1,045</p></td></tr></tbody></table>"
                + "<aside class=\"pull-quote\"><p>The light never failed, and neither did he.</p></aside>"
                + "<div class=\"gallery\">" + string.Concat(galleryImages.Select(i => $"<img src=\"{i.WebpUrl(i.WidthNear(960))}\" alt=\"{i.AltText}\" width=\"{i.WidthNear(960)}\" height=\"{i.HeightFor(i.WidthNear(960))}\">")) + "</div>"
                + "<aside class=\"fact-box\"><h2 class=\"fact-box__title\">The lighthouse in numbers</h2><ul><li><p>Built in 1871</p></li><li><p>117 steps</p></li></ul></aside>"
                + "<h2>A life on the point</h2>"
                + "<p>He kept the logbook by hand, and read the <a href=\"https://example.org/lighthouse-log\">published log</a> to school groups.</p>"
                + "<blockquote><p>The light never went out on my watch, not once.</p></blockquote>"
                + "<figure class=\"embed\" data-provider=\"youtube\"><a href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\">https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></figure>"
                + $"<aside class=\"see-also\" data-article-id=\"{linked.Id}\"><span class=\"see-also__label\">See also:</span> "
                + $"<a href=\"{ArticleUrls.ForSlug(linked.Slug)}\">{LinkedHeadline}</a></aside>"
                + "<h3>What happens next</h3><ul><li>The cottage becomes a museum.</li><li>Tours start in May.</li></ul>",
            SectionId = section.Id, TagIds = [harbour.Id, people.Id], AuthorIds = [nadia.Value, tom.Value], FeaturedImageId = photo,
        });

        // A correction at its end (and on /corrections).
        var corrected = await services.GetRequiredService<NewsCms.Web.Features.Corrections.ArticleCorrections>().AddAsync(admin, article.Id,
            new NewsCms.Web.Features.Corrections.CorrectionInput(NewsCms.Web.Features.Corrections.CorrectionKind.Correction, "An earlier version said he climbed 107 steps. There are 117."));
        Assert.True(corrected.Succeeded, corrected.Error);

        var about = await PublishAsync(new ArticleInput
        {
            Kind = ArticleKind.Page, Headline = "About us", Standfirst = "Independent local journalism from Port Ellery since 1921.",
            BodyHtml = "<p>The Gazette is owned by its readers.</p><h2>Contact the newsroom</h2><p>Write to the editor at the harbour office.</p>",
        });
        siteSettings.NavigationPages = [about.Id];
        siteSettings.FooterPages = [about.Id];
        var linkedPages = await services.GetRequiredService<SiteSettingsService>().SaveAsync(admin, siteSettings);
        Assert.True(linkedPages.Succeeded, linkedPages.Error);

        var authorSlug = (await authors.GetAsync(admin, nadia.Value)).Value!.Slug;
        return new ReaderContent(article.Slug, linked.Slug, section.Slug, harbour.Slug, authorSlug, "lighthouse", about.Slug);
    }
}
