namespace NewsCms.Web.Features.Articles;

public static class ArticlesSetup
{
    public static WebApplicationBuilder AddArticles(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EditorOptions>().BindConfiguration(EditorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<NewsroomArticleReads>();
        builder.Services.AddScoped<ArticleEditing>();
        builder.Services.AddScoped<ArticleWorkflowService>();
        builder.Services.AddScoped<ArticleCommit>();
        builder.Services.AddSingleton<PublicArticles>();
        builder.Services.AddSingleton<Search.ArticleSearch>();
        builder.Services.AddOptions<Search.SearchOptions>().BindConfiguration(Search.SearchOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Search.SearchScores>();
        builder.Services.AddSingleton<PublicContent>();
        builder.Services.AddOptions<PresenceOptions>().BindConfiguration(PresenceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ArticlePresence>();
        // With several nodes, presence joins the others at start-up and leaves them on a graceful stop.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ArticlePresence>());
        // One per circuit; the editor page registers its sessions with it.
        builder.Services.AddScoped<PresenceCircuitHandler>();
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler>(sp => sp.GetRequiredService<PresenceCircuitHandler>());
        builder.Services.AddHostedService<ScheduledPublisher>();
        builder.Services.AddSingleton<RelatedBackfill>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RelatedBackfill>());
        return builder;
    }
}
