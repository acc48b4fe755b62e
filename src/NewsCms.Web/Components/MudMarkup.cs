using Microsoft.AspNetCore.Components;

namespace NewsCms.Web.Components;

/// <summary>
/// MudBlazor's look on plain elements, for what every newsroom circuit shows many times over (the editor's toolbar,
/// the navigation). Each MudBlazor component keeps its own render tree, parameter state and event handlers in the
/// circuit (about 7 KB: an icon button is two components); the same markup written here costs its parent a few frames.
/// The classes are the ones MudIconButton and MudNavLink write, so the theme styles them alike.
/// </summary>
public static class MudMarkup
{
    /// <summary>The classes of a small MudIconButton with the default colour.</summary>
    public const string SmallIconButton = "mud-button-root mud-icon-button mud-ripple mud-ripple-icon mud-icon-button-size-small";

    /// <summary>A small icon button's content: <paramref name="icon"/> is SVG content (a MudBlazor <c>Icons</c> constant or the app's own), never user input.</summary>
    public static MarkupString SmallIconButtonLabel(string icon) => new(
        $"<span class=\"mud-icon-button-label\"><svg class=\"mud-icon-root mud-svg-icon mud-icon-size-small\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\">{icon}</svg></span>");

    /// <summary>A navigation link's icon, as MudNavLink draws it.</summary>
    public static MarkupString NavLinkIcon(string icon) => new(
        $"<svg class=\"mud-icon-root mud-icon-default mud-svg-icon mud-icon-size-medium mud-nav-link-icon mud-nav-link-icon-default\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\">{icon}</svg>");
}
