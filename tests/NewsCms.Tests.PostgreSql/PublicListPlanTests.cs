using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Taxonomy;
using Npgsql;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Public lists ("published, not trashed, newest first") on PostgreSQL take their order from an index. PostgreSQL
/// takes no order from an index past a column matched by IS NULL, so without the public indexes every list read
/// and sorted all published articles: at 100,000 articles 70 ms per query, the home page a quarter of a second.
/// The check: each query the public pages and the Content API run against the articles is explained with sorting
/// and sequential scans priced out, as a large table would price them; none may sort rows read from the table.
/// </summary>
public sealed class PublicListPlanTests
{
    [Fact]
    public async Task Public_lists_read_the_newest_articles_in_index_order_without_sorting_the_table()
    {
        var ct = TestContext.Current.CancellationToken;
        var commands = new CommandRecorder();
        await using var app = await NewsCmsAppFactory.CreateAsync();
        app.TestServices = services => services.AddSingleton<IInterceptor>(commands);
        using var reader = app.CreateClient(new() { HandleCookies = false });
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
            var section = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "News" })).Value!.Id;
            var tag = (await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Harbour" })).Value!.Id;
            var author = (await scope.ServiceProvider.GetRequiredService<AuthorProfiles>().CreateAsync(admin, new AuthorInput { DisplayName = "Ann Lee" })).Value;
            var articles = scope.ServiceProvider.NewsroomArticles();
            for (var i = 0; i < 3; i++)
            {
                var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput
                {
                    Headline = $"Harbour story {i}", BodyHtml = "<p>Text.</p>", SectionId = section, TagIds = [tag], AuthorIds = [author],
                }, null, SaveKind.Manual);
                Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
            }
        }
        await app.RelatedRankedAgainAsync();
        var (key, _) = await ContentApiKeys.CreateAsync(app.Services);
        await app.Services.GetRequiredService<IOutputCacheStore>().EvictByTagAsync(PublicCache.Tag, ct);

        commands.Clear();
        foreach (var url in new[]
        {
            "/", "/section/news", "/tag/harbour", "/author/ann-lee", "/feed.xml", "/section/news/feed.xml",
            $"/ghost/api/content/posts/?key={key}&include=tags,authors", $"/ghost/api/content/posts/?key={key}&page=2&limit=1",
        })
        {
            using var response = await reader.GetAsync(url, ct);
            Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode}");
        }

        var lists = commands.Recorded.Where(c => c.Text.Contains("\"PublishedAt\" DESC", StringComparison.Ordinal)).ToList();
        Assert.True(lists.Count >= 8, $"{lists.Count} list queries for eight lists"); // at least one per list asked for
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync(ct);
        await using (var pricing = new NpgsqlCommand("SET enable_seqscan = off; SET enable_sort = off", connection))
            await pricing.ExecuteNonQueryAsync(ct);
        foreach (var list in lists)
        {
            await using var explain = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + list.Text, connection);
            foreach (var parameter in list.Parameters) explain.Parameters.Add(parameter.Clone());
            var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync(ct))!);
            var sorted = SortsOfTheTable(plan.RootElement[0].GetProperty("Plan")).ToList();
            Assert.True(sorted.Count == 0, $"Sorts rows read from \"Articles\" ({string.Join(", ", sorted)}):\n{list.Text}\n{plan.RootElement}");
        }
    }

    /// <summary>Sort nodes fed straight by a scan of the articles table (through a Gather of parallel workers at most).</summary>
    private static IEnumerable<string> SortsOfTheTable(JsonElement node)
    {
        var children = node.TryGetProperty("Plans", out var plans) ? plans.EnumerateArray().ToList() : [];
        if (node.GetProperty("Node Type").GetString() is "Sort" or "Incremental Sort"
            && children.Any(ReadsTheTable))
        {
            yield return string.Join(", ", node.GetProperty("Sort Key").EnumerateArray().Select(k => k.GetString()));
        }
        foreach (var sort in children.SelectMany(SortsOfTheTable)) yield return sort;
    }

    private static bool ReadsTheTable(JsonElement node) =>
        node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "Articles"
        || node.GetProperty("Node Type").GetString() is "Gather" or "Gather Merge"
           && node.TryGetProperty("Plans", out var plans) && plans.EnumerateArray().Any(ReadsTheTable);

    /// <summary>Every query run inside a request, with its parameters.</summary>
    private sealed class CommandRecorder : DbCommandInterceptor
    {
        private readonly ConcurrentQueue<(string Text, NpgsqlParameter[] Parameters)> recorded = new();

        public IReadOnlyList<(string Text, NpgsqlParameter[] Parameters)> Recorded => [.. recorded];
        public void Clear() => recorded.Clear();

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (CommandCounter.InRequest)
                recorded.Enqueue((command.CommandText, [.. command.Parameters.Cast<NpgsqlParameter>().Select(p => p.Clone())]));
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
