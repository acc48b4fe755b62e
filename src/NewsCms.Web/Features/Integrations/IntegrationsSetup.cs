using NewsCms.Web.Features.GhostApi;

namespace NewsCms.Web.Features.Integrations;

public static class IntegrationsSetup
{
    /// <summary>Integrations: their keys in memory (with when each was last used) and the Admin API's token scheme.</summary>
    public static WebApplicationBuilder AddIntegrations(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IntegrationKeyTable>();
        builder.Services.AddScoped<Integrations>();
        builder.Services.AddHostedService<IntegrationKeyUseFlusher>();
        builder.Services.AddAuthentication().AddGhostAdminKeys();
        return builder;
    }

    /// <summary>Loads the keys before the first request (and makes the table listen for changes from now on).</summary>
    public static Task LoadIntegrationKeysAsync(this WebApplication app) => app.Services.GetRequiredService<IntegrationKeyTable>().EnsureLoadedAsync();
}
