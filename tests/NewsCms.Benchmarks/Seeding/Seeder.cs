using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Search;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.Benchmarks.Seeding;

public sealed record SeedReport(int Articles, bool Reused, double Seconds, double ArticlesPerSecond, long FileBytes);

/// <summary>
/// Fills a fresh database through the app's own data layer: its migrations, DbContext and entities, bulk inserts in
/// batches with change tracking off, then the search index (the article service's own statement) and the stored
/// Related articles, so pages behave as in production. SQLite or PostgreSQL (<see cref="BenchDatabase"/>).
/// </summary>
public sealed class Seeder(ContentGenerator content, TextWriter console)
{
    private const int BatchSize = 500;

    /// <summary>How many of the first articles are checked against the app's HTML policy and plain-text extraction.</summary>
    private const int Checked = 5;

    /// <summary>
    /// Seeds <paramref name="database"/> with <paramref name="articles"/> articles, or reuses a SQLite file when
    /// <paramref name="reuse"/> is set and a completed seed of the same size is already there (a PostgreSQL database
    /// is always made fresh for the run).
    /// </summary>
    public async Task<SeedReport> SeedAsync(BenchDatabase database, int articles, bool reuse, CancellationToken ct)
    {
        var path = database.Path;
        var marker = path + ".seeded";
        if (path is not null)
        {
            if (reuse && File.Exists(path) && File.Exists(marker) && (await File.ReadAllTextAsync(marker, ct)).Trim() == articles.ToString())
            {
                console.WriteLine($"Reusing the seeded database {path} ({articles:N0} articles).");
                return new SeedReport(articles, true, 0, 0, new FileInfo(path).Length);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            foreach (var file in new[] { path, path + "-wal", path + "-shm", marker }) File.Delete(file);
        }

        var clock = Stopwatch.StartNew();
        console.WriteLine($"Seeding {articles:N0} articles ({ContentGenerator.TagCount:N0} tags, {ContentGenerator.AuthorCount} authors, " +
            $"{content.Sections.Count} sections) into {database.Description}");
        await using var db = database.NewContext();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        // One open connection for the whole seed, so the session settings below hold throughout.
        await db.Database.OpenConnectionAsync(ct);
        if (database.IsPostgreSql)
        {
            // The tables belong to the role the cluster's nodes sign in as.
            if (database.Owner is { } owner)
            {
                var setRole = $"SET ROLE \"{owner}\"";
                await db.Database.ExecuteSqlRawAsync(setRole, ct);
            }
            // A throwaway database needs no wait for the WAL flush at each commit.
            await db.Database.ExecuteSqlRawAsync("SET synchronous_commit = off", ct);
        }
        await db.Database.MigrateAsync(ct);
        if (!database.IsPostgreSql)
        {
            // A throwaway file needs no fsync.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;", ct);
        }

        var now = DateTime.UtcNow;
        await InsertTaxonomyAsync(db, now, ct);

        var end = now.Date.AddHours(now.Hour);
        var tagsOf = new int[articles + 1][];
        var sectionOf = new int[articles + 1];
        var published = new bool[articles + 1];
        var progress = new ProgressBar(console, "articles", articles);
        var next = Task.Run(() => Generate(1, Math.Min(BatchSize, articles), articles, end), ct);
        for (var first = 1; first <= articles; first += BatchSize)
        {
            var batch = await next;
            var nextFirst = first + BatchSize;
            // Generating the next batch (CPU) overlaps with writing this one (the database).
            next = nextFirst <= articles ? Task.Run(() => Generate(nextFirst, Math.Min(BatchSize, articles - nextFirst + 1), articles, end), ct) : Task.FromResult(Array.Empty<GeneratedArticle>());
            if (first == 1) CheckAgainstAppPolicy(batch.Take(Checked));
            foreach (var a in batch)
            {
                tagsOf[a.Id] = a.TagIds;
                sectionOf[a.Id] = a.SectionId;
                published[a.Id] = a.Published;
            }
            await InsertArticlesAsync(db, batch, now, ct);
            progress.Report(Math.Min(articles, first + BatchSize - 1));
        }
        progress.Done();

        await IndexForSearchAsync(db, articles, ct);
        await StoreRelatedAsync(db, tagsOf, sectionOf, published, ct);
        if (database.IsPostgreSql)
        {
            // Rows went in with their ids: the identity sequences move past them, so the app's own inserts (the cluster
            // run publishes new articles) get fresh ids. Then fresh statistics, as after any bulk load.
            foreach (var table in new[] { "Sections", "Tags", "AuthorProfiles", "Articles" })
            {
                var sql = $"""SELECT setval(pg_get_serial_sequence('"{table}"', 'Id'), (SELECT max("Id") FROM "{table}"))""";
                await db.Database.ExecuteSqlRawAsync(sql, ct);
            }
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE", ct);
        }
        else
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
        }
        await db.Database.CloseConnectionAsync();
        if (path is not null) await File.WriteAllTextAsync(marker, articles.ToString(), ct);

        var seconds = clock.Elapsed.TotalSeconds;
        var report = new SeedReport(articles, false, seconds, articles / seconds, await database.SizeBytesAsync(ct));
        console.WriteLine($"Seeded {articles:N0} articles in {seconds:N1} s ({report.ArticlesPerSecond:N0} articles/s overall), database {report.FileBytes / 1048576.0:N0} MB.");
        return report;
    }

