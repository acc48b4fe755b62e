using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;

namespace NewsCms.Benchmarks.Hosting;

/// <summary>
/// The ceiling: a minimal Kestrel app that answers every request with the article page's final bytes from memory.
/// Nothing can serve that page faster on this machine, so it is what a cache hit is compared with.
/// </summary>
public sealed class CeilingServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private volatile Page page = new([], "text/plain");

    private sealed record Page(byte[] Body, string ContentType);

    private CeilingServer(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = default!;

    public static async Task<CeilingServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var ceiling = new CeilingServer(app);
        app.Run(context =>
        {
            var current = ceiling.page;
            context.Response.ContentType = current.ContentType;
            context.Response.ContentLength = current.Body.Length;
            return context.Response.Body.WriteAsync(current.Body).AsTask();
        });
        await app.StartAsync();
        ceiling.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return ceiling;
    }

    /// <summary>Serves these bytes from now on.</summary>
    public void Serve(byte[] body, string contentType) => page = new Page(body, contentType);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
