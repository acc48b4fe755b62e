namespace NewsCms.Web.Features.Authors;

public static class AuthorsSetup
{
    /// <summary>Bylines: the newsroom's service and the readers' lookup.</summary>
    public static WebApplicationBuilder AddAuthors(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AuthorProfiles>();
        builder.Services.AddSingleton<PublicAuthors>();
        return builder;
    }

    /// <summary>Accounts and articles from before bylines existed get theirs (idempotent).</summary>
    public static async Task BackfillBylinesAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AuthorProfiles>().BackfillAsync();
    }
}
