using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Setup;

public sealed class SetupInput
{
    [Required(ErrorMessage = "Enter the setup code from the server's log."), Display(Name = "Setup code")]
    public string SetupCode { get; set; } = "";

    [Required(ErrorMessage = "Enter the site title."), StringLength(200), Display(Name = "Site title")]
    public string SiteTitle { get; set; } = "";

    [Required(ErrorMessage = "Enter your display name."), StringLength(200), Display(Name = "Display name")]
    public string DisplayName { get; set; } = "";

    [Required(ErrorMessage = "Enter your e-mail address."), EmailAddress(ErrorMessage = "Enter a valid e-mail address."), StringLength(256)]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Choose a password."), DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [Required(ErrorMessage = "Enter the password again."), DataType(DataType.Password), Display(Name = "Confirm password")]
    [Compare(nameof(Password), ErrorMessage = "The two passwords are not the same.")]
    public string ConfirmPassword { get; set; } = "";
}

/// <summary>Settings under NewsCms:Bootstrap: an Administrator made at start-up for automated deployments.</summary>
public sealed class BootstrapOptions
{
    public const string Section = "NewsCms:Bootstrap";
    public string? AdminEmail { get; set; }
    public string? AdminPassword { get; set; }
    public string? AdminName { get; set; }
}

/// <summary>
/// The first run: while no account exists, the admin area leads to /setup, which needs the one-time code written to
/// the log at start-up. The first Administrator is made in an immediate transaction that first checks that there is
/// still no account, so two racing requests cannot both succeed.
/// </summary>
public sealed class FirstRunSetup(
    IServiceScopeFactory scopes,
    IOptions<BootstrapOptions> bootstrapOptions,
    TimeProvider clock,
    ILogger<FirstRunSetup> logger)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile bool complete;

    public bool IsComplete => complete;

    /// <summary>The code asked for by /setup; null once setup is complete.</summary>
    public string? Code { get; private set; }

    /// <summary>At start-up: seeds roles, makes the bootstrap Administrator if configured, or issues a setup code.</summary>
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var roleManager = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in NewsroomRoles.All)
        {
            if (!await roleManager.RoleExistsAsync(role))
            {
                var created = await roleManager.CreateAsync(new IdentityRole(role));
                if (!created.Succeeded) throw new InvalidOperationException($"Could not create the role {role}: {created}");
            }
        }

        var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();
        if (await db.Users.AnyAsync(u => !u.IsIntegration, ct))
        {
            complete = true;
            return;
        }

        var bootstrap = bootstrapOptions.Value;
        if (!string.IsNullOrWhiteSpace(bootstrap.AdminEmail) && !string.IsNullOrEmpty(bootstrap.AdminPassword))
        {
            var result = await CreateAdministratorAsync(scope.ServiceProvider, bootstrap.AdminEmail.Trim(),
                string.IsNullOrWhiteSpace(bootstrap.AdminName) ? "Administrator" : XmlSafeText.Clean(bootstrap.AdminName).Trim(),
                bootstrap.AdminPassword, siteTitle: null, AuditActions.BootstrapAdminCreated, ct);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"NewsCms:Bootstrap could not create the Administrator {bootstrap.AdminEmail}: {result.Error}");
            }
            logger.LogInformation("Created the Administrator {Email} from NewsCms:Bootstrap.", bootstrap.AdminEmail);
            return;
        }

        Code = NewCode();
        logger.LogWarning("NewsCms has no accounts yet. Open /setup in a browser to create the first Administrator. Setup code: {SetupCode}", Code);
        // Also straight to the console, for an operator whose log goes elsewhere.
        Console.Out.WriteLine($"Setup code: {Code}");
    }

    public async Task<ServiceResult> CompleteAsync(SetupInput input, CancellationToken ct = default)
    {
        await gate.WaitAsync(ct);
        try
        {
            if (complete || Code is null) return ServiceResult.Fail("This site is already set up.");
            if (!CodesMatch(input.SetupCode, Code))
            {
                logger.LogWarning("A setup attempt gave a wrong setup code.");
                return ServiceResult.Fail("That setup code is not right. Use the code printed in the server's log at start-up.");
            }

            await using var scope = scopes.CreateAsyncScope();
            // The name and title appear in bylines and feeds: characters XML forbids are dropped.
            var result = await CreateAdministratorAsync(scope.ServiceProvider, input.Email.Trim(), XmlSafeText.Clean(input.DisplayName).Trim(),
                input.Password, XmlSafeText.Clean(input.SiteTitle).Trim(), AuditActions.SetupCompleted, ct);
            if (result.Succeeded)
            {
                Code = null;
                logger.LogInformation("Setup is complete: {Email} is the first Administrator.", input.Email);
            }
            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<ServiceResult> CreateAdministratorAsync(IServiceProvider services, string email, string displayName,
        string password, string? siteTitle, string auditAction, CancellationToken ct)
    {
        var db = services.GetRequiredService<NewsCmsDbContext>();
        var userManager = services.GetRequiredService<UserManager<ApplicationUser>>();

        ApplicationUser user;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            // Checked inside the (immediate, so write-locked) transaction: a second request waits here and then sees the first's account.
            if (await db.Users.AnyAsync(u => !u.IsIntegration, ct))
            {
                complete = true;
                return ServiceResult.Fail("This site is already set up.");
            }

            user = new ApplicationUser
            {
                UserName = email,
                Email = email,
                EmailConfirmed = true,
                DisplayName = displayName,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            var created = await userManager.CreateAsync(user, password);
            if (!created.Succeeded) return ServiceResult.Fail(string.Join(" ", created.Errors.Select(e => e.Description)));
            var inRole = await userManager.AddToRoleAsync(user, NewsroomRoles.Administrator);
            if (!inRole.Succeeded) return ServiceResult.Fail(string.Join(" ", inRole.Errors.Select(e => e.Description)));
            if (siteTitle is not null)
            {
                var now = clock.GetUtcNow().UtcDateTime;
                var title = await db.SiteSettings.FindAsync([SiteSettingsStore.TitleKey], ct);
                if (title is null) db.SiteSettings.Add(new SiteSetting { Key = SiteSettingsStore.TitleKey, Value = siteTitle, UpdatedAt = now });
                else { title.Value = siteTitle; title.UpdatedAt = now; }
                await db.SaveChangesAsync(ct);
            }
            await transaction.CommitAsync(ct);
        }

        complete = true;
        await services.GetRequiredService<Authors.AuthorProfiles>().EnsureForAccountAsync(user.Id, user.DisplayName, ct);
        services.GetRequiredService<SiteSettingsStore>().Invalidate();
        await services.GetRequiredService<AuditLog>().WriteAsync(user.Id, user.DisplayName, auditAction, $"{user.DisplayName} <{user.Email}>",
            siteTitle is null ? null : $"Site title: {siteTitle}", ct);
        return ServiceResult.Ok;
    }

    private static string NewCode()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = new char[9];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = i == 4 ? '-' : alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }
        return new string(chars);
    }

    private static bool CodesMatch(string? given, string expected)
    {
        var normalized = (given ?? "").Trim().ToUpperInvariant();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(normalized), Encoding.UTF8.GetBytes(expected));
    }
}
