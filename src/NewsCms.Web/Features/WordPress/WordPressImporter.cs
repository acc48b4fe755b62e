using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Import;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Redirects;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.WordPress;

/// <summary>What a WordPress import is asked to do.</summary>
/// <param name="DryRun">Read everything and report what would happen; write nothing.</param>
/// <param name="CreateAccounts">Also make a newsroom account (without a password, to be invited) for each author.</param>
public sealed record WordPressImportOptions(bool DryRun = false, bool CreateAccounts = false);

/// <summary>How far a run is: items done of all items to do.</summary>
public sealed record ImportProgress(int Processed, int Total);

/// <summary>
/// Imports a WordPress export (WXR) into the site. Two streaming passes over the file: the first notes what is there
/// (authors, terms, attachments, each post's old and new address) so links can be rewritten to posts further down;
/// the second writes authors, sections, tags and then each post in a transaction of its own, with its images,
/// byline, tags, redirects and the <see cref="ImportedItem"/> that makes a second run skip it. Nothing already
/// imported is written again, so a run that stopped (a crash, a bad item) is resumed by running it again.
/// </summary>
public sealed class WordPressImporter(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    MediaLibrary media,
    IOptions<MediaOptions> mediaOptions,
    PublicContent publicContent,
    RedirectTable redirectTable,
    RelatedBackfill relatedBackfill,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<WordPressImporter> logger)
{
    private readonly RedirectTable redirectTable = redirectTable;
    private readonly RelatedBackfill relatedBackfill = relatedBackfill;
    // Fields, so that a run (a nested class) reaches them.
    private readonly IDbContextFactory<NewsCmsDbContext> dbFactory = dbFactory;
    private readonly MediaLibrary media = media;
    private readonly IOptions<MediaOptions> mediaOptions = mediaOptions;
    private readonly PublicContent publicContent = publicContent;
    private readonly IServiceScopeFactory scopes = scopes;
    private readonly TimeProvider clock = clock;
    private readonly ILogger<WordPressImporter> logger = logger;

    /// <summary>WordPress statuses that become articles, and what they become.</summary>
    private static readonly Dictionary<string, ArticleStatus> Statuses = new(StringComparer.Ordinal)
    {
        ["publish"] = ArticleStatus.Published,
        ["future"] = ArticleStatus.Scheduled,
        ["draft"] = ArticleStatus.Draft,
        ["pending"] = ArticleStatus.InReview,
        ["private"] = ArticleStatus.Draft,
    };

    private const int WidthInBody = 960;

    /// <summary>How many of the newest imported articles get their related articles during the import (the rest in the background).</summary>
    public const int RankedDuringImport = 500;

    public async Task<ImportReport> ImportAsync(string exportPath, string? uploadsPath, WordPressImportOptions options, Actor actor,
        Func<ImportProgress, Task>? progress, CancellationToken ct, ImportReport? into = null)
    {
        // The caller may hold the report, so what was done is known even when the run fails part-way.
        var report = into ?? new ImportReport();
        using var uploads = uploadsPath is null ? null : WordPressUploads.Open(uploadsPath);
        if (uploads is null) report.Count("attachment", "no uploads given", 0);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var scan = await WxrScan.ReadAsync(exportPath, progress, ct);
        var run = new Run(this, scan, uploads, options, actor, report, progress);
        await run.PlanAsync(ct);
        report.Took("reading", clock.Elapsed);
        clock.Restart();
        try
        {
            await run.WriteAsync(exportPath, ct);
            report.Took("writing", clock.Elapsed);
        }
        finally
        {
            // What was written is shown and redirected even when the run stops part-way (not when it was cancelled).
            if (!options.DryRun && !ct.IsCancellationRequested)
            {
                clock.Restart();
                await run.FinishAsync(progress, CancellationToken.None);
                report.Took("related articles", clock.Elapsed);
            }
        }
        return report;
    }

    /// <summary>One import: the scan, the plan made from it and the database, and what has been made so far.</summary>
    private sealed class Run(WordPressImporter owner, WxrScan scan, WordPressUploads? uploads, WordPressImportOptions options, Actor actor,
        ImportReport report, Func<ImportProgress, Task>? progress)
    {
        private readonly string source = "wordpress:" + scan.Site.BaseSiteUrl.TrimEnd('/');
        /// <summary>What earlier runs made from this site's items: (kind, WordPress id) → local id.</summary>
        private readonly Dictionary<(string Kind, string Id), int> imported = [];
        private readonly Dictionary<int, PlannedPost> planned = [];
        private readonly Dictionary<string, PlannedPost> byOldPath = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, int> authors = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, int> sections = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, int> tags = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, ImportedImage?> images = new(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> redirectSources = new(StringComparer.OrdinalIgnoreCase);
        private int processed;

        private DateTime Now => owner.clock.GetUtcNow().UtcDateTime;

        public async Task PlanAsync(CancellationToken ct)
        {
            await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
            foreach (var item in await db.ImportedItems.AsNoTracking().Where(i => i.Source == source)
                         .Select(i => new { i.Kind, i.ExternalId, i.LocalId }).ToListAsync(ct))
            {
                imported[(item.Kind, item.ExternalId)] = item.LocalId;
            }
            await ForgetDeletedAsync(db, ct);
            foreach (var from in await db.Redirects.AsNoTracking().Select(r => r.FromPath).ToListAsync(ct)) redirectSources.Add(from);

            // Every slug in use (articles, pages and their old addresses): new ones must not take them.
            var taken = new HashSet<string>(await db.Articles.AsNoTracking().Select(a => a.Slug).ToListAsync(ct), StringComparer.Ordinal);
            taken.UnionWith(await db.ArticleSlugRedirects.AsNoTracking().Select(r => r.Slug).ToListAsync(ct));
            var existing = imported.Where(i => i.Key.Kind is "post" or "page").Select(i => i.Value).ToList();
            var existingSlugs = await db.Articles.AsNoTracking().Where(a => existing.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Slug, ct);

            foreach (var post in scan.Posts.Values)
            {
                if (!Statuses.ContainsKey(post.Status) || post.Type is not ("post" or "page")) continue;
                var kind = post.Type == "page" ? ArticleKind.Page : ArticleKind.Article;
                string slug;
                int? localId = null;
                if (imported.TryGetValue((post.Type, Id(post.Id)), out var done))
                {
                    if (!existingSlugs.TryGetValue(done, out var current)) continue; // deleted here since: left deleted
                    slug = current;
                    localId = done;
                }
                else
                {
                    var baseSlug = Slugs.From(post.Slug) is { Length: > 0 } fromSlug ? fromSlug
                        : Slugs.From(post.Title) is { Length: > 0 } fromTitle ? fromTitle : (post.Type + "-" + Id(post.Id));
                    if (kind == ArticleKind.Page && Pages.PageSlugs.IsReserved(baseSlug)) baseSlug = Slugs.WithSuffix(baseSlug, 2);
                    slug = Slugs.FirstFree(baseSlug, taken);
                    taken.Add(slug);
                }
                var plan = new PlannedPost(post, kind, slug, localId);
                planned[post.Id] = plan;
                foreach (var old in post.OldPaths) byOldPath.TryAdd(old, plan);
            }
            report.Count("comment", "not imported (NewsCms has no comments)", scan.Comments);
            foreach (var (type, count) in scan.OtherTypes) report.Count(type, "not imported", count);
            foreach (var post in scan.Posts.Values.Where(p => p.Type is "post" or "page" && !Statuses.ContainsKey(p.Status)))
            {
                report.Count(post.Type, $"not imported (status {post.Status})");
            }
        }

        /// <summary>
        /// Things made by an earlier run and deleted (or merged away) here since are not there to link to: their items
        /// count as not imported, so a tag, section, author or image comes back if a new post needs it. A deleted
        /// post or page stays deleted (the plan skips it).
        /// </summary>
        private async Task ForgetDeletedAsync(NewsCmsDbContext db, CancellationToken ct)
        {
            var tagIds = await db.Tags.AsNoTracking().Select(t => t.Id).ToListAsync(ct);
            var sectionIds = await db.Sections.AsNoTracking().Select(x => x.Id).ToListAsync(ct);
            var authorIds = await db.AuthorProfiles.AsNoTracking().Select(a => a.Id).ToListAsync(ct);
            var mediaIds = await db.MediaItems.AsNoTracking().Select(m => m.Id).ToListAsync(ct);
            var exists = new Dictionary<string, HashSet<int>>
            {
                ["tag"] = [.. tagIds], ["category"] = [.. sectionIds], ["author"] = [.. authorIds], ["attachment"] = [.. mediaIds], ["upload"] = [.. mediaIds],
            };
            var gone = imported.Where(i => exists.TryGetValue(i.Key.Kind, out var ids) && !ids.Contains(i.Value)).Select(i => i.Key).ToList();
            if (gone.Count == 0) return;
            foreach (var key in gone) imported.Remove(key);
            if (options.DryRun) return;
            var kinds = gone.Select(g => g.Kind).Distinct().ToList();
            var externalIds = gone.Select(g => g.Id).Distinct().ToList();
            var stale = await db.ImportedItems.Where(i => i.Source == source && kinds.Contains(i.Kind) && externalIds.Contains(i.ExternalId)).ToListAsync(ct);
            db.ImportedItems.RemoveRange(stale.Where(i => gone.Contains((i.Kind, i.ExternalId))));
            await db.SaveChangesAsync(ct);
        }

        /// <summary>The redirect-table form of a link to the old site ("/2024/03/05/slug", "/?p=12"), or null for another site.</summary>
        private string? SitePath(string url) => scan.Permalinks.PathOf(url) is { } path ? RedirectPaths.Normalize(path) : null;

        public async Task WriteAsync(string exportPath, CancellationToken ct)
        {
            await AuthorsAsync(ct);
            await SectionsAsync(ct);
            await TagsAsync(ct);
            await using var file = File.OpenRead(exportPath);
            await foreach (var entry in WxrReader.ReadAsync(file, ct))
            {
                if (entry is not WxrItem item || !planned.TryGetValue(item.Id, out var plan)) continue;
                await ItemAsync(item.PostType, Id(item.Id), item.Link, () => PostAsync(item, plan, ct), ct);
                processed++;
                if (progress is not null) await progress(new ImportProgress(processed, planned.Count));
            }
            // Nothing is dropped silently: attachments no imported post shows are counted.
            var unused = scan.Attachments.Keys.Count(id => !images.ContainsKey("id:" + id) && !imported.ContainsKey(("attachment", Id(id))));
            if (unused > 0) report.Count("attachment", "not used by an imported post (not imported)", unused);
            // The old site's feeds: one redirect each, whatever the posts.
            if (!options.DryRun) await SiteRedirectsAsync(ct);
        }

        /// <summary>Runs one item's import; a failure is that item's warning, never the run's end.</summary>
        private async Task ItemAsync(string kind, string id, string oldUrl, Func<Task> import, CancellationToken ct)
        {
            try
            {
                await import();
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !ct.IsCancellationRequested
                && ex is DbUpdateException or InvalidOperationException or IOException or FormatException or ArgumentException
                    or System.Text.Json.JsonException or System.Data.Common.DbException)
            {
                owner.logger.LogWarning(ex, "Importing WordPress {Kind} {Id} failed", kind, id);
                report.Count(kind, "failed");
                report.Warn(kind, id, oldUrl, "could not be imported: " + ex.Message);
            }
        }

        /// <summary>
        /// Authors (those listed, and any post creator that is not) become author profiles, in one transaction: an
        /// existing profile with the same e-mail is the same person, and their bylines join it.
        /// </summary>
        private async Task AuthorsAsync(CancellationToken ct)
        {
            await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
            var byEmail = (await db.AuthorProfiles.AsNoTracking().Where(a => a.Email != null).Select(a => new { a.Id, a.Email }).ToListAsync(ct))
                .GroupBy(a => a.Email!.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.First().Id);
            var slugs = new HashSet<string>(await db.AuthorProfiles.AsNoTracking().Select(a => a.Slug).ToListAsync(ct), StringComparer.Ordinal);
            var made = new List<(WxrAuthor Author, AuthorProfile? Profile, int? Matched)>();
            foreach (var wp in scan.Authors.Values)
            {
                if (imported.TryGetValue(("author", wp.Login), out var done))
                {
                    authors[wp.Login] = done;
                    report.Count("author", "already imported");
                    continue;
                }
                var email = wp.Email.Trim();
                if (email.Length > 0 && byEmail.TryGetValue(email.ToLowerInvariant(), out var match))
                {
                    made.Add((wp, null, match));
                    report.Count("author", "matched an existing author");
                    continue;
                }
                var name = Clip(XmlSafeText.Clean(FirstNonEmpty(wp.DisplayName, (wp.FirstName + " " + wp.LastName).Trim(), wp.Login)), 200);
                var slug = Slugs.FirstFree(Slugs.From(wp.Login) is { Length: > 0 } fromLogin ? fromLogin : Slugs.From(name) is { Length: > 0 } fromName ? fromName : "author", slugs);
                slugs.Add(slug);
                made.Add((wp, new AuthorProfile
                {
                    DisplayName = name, Slug = slug, Email = email.Length is > 0 and <= 500 ? email : null, CreatedAt = Now, UpdatedAt = Now,
                }, null));
                report.Count("author", "imported");
            }
            if (options.DryRun)
            {
                foreach (var (author, _, matched) in made) authors[author.Login] = matched ?? -1;
                return;
            }
            await using (var transaction = await BeginAsync(db, ct))
            {
                db.AuthorProfiles.AddRange(made.Select(m => m.Profile).OfType<AuthorProfile>());
                await db.SaveChangesAsync(ct);
                await RecordAsync(db, "author", [.. made.Select(m => (m.Author.Login, m.Matched ?? m.Profile!.Id))], authors,
                    ids => db.AuthorProfiles.Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Slug, ct), "/author/",
                    RedirectTargetKind.Author, scan.Permalinks.AuthorPaths, scan.Permalinks.AuthorFeedPaths, ct);
                await transaction.CommitAsync(ct);
            }
            if (!options.CreateAccounts) return;
            foreach (var (author, profile, _) in made)
            {
                if (profile?.Email is { } email) await AccountAsync(profile.Id, profile.DisplayName, email, ct);
            }
        }

        /// <summary>With --accounts: an Author account without a password, linked to the profile; an administrator invites them.</summary>
        private async Task AccountAsync(int profileId, string name, string email, CancellationToken ct)
        {
            await using var scope = owner.scopes.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            if (await users.FindByEmailAsync(email) is not null)
            {
                report.Count("account", "already there");
                return;
            }
            var user = new ApplicationUser
            {
                UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, MustChangePassword = true, CreatedAt = Now,
            };
            var created = await users.CreateAsync(user);
            if (created.Succeeded) created = await users.AddToRoleAsync(user, NewsroomRoles.Author);
            if (!created.Succeeded)
            {
                report.Warn("author", email, "", "no account was created: " + string.Join(" ", created.Errors.Select(e => e.Description)));
                return;
            }
            await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
            await db.AuthorProfiles.Where(a => a.Id == profileId && a.UserId == null).ExecuteUpdateAsync(s => s.SetProperty(a => a.UserId, user.Id), ct);
            report.Count("account", "created without a password (send an invitation from Users)");
        }

        /// <summary>Categories become sections, in one transaction. NewsCms sections are flat: a subcategory becomes a section of its own.</summary>
        private async Task SectionsAsync(CancellationToken ct)
        {
            await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
            var existing = await db.Sections.AsNoTracking().Select(x => new { x.Id, x.Slug }).ToDictionaryAsync(x => x.Slug, x => x.Id, ct);
            var position = await db.Sections.MaxAsync(x => (int?)x.Position, ct) ?? 0;
            var made = new List<(WxrTerm Term, Section? Section, int? Matched)>();
            foreach (var term in scan.Categories.Values)
            {
                if (imported.TryGetValue(("category", term.Slug), out var done))
                {
                    sections[term.Slug] = done;
                    report.Count("category", "already imported");
                    continue;
                }
                var name = Clip(XmlSafeText.Clean(term.Name.Length > 0 ? term.Name : term.Slug), 100);
                if (term.ParentSlug.Length > 0)
                {
                    report.Warn("category", term.Slug, scan.TermUrl("category", term.Slug),
                        $"“{name}” is a subcategory of “{scan.Categories.GetValueOrDefault(term.ParentSlug)?.Name ?? term.ParentSlug}”; NewsCms sections are flat, so it became a section of its own");
                }
                var slug = Slugs.From(term.Slug) is { Length: > 0 } s ? s : Slugs.From(name) is { Length: > 0 } s2 ? s2 : "section-" + Id(term.Id);
                if (existing.TryGetValue(slug, out var match) && match != 0)
                {
                    made.Add((term, null, match));
                    report.Count("category", "matched an existing section");
                    continue;
                }
                // Two categories whose slugs clean to the same one ("world_news", "world-news") stay two sections.
                slug = Slugs.FirstFree(slug, existing.Keys);
                existing[slug] = 0;
                made.Add((term, new Section
                {
                    Name = name, Slug = slug, Description = Clip(term.Description, 1000), Position = ++position,
                    // A site with many categories would overflow the navigation: an editor chooses which to show.
                    ShowInNavigation = false, CreatedAt = Now,
                }, null));
                report.Count("category", "imported as a section");
            }
            if (options.DryRun)
            {
                foreach (var (term, _, matched) in made) sections[term.Slug] = matched ?? -1;
                return;
            }
            await using var transaction = await BeginAsync(db, ct);
            db.Sections.AddRange(made.Select(m => m.Section).OfType<Section>());
            await db.SaveChangesAsync(ct);
            await RecordAsync(db, "category", [.. made.Select(m => (m.Term.Slug, m.Matched ?? m.Section!.Id))], sections,
                ids => db.Sections.Where(x => ids.Contains(x.Id)).ToDictionaryAsync(x => x.Id, x => x.Slug, ct), "/section/",
                RedirectTargetKind.Section, scan.Permalinks.CategoryPaths, scan.Permalinks.CategoryFeedPaths, ct);
            await transaction.CommitAsync(ct);
        }

        /// <summary>Tags, in one transaction; the same name is the same tag, whatever its slug.</summary>
        private async Task TagsAsync(CancellationToken ct)
        {
            await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
            var rows = await db.Tags.AsNoTracking().Select(t => new { t.Id, t.Slug, t.Name }).ToListAsync(ct);
            var bySlug = rows.ToDictionary(t => t.Slug, t => t.Id, StringComparer.Ordinal);
            var byName = rows.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.OrdinalIgnoreCase);
            var slugs = new HashSet<string>(bySlug.Keys, StringComparer.Ordinal);
            var made = new List<(WxrTerm Term, Tag? Tag, int? Matched)>();
            var newByName = new Dictionary<string, Tag>(StringComparer.OrdinalIgnoreCase);
            foreach (var term in scan.Tags.Values)
            {
                if (imported.TryGetValue(("tag", term.Slug), out var done))
                {
                    tags[term.Slug] = done;
                    report.Count("tag", "already imported");
                    continue;
                }
                var name = Clip(XmlSafeText.Clean(term.Name.Length > 0 ? term.Name : term.Slug), 100);
                var slug = Slugs.From(term.Slug) is { Length: > 0 } s ? s : Slugs.From(name) is { Length: > 0 } s2 ? s2 : "tag-" + Id(term.Id);
                if (byName.TryGetValue(name, out var match) || bySlug.TryGetValue(slug, out match))
                {
                    made.Add((term, null, match));
                    report.Count("tag", "matched an existing tag");
                    continue;
                }
                if (newByName.TryGetValue(name, out var same))
                {
                    // Two slugs, one name (WordPress allows it): one tag.
                    made.Add((term, same, null));
                    continue;
                }
                slug = Slugs.FirstFree(slug, slugs);
                slugs.Add(slug);
                var tag = new Tag { Name = name, Slug = slug, Description = Clip(term.Description, 1000), CreatedAt = Now };
                newByName[name] = tag;
                made.Add((term, tag, null));
                report.Count("tag", "imported");
            }
            if (options.DryRun)
            {
                foreach (var (term, _, matched) in made) tags[term.Slug] = matched ?? -1;
                return;
            }
            await using var transaction = await BeginAsync(db, ct);
            db.Tags.AddRange(newByName.Values);
            await db.SaveChangesAsync(ct);
            await RecordAsync(db, "tag", [.. made.Select(m => (m.Term.Slug, m.Matched ?? m.Tag!.Id))], tags,
                ids => db.Tags.Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Slug, ct), "/tag/",
                RedirectTargetKind.Tag, scan.Permalinks.TagPaths, scan.Permalinks.TagFeedPaths, ct);
            await transaction.CommitAsync(ct);
        }

        /// <summary>
        /// After a kind's new authors, sections or tags are saved (in the caller's transaction): each item's local id
        /// in <paramref name="into"/>, its <see cref="ImportedItem"/>, and redirects from its old archive and feed
        /// addresses to its page and feed here (none where the old address is already its page's).
        /// </summary>
        private async Task RecordAsync(NewsCmsDbContext db, string kind, List<(string Key, int Id)> items, Dictionary<string, int> into,
            Func<List<int>, Task<Dictionary<int, string>>> slugsOf, string prefix, RedirectTargetKind target,
            Func<string, IReadOnlyList<string>> oldPaths, Func<string, IReadOnlyList<string>> feedPaths, CancellationToken ct)
        {
            var slugById = await slugsOf([.. items.Select(i => i.Id).Distinct()]);
            foreach (var (key, id) in items)
            {
                into[key] = id;
                db.ImportedItems.Add(Imported(kind, key, id, null));
                var address = prefix + slugById[id];
                foreach (var old in oldPaths(key)) await AddRedirectAsync(db, old, target, id, null, ct, unlessAt: address);
                foreach (var feed in feedPaths(key)) await AddRedirectAsync(db, feed, RedirectTargetKind.Path, null, address + "/feed.xml", ct);
            }
            await db.SaveChangesAsync(ct);
        }

        private async Task PostAsync(WxrItem item, PlannedPost plan, CancellationToken ct)
        {
            var kind = item.PostType;
            if (plan.LocalId is not null)
            {
                report.Count(kind, "already imported");
                return;
            }
            var status = Statuses[item.Status];
            if (item.Status == "private") report.Warn(kind, Id(item.Id), item.Link, "was private; it became a draft");

            // Images and links first (the images are in the library on their own, like an upload): then one transaction.
            var warnings = new List<string>();
            var body = await WordPressContent.ConvertAsync(item.Content, new WordPressConversionContext(
                (image, token) => ImageHtmlAsync(image, item, token), RewriteLink), ct);
            warnings.AddRange(body.Warnings);
            var standfirst = Clip(WordPressContent.PlainText(item.Excerpt).Replace('\n', ' ').Trim(), 1000);
            var headline = Clip(XmlSafeText.Clean(item.Title).Trim(), 300);
            if (headline.Length == 0)
            {
                headline = "(untitled)";
                warnings.Add("had no title; it is “(untitled)”");
            }

            ImportedImage? featured = null;
            if (item.Meta.GetValueOrDefault("_thumbnail_id") is { } thumbnail && int.TryParse(thumbnail, out var thumbnailId))
            {
                featured = await AttachmentAsync(thumbnailId, null, item, ct);
            }

            int? sectionId = null;
            var tagIds = new List<int>();
            int? authorId = null;
            if (plan.Kind == ArticleKind.Article)
            {
                // One section: the most specific category ("News › Local" → Local); others not above it are named in a warning.
                var categories = item.Terms.Where(t => t.Taxonomy == "category").ToList();
                var filed = categories.OrderByDescending(c => scan.Ancestors(c.Slug).Count).FirstOrDefault();
                if (filed is not null)
                {
                    sectionId = sections.GetValueOrDefault(filed.Slug) is var id and not 0 ? id : null;
                    var above = scan.Ancestors(filed.Slug);
                    foreach (var other in categories.Where(c => c != filed && !above.Contains(c.Slug, StringComparer.OrdinalIgnoreCase)))
                    {
                        warnings.Add($"is also in the category “{other.Name}”; an article has one section, so it is filed under “{filed.Name}”");
                    }
                }
                foreach (var term in item.Terms.Where(t => t.Taxonomy == "post_tag"))
                {
                    if (tags.TryGetValue(term.Slug, out var tagId) && !tagIds.Contains(tagId)) tagIds.Add(tagId);
                }
                authorId = authors.TryGetValue(item.Creator, out var author) ? author : null;
            }

            var published = item.PublishedAt ?? Now;
            if (status == ArticleStatus.Scheduled && published <= Now)
            {
                warnings.Add("was scheduled for a time already past; the scheduler publishes it now");
            }
            foreach (var warning in warnings) report.Warn(kind, Id(item.Id), item.Link, warning);
            if (options.DryRun)
            {
                report.Count(kind, "imported");
                return;
            }

            var article = new Article
            {
                Kind = plan.Kind,
                Headline = headline,
                Standfirst = standfirst,
                Slug = plan.Slug,
                BodyHtml = body.Html,
                Status = status,
                CreatedAt = published,
                UpdatedAt = item.ModifiedAt is { } modified && modified > published ? modified : published,
                PublishedAt = status == ArticleStatus.Published ? published : null,
                FirstPublishedAt = status == ArticleStatus.Published ? published : null,
                ScheduledAt = status == ArticleStatus.Scheduled ? published : null,
                ScheduledById = status == ArticleStatus.Scheduled ? actor.UserId : null,
                ScheduledByName = status == ArticleStatus.Scheduled ? actor.DisplayName : null,
                CreatedById = actor.UserId,
                CreatedByName = actor.DisplayName,
                LastEditedById = actor.UserId,
                LastEditedByName = actor.DisplayName,
                SectionId = sectionId,
                FeaturedImageId = featured?.Id,
                IsFeatured = item.IsSticky && plan.Kind == ArticleKind.Article,
                Version = Guid.NewGuid(),
            };
            article.BodyText = ArticleHtml.ToPlainText(article.BodyHtml);
            article.WordCount = ArticleHtml.CountWords(article.BodyText);
            article.ReadingMinutes = ArticleHtml.ReadingMinutes(article.WordCount);

            await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
            await using (var transaction = await BeginAsync(db, ct))
            {
                db.Articles.Add(article);
                await db.SaveChangesAsync(ct);
                db.ArticleRevisions.Add(new ArticleRevision
                {
                    ArticleId = article.Id, CreatedAt = Now, AuthorId = actor.UserId, AuthorName = actor.DisplayName, Kind = RevisionKind.Created,
                    Headline = article.Headline, Standfirst = article.Standfirst, BodyHtml = article.BodyHtml,
                });
                db.ArticleTags.AddRange(tagIds.Where(t => t > 0).Select(t => new ArticleTag { ArticleId = article.Id, TagId = t }));
                if (authorId is > 0) db.ArticleAuthors.Add(new ArticleAuthor { ArticleId = article.Id, AuthorProfileId = authorId.Value, Position = 0 });
                db.ImportedItems.Add(Imported(kind, Id(item.Id), article.Id, article.Version));
                foreach (var old in scan.Posts[item.Id].OldPaths)
                {
                    await AddRedirectAsync(db, old, RedirectTargetKind.Article, article.Id, null, ct,
                        unlessAt: (plan.Kind == ArticleKind.Page ? "/" : "/news/") + plan.Slug);
                }
                await db.SaveChangesAsync(ct);
                await Search.ArticleSearch.SyncAsync(db, article.Id, ct);
                await transaction.CommitAsync(ct);
            }
            report.Count(kind, "imported");
        }

        /// <summary>The NewsCms address for a link to the old site's post or page; null leaves the link as it is.</summary>
        private string? RewriteLink(string href)
        {
            var path = SitePath(href);
            if (path is null || !byOldPath.TryGetValue(path, out var plan)) return null;
            var fragment = href.IndexOf('#') is var hash and >= 0 ? href[hash..] : "";
            return (plan.Kind == ArticleKind.Page ? "/" : "/news/") + plan.Slug + fragment;
        }

        private async Task<string?> ImageHtmlAsync(WxrImage image, WxrItem item, CancellationToken ct)
        {
            var imported = await AttachmentAsync(image.AttachmentId, image, item, ct);
            if (imported is null) return null;
            var width = imported.WidthNear(WidthInBody);
            var alt = WebUtility.HtmlEncode(image.Alt.Length > 0 ? image.Alt : imported.Alt);
            return $"<img src=\"{imported.Src(width)}\" alt=\"{alt}\" width=\"{width}\" height=\"{imported.HeightFor(width)}\">";
        }

        /// <summary>
        /// An attachment in the media library, imported on first use: by its WordPress id when known, else by the
        /// uploads file its URL names. Null, with a warning, when the file is not in the uploads or is not an image.
        /// </summary>
        private async Task<ImportedImage?> AttachmentAsync(int? attachmentId, WxrImage? image, WxrItem post, CancellationToken ct)
        {
            var attachment = attachmentId is { } aid ? scan.Attachments.GetValueOrDefault(aid) : null;
            var url = attachment?.Url ?? image?.Url ?? "";
            var relative = attachment?.File ?? WxrUploads.RelativePath(url);
            var key = attachment is not null ? "id:" + attachment.Id : "file:" + relative;
            if (attachment is null && relative is null)
            {
                report.Warn(post.PostType, Id(post.Id), post.Link, $"an image from {HostOf(url)} is not in the uploads and was left out");
                return null;
            }
            if (images.TryGetValue(key, out var known)) return known;
            // One file is one library image, however it is named (its id, its URL, a resized copy's URL).
            var fileKey = relative is null ? null : "found:" + (uploads?.Find(relative) ?? relative);
            if (fileKey is not null && images.TryGetValue(fileKey, out var sameFile)) return images[key] = sameFile;

            var (kind, externalId) = attachment is not null ? ("attachment", Id(attachment.Id)) : ("upload", relative!);
            if (imported.TryGetValue((kind, externalId), out var done))
            {
                await using var readDb = await owner.dbFactory.CreateDbContextAsync(ct);
                var existing = await readDb.MediaItems.AsNoTracking().Where(m => m.Id == done).Select(MediaImage.Projection).FirstOrDefaultAsync(ct);
                return images[key] = existing is null ? null : ImportedImage.Of(existing);
            }

            var found = (relative is null ? null : uploads?.Find(relative)) ?? (image is not null && image.Url != url ? uploads?.FindUrl(image.Url) : null);
            if (found is null)
            {
                report.Count("attachment", "missing from the uploads");
                report.Warn(post.PostType, Id(post.Id), post.Link,
                    $"the image {relative ?? url} is not in the uploads{(uploads is null ? " (none were given)" : "")}; it was left out");
                return images[key] = null;
            }
            var alt = FirstNonEmpty(image?.Alt ?? "", attachment?.Alt ?? "");
            var caption = FirstNonEmpty(image?.Caption ?? "", attachment?.Caption ?? "");
            if (options.DryRun)
            {
                report.Count("attachment", "imported");
                return images[key] = ImportedImage.DryRun(alt);
            }

            var bytes = await uploads!.ReadAsync(found, owner.mediaOptions.Value.MaxUploadBytes, ct);
            if (bytes is null)
            {
                report.Count("attachment", "too large");
                report.Warn("attachment", attachment is null ? relative! : Id(attachment.Id), url,
                    $"is larger than the upload limit of {MediaSizes.MegabytesSetting(owner.mediaOptions.Value.MaxUploadMegabytes)}; it was left out");
                return images[key] = null;
            }
            var stored = await owner.media.StoreFilesAsync(bytes, Clip(Path.GetFileName(found), 260), actor.UserId, actor.DisplayName, ct);
            if (!stored.Succeeded)
            {
                report.Count("attachment", "refused");
                report.Warn("attachment", attachment is null ? relative! : Id(attachment.Id), url, stored.Error!);
                return images[key] = null;
            }
            var item = stored.Value!;
            item.AltText = Clip(XmlSafeText.Clean(alt), 500);
            item.Caption = Clip(XmlSafeText.Clean(ArticleHtml.ToPlainText(ArticleHtml.Sanitize(caption))), 1000);
            var saved = false;
            try
            {
                await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
                await using var transaction = await BeginAsync(db, ct);
                db.MediaItems.Add(item);
                await db.SaveChangesAsync(ct);
                db.ImportedItems.Add(Imported(kind, externalId, item.Id, null));
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                saved = true;
            }
            finally
            {
                if (!saved) owner.media.DeleteFiles(item);
            }
            report.Count("attachment", "imported");
            var placed = ImportedImage.Of(ToImage(item));
            if (fileKey is not null) images[fileKey] = placed;
            return images[key] = placed;
        }

        /// <summary>The old site's feeds go to the site's feed.</summary>
        private async Task SiteRedirectsAsync(CancellationToken ct)
        {
            await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
            foreach (var feed in scan.Permalinks.SiteFeedPaths())
            {
                await AddRedirectAsync(db, feed, RedirectTargetKind.Path, null, "/feed.xml", ct);
            }
            await db.SaveChangesAsync(ct);
        }

        /// <summary>
        /// After the items (also when the run stopped part-way): the redirect table and every node's public cache hear
        /// of the new things, and related articles are ranked for the newest imported public articles that have none
        /// yet (a resumed run includes those of the earlier run). The older ones are left to the site's background
        /// ranking (<see cref="RelatedBackfill"/>): ranking each article reads the whole archive, and a large
        /// archive would otherwise keep the import busy for an hour.
        /// </summary>
        public async Task FinishAsync(Func<ImportProgress, Task>? heartbeat, CancellationToken ct)
        {
            await owner.redirectTable.NotifyChangedAsync();
            await owner.publicContent.NotifyChangedAsync(PublicChange.EverythingBecause("WordPress import"));
            await using var db = await owner.dbFactory.CreateDbContextAsync(ct);
            var unranked = await RelatedBackfill.Unranked(db)
                .Where(a => db.ImportedItems.Any(i => i.Source == source && (i.Kind == "post" || i.Kind == "page") && i.LocalId == a.Id))
                .Select(a => a.Id).ToListAsync(ct);
            var now = unranked.Take(RankedDuringImport).ToList();
            var done = 0;
            foreach (var id in now)
            {
                await RelatedArticles.RefreshOnItsOwnAsync(db, id, ct);
                if (heartbeat is not null && ++done % 50 == 0) await heartbeat(new ImportProgress(processed, planned.Count));
            }
            if (now.Count > 0) report.Count("related articles", "ranked during the import", now.Count);
            if (unranked.Count > now.Count)
            {
                report.Count("related articles", "left to the site's background ranking (older articles)", unranked.Count - now.Count);
                owner.relatedBackfill.Request();
            }
            if (now.Count > 0) await owner.publicContent.NotifyChangedAsync(PublicChange.EverythingBecause("WordPress import: related articles"));
        }

        /// <summary>
        /// A transaction for the import's writes. They commit without waiting for the disk (SQLite's synchronous=NORMAL
        /// in WAL mode, PostgreSQL's synchronous_commit off): a crash of the process loses nothing committed, a power
        /// cut may lose the last few items, and running the import again brings them back.
        /// </summary>
        private static async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction> BeginAsync(NewsCmsDbContext db, CancellationToken ct)
        {
            await db.Database.OpenConnectionAsync(ct);
            if (db.Database.IsSqlite())
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous = NORMAL", ct);
                // Back in the pool, the connection is made durable again on its next open.
                SqlitePragmas.Forget(db.Database.GetDbConnection());
            }
            var transaction = await db.Database.BeginTransactionAsync(ct);
            if (db.Database.IsNpgsql()) await db.Database.ExecuteSqlRawAsync("SET LOCAL synchronous_commit TO OFF", ct);
            return transaction;
        }

        /// <summary>Adds an import redirect to the item's transaction; an address that already redirects keeps its redirect.</summary>
        /// <param name="unlessAt">The thing's address here: when the old address is the same ("/tag/elections"), no redirect is needed.</param>
        private async Task AddRedirectAsync(NewsCmsDbContext db, string? old, RedirectTargetKind kind, int? id, string? path, CancellationToken ct,
            string? unlessAt = null)
        {
            var from = RedirectPaths.Normalize(old);
            if (unlessAt is not null && RedirectPaths.Normalize(unlessAt) == from) return;
            // Query addresses are kept only on the site's root ("/?p=12"); a site in a folder ("/blog/?p=12") has none here.
            if (old is not null && old.Contains('?') && !old.StartsWith("/?", StringComparison.Ordinal)) return;
            // Addresses seen in this run (or before it) are skipped without asking the database.
            if (string.IsNullOrEmpty(from) || from == "/" || !redirectSources.Add(from)) return;
            // Only addresses nothing here answers: a redirect would hide a live page, section, tag or author, or the
            // site's own addresses ("/search" of an old page called "search").
            if (from.Count(c => c == '/') == 1 && !from.Contains('?') && Pages.PageSlugs.IsReserved(from[1..])) return;
            if (await RedirectTargets.ThingAtAsync(db, from, includeOldSlugs: false, ct) is not null)
            {
                report.Warn("redirect", from, scan.OldUrl(from), "this old address is in use on this site, so it was not redirected");
                return;
            }
            if (await Redirects.Redirects.AddImportedAsync(db, from, kind, id, path, Now, ct) == ImportedRedirect.Added) report.Count("redirect", "created");
        }

        private ImportedItem Imported(string kind, string externalId, int localId, Guid? version) =>
            new() { Source = source, Kind = kind, ExternalId = externalId, LocalId = localId, ImportedVersion = version, ImportedAt = Now };
    }

    private sealed record PlannedPost(WxrScan.PostInfo Post, ArticleKind Kind, string Slug, int? LocalId);

    /// <summary>An image in the library as the importer places it in bodies.</summary>
    private sealed record ImportedImage(int? Id, string Alt, Func<int, string> Src, Func<int, int> WidthNear, Func<int, int> HeightFor)
    {
        public static ImportedImage Of(MediaImage image) => new(image.Id, image.AltText, image.WebpUrl, image.WidthNear, image.HeightFor);

        /// <summary>A dry run stores nothing; its bodies are only read for what the report says.</summary>
        public static ImportedImage DryRun(string alt) => new(null, alt, width => $"/media/dry-run/{width}.webp", width => width, width => width * 2 / 3);
    }

    private static readonly Func<MediaItem, MediaImage> ToImage = MediaImage.Projection.Compile();

    private static string Id(int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];

    private static string FirstNonEmpty(params string[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim() ?? "";

    private static string HostOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Host : "another site";
}
