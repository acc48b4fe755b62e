namespace NewsCms.Web.Features.Corrections;

public static class CorrectionsSetup
{
    public static WebApplicationBuilder AddCorrections(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ArticleCorrections>();
        builder.Services.AddScoped<PublicCorrections>();
        return builder;
    }
}
