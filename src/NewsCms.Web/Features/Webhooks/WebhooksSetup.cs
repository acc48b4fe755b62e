using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace NewsCms.Web.Features.Webhooks;

public static class WebhooksSetup
{
    /// <summary>
    /// Webhooks: the outbox (and the interceptors that wake delivery after a commit), the sender with its guarded HTTP
    /// client, the background delivery worker, and the service the integrations page and the Admin API call.
    /// </summary>
    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .Validate(o => o.Timeout > TimeSpan.Zero && o.Timeout <= WebhookOptions.MaxTimeout,
                $"{WebhookOptions.Section}:Timeout must be more than zero and at most {WebhookOptions.MaxTimeout}.")
            .ValidateOnStart();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<WebhookPayloads>();
        // Every context of the app gets these (DatabaseSetup adds each registered IInterceptor).
        services.AddSingleton<IInterceptor, WebhookCommitWakeup>();
        services.AddSingleton<IInterceptor, WebhookSaveWakeup>();
        services.AddSingleton<WebhookSender>();
        services.AddHostedService<WebhookDeliveryWorker>();
        services.AddScoped<Webhooks>();

        services.AddHttpClient(WebhookSender.HttpClientName, (provider, client) =>
            {
                client.Timeout = provider.GetRequiredService<IOptions<WebhookOptions>>().Value.Timeout;
            })
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var allowPrivate = provider.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateTargets;
                return new SocketsHttpHandler
                {
                    // A redirect could lead anywhere, and a proxy would be connected to instead of the target.
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    UseCookies = false,
                    // The address is checked at every new connection (DNS rebinding); pooled ones were checked.
                    ConnectCallback = (context, ct) => WebhookTargets.ConnectAsync(context.DnsEndPoint, allowPrivate, ct),
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                };
            })
            // Its default logs would write every target with its query (receivers often put a token there); the sender logs its own.
            .RemoveAllLoggers();
        return builder;
    }
}
