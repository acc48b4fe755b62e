using Bunit;
using MudBlazor.Services;
using NewsCms.Web.Components.Admin.Articles;

namespace NewsCms.Tests.Components;

/// <summary>The editor's Embed insert (the toolbar's dialog and the slash menu use it) over a faked editor module.</summary>
public sealed class EmbedInsertTests : IAsyncDisposable
{
    private readonly BunitContext context = new();

    public EmbedInsertTests()
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
    }

    public ValueTask DisposeAsync() => context.DisposeAsync();

    [Theory]
    [InlineData("https://www.youtube.com/watch?v=dQw4w9WgXcQ", true)]
    [InlineData("  https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk  ", true)]
    [InlineData("", false)]
    [InlineData("https://example.com/video/1", false)]
    [InlineData("javascript:alert(1)", false)]
    public void The_dialog_accepts_only_a_supported_providers_address(string url, bool accepted)
    {
        Assert.Equal(accepted, RichTextEditor.TryEmbedUrl(url, out var error));
        Assert.Equal(accepted, error is null);
        if (!accepted && url.Length > 0) Assert.Contains("YouTube, Vimeo, X, Instagram", error);
    }

    [Fact]
    public async Task Inserting_sends_only_a_recognised_URL_to_the_editor_and_the_editor_gets_the_provider_table()
    {
        var module = context.JSInterop.SetupModule(i => i.Arguments.Count > 0 && i.Arguments[0] is string path && path.EndsWith("editor.js", StringComparison.Ordinal));
        module.Mode = JSRuntimeMode.Loose;
        module.Setup<int>("createEditor", _ => true).SetResult(1);
        module.Setup<bool>("insertEmbed", _ => true).SetResult(true);
        var editor = context.Render<RichTextEditor>();
        editor.WaitForAssertion(() => Assert.Single(module.Invocations["createEditor"]));
        var options = System.Text.Json.JsonSerializer.Serialize(module.Invocations["createEditor"].Single().Arguments[2]);
        Assert.Contains("\"embedProviders\":[{\"id\":\"youtube\",\"name\":\"YouTube\",\"patterns\":[", options);

        Assert.False(await editor.InvokeAsync(() => editor.Instance.InsertEmbedAsync("https://evil.example/watch?v=dQw4w9WgXcQ")));
        Assert.Empty(module.Invocations["insertEmbed"]);
        Assert.True(await editor.InvokeAsync(() => editor.Instance.InsertEmbedAsync(" https://youtu.be/dQw4w9WgXcQ ")));
        Assert.Equal("https://youtu.be/dQw4w9WgXcQ", Assert.Single(module.Invocations["insertEmbed"]).Arguments[1]);
        // The toolbar carries the button; the slash menu calls the same dialog.
        Assert.Single(editor.FindAll("button[aria-label=Embed]"));
        await editor.InvokeAsync(editor.Instance.OpenEmbedDialogAsync);
    }
}
