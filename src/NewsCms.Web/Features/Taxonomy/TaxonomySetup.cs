namespace NewsCms.Web.Features.Taxonomy;

public static class TaxonomySetup
{
    /// <summary>Sections and tags: the newsroom's service and the readers' lookups.</summary>
    public static WebApplicationBuilder AddTaxonomy(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<TaxonomyService>();
        builder.Services.AddSingleton<PublicTaxonomy>();
        return builder;
    }
}
