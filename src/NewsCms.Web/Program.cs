using NewsCms.Web.Components;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Backup;
using NewsCms.Web.Features.Breaking;
using NewsCms.Web.Features.FrontPage;
using NewsCms.Web.Features.Cluster;
using NewsCms.Web.Features.Demo;
using NewsCms.Web.Features.Feeds;
using NewsCms.Web.Features.GhostApi;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Import;
using NewsCms.Web.Features.Integrations;
using NewsCms.Web.Features.LiveBlogs;
using NewsCms.Web.Features.Corrections;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Notes;
using NewsCms.Web.Features.Pages;
using NewsCms.Web.Features.Notifications;
using NewsCms.Web.Features.Readership;
using NewsCms.Web.Features.Redirects;
using NewsCms.Web.Features.Settings;
using NewsCms.Web.Features.Setup;
using NewsCms.Web.Features.SiteExport;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;
using NewsCms.Web.Features.Webhooks;
using NewsCms.Web.Features.WordPress;
using MudBlazor.Services;

// "backup <file>" and "restore <file>" do their work with the site's settings and exit; no web server starts.
if (BackupCommandLine.IsCommand(args))
{
    Environment.ExitCode = await BackupCommandLine.RunAsync(args, Console.Out, Console.Error);
    return;
}
// "export <file>" and "import-site <file>": the whole site as a portable archive, out and in.
if (SiteExportCommandLine.IsCommand(args))
{
    Environment.ExitCode = await SiteExportCommandLine.RunAsync(args, Console.Out, Console.Error);
    return;
}

// "import-wordpress …" and "create-integration …" run with the whole site's services (and its settings: further
// --Key=value arguments), then exit.
var builderArgs = WordPressCommandLine.IsCommand(args) ? WordPressCommandLine.SettingsArguments(args)
    : IntegrationCommandLine.IsCommand(args) ? IntegrationCommandLine.SettingsArguments(args)
    : DemoSetup.WithoutDemoArgument(args);
var builder = WebApplication.CreateBuilder(builderArgs);
// A command prints its own progress; the log shows only what went wrong.
if (WordPressCommandLine.IsCommand(args) || IntegrationCommandLine.IsCommand(args)) builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddRootSettingsFile();

builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.AddNewsCmsHosting();
builder.AddCluster();
builder.AddNewsCmsDatabase();
builder.AddNewsroomIdentity();
builder.AddAudit();
builder.AddSiteSettings();
builder.AddFirstRunSetup();
builder.AddArticles();
builder.AddNotifications();
builder.AddEditorialNotes();
builder.AddPages();
builder.AddTaxonomy();
builder.AddAuthors();
builder.AddPublicCache();
builder.AddReadership();
builder.AddRedirects();
builder.AddMedia();
builder.AddFeeds();
builder.AddDemoContent();
builder.AddBackup();
builder.AddImports();
builder.AddSiteExport();
builder.AddIntegrations();
builder.AddWebhooks();
builder.AddLiveBlogs();
builder.AddBreakingNews();
builder.AddFrontPage();
builder.AddCorrections();
builder.AddGhostContentApi();
builder.Services.AddOpenApi(GhostOpenApi.Configure);
builder.AddGhostAdminApi();

var app = builder.Build();

await app.MigrateNewsCmsDatabaseAsync();
// After the migrations: the site's id in the database keeps its Redis keys and channels apart from other sites'.
await app.ConnectClusterAsync();
// Created now, so cache eviction and the settings snapshot hear every change (from this node or another) from the start.
app.Services.GetRequiredService<PublicCacheVersion>();
await app.LoadRedirectsAsync();
await app.LoadIntegrationKeysAsync();
await app.InitializeFirstRunSetupAsync();
if (WordPressCommandLine.IsCommand(args))
{
    Environment.ExitCode = await WordPressCommandLine.RunAsync(app.Services, args, Console.Out, Console.Error);
    return;
}
if (IntegrationCommandLine.IsCommand(args))
{
    Environment.ExitCode = await IntegrationCommandLine.RunAsync(app.Services, args, Console.Out, Console.Error);
    return;
}
await app.BackfillBylinesAsync();
await app.Services.AddDemoContentIfRequestedAsync(args);

app.UseForwardedHeaders();
app.UseSecurityHeaders();
// Only the site's own hosts (BaseUrl's and NewsCms:Site:AdditionalHosts), after the forwarded headers: 400 otherwise.
app.UseSiteHosts();
if (app.Environment.IsDevelopment())
{
    app.UseMigrationsEndPoint();
}
else
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
    app.UseHsts();
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
// Old addresses answer 301 or 410 from memory before anything else looks at them; inside the status-code pages so a
// 410 shows the site's "gone" page.
app.UseRedirects();
// Readers' cache hits are answered here, before routing and authentication (see PublicFastPath); routing comes after
// it so a hit does not pay for it.
app.UsePublicFastPath();
app.UseHeadAsGet();
app.UseRouting();

app.UseCookiePolicy();
app.UseClientAddress();
app.UseAccountPostLimit();
app.UseFirstRunSetup();
app.UseAuthentication();
app.UseAuthorization();
// Before the output cache, so pages served from it are counted too.
app.UseReadership();
app.UsePublicCache();
app.UseMustChangePassword();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapHealth();
app.MapAudit();
app.MapMedia();
app.MapFeeds();
app.MapLiveBlogs();
app.MapBackup();
app.MapImports();
app.MapSiteExport();
app.MapGhostContentApi();
app.MapOpenApi();
app.MapGhostAdminApi();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode().WithoutComponentStateOnStaticPages();
app.MapAdditionalIdentityEndpoints();

app.Run();

/// <summary>Entry point; public so the integration tests' WebApplicationFactory can find it.</summary>
public partial class Program;
