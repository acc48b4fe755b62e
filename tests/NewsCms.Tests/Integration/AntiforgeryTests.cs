using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Setup;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// Every route that takes a POST, read from the app's endpoint table (so a new form is covered the day it is added),
/// refuses one without an antiforgery token with 400 and changes nothing. The posts come the way a forged cross-site
/// post would: from a signed-in browser holding the antiforgery cookie, with the page's own form fields filled in
/// with valid values, only without the token.
/// </summary>
public sealed partial class AntiforgeryTests(NewsroomFixture site) : IClassFixture<NewsroomFixture>
{
    /// <summary>Routes whose post needs the site in another state, each covered by its own test below.</summary>
    private static readonly Dictionary<string, string> CoveredSeparately = new()
    {
        ["/setup"] = nameof(The_setup_form_refuses_a_post_without_a_token_and_makes_no_account),
    };

    [Fact]
    public async Task Every_form_post_without_a_token_is_refused_and_changes_nothing()
    {
        var member = site.ByRole[NewsroomRoles.Administrator];
        using var client = await SignedInClientAsync(member);
        var failures = new List<string>();
        var posts = 0;
        foreach (var (pattern, methods, rule) in RouteRules.Routes(site.App.Services))
        {
            if (rule is null || !RouteRules.AcceptsPost(methods) || rule.NotAForm is not null || CoveredSeparately.ContainsKey(pattern)) continue;
            var url = rule.UrlFor(site.Samples, pattern);
            foreach (var (form, body) in await PostsAsync(client, url, pattern, member, acceptsGet: methods is null || methods.Contains("GET")))
            {
                var before = await DatabaseSnapshot.TakeAsync(site.App.Database);
                using var response = await client.PostAsync(url, body);
                posts++;
                var what = $"POST {url} ({form})";
                if (response.StatusCode != HttpStatusCode.BadRequest) failures.Add($"{what}: {(int)response.StatusCode}, expected 400");
                if ((await DatabaseSnapshot.TakeAsync(site.App.Database)).ChangedSince(before) is { Count: > 0 } changed)
                {
                    failures.Add($"{what}: changed {string.Join(", ", changed)}");
                }
                if ((await client.GetAsync("/Account/Manage")).StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{what}: the browser was signed out");
                    Assert.Equal(HttpStatusCode.Redirect, (await FormPost.SignInAsync(client, member.Email, member.Password)).StatusCode);
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} problem(s) in {posts} posts without a token:\n" + string.Join('\n', failures));
        Assert.True(posts >= 40, $"Only {posts} posts: the endpoint table was not read as expected.");
    }

    [Fact]
    public async Task The_setup_form_refuses_a_post_without_a_token_and_makes_no_account()
    {
        await using var app = await NewsCmsAppFactory.WithoutBootstrap();
        using var client = app.CreateBrowserlikeClient();
        var code = app.Services.GetRequiredService<FirstRunSetup>().Code!;
        var page = await client.GetStringAsync("/setup");
        var form = Assert.Single(Forms(page, "/setup"));
        form.Fields["Input.SetupCode"] = code;
        form.Fields["Input.SiteTitle"] = "Forged Times";
        form.Fields["Input.DisplayName"] = "Mallory";
        form.Fields["Input.Email"] = "mallory@evil.test";
        form.Fields["Input.Password"] = form.Fields["Input.ConfirmPassword"] = "mallory-password";

        var response = await client.PostAsync("/setup", new FormUrlEncodedContent(form.Fields));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var scope = app.Services.CreateAsyncScope();
        Assert.Empty(scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().Users);
        Assert.False(app.Services.GetRequiredService<FirstRunSetup>().IsComplete);
    }

    private async Task<HttpClient> SignedInClientAsync(Member member)
    {
        var client = site.App.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await FormPost.SignInAsync(client, member.Email, member.Password)).StatusCode);
        return client;
    }

