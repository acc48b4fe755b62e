using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Integration;

/// <summary>What one autosave or Publish costs: each returns the editor's new state, so the editor fetches nothing after it.</summary>
public class EditorSaveCostTests
{
    /// <summary>Counts SQL commands and the contexts that ran them, only for work started while <see cref="Counting"/> is on.</summary>
    private sealed class Counter : DbCommandInterceptor
    {
        private readonly AsyncLocal<bool> counting = new();
        private readonly ConditionalWeakTable<DbContext, object> seen = [];
        private int commands;
        private int contexts;

        /// <summary>The SQL of the commands counted since the last <see cref="Take"/>.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<string> Texts { get; } = new();

        public bool Counting { get => counting.Value; set => counting.Value = value; }
        public (int Contexts, int Commands) Take()
        {
            var result = (contexts, commands);
            seen.Clear();
            Texts.Clear();
            contexts = commands = 0;
            return result;
        }

        private void Count(DbCommand command, CommandEventData data)
        {
            if (!Counting) return;
            Texts.Enqueue(command.CommandText);
            Interlocked.Increment(ref commands);
            if (data.Context is { } context && seen.TryAdd(context, new object())) Interlocked.Increment(ref contexts);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Count(command, eventData);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Count(command, eventData);
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Count(command, eventData);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }
    }

    /// <summary>A fresh site that counts SQL from the moment <see cref="Counter.Counting"/> is on, with a saved draft.</summary>
    private sealed class CountedSite : IAsyncDisposable
    {
        public required Counter Counter { get; init; }
        public required NewsCmsAppFactory App { get; init; }
        public required AsyncServiceScope Scope { get; init; }
        public NewsroomArticles Articles => Scope.ServiceProvider.NewsroomArticles();
        public required System.Security.Claims.ClaimsPrincipal Admin { get; init; }
        public required SaveOutcome Draft { get; init; }

        public static async Task<CountedSite> StartAsync(string headline, string body)
        {
            var counter = new Counter();
            var app = await NewsCmsAppFactory.CreateAsync();
            app.TestServices = services =>
            {
                services.AddSingleton<IInterceptor>(counter);
                services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
            };
            var scope = app.Services.CreateAsyncScope();
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            var draft = await scope.ServiceProvider.NewsroomArticles().Editing.SaveAsync(admin, null, new ArticleInput { Headline = headline, BodyHtml = body }, null, SaveKind.Manual);
            Assert.True(draft.Succeeded, draft.Error);
            return new CountedSite { App = app, Scope = scope, Admin = admin, Draft = draft, Counter = counter };
        }

        public async ValueTask DisposeAsync()
        {
            await Scope.DisposeAsync();
            await App.DisposeAsync();
        }
    }

    /// <summary>The state a call answered with is what fetching the article again gives.</summary>
    private static void AssertSameState(ArticleForEdit fresh, ArticleForEdit state)
    {
        Assert.Equal(fresh.Version, state.Version);
        Assert.Equal(fresh.Status, state.Status);
        Assert.Equal(fresh.BodyHtml, state.BodyHtml);
        Assert.Equal(fresh.WordCount, state.WordCount);
        Assert.Equal(fresh.UpdatedAt, state.UpdatedAt);
        Assert.Equal(fresh.PublishedAt, state.PublishedAt);
        Assert.Equal(fresh.Allowed.Order(), state.Allowed.Order());
        Assert.Equal(fresh.Authors, state.Authors);
        Assert.Equal(fresh.Tags, state.Tags);
    }

