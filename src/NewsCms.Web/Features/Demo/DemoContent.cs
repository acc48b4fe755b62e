using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Search;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Demo;

/// <summary>What a demo run did: counts of what it added, or the number of articles that made it refuse.</summary>
public sealed record DemoOutcome(bool Added, int ExistingArticles, int Articles, int Sections, int Tags, int Authors, int Images);

/// <summary>
/// Fills an empty site with the sample newspaper in <see cref="DemoSamples"/>: sections, tags, author profiles
/// (without accounts) with drawn photos, published articles with drawn featured images and See-also cards, and site
/// settings. A site that has any article (drafts and trash included) is left exactly as it is. The rows go in one
/// transaction and the image files are removed unless it commits, so a failure leaves no half demo.
/// </summary>
public sealed partial class DemoContent(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    MediaLibrary media,
    SiteSettingsStore settings,
    PublicContent publicContent,
    AuditLog audit,
    IOptions<SiteOptions> siteOptions,
    TimeProvider clock,
    ILogger<DemoContent> logger)
{
    /// <summary>The command-line argument that asks for demo content.</summary>
    public const string Argument = "--demo";

    public const string ImageCredit = "NewsCms demo illustration";

    /// <summary>The name that demo articles, revisions, images and the audit entry are recorded under.</summary>
    public const string ActorName = "NewsCms demo";

    public async Task<DemoOutcome> AddAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var existing = await db.Articles.CountAsync(ct);
        if (existing > 0) return Refused(existing);
        logger.LogInformation("Adding demo content: drawing and processing {Images} images takes a minute or so.",
            DemoSamples.Authors.Length + DemoSamples.Articles.Length + GalleryCaptions.Length);

        // The slow part, the pictures, is done before the transaction, so its write lock is held only for the inserts.
        // Their files go again unless their rows are committed.
        var stored = new List<MediaItem>();
        var committed = false;
        DemoOutcome outcome;
        try
        {
            var (avatars, featured) = await StoreImagesAsync(stored, ct);
            // SQLite transactions here are immediate: nothing can be written between this second check and the commit.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            existing = await db.Articles.CountAsync(ct);
            if (existing > 0) return Refused(existing);
            db.MediaItems.AddRange(stored);
            outcome = await InsertAsync(db, avatars, featured, ct);
            await transaction.CommitAsync(ct);
            committed = true;
        }
        finally
        {
            if (!committed)
            {
                foreach (var item in stored) media.DeleteFiles(item);
            }
        }

        settings.Invalidate();
        await publicContent.NotifyChangedAsync(PublicChange.EverythingBecause("demo content"));
        logger.LogInformation("Demo content added: {Articles} articles, {Sections} sections, {Tags} tags, {Authors} authors and {Images} images.",
            outcome.Articles, outcome.Sections, outcome.Tags, outcome.Authors, outcome.Images);
        await audit.WriteAsync(null, ActorName, AuditActions.DemoContentAdded, "Demo content",
            $"{outcome.Articles} articles, {outcome.Sections} sections, {outcome.Tags} tags, {outcome.Authors} authors, {outcome.Images} images", ct);
        return outcome;
    }

    private DemoOutcome Refused(int existing)
    {
        logger.LogWarning("Demo content not added: this site already has {Count} article(s). Serving it unchanged.", existing);
        return new DemoOutcome(false, existing, 0, 0, 0, 0, 0);
    }

    /// <summary>Draws the author photos and featured images and stores their files (original and variants), rows not yet saved.</summary>
    private async Task<(Dictionary<string, MediaItem> Avatars, List<MediaItem> Featured)> StoreImagesAsync(List<MediaItem> stored, CancellationToken ct)
    {
        async Task<MediaItem> StoreAsync(byte[] bytes, string fileName, string altText, string caption)
        {
            var result = await media.StoreFilesAsync(bytes, fileName, "", ActorName, ct);
            if (!result.Succeeded) throw new InvalidOperationException($"The demo image {fileName} was refused by the media library: {result.Error}");
            var item = result.Value!;
            stored.Add(item);
            item.AltText = altText;
            item.Caption = caption;
            item.Credit = ImageCredit;
            return item;
        }

        var avatars = new Dictionary<string, MediaItem>();
        foreach (var author in DemoSamples.Authors)
        {
            var (png, alt) = DemoImages.Avatar(author.Name, author.Hue);
            avatars[author.Key] = await StoreAsync(png, Slugs.From(author.Name) + ".png", alt, "");
        }
        var featured = new List<MediaItem>();
        for (var i = 0; i < DemoSamples.Articles.Length; i++)
        {
            var sample = DemoSamples.Articles[i];
            var (jpeg, alt) = DemoImages.Featured(seed: i + 1, DemoSamples.Sections.Single(s => s.Name == sample.Section).Hue);
            featured.Add(await StoreAsync(jpeg, sample.Key + ".jpg", alt, $"An illustration for “{sample.Headline}”."));
        }
        // The pictures of the demo's gallery block, after the featured images (see WithGallery).
        foreach (var (seed, caption) in GalleryCaptions)
        {
            var (jpeg, alt) = DemoImages.Featured(seed, 130);
            featured.Add(await StoreAsync(jpeg, $"regatta-{seed}.jpg", alt, caption));
        }
        return (avatars, featured);
    }

    private async Task<DemoOutcome> InsertAsync(NewsCmsDbContext db, Dictionary<string, MediaItem> avatars, List<MediaItem> featured, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        now = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        var demoActor = new Actor("", ActorName, "");

        // Sections and tags the site already has (an empty site may have them) are used as they are.
        var sections = await db.Sections.ToDictionaryAsync(s => s.Slug, ct);
        var sectionsBefore = sections.Count;
        var position = sections.Count == 0 ? 0 : sections.Values.Max(s => s.Position) + 1;
        foreach (var section in DemoSamples.Sections)
        {
            var slug = Slugs.From(section.Name);
            if (sections.ContainsKey(slug)) continue;
            sections[slug] = db.Sections.Add(new Section
            {
                Name = section.Name, Slug = slug, Description = section.Description, Position = position++, ShowInNavigation = true, CreatedAt = now,
            }).Entity;
        }

        var tags = await db.Tags.ToDictionaryAsync(t => t.Slug, ct);
        var tagsBefore = tags.Count;
        foreach (var name in DemoSamples.Articles.SelectMany(a => a.Tags).Distinct())
        {
            var slug = Slugs.From(name);
            if (!tags.ContainsKey(slug)) tags[slug] = db.Tags.Add(new Tag { Name = name, Slug = slug, CreatedAt = now }).Entity;
        }
        // With the images, so that the bylines below can name their photos.
        await db.SaveChangesAsync(ct);

        // Bylines without accounts; slugs stay clear of the profiles the site already has.
        var authorSlugs = (await db.AuthorProfiles.Select(a => a.Slug).ToListAsync(ct)).ToHashSet();
        var authors = new Dictionary<string, AuthorProfile>();
        foreach (var author in DemoSamples.Authors)
        {
            var input = new AuthorInput
            {
                DisplayName = author.Name, JobTitle = author.JobTitle, Bio = author.Bio, AvatarId = avatars[author.Key].Id,
                Website = author.Website, Email = author.Email,
            };
            if (AuthorProfiles.Normalize(input) is { } problem) throw new InvalidOperationException($"Demo author {author.Name}: {problem}");
            var slug = Slugs.FirstFree(Slugs.From(author.Name), authorSlugs);
            authorSlugs.Add(slug);
            authors[author.Key] = db.AuthorProfiles.Add(new AuthorProfile
            {
                DisplayName = input.DisplayName, Slug = slug, JobTitle = input.JobTitle, Bio = input.Bio, AvatarId = input.AvatarId,
                Website = input.Website, Email = input.Email, CreatedAt = now, UpdatedAt = now,
            }).Entity;
        }
        await db.SaveChangesAsync(ct);

        // Articles first without their text, so that See-also cards can name the ids of the articles they point to.
        var articles = new List<(DemoArticle Sample, Article Entity)>();
        var articleSlugs = new HashSet<string>();
        for (var i = 0; i < DemoSamples.Articles.Length; i++)
        {
            var sample = DemoSamples.Articles[i];
            var published = now.AddHours(-sample.HoursAgo);
            var slug = Slugs.FirstFree(Slugs.From(sample.Headline), articleSlugs);
            articleSlugs.Add(slug);
            var article = new Article
            {
                Headline = sample.Headline, Slug = slug, Status = ArticleStatus.Published,
                CreatedAt = published.AddMinutes(-90), UpdatedAt = published, PublishedAt = published, FirstPublishedAt = published,
                CreatedById = "", CreatedByName = ActorName, LastEditedById = "", LastEditedByName = ActorName,
                SectionId = sections[Slugs.From(sample.Section)].Id, FeaturedImageId = featured[i].Id, IsFeatured = sample.Featured,
                Version = Guid.NewGuid(),
            };
            db.Articles.Add(article);
            articles.Add((sample, article));
        }
        await db.SaveChangesAsync(ct);

        var byKey = articles.ToDictionary(a => a.Sample.Key, a => a.Entity);
        foreach (var (sample, article) in articles)
        {
            // The same helper the article service saves with: sanitized body, plain text, word count, reading time.
            ArticleEditing.Apply(article, new ArticleInput
            {
                Headline = sample.Headline, Standfirst = sample.Standfirst, BodyHtml = WithGallery(WithSeeAlso(sample.Body, byKey), featured.Skip(DemoSamples.Articles.Length)),
            }, article.Slug);
            article.Revisions.Add(ArticleCommit.Revision(article, demoActor, RevisionKind.Published, article.PublishedAt!.Value));
            db.ArticleAuthors.AddRange(sample.Authors.Select((key, order) => new ArticleAuthor
            {
                ArticleId = article.Id, AuthorProfileId = authors[key].Id, Position = order,
            }));
            db.ArticleTags.AddRange(sample.Tags.Select(name => new ArticleTag { ArticleId = article.Id, TagId = tags[Slugs.From(name)].Id }));
        }
        DemoCorrections.AddTo(db, byKey, ActorName, now);
        await db.SaveChangesAsync(ct);

        // The curated front page (Features/FrontPage): a few slots chosen, the rest fill with the newest.
        db.FrontPageSlots.AddRange(DemoSamples.FrontPage.Select(slot => new FrontPage.FrontPageSlot
        {
            Position = slot.Position, ArticleId = byKey[slot.Key].Id, PinnedUntil = slot.PinnedForHours is { } hours ? now.AddHours(hours) : null,
            UpdatedAt = now, UpdatedById = "", UpdatedByName = ActorName,
        }));
        await db.SaveChangesAsync(ct);

        foreach (var (_, article) in articles) await ArticleSearch.SyncAsync(db, article.Id, ct);
        // Once every story is in the search index, so each list can find all the others.
        foreach (var (_, article) in articles) await RelatedArticles.RefreshAsync(db, article.Id, andTheirs: false, ct);

        await settings.WriteAsync(db, await MissingSettingsAsync(db, ct), ct);

        return new DemoOutcome(true, 0, articles.Count, sections.Count - sectionsBefore, tags.Count - tagsBefore, authors.Count, avatars.Count + featured.Count);
    }

    /// <summary>The demo's site settings, except those the site already has (setup may have set the title).</summary>
    private async Task<Dictionary<string, string>> MissingSettingsAsync(NewsCmsDbContext db, CancellationToken ct)
    {
        var feeds = siteOptions.Value.BaseUri;
        var demo = new Dictionary<string, string>
        {
            [SiteSettingsStore.TitleKey] = DemoSamples.Title,
            [SiteSettingsStore.TaglineKey] = DemoSamples.Tagline,
            [SiteSettingsStore.FooterTextKey] = DemoSamples.FooterText,
            [SiteSettingsStore.PublicationNameKey] = DemoSamples.Title,
            [SiteSettingsStore.FollowLinksKey] = JsonSerializer.Serialize(new List<FollowLink>
            {
                new("RSS feed", new Uri(feeds, "feed.xml").AbsoluteUri),
                new("Atom feed", new Uri(feeds, "atom.xml").AbsoluteUri),
                new("Newsletter", DemoSamples.NewsletterUrl),
            }),
        };
        var present = await db.SiteSettings.Where(s => s.Value != "" && s.Value != "[]").Select(s => s.Key).ToListAsync(ct);
        foreach (var key in present) demo.Remove(key);
        return demo;
    }

    /// <summary>Replaces each <c>{{see-also:key}}</c> line with the See-also card the editor makes for that article.</summary>
    internal static string WithSeeAlso(string body, IReadOnlyDictionary<string, Article> byKey) =>
        SeeAlsoPlaceholder().Replace(body, match =>
        {
            var target = byKey.TryGetValue(match.Groups[1].Value, out var article)
                ? article
                : throw new InvalidOperationException($"No demo article has the key \"{match.Groups[1].Value}\".");
            return $"<aside class=\"see-also\" data-article-id=\"{target.Id}\"><span class=\"see-also__label\">See also:</span> " +
                $"<a href=\"{ArticleUrls.ForSlug(target.Slug)}\">{WebUtility.HtmlEncode(target.Headline)}</a></aside>";
        });

    // ----- The demo's gallery block (helper "blocks") -----

    private static readonly (int Seed, string Caption)[] GalleryCaptions =
    [
        (101, "The Ash women’s eight on the start line at Upper Weir."),
        (102, "Crews wait for the wind to drop before the final."),
        (103, "The winning crew lift their oars at the quay."),
    ];

    /// <summary>A line <c>{{gallery}}</c> becomes a gallery of the demo's gallery pictures (library images with their alt text).</summary>
    internal static string WithGallery(string body, IEnumerable<MediaItem> images)
    {
        if (!body.Contains("{{gallery}}", StringComparison.Ordinal)) return body;
        var toImage = MediaImage.Projection.Compile();
        var tags = images.Select(toImage).Select(i =>
        {
            var width = i.WidthNear(960);
            return $"<img src=\"{i.WebpUrl(width)}\" alt=\"{WebUtility.HtmlEncode(i.AltText)}\" width=\"{width}\" height=\"{i.HeightFor(width)}\">";
        });
        return body.Replace("{{gallery}}", "<div class=\"gallery\">" + string.Concat(tags) + "</div>", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\{\{see-also:([a-z0-9-]+)\}\}")]
    private static partial Regex SeeAlsoPlaceholder();
}

public static class DemoSetup
{
    public static WebApplicationBuilder AddDemoContent(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<DemoContent>();
        return builder;
    }

    /// <summary>
    /// The command line without <see cref="DemoContent.Argument"/>: it is a command, not a setting, and the
    /// configuration's command-line source would otherwise take the argument after it as its value.
    /// </summary>
    public static string[] WithoutDemoArgument(string[] args) => args.Where(a => a != DemoContent.Argument).ToArray();

    /// <summary>
    /// At start-up: adds the demo content when the command line asks for it (it logs what it did). The site is served
    /// afterwards either way. Null when the command line did not ask.
    /// </summary>
    public static async Task<DemoOutcome?> AddDemoContentIfRequestedAsync(this IServiceProvider services, string[] args, CancellationToken ct = default)
    {
        if (!args.Contains(DemoContent.Argument)) return null;
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DemoContent>().AddAsync(ct);
    }
}