    /// <summary>
    /// The posts to try on a route: each post form its page shows (fields filled in, token left out), or for
    /// routes without a page a body of the kind the endpoint reads.
    /// </summary>
    private static async Task<IReadOnlyList<(string Form, HttpContent Body)>> PostsAsync(HttpClient client, string url, string pattern, Member member, bool acceptsGet)
    {
        if (acceptsGet)
        {
            using var page = await client.GetAsync(url);
            var forms = page.StatusCode == HttpStatusCode.OK ? Forms(await page.Content.ReadAsStringAsync(), url) : [];
            if (forms.Count > 0)
            {
                return forms.Select(f => (f.Name, (HttpContent)new FormUrlEncodedContent(Filled(f.Fields, member)))).ToList();
            }
        }
        return [("no form on the page", EndpointBody(pattern))];
    }

    /// <summary>What the endpoints without a page read, so that only the missing token stands in their way.</summary>
    private static HttpContent EndpointBody(string pattern)
    {
        if (pattern == "/api/media")
        {
            var image = new ByteArrayContent(TestImages.Jpeg(40, 30));
            image.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            return new MultipartFormDataContent { { image, "file", "forged.jpg" } };
        }
        return new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" });
    }

    /// <summary>Valid values for the fields the account forms ask for.</summary>
    private static Dictionary<string, string> Filled(Dictionary<string, string> fields, Member member)
    {
        var values = new Dictionary<string, string>
        {
            ["Input.Email"] = member.Email,
            ["Input.Password"] = member.Password,
            ["Input.OldPassword"] = member.Password,
            ["Input.NewPassword"] = "forged-password-1",
            ["Input.ConfirmPassword"] = "forged-password-1",
            ["Input.NewEmail"] = "forged@evil.test",
            ["Input.PhoneNumber"] = "+44 20 7946 0000",
        };
        return fields.ToDictionary(f => f.Key, f => values.GetValueOrDefault(f.Key) ?? (f.Value.Length > 0 ? f.Value : "x"));
    }

    private sealed record Form(string Name, Dictionary<string, string> Fields);

    /// <summary>The page's post forms that post back to it, with their fields, leaving out the antiforgery token.</summary>
    private static List<Form> Forms(string html, string url)
    {
        var path = url.Split('?')[0];
        var forms = new List<Form>();
        foreach (Match form in FormPattern().Matches(html))
        {
            var attributes = form.Groups["attributes"].Value;
            if (!PostMethod().IsMatch(attributes)) continue;
            // Forms that post elsewhere (sign out in the layout, download personal data) are tried at their own route.
            var action = ActionAttribute().Match(attributes) is { Success: true } a ? WebUtility.HtmlDecode(a.Groups[1].Value) : "";
            if (action.Length > 0 && !("/" + action.TrimStart('/')).Split('?')[0].Equals(path, StringComparison.OrdinalIgnoreCase)) continue;
            var fields = new Dictionary<string, string>();
            foreach (Match input in InputPattern().Matches(form.Groups["body"].Value))
            {
                if (NameAttribute().Match(input.Value) is not { Success: true } name) continue;
                var value = ValueAttribute().Match(input.Value);
                fields[WebUtility.HtmlDecode(name.Groups[1].Value)] = value.Success ? WebUtility.HtmlDecode(value.Groups[1].Value) : "";
            }
            fields.Remove("__RequestVerificationToken");
            forms.Add(new Form(fields.GetValueOrDefault("_handler") ?? "form", fields));
        }
        return forms;
    }

    [GeneratedRegex(@"<form\b(?<attributes>[^>]*)>(?<body>.*?)</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormPattern();

    [GeneratedRegex(@"\smethod=""post""", RegexOptions.IgnoreCase)]
    private static partial Regex PostMethod();

    [GeneratedRegex(@"\saction=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex ActionAttribute();

    [GeneratedRegex(@"<input\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputPattern();

    [GeneratedRegex(@"\sname=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex NameAttribute();

    [GeneratedRegex(@"\svalue=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex ValueAttribute();
}
