using System.Net;
using System.Net.Http.Headers;
using NewsCms.Tests.Infrastructure;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Every route of the app, read from its own endpoint table, against anonymous visitors and each role. A route is
/// either let in or refused exactly as <see cref="RouteRules"/> says: anonymous visitors are sent to sign in (pages) or
/// get 401 (/api); signed-in roles without the capability are sent to Access denied (pages) or get 403 (/api).
/// </summary>
public sealed class AuthorizationMatrixTests(NewsroomFixture site) : IClassFixture<NewsroomFixture>
{
    private const string LetIn = "let in";
    private const string SentToSignIn = "sent to sign in";
    private const string SentToAccessDenied = "sent to Access denied";

    [Fact]
    public void Every_route_has_a_rule_and_every_rule_a_route()
    {
        var routes = RouteRules.Routes(site.App.Services);
        var patterns = routes.Select(r => r.Pattern).ToHashSet();
        var problems = routes.Where(r => r.Rule is null)
            .Select(r => $"no rule for {r.Pattern} ({(r.Methods is null ? "any method" : string.Join(", ", r.Methods))})")
            .Concat(RouteRules.Table.Where(r => !patterns.Contains(r.Pattern)).Select(r => $"no route for the rule {r.Pattern}"))
            .ToList();
        if (!routes.Any(r => r.Rule == RouteRules.StaticAssets)) problems.Add("no static assets: the group rule has nothing to cover");
        Assert.True(problems.Count == 0, "The rules (RouteRules.Table) and the app's routes disagree:\n" + string.Join('\n', problems));
    }

    [Fact]
    public async Task Each_route_lets_in_exactly_the_principals_its_rule_names()
    {
        var ct = TestContext.Current.CancellationToken;
        var clients = new Dictionary<string, HttpClient>();
        foreach (var role in RouteRules.Principals) clients[role ?? ""] = await site.ClientAsync(role);

        var routes = RouteRules.Routes(site.App.Services).Where(r => r.Rule is not null).ToList();
        var failures = new List<string>();
        foreach (var (pattern, methods, rule) in routes)
        {
            var url = rule!.UrlFor(site.Samples, pattern);
            var method = RouteRules.MethodToTry(methods);
            var takesJson = RouteRules.TakesJsonBodies(site.App.Services, pattern);
            var answers = await Task.WhenAll(RouteRules.Principals.Select(async role =>
            {
                using var request = new HttpRequestMessage(method, url)
                {
                    Content = method == HttpMethod.Get ? null : takesJson ? new StringContent("{}", System.Text.Encoding.UTF8, "application/json") : PostBody(),
                };
                // Headers only: an event stream (/live/.../events) never ends; its status and headers are the answer.
                using var response = await clients[role ?? ""].SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                var outcome = Outcome(response);
                var expected = rule.Access.Allows(role) ? LetIn : rule.Access == Access.AdminApiKey ? "401" : Refusal(url, role);
                return outcome == expected ? null
                    : $"{method} {url} as {role ?? "anonymous"}: {outcome} ({(int)response.StatusCode}), expected {expected} (rule: {rule.Access})";
            }));
            failures.AddRange(answers.OfType<string>());
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {routes.Count * RouteRules.Principals.Count} answers broke their rule:\n" + string.Join('\n', failures));
    }

    /// <summary>What a refusal looks like for this principal: pages redirect, /api answers with a status code.</summary>
    private static string Refusal(string url, string? role) => url.StartsWith("/api/", StringComparison.Ordinal)
        ? role is null ? "401" : "403"
        : role is null ? SentToSignIn : SentToAccessDenied;

    private static string Outcome(HttpResponseMessage response)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) return ((int)response.StatusCode).ToString();
        if (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location is { } location)
        {
            var target = new Uri(new Uri("https://localhost/"), location);
            var path = target.AbsolutePath;
            // The sign-in challenge carries the page to come back to; a page's own "start again" link to sign-in does not.
            if (path.Equals("/Account/Login", StringComparison.OrdinalIgnoreCase) && target.Query.Contains("ReturnUrl=", StringComparison.OrdinalIgnoreCase)) return SentToSignIn;
            if (path.Equals("/Account/AccessDenied", StringComparison.OrdinalIgnoreCase)) return SentToAccessDenied;
        }
        return LetIn;
    }

    /// <summary>A small multipart form with an image, which every POST route accepts as a body.</summary>
    private static MultipartFormDataContent PostBody()
    {
        var image = new ByteArrayContent(TestImages.Jpeg(16, 16));
        image.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        return new MultipartFormDataContent { { image, "file", "matrix.jpg" }, { new StringContent("/"), "returnUrl" } };
    }
}
