using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using NewsCms.Web.Components.Account;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Email;

namespace NewsCms.Web.Features.Users;

public static class UsersSetup
{
    public static WebApplicationBuilder AddNewsroomIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/Account/Login";
            cookie.AccessDeniedPath = "/Account/AccessDenied";
            cookie.Cookie.Name = "NewsCms.Auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
            cookie.SlidingExpiration = true;
            // Endpoints (not pages) answer with status codes instead of redirecting to a page.
            cookie.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
        });

        // Check the security stamp on every request: a lock, role change or deletion applies at the user's next request.
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.Zero);

        services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = false;
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 10;
                options.Password.RequiredUniqueChars = 4;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Lockout.AllowedForNewUsers = true;
                options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<NewsCmsDbContext>()
            .AddSignInManager<NewsroomSignInManager>()
            .AddClaimsPrincipalFactory<NewsroomClaimsPrincipalFactory>()
            .AddDefaultTokenProviders();

        services.AddAuthorization(options =>
        {
            foreach (var (capability, roles) in Capabilities.RolesByCapability)
            {
                options.AddPolicy(capability, policy => policy.RequireAuthenticatedUser().RequireRole(roles));
            }
        });

        services.AddOptions<SignInThrottleOptions>().BindConfiguration(SignInThrottleOptions.Section)
            .Validate(o => o.AttemptsPerAddress > 0 && o.AttemptsPerAccount > 0 && o.Window > TimeSpan.Zero,
                "NewsCms:SignIn needs positive AttemptsPerAddress, AttemptsPerAccount and Window.")
            .Validate(o => o.ResetRequestsPerAddress > 0 && o.ResetRequestsPerAccount > 0 && o.AccountPostsPerAddress > 0,
                "NewsCms:SignIn needs positive ResetRequestsPerAddress, ResetRequestsPerAccount and AccountPostsPerAddress.")
            .ValidateOnStart();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<SignInRefusalAudit>();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<NewsroomMail>();
        services.AddSingleton<IEmailSender<ApplicationUser>, IdentityEmailSender>();
        services.AddSingleton<NewsroomActors>();
        services.AddScoped<UserAdministration>();
        return builder;
    }

    /// <summary>
    /// Every POST under /Account (sign-in, two-factor, password reset, sign-out, passkeys, account management) counts
    /// against the caller's network address; past NewsCms:SignIn:AccountPostsPerAddress per window the answer is 429.
    /// </summary>
    public static IApplicationBuilder UseAccountPostLimit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments("/Account")
                && await context.RequestServices.GetRequiredService<SignInThrottle>().AccountPostAsync(context.Connection.RemoteIpAddress?.ToString()) is { } refused)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = refused.RetryAfterSeconds;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(refused.Message, context.RequestAborted);
                return;
            }
            await next(context);
        });

    /// <summary>
    /// An account whose password an administrator chose must pick its own before using the newsroom.
    /// </summary>
    public static IApplicationBuilder UseMustChangePassword(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (context.User.HasClaim(NewsroomClaimsPrincipalFactory.MustChangePasswordClaim, "true")
                && (path.StartsWithSegments("/admin") || path.StartsWithSegments("/api")))
            {
                if (path.StartsWithSegments("/api"))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return;
                }
                var returnUrl = Uri.EscapeDataString(path + context.Request.QueryString);
                context.Response.Redirect($"/Account/Manage/ChangePassword?returnUrl={returnUrl}");
                return;
            }
            await next(context);
        });

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int statusCode)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = statusCode;
        }
        else
        {
            // The handler builds an absolute URI from the request's Host; send only the path, so a forged Host never
            // comes back in a Location header.
            var target = new Uri(context.RedirectUri, UriKind.RelativeOrAbsolute);
            context.Response.Redirect(target.IsAbsoluteUri ? target.PathAndQuery : context.RedirectUri);
        }
        return Task.CompletedTask;
    }
}
