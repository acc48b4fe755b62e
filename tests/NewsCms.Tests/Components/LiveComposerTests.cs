using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor.Services;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Components.Admin.Articles;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.LiveBlogs;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Components;

/// <summary>The live-blog composer with bUnit over the real services and database.</summary>
public sealed class LiveComposerTests : IAsyncLifetime
{
    private NewsCmsAppFactory app = default!;
    private AsyncServiceScope scope;
    private readonly BunitContext context = new();

    public async ValueTask InitializeAsync()
    {
        app = await NewsCmsAppFactory.CreateAsync();
        scope = app.Services.CreateAsyncScope();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<LiveBlogService>());
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<MediaLibrary>());
        context.Services.AddSingleton(app.Services.GetRequiredService<SiteSettingsStore>());
        context.Services.AddSingleton(app.Services.GetRequiredService<LiveStream>());
        context.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        context.Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        context.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public async ValueTask DisposeAsync()
    {
        await context.DisposeAsync();
        await scope.DisposeAsync();
        await app.DisposeAsync();
    }

    /// <summary>A published article with live coverage on, made by <paramref name="admin"/>.</summary>
    private async Task<int> LiveArticleAsync(System.Security.Claims.ClaimsPrincipal admin)
    {
        var articles = scope.ServiceProvider.NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Headline = "Storm live", BodyHtml = "<p>Wind rising.</p>" }, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
        Assert.True((await scope.ServiceProvider.GetRequiredService<LiveBlogService>().SetCoverageAsync(admin, saved.Id, true)).Succeeded);
        return saved.Id;
    }

    [Fact]
    public async Task An_update_another_editor_posts_appears_in_an_open_composer_without_reloading()
    {
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var articleId = await LiveArticleAsync(admin);
        var live = scope.ServiceProvider.GetRequiredService<LiveBlogService>();
        var editor = await app.CreateUserAsync(NewsroomRoles.Editor);
        var signedIn = Task.FromResult(new AuthenticationState(await app.PrincipalForAsync(editor.Email)));

        var composer = context.Render<LiveComposer>(p => p.Add(x => x.ArticleId, articleId).AddCascadingValue(signedIn));
        composer.WaitForAssertion(() => Assert.NotNull(composer.Find("#live-coverage")), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("Trees down on the coast road", composer.Markup);

        Assert.True((await live.PostAsync(admin, articleId, new LiveEntryInput("<p>Trees down on the coast road.</p>"))).Succeeded);

        composer.WaitForAssertion(() => Assert.Contains("Trees down on the coast road", composer.Markup), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task What_the_writer_types_or_ticks_for_the_next_update_while_one_is_being_posted_stays()
    {
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        var articleId = await LiveArticleAsync(admin);
        var module = context.JSInterop.SetupModule(i => i.Arguments.Count > 0 && i.Arguments[0] is string path && path.EndsWith("editor.js", StringComparison.Ordinal));
        module.Mode = JSRuntimeMode.Loose;
        module.Setup<int>("createEditor", _ => true).SetResult(1);
        var textInEditor = module.Setup<string>("getHtml", _ => true);
        var signedIn = Task.FromResult(new AuthenticationState(admin));
        var composer = context.Render<LiveComposer>(p => p.Add(x => x.ArticleId, articleId).AddCascadingValue(signedIn));
        composer.WaitForAssertion(() => Assert.Single(module.Invocations["createEditor"]), TimeSpan.FromSeconds(10));

        // "Post update": the composer reads the text, and while the update is on its way the writer ticks "Pinned" for
        // the next one and starts typing it.
        var posting = composer.InvokeAsync(() => composer.FindAll("button").Single(b => b.TextContent.Trim() == "Post update").Click());
        composer.WaitForAssertion(() => Assert.Single(module.Invocations["getHtml"]), TimeSpan.FromSeconds(10));
        await composer.InvokeAsync(() => composer.Find("#live-pinned").Change(true));
        textInEditor.SetResult("<p>Winds reach 120 km/h.</p>");
        await posting;
        composer.WaitForAssertion(() => Assert.Contains("Winds reach 120 km/h.", composer.Find("[aria-label='Posted updates']").TextContent), TimeSpan.FromSeconds(10));

        // The update went out as it was when sent (not pinned); the tick for the next one stays, and the editor is
        // emptied only if it still holds what was sent, in one step in the browser.
        Assert.DoesNotContain("Pinned", composer.Find("[aria-label='Posted updates']").TextContent);
        Assert.True(composer.Find("#live-pinned").HasAttribute("checked"));
        Assert.DoesNotContain(module.Invocations["setHtml"], i => Equals(i.Arguments[1], ""));
        Assert.Equal("<p>Winds reach 120 km/h.</p>", Assert.Single(module.Invocations["clearIfUnchanged"]).Arguments[1]);
    }
}
