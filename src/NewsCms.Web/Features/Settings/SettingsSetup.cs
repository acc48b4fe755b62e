namespace NewsCms.Web.Features.Settings;

public static class SettingsSetup
{
    public static WebApplicationBuilder AddSiteSettings(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SiteSettingsStore>();
        builder.Services.AddScoped<SiteSettingsService>();
        return builder;
    }
}
