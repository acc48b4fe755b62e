using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NewsCms.Benchmarks.Hosting;

/// <summary>
/// The second ceiling, for fresh renders: a bare Blazor static-SSR app (AddRazorComponents, a router and one page
/// component) that renders the article page's HTML, captured from the app, from memory: no database, no layout, no
/// services. What Blazor's static rendering itself costs on this machine; a fresh article render is compared with it.
/// </summary>
public sealed class BareSsrCeiling : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly BareSsrMarkup markup;

    private BareSsrCeiling(WebApplication app)
    {
        this.app = app;
        markup = app.Services.GetRequiredService<BareSsrMarkup>();
    }

    public Uri BaseUrl { get; private set; } = default!;

    public static async Task<BareSsrCeiling> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRazorComponents();
        builder.Services.AddSingleton<BareSsrMarkup>();
        var app = builder.Build();
        // Required by MapRazorComponents (its endpoints carry antiforgery metadata); a GET is never checked.
        app.UseAntiforgery();
        app.MapRazorComponents<BareSsrApp>();
        var ceiling = new BareSsrCeiling(app);
        await app.StartAsync();
        ceiling.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return ceiling;
    }

    /// <summary>Renders this markup from now on.</summary>
    public void Serve(string html) => markup.Html = html;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>The root component: a router, as every Blazor app has, that finds <see cref="BareSsrPage"/>.</summary>
public sealed class BareSsrApp : ComponentBase
{
    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenComponent<Router>(0);
        builder.AddComponentParameter(1, nameof(Router.AppAssembly), typeof(BareSsrApp).Assembly);
        builder.AddComponentParameter(2, nameof(Router.Found), (RenderFragment<RouteData>)(route => b =>
        {
            b.OpenComponent<RouteView>(0);
            b.AddComponentParameter(1, nameof(RouteView.RouteData), route);
            b.CloseComponent();
        }));
        builder.CloseComponent();
    }
}

/// <summary>The markup the page renders (the whole document, as the app answered it).</summary>
public sealed class BareSsrMarkup
{
    private volatile string html = "";

    public string Html
    {
        get => html;
        set => html = value;
    }
}

/// <summary>The one page: the captured article page's markup, for any path.</summary>
[Route("/{*path}")]
public sealed class BareSsrPage : ComponentBase
{
    [Parameter] public string? Path { get; set; }

    [Inject] private BareSsrMarkup Markup { get; set; } = default!;

    protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddMarkupContent(0, Markup.Html);
}
