using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.Web.Features.Articles;

/// <summary>Which published articles a list shows.</summary>
public sealed record PublishedFilter(int? SectionId = null, int? TagId = null, int? AuthorId = null);

/// <summary>
/// Reads published articles for readers. Each read makes a fixed number of queries (the articles, then their bylines
/// and tags for all of them at once; sections come from memory), however many authors or tags there are.
/// </summary>
public sealed class PublicArticles(IDbContextFactory<NewsCmsDbContext> dbFactory, PublicTaxonomy taxonomy)
{
    public async Task<ArticleLookup> FindAsync(string slug, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Opened once for the page model's queries (up to four): EF would otherwise take a connection from the pool
        // and hand it back around each one. Closed when the context is disposed.
        await db.Database.OpenConnectionAsync(ct);
        // A page is not an article: under /news/ its slug is unknown (pages answer at /{slug}, see PublicPages).
        var article = await ArticleBySlug.For(db)(db, slug, ct);
        if (article is null)
        {
            var redirect = await db.ArticleSlugRedirects.AsNoTracking().Where(r => r.Slug == slug)
                .Join(db.Articles.Where(a => a.Kind == ArticleKind.Article), r => r.ArticleId, a => a.Id, (r, a) => new { a.Slug, a.Status, a.TrashedAt, a.FirstPublishedAt })
                .FirstOrDefaultAsync(ct);
            if (redirect is null) return new ArticleLookup.Missing();
            if (redirect.TrashedAt is not null) return redirect.FirstPublishedAt is null ? new ArticleLookup.Missing() : new ArticleLookup.Gone();
            return redirect.Status == ArticleStatus.Published ? new ArticleLookup.MovedTo(redirect.Slug) : new ArticleLookup.Missing();
        }
        if (article.TrashedAt is not null) return article.FirstPublishedAt is null ? new ArticleLookup.Missing() : new ArticleLookup.Gone();
        if (!article.IsPublic) return new ArticleLookup.Missing();
        return new ArticleLookup.Found(await ComposeAsync(db, article, ct));
    }

