using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Integrations;

namespace NewsCms.Tests.Infrastructure;

/// <summary>Integrations made directly in the database (as the integrations service would), for calling the Content API.</summary>
public static class ContentApiKeys
{
    /// <summary>A new integration with an active Content API key; returns the key and its row id.</summary>
    public static async Task<(string Key, int KeyId)> CreateAsync(IServiceProvider services, string name = "Test app")
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser
        {
            UserName = $"integration-{Guid.NewGuid():N}@integrations.invalid", Email = $"integration-{Guid.NewGuid():N}@integrations.invalid",
            DisplayName = name, IsIntegration = true, CreatedAt = DateTime.UtcNow,
        };
        var created = await users.CreateAsync(user);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));

        var key = IntegrationKeys.NewContentKey();
        var protector = IntegrationKeys.Protector(services.GetRequiredService<IDataProtectionProvider>());
        var row = IntegrationKeys.NewRow(protector, IntegrationKeyKind.Content, IntegrationKeys.ContentLookupId(key), key, DateTime.UtcNow);
        await using (var db = await services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            db.Integrations.Add(new NewsCms.Web.Features.Integrations.Integration { Name = name, UserId = user.Id, CreatedAt = DateTime.UtcNow, Keys = [row] });
            await db.SaveChangesAsync();
        }
        await services.GetRequiredService<IntegrationKeyTable>().NotifyChangedAsync();
        return (key, row.Id);
    }

    /// <summary>Revokes a key as the integrations page would, and tells every node.</summary>
    public static async Task RevokeAsync(IServiceProvider services, int keyId)
    {
        await using (var db = await services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            await db.IntegrationKeys.Where(k => k.Id == keyId).ExecuteUpdateAsync(set => set.SetProperty(k => k.RevokedAt, DateTime.UtcNow));
        }
        await services.GetRequiredService<IntegrationKeyTable>().NotifyChangedAsync();
    }
}
