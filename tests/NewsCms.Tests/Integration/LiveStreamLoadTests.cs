using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Benchmarks.Live;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.LiveBlogs;

namespace NewsCms.Tests.Integration;

/// <summary>
/// A few hundred readers on one live blog over real sockets (Kestrel on loopback): every one gets the entry, one
/// shared broadcaster serves them all, and stopping the app ends every stream at once instead of waiting for them.
/// </summary>
public sealed class LiveStreamLoadTests
{
    private const int Readers = 300;

    [Fact]
    public async Task Three_hundred_open_pages_each_get_the_entry_and_the_app_stops_without_waiting_for_them()
    {
        var app = await NewsCmsAppFactory.CreateAsync();
        var readers = new List<SseSocketReader>();
        try
        {
            app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            app.StartServer();
            var port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()).Port;
            var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
            await using var scope = app.Services.CreateAsyncScope();
            var articles = scope.ServiceProvider.NewsroomArticles();
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Load live", BodyHtml = "<p>Live.</p>" }, null, SaveKind.Manual);
            Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
            var live = scope.ServiceProvider.GetRequiredService<LiveBlogService>();
            Assert.True((await live.SetCoverageAsync(admin, saved.Id, true)).Succeeded);

            var ct = TestContext.Current.CancellationToken;
            for (var i = 0; i < Readers; i++)
            {
                var reader = new SseSocketReader();
                readers.Add(reader);
                // The host header the site answers to (its AdditionalHosts include localhost).
                await reader.OpenAsync(new IPEndPoint(IPAddress.Loopback, port), $"/live/{saved.Id}/events?after=0", ct, host: "localhost");
            }
            await Task.WhenAll(readers.Select(r => r.Connected)).WaitAsync(SseClient.Deadline, ct);
            Assert.Equal(Readers, app.Services.GetRequiredService<LiveStream>().CountOf(saved.Id));

            var posted = await live.PostAsync(admin, saved.Id, new LiveEntryInput("<p>Everyone sees this.</p>"), ct);
            Assert.True(posted.Succeeded, posted.Error);
            var deadline = Stopwatch.StartNew();
            while (readers.Any(r => r.Arrived(posted.Value!.Seq) is null))
            {
                Assert.True(deadline.Elapsed < SseClient.Deadline, $"{readers.Count(r => r.Arrived(posted.Value!.Seq) is null)} readers never got the entry");
                await Task.Delay(10, ct);
            }

            // Stopping: the streams end with the app (Kestrel would otherwise wait for them until its shutdown timeout).
            await app.DisposeAsync().AsTask().WaitAsync(SseClient.Deadline, ct);
            await Task.WhenAll(readers.Select(r => r.Ended)).WaitAsync(SseClient.Deadline, ct);
        }
        finally
        {
            foreach (var reader in readers) await reader.DisposeAsync();
            await app.DisposeAsync();
        }
    }
}
