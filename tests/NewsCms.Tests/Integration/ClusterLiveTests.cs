using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Breaking;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.LiveBlogs;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Two nodes of one site joined through a real Redis server: a reader connected to one node gets the entries posted
/// and the banner set on the other, and that node's cached page and catch-up windows are evicted.
/// </summary>
public sealed class ClusterLiveTests : IAsyncDisposable
{
    private NewsCmsAppFactory? a, b;

    public async ValueTask DisposeAsync()
    {
        if (b is not null) await b.DisposeAsync();
        if (a is not null) await a.DisposeAsync();
    }

    [Fact]
    public async Task A_reader_on_one_node_gets_the_entries_and_the_banner_set_on_the_other()
    {
        var redis = await TestRedis.NewConfigurationAsync();
        a = await NewsCmsAppFactory.CreateAsync(new() { [ClusterSetup.RedisSetting] = redis });
        _ = a.Services;
        b = NewsCmsAppFactory.SecondNodeOf(a, new() { [ClusterSetup.RedisSetting] = redis });
        _ = b.Services;

        var admin = await a.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var scope = a.Services.CreateAsyncScope();
        var articles = scope.ServiceProvider.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Count live", BodyHtml = "<p>Counting starts.</p>" }, null, SaveKind.Manual);
        var slug = (await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Value!.Slug;
        var live = scope.ServiceProvider.GetRequiredService<LiveBlogService>();
        Assert.True((await live.SetCoverageAsync(admin, saved.Id, true)).Succeeded);

        using var readerB = b.CreateClient(new() { HandleCookies = false });
        Assert.DoesNotContain("First ballot box", await readerB.GetStringAsync(ArticleUrls.ForSlug(slug)));
        Assert.NotNull((await readerB.GetAsync(ArticleUrls.ForSlug(slug))).Headers.Age);
        await using var events = await SseClient.OpenAsync(readerB, $"/live/{saved.Id}/events?after=0");
        await events.NextAsync("banner");

        // Open composers on the other node hear of it too.
        var heardOnB = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Services.GetRequiredService<LiveStream>().ArticleChanged += id => heardOnB.TrySetResult(id);
        var posted = await live.PostAsync(admin, saved.Id, new LiveEntryInput("<p>First ballot box arrives.</p>"));
        Assert.True(posted.Succeeded, posted.Error);
        Assert.Equal(saved.Id, await heardOnB.Task.WaitAsync(SseClient.Deadline));

        var entry = await events.NextAsync("entry");
        Assert.Equal(posted.Value!.Seq.ToString(), entry.Id);
        Assert.Contains("First ballot box arrives.", JsonDocument.Parse(entry.Data).RootElement.GetProperty("html").GetString());
        // The eviction travelled too (the bus delivers each channel in order; the entry came after its eviction was sent).
        await UntilAsync(async () => (await readerB.GetStringAsync(ArticleUrls.ForSlug(slug))).Contains("First ballot box", StringComparison.Ordinal));

        var breaking = scope.ServiceProvider.GetRequiredService<BreakingNews>();
        Assert.True((await breaking.SetAsync(admin, new BannerInput("Result declared", null, DateTime.UtcNow.AddHours(1)))).Succeeded);
        Assert.Contains("Result declared", (await events.NextAsync("banner")).Data);
    }

    /// <summary>Asks until true, with a deadline (evictions from another node arrive asynchronously).</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + SseClient.Deadline;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the other node never showed the change");
            await Task.Delay(25);
        }
    }
}
