using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Components.Admin.Integrations;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.Webhooks;

namespace NewsCms.Tests.Components;

/// <summary>The integration page's webhook log rendered with bUnit over the real service and database.</summary>
public class WebhookLogTests : IAsyncLifetime
{
    private NewsCmsAppFactory app = default!;
    private AsyncServiceScope scope;
    private readonly BunitContext context = new();

    public async ValueTask InitializeAsync()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        // Nothing is sent: the log shows what the test wrote.
        app.TestServices = services => services.Remove(services.Single(d => d.ImplementationType == typeof(WebhookDeliveryWorker)));
        scope = app.Services.CreateAsyncScope();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddLogging();
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<Webhooks>());
    }

    public async ValueTask DisposeAsync()
    {
        await context.DisposeAsync();
        await scope.DisposeAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task The_log_lists_each_delivery_and_resend_queues_a_failed_one_again()
    {
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var (integrationId, _, _) = await TestIntegrations.CreateAsync(app.Services, NewsroomRoles.Editor, name: "Partner site");
        var webhooks = scope.ServiceProvider.GetRequiredService<Webhooks>();
        var hook = (await webhooks.AddAsync(admin, integrationId, new WebhookInput { Event = WebhookEvents.PostPublished, TargetUrl = "https://partner.example.com/hook" })).Value!;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                EventId = Guid.NewGuid(), WebhookId = hook.Id, Event = WebhookEvents.PostPublished, Payload = "{}", Status = WebhookDeliveryStatus.Failed,
                Attempts = WebhookSender.MaxAttempts, LastStatusCode = 500, LastError = "The receiver answered 500 Internal Server Error.",
                CreatedAt = DateTime.UtcNow.AddHours(-8), NextAttemptAt = DateTime.UtcNow.AddHours(-1), LastAttemptAt = DateTime.UtcNow.AddHours(-1),
            });
            await db.SaveChangesAsync();
        }

        var log = context.Render<WebhookLog>(parameters => parameters
            .Add(p => p.IntegrationId, integrationId)
            .AddCascadingValue(Task.FromResult(new AuthenticationState(admin))));

        log.WaitForAssertion(() => Assert.Single(log.FindAll("[data-testid=webhook-deliveries] tbody tr")), TimeSpan.FromSeconds(10));
        var webhookRow = log.Find("[data-testid=webhooks] tbody tr").TextContent;
        Assert.Contains("post.published", webhookRow);
        Assert.Contains("https://partner.example.com/hook", webhookRow);
        var failed = log.Find("[data-testid=webhook-deliveries] tbody tr").TextContent;
        Assert.Contains("Failed", failed);
        Assert.Contains(WebhookSender.MaxAttempts.ToString(), failed);
        Assert.Contains("answered 500", failed);

        log.Find("button[aria-label='Resend post.published to https://partner.example.com/hook']").Click();

        log.WaitForAssertion(() => Assert.Equal(2, log.FindAll("[data-testid=webhook-deliveries] tbody tr").Count), TimeSpan.FromSeconds(10));
        var rows = log.FindAll("[data-testid=webhook-deliveries] tbody tr");
        Assert.Contains("Waiting", rows[0].TextContent);
        // A waiting delivery needs no resend.
        Assert.True(rows[0].QuerySelector("button")!.HasAttribute("disabled"));
        Assert.Contains("Failed", rows[1].TextContent);
        var counts = (await webhooks.ListAsync(admin, integrationId)).Value!.Single();
        Assert.Equal((1, 1), (counts.Pending, counts.Failed));
    }

    [Fact]
    public async Task An_editor_sees_the_refusal_not_the_log()
    {
        var (integrationId, _, _) = await TestIntegrations.CreateAsync(app.Services, NewsroomRoles.Editor);
        var (_, email, _) = await app.CreateUserAsync(NewsroomRoles.Editor);
        var editor = await app.PrincipalForAsync(email);

        var log = context.Render<WebhookLog>(parameters => parameters
            .Add(p => p.IntegrationId, integrationId)
            .AddCascadingValue(Task.FromResult(new AuthenticationState(editor))));

        log.WaitForAssertion(() => Assert.Contains(NewsroomActors.NotAllowed, log.Find("[role=alert]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Empty(log.FindAll("[data-testid=webhook-deliveries] tbody tr button"));
    }
}