    private GeneratedArticle[] Generate(int first, int count, int total, DateTime end)
    {
        var batch = new GeneratedArticle[count];
        Parallel.For(0, count, i => batch[i] = content.Article(first + i, total, end));
        return batch;
    }

    /// <summary>The generated HTML is exactly what the app's sanitizer keeps, and the plain text what the app would store.</summary>
    private static void CheckAgainstAppPolicy(IEnumerable<GeneratedArticle> articles)
    {
        foreach (var a in articles)
        {
            if (ArticleHtml.Sanitize(a.BodyHtml) != a.BodyHtml) throw new InvalidOperationException($"Generated article {a.Id} is not what the HTML policy keeps.");
            if (ArticleHtml.ToPlainText(a.BodyHtml) != a.BodyText) throw new InvalidOperationException($"Generated article {a.Id}'s plain text differs from the app's.");
        }
    }

    private async Task InsertTaxonomyAsync(NewsCmsDbContext db, DateTime now, CancellationToken ct)
    {
        db.AddRange(content.Sections.Select((s, i) => new Section { Id = s.Id, Name = s.Name, Slug = s.Slug, Position = i, ShowInNavigation = s.ShowInNavigation, CreatedAt = now }));
        db.AddRange(content.Tags.Select(t => new Tag { Id = t.Id, Name = t.Name, Slug = t.Slug, CreatedAt = now }));
        db.AddRange(content.Authors.Select(a => new AuthorProfile
        {
            Id = a.Id, DisplayName = a.Name, Slug = a.Slug, JobTitle = a.JobTitle, Bio = a.Bio, CreatedAt = now, UpdatedAt = now,
        }));
        await SaveAsync(db, ct);
    }

    private async Task InsertArticlesAsync(NewsCmsDbContext db, GeneratedArticle[] batch, DateTime now, CancellationToken ct)
    {
        foreach (var a in batch)
        {
            var words = ArticleHtml.CountWords(a.BodyText);
            var byline = content.Authors[a.AuthorIds[0] - 1].Name;
            db.Add(new Article
            {
                Id = a.Id, Headline = a.Headline, Standfirst = a.Standfirst, Slug = a.Slug, BodyHtml = a.BodyHtml, BodyText = a.BodyText,
                WordCount = words, ReadingMinutes = ArticleHtml.ReadingMinutes(words),
                Status = a.Published ? ArticleStatus.Published : ArticleStatus.Draft,
                CreatedAt = a.PublishedAt.AddHours(-2), UpdatedAt = a.PublishedAt,
                PublishedAt = a.Published ? a.PublishedAt : null, FirstPublishedAt = a.Published ? a.PublishedAt : null,
                CreatedByName = byline, LastEditedByName = byline, SectionId = a.SectionId, IsFeatured = a.IsFeatured, Version = a.Version,
            });
            db.AddRange(a.TagIds.Select(t => new ArticleTag { ArticleId = a.Id, TagId = t }));
            db.AddRange(a.AuthorIds.Select((p, i) => new ArticleAuthor { ArticleId = a.Id, AuthorProfileId = p, Position = i }));
        }
        await SaveAsync(db, ct);
    }

