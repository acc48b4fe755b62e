using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using MudBlazor.Services;
using NewsCms.Web.Components.Admin.Articles;
using NewsCms.Web.Features.Media;

namespace NewsCms.Tests.Components;

/// <summary>
/// The editor's block parts in bUnit: the gallery picker's rules (at least two images, alt text for each, order kept),
/// the slash menu's calls back into .NET by item name, and the keyboard-shortcut help.
/// </summary>
public sealed class EditorBlocksComponentsTests : IAsyncDisposable
{
    private readonly BunitContext context = new();

    public EditorBlocksComponentsTests()
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
    }

    public ValueTask DisposeAsync() => context.DisposeAsync();

    private static MediaImage Image(int id, string alt) => new(id, $"{id:x24}", $"p{id}.jpg", "jpeg", 1400, 900, 1000, [320, 640, 960],
        alt, "", "", DateTime.UtcNow, "u", "U", "jpeg");

    [Fact]
    public async Task The_gallery_picker_needs_two_images_each_with_alt_text_and_inserts_them_in_the_order_chosen()
    {
        var inserted = new List<IReadOnlyList<GalleryImage>>();
        var picker = context.Render<GalleryPicker>(p => p.Add(c => c.Insert, EventCallback.Factory.Create<IReadOnlyList<GalleryImage>>(this, inserted.Add)));
        var gallery = picker.Instance;

        await picker.InvokeAsync(() => gallery.Toggle(Image(1, "The pier")));
        Assert.Equal("A gallery needs at least 2 images.", gallery.Problem);
        await picker.InvokeAsync(() => gallery.Toggle(Image(2, "")));
        Assert.Equal("Every image needs alt text.", gallery.Problem);
        await picker.InvokeAsync(gallery.InsertAsync);
        Assert.Empty(inserted); // refused while a problem remains

        gallery.Chosen[1].Alt = "  The quay  ";
        await picker.InvokeAsync(() => gallery.Toggle(Image(3, "Boats")));
        await picker.InvokeAsync(() => gallery.Toggle(Image(3, "Boats"))); // a second click takes it out again
        Assert.Null(gallery.Problem);
        await picker.InvokeAsync(gallery.InsertAsync);

        var images = Assert.Single(inserted);
        Assert.Equal(["The pier", "The quay"], images.Select(i => i.Alt));
        Assert.Equal([$"/media/{1:x24}/960.webp", $"/media/{2:x24}/960.webp"], images.Select(i => i.Src));
        Assert.All(images, i => Assert.Equal((960, 617), (i.Width, i.Height)));
    }

    [Fact]
    public async Task Slash_menu_items_that_need_a_choice_reach_the_page_or_the_editors_own_dialogs()
    {
        var requested = new List<string>();
        var editor = context.Render<RichTextEditor>(p => p.Add(c => c.InsertRequested, EventCallback.Factory.Create<string>(this, requested.Add)));

        await editor.Instance.OnSlashCommand("image");
        await editor.Instance.OnSlashCommand("seeAlso");
        await editor.Instance.OnSlashCommand("nonsense");
        Assert.Equal(["image", "seeAlso"], requested);

        // "embed" opens the embed dialog (RichTextEditor.OpenEmbedDialogAsync): covered by the browser journey.
    }

    [Fact]
    public void Toolbar_tools_name_themselves_with_a_title_and_hold_no_tooltip_popovers_in_the_circuit()
    {
        var editor = context.Render<RichTextEditor>(p => p.Add(c => c.ImageRequested, EventCallback.Factory.Create(this, () => { })));

        // A MudTooltip is a popover with four more components, and a MudIconButton two, in every open editor's
        // circuit (harness: memory): the tools are plain buttons with MudIconButton's classes.
        Assert.Empty(editor.FindComponents<MudTooltip>());
        Assert.Empty(editor.FindComponents<MudIconButton>());
        Assert.Empty(editor.FindComponents<MudIcon>());
        var tools = editor.FindAll(".newsroom-editor__toolbar button");
        Assert.True(tools.Count >= 20, $"{tools.Count} tools");
        Assert.All(tools, b => Assert.Equal(b.GetAttribute("title"), b.GetAttribute("aria-label") is "Keyboard shortcuts" ? "Keyboard shortcuts (Ctrl+/)" : b.GetAttribute("aria-label")));
        Assert.All(tools, b => Assert.Equal("button", b.GetAttribute("type")));
        Assert.All(tools, b => Assert.Contains("mud-icon-button", b.ClassList));
        Assert.All(tools, b => Assert.NotNull(b.QuerySelector("svg[aria-hidden='true']")));
    }

    [Fact]
    public void A_read_only_editor_disables_every_tool_but_the_keyboard_shortcuts()
    {
        var editor = context.Render<RichTextEditor>(p => p.Add(c => c.ReadOnly, true).Add(c => c.ImageRequested, EventCallback.Factory.Create(this, () => { })));

        var tools = editor.FindAll(".newsroom-editor__toolbar button");
        Assert.Equal(["Keyboard shortcuts"], tools.Where(b => !b.HasAttribute("disabled")).Select(b => b.GetAttribute("aria-label")));
        Assert.Contains(tools, b => b.GetAttribute("data-command") == "bold");
    }

    [Fact]
    public async Task Ctrl_slash_and_the_toolbar_button_open_the_keyboard_shortcuts()
    {
        context.Render<MudPopoverProvider>();
        var provider = context.Render<MudDialogProvider>();
        var editor = context.Render<RichTextEditor>();
        Assert.DoesNotContain("Show keyboard shortcuts", provider.Markup);

        await editor.Instance.OnShortcutsRequested();
        provider.WaitForAssertion(() => Assert.Contains("Show keyboard shortcuts", provider.Markup));
        foreach (var keys in new[] { "Ctrl", "Alt", "Shift", "Enter", "Tab" }) Assert.Contains($"<kbd>{keys}</kbd>", provider.Markup);
        Assert.Contains(KeyboardShortcutsDialog.Shortcuts, s => s.Action == "Insert a block (on an empty line)" && s.Keys == "/");

        provider.FindAll("button").First(b => b.TextContent.Trim() == "Close").Click();
        provider.WaitForAssertion(() => Assert.DoesNotContain("Show keyboard shortcuts", provider.Markup));
        editor.Find("button[aria-label='Keyboard shortcuts']").Click();
        provider.WaitForAssertion(() => Assert.Contains("Show keyboard shortcuts", provider.Markup));
    }
}
