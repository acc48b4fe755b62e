using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Users;

namespace NewsCms.Benchmarks.Hosting;

/// <summary>
/// The benchmark's own Administrator in an app hosted in the harness. A seeded site may already have accounts (then
/// NewsCms:Bootstrap makes none), so the account is made here through Identity, as the users page would.
/// </summary>
public static class BenchAccounts
{
    /// <summary>
    /// Makes the Administrator <paramref name="email"/> (when missing; with <paramref name="resetPassword"/>, an existing
    /// one gets <paramref name="password"/>, to sign in with) and returns it as the services see it.
    /// </summary>
    public static async Task<ClaimsPrincipal> AdministratorAsync(IServiceProvider services, string email, string password, bool resetPassword = false)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Benchmark Administrator", CreatedAt = DateTime.UtcNow };
            Check(await users.CreateAsync(user, password), email);
            Check(await users.AddToRoleAsync(user, NewsroomRoles.Administrator), email);
        }
        else if (resetPassword)
        {
            Check(await users.RemovePasswordAsync(user), email);
            Check(await users.AddPasswordAsync(user, password), email);
        }
        return await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>().CreateAsync(user);
    }

    private static void Check(IdentityResult result, string email)
    {
        if (!result.Succeeded) throw new InvalidOperationException($"Could not make the benchmark's Administrator {email}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }
}
