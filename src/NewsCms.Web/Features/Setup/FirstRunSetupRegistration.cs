namespace NewsCms.Web.Features.Setup;

public static class FirstRunSetupRegistration
{
    public static WebApplicationBuilder AddFirstRunSetup(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section);
        builder.Services.AddSingleton<FirstRunSetup>();
        return builder;
    }

    public static Task InitializeFirstRunSetupAsync(this WebApplication app) =>
        app.Services.GetRequiredService<FirstRunSetup>().InitializeAsync();

    /// <summary>While no account exists, the admin area (and sign-in) leads to /setup.</summary>
    public static IApplicationBuilder UseFirstRunSetup(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if ((path.StartsWithSegments("/admin") || path.StartsWithSegments("/Account/Login"))
                && !context.RequestServices.GetRequiredService<FirstRunSetup>().IsComplete)
            {
                context.Response.Redirect("/setup");
                return;
            }
            await next(context);
        });
}