    /// <summary>The article service's own index sync (SQLite's FTS5 or PostgreSQL's tsvector table), for id ranges, with a progress bar.</summary>
    private async Task IndexForSearchAsync(NewsCmsDbContext db, int articles, CancellationToken ct)
    {
        const int chunk = 5_000;
        var range = db.Database.IsNpgsql() ? """SELECT "Id" FROM "Articles" WHERE "Id" BETWEEN {0} AND {1}""" : "SELECT Id FROM Articles WHERE Id BETWEEN {0} AND {1}";
        var (_, insert) = db.Database.IsNpgsql() ? PostgreSqlSearchIndex.SyncSql(range) : SqliteSearchIndex.SyncSql(range);
        var progress = new ProgressBar(console, "indexed for search", articles);
        for (var first = 1; first <= articles; first += chunk)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlRawAsync(insert, [first, first + chunk - 1], ct);
            await transaction.CommitAsync(ct);
            progress.Report(Math.Min(articles, first + chunk - 1));
        }
        progress.Done();
    }

    /// <summary>
    /// Related articles, approximated for speed: the app ranks by shared tags (rarer tags weigh more) and text
    /// similarity; here only shared tags count, among each tag's 100 stories nearest in time, with the same small
    /// bonus for the same section, and short lists are topped up with the section's newest stories, as the app does.
    /// </summary>
    private async Task StoreRelatedAsync(NewsCmsDbContext db, int[][] tagsOf, int[] sectionOf, bool[] published, CancellationToken ct)
    {
        const int neighbours = 50, stored = 8, minimum = 4;
        var byTag = new Dictionary<int, List<int>>();
        var bySection = new Dictionary<int, List<int>>();
        for (var id = 1; id < tagsOf.Length; id++)
        {
            if (!published[id]) continue;
            foreach (var tag in tagsOf[id]) (byTag.TryGetValue(tag, out var list) ? list : byTag[tag] = []).Add(id);
            (bySection.TryGetValue(sectionOf[id], out var inSection) ? inSection : bySection[sectionOf[id]] = []).Add(id);
        }
        var weight = byTag.ToDictionary(t => t.Key, t => 1.0 / Math.Log(1 + t.Value.Count));

        var related = new int[tagsOf.Length][];
        Parallel.For(1, tagsOf.Length, () => new Dictionary<int, double>(), (id, _, scores) =>
        {
            if (!published[id]) return scores;
            scores.Clear();
            foreach (var tag in tagsOf[id])
            {
                var list = byTag[tag];
                var at = list.BinarySearch(id);
                for (var i = Math.Max(0, at - neighbours); i < Math.Min(list.Count, at + neighbours + 1); i++)
                {
                    if (list[i] != id) scores[list[i]] = scores.GetValueOrDefault(list[i]) + weight[tag];
                }
            }
            var best = scores.Count == 0 ? 1 : scores.Values.Max();
            var ranked = scores.OrderByDescending(s => s.Value / best + (sectionOf[s.Key] == sectionOf[id] ? 0.1 : 0)).ThenByDescending(s => s.Key)
                .Select(s => s.Key).Take(stored).ToList();
            if (ranked.Count < minimum)
            {
                var section = bySection[sectionOf[id]];
                ranked.AddRange(Enumerable.Range(0, section.Count).Select(i => section[^(i + 1)]).Where(o => o != id && !ranked.Contains(o)).Take(minimum - ranked.Count));
            }
            related[id] = [.. ranked];
            return scores;
        }, _ => { });

        var progress = new ProgressBar(console, "related lists stored", tagsOf.Length - 1);
        for (var first = 1; first < tagsOf.Length; first += BatchSize * 4)
        {
            var last = Math.Min(tagsOf.Length - 1, first + BatchSize * 4 - 1);
            for (var id = first; id <= last; id++)
            {
                if (related[id] is not { } list) continue;
                db.AddRange(list.Select((other, rank) => new ArticleRelation { ArticleId = id, RelatedArticleId = other, Rank = rank + 1 }));
            }
            await SaveAsync(db, ct);
            progress.Report(last);
        }
        progress.Done();
    }

    private static async Task SaveAsync(NewsCmsDbContext db, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.ChangeTracker.DetectChanges();
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
    }
}
