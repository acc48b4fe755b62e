using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore.Diagnostics;
using NewsCms.Benchmarks.Seeding;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Benchmarks.Hosting;

/// <summary>
/// The app hosted inside the harness on a seeded database (Production settings, the app's own pipeline), with a
/// statement counter among its EF interceptors (SQLite only: see <see cref="StatementCounter"/>). Used to count SQL statements per page and, by the builtin driver,
/// as the app under load.
/// </summary>
public sealed class InProcessApp(string repository, BenchDatabase database) : WebApplicationFactory<Program>
{
    public StatementCounter Counter { get; } = new();

    /// <summary>Times connections and queries for the fresh-render breakdown (see Render/RenderBreakdown.cs).</summary>
    public Render.RenderTimer Timer { get; } = new();
    public BenchDatabase Database => database;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // Named here: the factory would otherwise look for its manifest in the current folder.
        builder.UseContentRoot(Path.Combine(repository, "src", "NewsCms.Web"));
        builder.UseSetting("NewsCms:Database:Provider", database.Provider);
        builder.UseSetting("ConnectionStrings:NewsCms", database.ConnectionString);
        builder.UseSetting("NewsCms:Site:BaseUrl", "http://127.0.0.1");
        // The in-memory test client asks for "localhost"; the site answers only its own hosts.
        builder.UseSetting("NewsCms:Site:AdditionalHosts:0", "localhost");
        foreach (var (key, value) in ContentApiKey.Settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IInterceptor>(Counter);
            services.AddSingleton<IInterceptor>(Timer);
            // Nothing else touches the database while pages are counted.
            services.Remove(services.Single(d => d.ImplementationType == typeof(ScheduledPublisher)));
        });
    }
}
