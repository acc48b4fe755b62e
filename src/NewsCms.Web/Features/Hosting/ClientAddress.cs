using Microsoft.AspNetCore.Components.Server.Circuits;

namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// The address of whoever is acting in this scope, for the audit log. Set per HTTP request by middleware and, for an
/// interactive circuit (whose scope outlives any one request), when its connection comes up.
/// </summary>
public sealed class ClientAddress
{
    public string? Value { get; set; }
}

public static class ClientAddressSetup
{
    public static void AddClientAddress(this IServiceCollection services)
    {
        services.AddScoped<ClientAddress>();
        services.AddHttpContextAccessor();
        services.AddScoped<CircuitHandler, CircuitClientAddressHandler>();
    }

    public static IApplicationBuilder UseClientAddress(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.RequestServices.GetRequiredService<ClientAddress>().Value = context.Connection.RemoteIpAddress?.ToString();
            return next(context);
        });

    private sealed class CircuitClientAddressHandler(ClientAddress clientAddress, IHttpContextAccessor httpContextAccessor) : CircuitHandler
    {
        // The circuit's connection is one long-lived request, so its HttpContext is the WebSocket's.
        public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            if (httpContextAccessor.HttpContext?.Connection.RemoteIpAddress is { } address)
            {
                clientAddress.Value = address.ToString();
            }
            return Task.CompletedTask;
        }
    }
}