    [Fact]
    public async Task An_autosave_returns_the_article_as_the_editor_shows_it_so_nothing_is_fetched_after_it()
    {
        await using var site = await CountedSite.StartAsync("Pier repairs", "<p>Start.</p>");
        var (articles, admin, draft, counter) = (site.Articles, site.Admin, site.Draft, site.Counter);

        counter.Counting = true;
        var saved = await articles.Editing.SaveAsync(admin, draft.Id, new ArticleInput { Headline = "Pier repairs", BodyHtml = "<p>Start. More.</p>" }, draft.Version, SaveKind.Autosave);
        var save = counter.Take();
        var fetched = await articles.Reads.GetForEditAsync(admin, draft.Id);
        var reload = counter.Take();
        counter.Counting = false;

        Assert.True(saved.Succeeded);
        AssertSameState(fetched.Value!, saved.Article!);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"One autosave now (the save, returning the editor's state): {save.Contexts} contexts / {save.Commands} SQL commands; " +
            $"the fetch the editor made after every save before: {reload.Contexts} contexts / {reload.Commands} SQL commands.");
        Assert.True(reload.Contexts > 0 && reload.Commands > 0, "the fetch the editor no longer makes costs something");
    }

    [Fact]
    public async Task An_autosave_that_keeps_the_bylines_and_tags_neither_looks_them_up_nor_writes_them_again()
    {
        await using var site = await CountedSite.StartAsync("Pier repairs", "<p>Start.</p>");
        var (articles, admin, draft, counter) = (site.Articles, site.Admin, site.Draft, site.Counter);
        var taxonomy = site.Scope.ServiceProvider.GetRequiredService<NewsCms.Web.Features.Taxonomy.TaxonomyService>();
        var profiles = site.Scope.ServiceProvider.GetRequiredService<NewsCms.Web.Features.Authors.AuthorProfiles>();
        var harbour = (await taxonomy.CreateTagAsync(admin, new() { Name = "Harbour" })).Value!.Id;
        var council = (await taxonomy.CreateTagAsync(admin, new() { Name = "Council" })).Value!.Id;
        var ann = (await profiles.CreateAsync(admin, new() { DisplayName = "Ann Lee" })).Value;
        var sam = (await profiles.CreateAsync(admin, new() { DisplayName = "Sam Roe" })).Value;
        var filed = await articles.Editing.SaveAsync(admin, draft.Id,
            new ArticleInput { Headline = "Pier repairs", BodyHtml = "<p>Start.</p>", TagIds = [harbour, council], AuthorIds = [ann, sam] }, draft.Version, SaveKind.Manual);
        Assert.True(filed.Succeeded, filed.Error);

        counter.Counting = true;
        var kept = await articles.Editing.SaveAsync(admin, draft.Id,
            new ArticleInput { Headline = "Pier repairs", BodyHtml = "<p>Start. More.</p>", TagIds = [council, harbour], AuthorIds = [ann, sam] }, filed.Version, SaveKind.Autosave);
        var keptSql = string.Join("\n", counter.Texts);
        var keptCounts = string.Join("\n", counter.Texts.Where(t => t.Contains("COUNT(*)", StringComparison.Ordinal)));
        var keptCost = counter.Take();
        Assert.True(kept.Succeeded, kept.Error);
        foreach (var table in new[] { "\"ArticleAuthors\"", "\"ArticleTags\"" })
        {
            Assert.DoesNotContain("DELETE FROM " + table, keptSql);
            Assert.DoesNotContain("INSERT INTO " + table, keptSql);
        }
        Assert.DoesNotContain("FROM \"Tags\"", keptCounts);
        Assert.DoesNotContain("FROM \"AuthorProfiles\"", keptCounts);
        Assert.Equal(["Ann Lee", "Sam Roe"], kept.Article!.Authors.Select(a => a.Name));
        Assert.Equal(["Council", "Harbour"], kept.Article.Tags.Select(t => t.Name));

        // Changed bylines (their order too) and tags are checked and written.
        counter.Counting = true;
        var changed = await articles.Editing.SaveAsync(admin, draft.Id,
            new ArticleInput { Headline = "Pier repairs", BodyHtml = "<p>Start. More.</p>", TagIds = [harbour], AuthorIds = [sam, ann] }, kept.Version, SaveKind.Autosave);
        var changedSql = string.Join("\n", counter.Texts);
        counter.Take();
        counter.Counting = false;
        Assert.True(changed.Succeeded, changed.Error);
        Assert.Contains("DELETE FROM \"ArticleTags\"", changedSql);
        var fetched = (await articles.Reads.GetForEditAsync(admin, draft.Id)).Value!;
        Assert.Equal(["Sam Roe", "Ann Lee"], fetched.Authors.Select(a => a.Name));
        Assert.Equal(["Harbour"], fetched.Tags.Select(t => t.Name));
        // A tag or byline not on the article yet is still looked up.
        var missingTag = await articles.Editing.SaveAsync(admin, draft.Id,
            new ArticleInput { Headline = "Pier repairs", BodyHtml = "<p>Start.</p>", TagIds = [harbour, 99_999], AuthorIds = [sam, ann] }, changed.Version, SaveKind.Autosave);
        Assert.Equal("One of the tags no longer exists.", missingTag.Error);
        var missingAuthor = await articles.Editing.SaveAsync(admin, draft.Id,
            new ArticleInput { Headline = "Pier repairs", BodyHtml = "<p>Start.</p>", TagIds = [harbour], AuthorIds = [sam, 99_999] }, changed.Version, SaveKind.Autosave);
        Assert.Equal("One of the authors no longer exists.", missingAuthor.Error);
        TestContext.Current.TestOutputHelper?.WriteLine($"An autosave keeping its bylines and tags: {keptCost.Commands} SQL commands.");
    }

    [Fact]
    public async Task Publishing_returns_the_article_as_the_editor_shows_it_so_nothing_is_fetched_after_it()
    {
        await using var site = await CountedSite.StartAsync("Harbour opens", "<p>Boats.</p>");
        var (articles, admin, draft, counter) = (site.Articles, site.Admin, site.Draft, site.Counter);

        counter.Counting = true;
        var published = await articles.Workflow.PublishAsync(admin, draft.Id, draft.Version);
        var publish = counter.Take();
        var fetched = await articles.Reads.GetForEditAsync(admin, draft.Id);
        var reload = counter.Take();
        counter.Counting = false;

        // The action's answer is what the editor used to fetch after it.
        Assert.True(published.Succeeded, published.Error);
        Assert.Equal(ArticleStatus.Published, published.Value!.Status);
        AssertSameState(fetched.Value!, published.Value);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"One Publish from the editor now (the action, returning the editor's state): {publish.Contexts} contexts / {publish.Commands} SQL commands; " +
            $"the fetch the editor made after every action before: {reload.Contexts} contexts / {reload.Commands} SQL commands.");
        Assert.True(reload.Contexts > 0 && reload.Commands > 0, "the fetch the editor no longer makes costs something");
    }
}