    /// <summary>The article as readers would see it, whatever its state (for Preview).</summary>
    internal async Task<PublicArticle?> ComposeAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var article = await db.Articles.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        return article is null ? null : await ComposeAsync(db, article, ct);
    }

    /// <summary>
    /// A page of published articles, newest first, after the first <paramref name="skip"/> (shown elsewhere). Its
    /// total is not the number of all matching articles: it counts those up to this page, plus one if older ones exist.
    /// </summary>
    public async Task<PagedList<PublicArticleSummary>> ListAsync(PublishedFilter filter, int page, int pageSize, CancellationToken ct = default, int skip = 0)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var published = db.Articles.AsNoTracking().WherePublic();
        if (filter.SectionId is { } sectionId) published = published.Where(a => a.SectionId == sectionId);
        // "Id IN (the tag's articles)" rather than a correlated EXISTS: SQLite checks membership in a list it builds
        // once, and reads only the tag's article rows (whose TrashedAt sits past the body, in overflow pages).
        if (filter.TagId is { } tagId) published = published.Where(a => db.ArticleTags.Where(at => at.TagId == tagId).Select(at => at.ArticleId).Contains(a.Id));
        if (filter.AuthorId is { } authorId) published = published.Where(a => db.ArticleAuthors.Where(aa => aa.AuthorProfileId == authorId).Select(aa => aa.ArticleId).Contains(a.Id));

        // One more row than the page shows tells whether there is an older page: counting every match instead read
        // every row of a big tag or section (TrashedAt is stored past the body, in overflow pages). So the total is
        // the articles up to this page, plus one when there are older ones.
        var offset = skip + Math.Max(0, page) * pageSize;
        var rows = await published.OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id)
            .Skip(offset).Take(pageSize + 1)
            .Select(a => new SummaryRow(a.Id, a.Slug, a.Headline, a.Standfirst, a.PublishedAt!.Value, a.SectionId, a.FeaturedImageId))
            .ToListAsync(ct);
        var total = offset + rows.Count;
        if (rows.Count > pageSize) rows.RemoveAt(pageSize);
        return new PagedList<PublicArticleSummary>(await SummariesAsync(db, rows, ct), total);
    }

    /// <summary>
    /// The home page: the front page's slots (the lead and the top stories, as the desk arranged them, empty or expired
    /// slots filled with the newest stories: <see cref="FrontPage.FrontPageRules"/>), the latest stories after them, and
    /// the newest stories of each given section not already shown above. Eight queries, whatever the content, and one
    /// more for a live lead's latest key event.
    /// </summary>
    public async Task<HomePage> HomeAsync(IReadOnlyList<NavigationSection> sections, int latestCount, int perSection, DateTime now, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var published = db.Articles.AsNoTracking().WherePublic();
        var front = FrontPage.FrontPageRules.SlotCount + latestCount;
        // The page only needs to know whether there is more than its front shows: counting every published article
        // would read every row. Ordered as the visibility index is, so the limit is well defined (and EF does not warn).
        var total = await published.OrderByDescending(a => a.PublishedAt).Take(front + 1).CountAsync(ct);
        if (total == 0) return new HomePage(null, [], [], [], 0);

        var pins = await db.FrontPageSlots.AsNoTracking().Select(s => new FrontPage.SlotPin(s.Position, s.ArticleId, s.PinnedUntil)).ToListAsync(ct);
        var pinnedIds = pins.Select(p => p.ArticleId).ToList();
        var featuredId = await published.Where(a => a.IsFeatured).OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id)
            .Select(a => (int?)a.Id).FirstOrDefaultAsync(ct);
        // The newest, enough to fill every slot and the latest list whatever the pins take, with the pinned and
        // featured stories (only the public ones come back).
        var rows = await published.OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id).Take(front + pins.Count + 1)
            .Union(published.Where(a => pinnedIds.Contains(a.Id) || a.Id == featuredId))
            .Select(a => new SummaryRow(a.Id, a.Slug, a.Headline, a.Standfirst, a.PublishedAt!.Value, a.SectionId, a.FeaturedImageId))
            .ToListAsync(ct);
        var byId = rows.ToDictionary(r => r.Id);
        var newest = rows.OrderByDescending(r => r.PublishedAt).ThenByDescending(r => r.Id).Select(r => r.Id).ToList();
        var slots = FrontPage.FrontPageRules.Fill(pins, byId.ContainsKey, featuredId, newest, now);
        var inSlots = slots.Select(s => s.ArticleId).ToHashSet();
        List<SummaryRow> top = [.. slots.Select(s => byId[s.ArticleId]), .. newest.Where(id => !inSlots.Contains(id)).Take(latestCount).Select(id => byId[id])];

        // The newest few of every section in one command: a UNION ALL of small ordered queries, each served by the
        // (SectionId, Status, PublishedAt) index, so the cost does not grow with the archive. SQLite wants each
        // ordered, limited part in its own subquery, which LINQ's Concat does not write: hence SQL, with parameters.
        // Over-fetched by what the top of the page may already show.
        var sectionRows = new List<SummaryRow>();
        if (sections.Count > 0 && perSection > 0)
        {
            // {0} is the limit, {1}... the section ids: EF turns them into parameters.
            var parts = sections.Select((_, i) =>
                "SELECT * FROM (SELECT \"Id\", \"Slug\", \"Headline\", \"Standfirst\", \"PublishedAt\", \"SectionId\", \"FeaturedImageId\" FROM \"Articles\" " +
                "WHERE \"SectionId\" = {" + (i + 1) + "} AND " + Article.PublicSql + " ORDER BY \"PublishedAt\" DESC, \"Id\" DESC LIMIT {0}) AS s" + i);
            object[] values = [perSection + top.Count, .. sections.Select(section => (object)section.Id)];
            sectionRows = [.. (await db.Database.SqlQueryRaw<SectionRow>(string.Join("\nUNION ALL\n", parts), values).ToListAsync(ct))
                .Select(r => new SummaryRow(r.Id, r.Slug, r.Headline, r.Standfirst, DateTime.SpecifyKind(r.PublishedAt, DateTimeKind.Utc), r.SectionId, r.FeaturedImageId))];
        }
        var shown = top.Select(r => r.Id).ToHashSet();
        var blockRows = sections.ToDictionary(s => s.Id, s => sectionRows.Where(r => r.SectionId == s.Id && !shown.Contains(r.Id))
            .OrderByDescending(r => r.PublishedAt).ThenByDescending(r => r.Id).Take(perSection)
            .ToList());

        var summaries = (await SummariesAsync(db, [.. top, .. blockRows.Values.SelectMany(r => r)], ct)).DistinctBy(s => s.Id).ToDictionary(s => s.Id);
        var lead = summaries[top[0].Id];
        // A live lead shows its latest key event (the page carries live:{id}, evicted with every entry change).
        var keyEvent = !lead.IsLive ? null : await db.LiveEntries.AsNoTracking()
            .Where(e => e.ArticleId == lead.Id && e.IsKeyEvent && e.DeletedAt == null)
            .OrderByDescending(e => e.PostedAt).ThenByDescending(e => e.Id)
            .Select(e => new LeadKeyEvent(e.Id, e.BodyText, e.PostedAt)).FirstOrDefaultAsync(ct);
        return new HomePage(lead, [.. top.Skip(1).Take(slots.Count - 1).Select(r => summaries[r.Id])],
            [.. top.Skip(slots.Count).Select(r => summaries[r.Id])],
            [.. sections.Select(s => new SectionBlock(new TermLink(s.Name, s.Slug), [.. blockRows[s.Id].Select(r => summaries[r.Id])]))
                .Where(b => b.Articles.Count > 0)],
            total, slots.Where(s => s.Pinned).Select(s => s.PinnedUntil).Min(), keyEvent);
    }

    private sealed record SummaryRow(int Id, string Slug, string Headline, string Standfirst, DateTime PublishedAt, int? SectionId, int? FeaturedImageId);

    /// <summary>A row of the home page's per-section query (SQL, so a plain class EF can fill).</summary>
    private sealed class SectionRow
    {
        public int Id { get; set; }
        public string Slug { get; set; } = "";
        public string Headline { get; set; } = "";
        public string Standfirst { get; set; } = "";
        public DateTime PublishedAt { get; set; }
        public int? SectionId { get; set; }
        public int? FeaturedImageId { get; set; }
    }

    /// <summary>Adds bylines, sections (kept in memory, see PublicTaxonomy) and the live badge to listed articles: two queries for the whole list.</summary>
    private async Task<List<PublicArticleSummary>> SummariesAsync(NewsCmsDbContext db, IReadOnlyList<SummaryRow> rows, CancellationToken ct)
    {
        var ids = rows.Select(r => r.Id).Distinct().ToList();
        var bylines = await db.ArticleAuthors.AsNoTracking().Where(aa => ids.Contains(aa.ArticleId))
            .Join(db.AuthorProfiles, aa => aa.AuthorProfileId, p => p.Id, (aa, p) => new { aa.ArticleId, aa.Position, p.DisplayName, p.Slug })
            .ToListAsync(ct);
        var sections = await taxonomy.SectionLinksAsync(ct);
        // The "Live" badge: which of them carry live coverage now (evicted when it starts or ends, see PublicDependencies).
        var live = (await db.Articles.AsNoTracking().Where(a => ids.Contains(a.Id) && a.LiveStartedAt != null && a.LiveEndedAt == null)
            .Select(a => a.Id).ToListAsync(ct)).ToHashSet();
        return [.. rows.Select(r => new PublicArticleSummary(r.Id, r.Slug, r.Headline, r.Standfirst, r.PublishedAt,
            [.. bylines.Where(b => b.ArticleId == r.Id).OrderBy(b => b.Position).Select(b => new TermLink(b.DisplayName, b.Slug))],
            r.SectionId is { } s && sections.TryGetValue(s, out var section) ? section : null,
            r.FeaturedImageId, live.Contains(r.Id)))];
    }

    // The article page's queries, compiled once (EF.CompileAsyncQuery): a fresh render then skips EF's per-query work
    // of evaluating the expression's captured parts (compiling a delegate for each), hashing it and looking up its
    // cached plan. The SQL is the same as the LINQ it replaces.

    /// <summary>The fields a reader's page shows (not the plain-text copy, the editor's annotations or workflow fields).</summary>
    private static readonly CompiledForModel<Func<NewsCmsDbContext, string, CancellationToken, Task<Article?>>> ArticleBySlug = new(() => EF.CompileAsyncQuery(
        (NewsCmsDbContext db, string slug, CancellationToken ct) => db.Articles.AsNoTracking()
            .Where(a => a.Slug == slug && a.Kind == ArticleKind.Article)
            .Select(a => new Article
            {
                Id = a.Id, Kind = a.Kind, Headline = a.Headline, Standfirst = a.Standfirst, Slug = a.Slug, BodyHtml = a.BodyHtml,
                WordCount = a.WordCount, ReadingMinutes = a.ReadingMinutes, Status = a.Status, UpdatedAt = a.UpdatedAt, PublishedAt = a.PublishedAt,
                FirstPublishedAt = a.FirstPublishedAt, TrashedAt = a.TrashedAt, SectionId = a.SectionId, FeaturedImageId = a.FeaturedImageId,
                SeoTitle = a.SeoTitle, MetaDescription = a.MetaDescription, CanonicalUrl = a.CanonicalUrl, LiveStartedAt = a.LiveStartedAt, LiveEndedAt = a.LiveEndedAt,
            })
            .FirstOrDefault()));

    /// <summary>A byline (with the author box's fields) or a tag of an article: both come in one query, one round trip.</summary>
    private sealed class Credit
    {
        public bool IsTag { get; init; }
        public int Position { get; init; }
        public int Id { get; init; }
        public string Name { get; init; } = "";
        public string Slug { get; init; } = "";
        public string? JobTitle { get; init; }
        public string? Bio { get; init; }
        public int? AvatarId { get; init; }
        public string? Website { get; init; }
        public string? X { get; init; }
        public string? Facebook { get; init; }
        public string? LinkedIn { get; init; }
        public string? Instagram { get; init; }
        public string? Email { get; init; }
    }

    /// <summary>The bylines in their order, then the tags by name (the order is the database's, as the pages' lists are).</summary>
    private static readonly CompiledForModel<Func<NewsCmsDbContext, int, IAsyncEnumerable<Credit>>> CreditsOf = new(() => EF.CompileAsyncQuery<NewsCmsDbContext, int, Credit>(
        (db, articleId) => db.ArticleAuthors.AsNoTracking().Where(aa => aa.ArticleId == articleId)
            .Join(db.AuthorProfiles, aa => aa.AuthorProfileId, p => p.Id, (aa, p) => new Credit
            {
                IsTag = false, Position = aa.Position, Id = p.Id, Name = p.DisplayName, Slug = p.Slug, JobTitle = p.JobTitle, Bio = p.Bio,
                AvatarId = p.AvatarId, Website = p.Website, X = p.X, Facebook = p.Facebook, LinkedIn = p.LinkedIn, Instagram = p.Instagram, Email = p.Email,
            })
            .Concat(db.ArticleTags.AsNoTracking().Where(at => at.ArticleId == articleId)
                .Join(db.Tags, at => at.TagId, t => t.Id, (at, t) => new Credit
                {
                    IsTag = true, Position = 0, Id = t.Id, Name = t.Name, Slug = t.Slug, JobTitle = null, Bio = null,
                    AvatarId = null, Website = null, X = null, Facebook = null, LinkedIn = null, Instagram = null, Email = null,
                }))
            .OrderBy(c => c.IsTag).ThenBy(c => c.Position).ThenBy(c => c.Name)));

    /// <summary>An article next to another in its section: published just before or just after it.</summary>
    private sealed record Neighbour(int Id, DateTime? PublishedAt, string Headline, string Slug);

    /// <summary>The previous and the next article in a section, in one query (at most two rows).</summary>
    private static readonly CompiledForModel<Func<NewsCmsDbContext, int, int, DateTime, IAsyncEnumerable<Neighbour>>> NeighboursInSection = new(() => EF.CompileAsyncQuery(
        (NewsCmsDbContext db, int sectionId, int articleId, DateTime publishedAt) =>
            db.Articles.AsNoTracking().Where(Article.IsPublicExpression).Where(a => a.SectionId == sectionId && a.Id != articleId)
                .Where(a => a.PublishedAt < publishedAt).OrderByDescending(a => a.PublishedAt).Take(1)
            .Concat(db.Articles.AsNoTracking().Where(Article.IsPublicExpression).Where(a => a.SectionId == sectionId && a.Id != articleId)
                .Where(a => a.PublishedAt > publishedAt).OrderBy(a => a.PublishedAt).Take(1))
            .Select(a => new Neighbour(a.Id, a.PublishedAt, a.Headline, a.Slug))));

    /// <summary>A stored relation and the related article when it is public (members, not a constructor: EF orders by Rank after the projection).</summary>
    private sealed class StoredRelation
    {
        public int Rank { get; init; }
        public int RelatedArticleId { get; init; }
        public string? Slug { get; init; }
        public string? Headline { get; init; }
        public DateTime? PublishedAt { get; init; }
        public int? FeaturedImageId { get; init; }
    }

    private static readonly CompiledForModel<Func<NewsCmsDbContext, int, IAsyncEnumerable<StoredRelation>>> RelationsOf = new(() => EF.CompileAsyncQuery<NewsCmsDbContext, int, StoredRelation>(
        (db, articleId) => db.ArticleRelations.AsNoTracking().Where(r => r.ArticleId == articleId)
            .LeftJoin(db.Articles.Where(Article.IsPublicExpression), r => r.RelatedArticleId, a => a.Id,
                (r, a) => new StoredRelation
                {
                    Rank = r.Rank, RelatedArticleId = r.RelatedArticleId, Slug = a == null ? null : a.Slug, Headline = a == null ? null : a.Headline,
                    PublishedAt = a == null ? null : a.PublishedAt, FeaturedImageId = a == null ? null : a.FeaturedImageId,
                })
            .OrderBy(x => x.Rank)));

    private async Task<PublicArticle> ComposeAsync(NewsCmsDbContext db, Article article, CancellationToken ct)
    {
        var credits = await CreditsOf.For(db)(db, article.Id).ToListAsync(ct);
        var authors = credits.Where(c => !c.IsTag).Select(c => new Byline(c.Id, c.Name, c.Slug, c.JobTitle ?? "", c.Bio ?? "", c.AvatarId,
            c.Website, c.X, c.Facebook, c.LinkedIn, c.Instagram, c.Email)).ToList();
        var tags = credits.Where(c => c.IsTag).Select(c => new TermLink(c.Name, c.Slug)).ToList();
        var section = article.SectionId is { } id ? (await taxonomy.SectionLinksAsync(ct)).GetValueOrDefault(id) : null;
        TermLink? previous = null, next = null;
        var others = new List<int>();
        if (article.SectionId is { } sectionId && article.PublishedAt is { } publishedAt && article.Status == ArticleStatus.Published)
        {
            var neighbours = await NeighboursInSection.For(db)(db, sectionId, article.Id, publishedAt).ToListAsync(ct);
            previous = neighbours.Where(n => n.PublishedAt < publishedAt).Select(n => new TermLink(n.Headline, n.Slug)).FirstOrDefault();
            next = neighbours.Where(n => n.PublishedAt > publishedAt).Select(n => new TermLink(n.Headline, n.Slug)).FirstOrDefault();
            others.AddRange(neighbours.Select(n => n.Id));
        }
        // Ranked when the article was published or edited; only those still public are shown. All are read (a few
        // more than shown), so the page can say it names them all: one that comes back brings its page up to date.
        var stored = await RelationsOf.For(db)(db, article.Id).ToListAsync(ct);
        others.AddRange(stored.Select(x => x.RelatedArticleId));
        var related = stored.Where(x => x.Slug is not null).Take(RelatedArticles.Shown)
            .Select(x => new RelatedArticle(x.Slug!, x.Headline!, x.PublishedAt!.Value, x.FeaturedImageId)).ToList();
        return new PublicArticle(article.Id, article.Slug, article.Headline, article.Standfirst, article.BodyHtml, article.PublishedAt, article.UpdatedAt,
            authors, tags, section, article.FeaturedImageId, article.WordCount, article.ReadingMinutes, article.SeoTitle, article.MetaDescription, article.CanonicalUrl,
            previous, next, related, others, article.Kind, article.LiveStartedAt, article.LiveEndedAt);
    }
}
