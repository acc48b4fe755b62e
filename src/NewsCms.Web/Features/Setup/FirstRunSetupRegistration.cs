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

    /// <summary>While no account exists, the admin area (and sign-in) leads to /setup; afterwards /setup does not exist.</summary>
    public static IApplicationBuilder UseFirstRunSetup(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var complete = context.RequestServices.GetRequiredService<FirstRunSetup>().IsComplete;
            if (!complete && (path.StartsWithSegments("/admin") || path.StartsWithSegments("/Account/Login")))
            {
                context.Response.Redirect("/setup");
                return;
            }
            if (complete && path.StartsWithSegments("/setup"))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await next(context);
        });
}
