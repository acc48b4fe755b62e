using System.Security.Claims;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewsCms.Benchmarks.Seeding;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Benchmarks.Cluster;

/// <summary>
/// One more NewsCms node, inside the harness, on the cluster's database and Redis: the newsroom's services publish
/// through it exactly as the editor's Publish button does on a node (the database write, then the change to every
/// node's public cache over Redis). It serves no HTTP; readers are measured on the cluster's own nodes.
/// </summary>
public sealed class ClusterPublisher(string repository, BenchDatabase database, string redis, string mediaRoot, string adminEmail, string adminPassword)
    : WebApplicationFactory<Program>
{
    private ClaimsPrincipal? admin;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseContentRoot(Path.Combine(repository, "src", "NewsCms.Web"));
        builder.UseSetting("NewsCms:Database:Provider", database.Provider);
        builder.UseSetting("ConnectionStrings:NewsCms", database.ConnectionString);
        builder.UseSetting("NewsCms:Redis:Configuration", redis);
        builder.UseSetting("NewsCms:Media:Root", mediaRoot);
        builder.UseSetting("NewsCms:Site:BaseUrl", LoopbackCluster.Proxy.ToString());
        builder.UseSetting("NewsCms:Bootstrap:AdminEmail", adminEmail);
        builder.UseSetting("NewsCms:Bootstrap:AdminPassword", adminPassword);
        // The harness's console is for its own progress; the app's start-up lines are not.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureLogging(logging => logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(services =>
            // Scheduled publishing stays with the cluster's nodes.
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher))));
    }

    /// <summary>Saves a new draft in <paramref name="sectionId"/>; returns its id, version and slug.</summary>
    public async Task<SaveOutcome> DraftAsync(string headline, int sectionId, CancellationToken ct)
    {
        await using var scope = Services.CreateAsyncScope();
        var input = new ArticleInput { Headline = headline, SlugFollowsHeadline = true, Standfirst = "Published by the cluster benchmark.", BodyHtml = "<p>Timed from publish to visible.</p>", SectionId = sectionId };
        var saved = await scope.ServiceProvider.GetRequiredService<ArticleEditing>().SaveAsync(await AdminAsync(), null, input, null, SaveKind.Manual, ct);
        return saved.Error is null ? saved : throw new InvalidOperationException($"Saving a draft failed: {saved.Error}");
    }

    public async Task PublishAsync(SaveOutcome draft, CancellationToken ct)
    {
        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<ArticleWorkflowService>().PublishAsync(await AdminAsync(), draft.Id, draft.Version, ct);
        if (!result.Succeeded) throw new InvalidOperationException($"Publishing failed: {result.Error}");
    }

    private async Task<ClaimsPrincipal> AdminAsync()
    {
        if (admin is not null) return admin;
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByEmailAsync(adminEmail) ?? throw new InvalidOperationException($"No administrator {adminEmail} (NewsCms__Bootstrap__*).");
        return admin = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>().CreateAsync(user);
    }
}
