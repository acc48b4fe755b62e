namespace NewsCms.Web.Features.Notes;

public static class NotesSetup
{
    public static WebApplicationBuilder AddEditorialNotes(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<EditorialNotes>();
        builder.Services.AddSingleton<NoteEvents>();
        builder.Services.AddHostedService(services => services.GetRequiredService<NoteEvents>());
        return builder;
    }
}
