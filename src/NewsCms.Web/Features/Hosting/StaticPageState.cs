using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;

namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// Static pages (public and account pages, <see cref="ExcludeFromInteractiveRoutingAttribute"/>) load no Blazor
/// script, so nothing ever reads the component state the framework appends to a page for a circuit to pick up. Yet
/// with interactive server rendering configured it writes it on every render: serialised, encrypted with Data
/// Protection, about 750 bytes at the end of each page and of each cached copy. The framework skips it for an
/// endpoint whose configured render modes are none; its metadata type for that is internal, so it is made here by
/// name. <c>StaticPageStateTests</c> fails if a framework update moves it.
/// </summary>
internal static class StaticPageState
{
    private const string MetadataTypeName = "Microsoft.AspNetCore.Components.Endpoints.ConfiguredRenderModesMetadata";

    /// <summary>No render mode (so no component state) on the endpoints of static pages.</summary>
    public static RazorComponentsEndpointConventionBuilder WithoutComponentStateOnStaticPages(this RazorComponentsEndpointConventionBuilder builder)
    {
        var none = NoRenderModes();
        if (none is null) return builder;
        // Finally: after the framework's own conventions, so this is the metadata the renderer finds (the last one).
        builder.Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<ExcludeFromInteractiveRoutingAttribute>().Any()) endpoint.Metadata.Add(none);
        });
        return builder;
    }

    /// <summary>The framework's "configured render modes" metadata with none, or null if this framework has no such type.</summary>
    internal static object? NoRenderModes()
    {
        var type = typeof(RazorComponentsEndpointConventionBuilder).Assembly.GetType(MetadataTypeName);
        var constructor = type?.GetConstructor([typeof(IComponentRenderMode[])]);
        return constructor?.Invoke([Array.Empty<IComponentRenderMode>()]);
    }
}
