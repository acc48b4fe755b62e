using System.Collections.Concurrent;
using System.Security.Claims;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewsCms.Web.Data;

namespace NewsCms.Tests.Infrastructure;

/// <summary>One request a <see cref="WebhookReceiver"/> got: its body and headers, and the status it answered.</summary>
public sealed record ReceivedWebhook(string Body, IReadOnlyDictionary<string, string> Headers, int Answered);

/// <summary>
/// A webhook receiver on 127.0.0.1 (a tiny Kestrel app): records every POST and answers with what
/// <see cref="Answer"/> says for the request's number (1-based), after an optional delay. A request whose sender gave up
/// before the answer is not among <see cref="Received"/>.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Channel<ReceivedWebhook> arrivals = Channel.CreateUnbounded<ReceivedWebhook>();
    private readonly Channel<string> starts = Channel.CreateUnbounded<string>();
    private int count;

    private WebhookReceiver(WebApplication app) => this.app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>The status for request number n (1-based); 200 by default.</summary>
    public Func<int, int> Answer { get; set; } = _ => 200;

    /// <summary>How long to wait before answering (a slow receiver).</summary>
    public TimeSpan Delay { get; set; }

    public string BaseUrl { get; private set; } = "";
    public int Port => new Uri(BaseUrl).Port;
    public string Url => BaseUrl + "/hook";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return receiver;
    }

    /// <summary>
    /// The body of the next request that starts (before it is answered, even if it never is), waiting up to
    /// <paramref name="timeout"/>.
    /// </summary>
    public async Task<string> NextStartedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await starts.Reader.ReadAsync(cts.Token);
    }

    /// <summary>The next request that arrives and is answered (or was and was not taken yet), waiting up to <paramref name="timeout"/>.</summary>
    public async Task<ReceivedWebhook> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await arrivals.Reader.ReadAsync(cts.Token);
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var status = Answer(Interlocked.Increment(ref count));
        starts.Writer.TryWrite(body);
        if (Delay > TimeSpan.Zero)
        {
            try { await Task.Delay(Delay, context.RequestAborted); } catch (OperationCanceledException) { }
        }
        // The sender gave up (its timeout) or died: nothing was answered.
        if (context.RequestAborted.IsCancellationRequested) return;
        var received = new ReceivedWebhook(body, headers, status);
        Received.Enqueue(received);
        arrivals.Writer.TryWrite(received);
        context.Response.StatusCode = status;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>Integrations made directly in a test's database (the integrations service is not what these tests are about).</summary>
public static class TestIntegrations
{
    /// <summary>
    /// An integration and its own account (<see cref="ApplicationUser.IsIntegration"/>) in <paramref name="role"/>,
    /// or, with <paramref name="ownerId"/>, linked to that existing account. Returns its id and its account's principal.
    /// </summary>
    public static async Task<(int Id, string UserId, ClaimsPrincipal Principal)> CreateAsync(IServiceProvider services, string role, string? ownerId = null, string? name = null)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        ApplicationUser user;
        if (ownerId is null)
        {
            var handle = "integration-" + Guid.NewGuid().ToString("N");
            user = new ApplicationUser
            {
                UserName = handle, Email = handle + "@integrations.invalid", DisplayName = name ?? "Test integration", IsIntegration = true, CreatedAt = DateTime.UtcNow,
            };
            var created = await users.CreateAsync(user);
            Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        }
        else
        {
            user = (await users.FindByIdAsync(ownerId))!;
        }
        var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();
        var existing = await db.Integrations.FirstOrDefaultAsync(i => i.UserId == user.Id);
        var integration = existing ?? new NewsCms.Web.Features.Integrations.Integration { Name = name ?? user.DisplayName, UserId = user.Id, CreatedAt = DateTime.UtcNow };
        if (existing is null)
        {
            db.Integrations.Add(integration);
            await db.SaveChangesAsync();
        }
        var principal = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>().CreateAsync(user);
        return (integration.Id, user.Id, principal);
    }
}
