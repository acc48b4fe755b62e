using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Integrations;
using NewsCms.Web.Features.Pages;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.ApiClients;

/// <summary>
/// The Node project tests/NewsCms.ApiClientTests run against the real app over HTTP: the official Ghost clients
/// (@tryghost/content-api and @tryghost/admin-api, unchanged) through a newsroom's journeys, and the fuzzer generated
/// from the site's OpenAPI document. Each test starts a site of its own on 127.0.0.1, seeds it, creates an integration
/// and runs `node --test` with the site's address and keys in the environment; Node's own report is the failure message.
/// </summary>
public sealed class GhostClientTests
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public Task The_official_Ghost_clients_work_against_NewsCms_unchanged() => RunAsync("clients.test.mjs", NewsroomRoles.Editor);

    [Fact]
    public Task The_fuzzer_finds_no_5xx_no_slow_answer_and_no_answer_the_OpenAPI_document_does_not_describe() =>
        RunAsync("fuzz.test.mjs", NewsroomRoles.Administrator);

    private static async Task RunAsync(string script, string role)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(new()
        {
            // The clients' webhook receiver listens on 127.0.0.1.
            ["NewsCms:Webhooks:AllowPrivateTargets"] = "true",
            // The fuzzer sends a few thousand requests with one key in a minute.
            ["NewsCms:ContentApi:RequestsPerKey"] = "1000000",
        });
        app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        // "localhost" is one of the test site's hosts (127.0.0.1 is not: the site answers only its own names).
        var url = $"http://localhost:{address.Port}";

        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var scope = app.Services.CreateAsyncScope();
        await SeedAsync(scope.ServiceProvider, admin);
        var integration = await scope.ServiceProvider.GetRequiredService<Integrations>().CreateAsync(admin, $"Client tests ({role})", role);
        Assert.True(integration.Succeeded, integration.Error);

        var image = Path.Combine(Path.GetTempPath(), $"newscms-client-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(image, TestImages.Png(1200, 800));
        try
        {
            var (exitCode, output) = await NodeAsync(script, new Dictionary<string, string>
            {
                ["NEWSCMS_URL"] = url,
                ["NEWSCMS_CONTENT_KEY"] = integration.Value!.ContentKey,
                ["NEWSCMS_ADMIN_KEY"] = integration.Value.AdminKey,
                ["NEWSCMS_IMAGE"] = image,
            });
            Assert.True(exitCode == 0, $"node --test {script} exited with {exitCode}:\n{output}");
            TestContext.Current.TestOutputHelper?.WriteLine(output);
        }
        finally
        {
            File.Delete(image);
        }
    }

    /// <summary>A small site: sections, tags, bylines, published and draft articles, a page.</summary>
    private static async Task SeedAsync(IServiceProvider services, System.Security.Claims.ClaimsPrincipal admin)
    {
        var taxonomy = services.GetRequiredService<TaxonomyService>();
        var section = (await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Harbour" })).Value!;
        var tags = new List<int>();
        foreach (var name in new[] { "News", "Sport", "Weather" }) tags.Add((await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = name })).Value!.Id);
        var articles = services.NewsroomArticles();
        for (var i = 0; i < 6; i++)
        {
            var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput
            {
                Headline = $"Harbour story {i}", Standfirst = $"What happened on day {i}.", BodyHtml = $"<p>Story number {i}, with <a href=\"/news/x\">a link</a>.</p>",
                SectionId = section.Id, TagIds = [tags[i % tags.Count]], IsFeatured = i == 0,
            }, null, SaveKind.Manual);
            Assert.True(saved.Succeeded, saved.Error);
            if (i < 5) Assert.True((await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version)).Succeeded);
        }
        var page = await articles.Editing.SaveAsync(admin, null, new ArticleInput { Kind = ArticleKind.Page, Headline = "About us", BodyHtml = "<p>Who we are.</p>" }, null, SaveKind.Manual);
        Assert.True((await articles.Workflow.PublishAsync(admin, page.Id, page.Version)).Succeeded);
    }

    /// <summary>Runs `node --test script` in the Node project's folder; returns its exit code and everything it printed.</summary>
    private static async Task<(int ExitCode, string Output)> NodeAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var folder = ClientProjectFolder();
        var start = new ProcessStartInfo("node", ["--test", "--test-reporter=spec", script])
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        // Node 20 may resolve "localhost" to ::1 first; the site listens on 127.0.0.1.
        start.Environment["NODE_OPTIONS"] = "--dns-result-order=ipv4first";
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(NodeTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node --test {script} did not finish within {NodeTimeout}:\n{await stdout}\n{await stderr}");
        }
        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }

    /// <summary>tests/NewsCms.ApiClientTests, found from the test assembly's folder upwards (npm ci ran there at build time).</summary>
    private static string ClientProjectFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "NewsCms.ApiClientTests");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                Assert.True(Directory.Exists(Path.Combine(candidate, "node_modules")), $"{candidate}/node_modules is missing: the test project's build runs npm ci there.");
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("tests/NewsCms.ApiClientTests was not found above " + AppContext.BaseDirectory);
    }
}
