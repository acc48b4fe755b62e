using System.Net;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Static pages carry no Blazor component state (nothing on them reads it; making it cost each render an
/// encryption); the newsroom's interactive pages still do, for their circuit.
/// </summary>
public class StaticPageStateTests
{
    private const string State = "<!--Blazor-Server-Component-State:";

    [Fact]
    public void The_framework_still_has_the_metadata_that_says_an_endpoint_has_no_render_mode()
    {
        // Made by name (the type is internal): a framework update that renames it must fail here, not silently.
        Assert.NotNull(StaticPageState.NoRenderModes());
    }

    [Fact]
    public async Task Public_and_account_pages_carry_no_component_state_and_newsroom_pages_do()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, slug) = await ReadershipTests.PublishAsync(app, "Harbour reopens");
        using var reader = app.CreateClient(new() { HandleCookies = false });
        foreach (var url in new[] { "/", $"/news/{slug}", "/search?q=harbour", "/Account/Login", "/no-such-page" })
        {
            var response = await reader.GetAsync(url, TestContext.Current.CancellationToken);
            var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Contains("</html>", html);
            Assert.DoesNotContain(State, html);
        }

        // The sign-in form (a static page) still works: its antiforgery token is in the form, not in that state.
        using var editor = app.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await FormPost.SignInAsync(editor, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword)).StatusCode);
        var admin = await editor.GetStringAsync("/admin", TestContext.Current.CancellationToken);
        Assert.Contains(State, admin);
    }
}
