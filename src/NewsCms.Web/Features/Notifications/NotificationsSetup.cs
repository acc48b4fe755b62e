namespace NewsCms.Web.Features.Notifications;

public static class NotificationsSetup
{
    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<NewsroomEvents>();
        builder.Services.AddHostedService(services => services.GetRequiredService<NewsroomEvents>());
        builder.Services.AddScoped<Notifications>();
        builder.Services.AddSingleton<NotificationMailer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<NotificationMailer>());
        builder.Services.AddScoped<Dashboard.NewsroomDashboard>();
        return builder;
    }
}
