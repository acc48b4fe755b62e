using Microsoft.AspNetCore.Identity;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Integrations;

/// <summary>
/// <c>create-integration "&lt;name&gt;" [--role Contributor|Author|Editor|Administrator]</c>: adds an integration with
/// the site's settings and services, as the site's first administrator (audited as theirs), and prints its two keys,
/// each on a line of its own, for deploy scripts. The role defaults to Editor (publishes and edits any article, manages
/// tags), the usual role of a publishing tool. No web server starts.
/// </summary>
public static class IntegrationCommandLine
{
    public const string Command = "create-integration";

    public const string DefaultRole = NewsroomRoles.Editor;

    public const string Usage =
        "Usage: dotnet NewsCms.Web.dll create-integration \"<name>\" [--role Contributor|Author|Editor|Administrator] (default role: Editor)";

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == Command;

    /// <summary>The site settings among the arguments (--Key=value); the command's own are read by <see cref="RunAsync"/>.</summary>
    public static string[] SettingsArguments(string[] args) =>
        [.. args.Skip(1).Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('='))];

    /// <summary>Adds the integration; returns the exit code (0 done, 1 failed, 2 wrong arguments).</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        string? name = null;
        var role = DefaultRole;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--role" when i + 1 < args.Length:
                    role = args[++i];
                    break;
                case var setting when setting.StartsWith("--", StringComparison.Ordinal) && setting.Contains('='):
                    break; // a site setting, already read by the configuration
                case var text when name is null && !text.StartsWith("--", StringComparison.Ordinal):
                    name = text;
                    break;
                default:
                    await error.WriteLineAsync($"Unknown argument {args[i]}.\n{Usage}");
                    return 2;
            }
        }
        // Accepts the role in any case ("editor"), written as the site names it.
        var knownRole = NewsroomRoles.All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
        if (string.IsNullOrWhiteSpace(name) || knownRole is null)
        {
            await error.WriteLineAsync((knownRole is null ? $"Unknown role {role}.\n" : "") + Usage);
            return 2;
        }

        var admin = await services.GetRequiredService<NewsroomActors>().FirstAdministratorAsync(ct);
        if (admin is null)
        {
            await error.WriteLineAsync("The site has no administrator yet. Start the site, create the administrator account, then add the integration.");
            return 1;
        }
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var account = await users.FindByIdAsync(admin.UserId);
        if (account is null)
        {
            await error.WriteLineAsync("The site's administrator account could not be read.");
            return 1;
        }
        // The administrator's principal as a sign-in would make it: the service checks it like any other caller.
        var principal = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>().CreateAsync(account);
        var created = await scope.ServiceProvider.GetRequiredService<Integrations>().CreateAsync(principal, name, knownRole, ct);
        if (!created.Succeeded)
        {
            await error.WriteLineAsync(created.Error);
            return 1;
        }
        await output.WriteLineAsync($"Content API key: {created.Value!.ContentKey}");
        await output.WriteLineAsync($"Admin API key: {created.Value.AdminKey}");
        return 0;
    }
}
