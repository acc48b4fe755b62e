using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>Every admin page, found from the app's own components, against anonymous visitors and each role.</summary>
public class AccessTests
{
    /// <summary>Admin routes and the capability each needs, read from the page components' attributes.</summary>
    public static TheoryData<string, string> AdminPages()
    {
        var data = new TheoryData<string, string>();
        foreach (var page in typeof(Program).Assembly.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t)))
        {
            var route = page.GetCustomAttributes<RouteAttribute>().Select(r => r.Template).FirstOrDefault(t => t.StartsWith("/admin"));
            if (route is null) continue;
            var policy = page.GetCustomAttributes<AuthorizeAttribute>(inherit: true).Select(a => a.Policy).LastOrDefault(p => p is not null)
                ?? throw new InvalidOperationException($"{page.Name} ({route}) has no authorization policy");
            data.Add(System.Text.RegularExpressions.Regex.Replace(route, @"\{(\w+)(:int)?\}", m => m.Groups[2].Success ? "999999" : "00000000-0000-0000-0000-000000000000"), policy);
        }
        return data;
    }

    [Fact]
    public void The_admin_area_has_pages_and_every_one_names_a_capability() =>
        Assert.True(AdminPages().Count() >= 6);

    [Theory]
    [MemberData(nameof(AdminPages))]
    public async Task Anonymous_visitors_are_sent_to_sign_in(string url, string capability)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using var client = app.CreateBrowserlikeClient();
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        // A path on this site: the Location never carries the request's host.
        Assert.StartsWith("/Account/Login?ReturnUrl=", response.Headers.Location!.OriginalString);
        Assert.NotNull(capability);
    }

    [Theory]
    [MemberData(nameof(AdminPages))]
    public async Task Each_role_reaches_exactly_the_pages_its_capabilities_allow(string url, string capability)
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        foreach (var role in NewsroomRoles.All)
        {
            var (_, email, password) = await app.CreateUserAsync(role);
            using var client = app.CreateBrowserlikeClient();
            Assert.Equal(HttpStatusCode.Redirect, (await FormPost.SignInAsync(client, email, password)).StatusCode);

            var response = await client.GetAsync(url);
            if (Capabilities.Allows(role, capability))
            {
                // Let in: the page renders (or says that the placeholder item does not exist).
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{role} on {url}: {response.StatusCode}");
            }
            else
            {
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
                Assert.Contains("/Account/AccessDenied", response.Headers.Location!.ToString());
            }
        }
    }

    [Fact]
    public async Task Endpoints_answer_401_and_403_instead_of_redirecting()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        using (var anonymous = app.CreateBrowserlikeClient())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/audit/export")).StatusCode);
        }
        foreach (var role in new[] { NewsroomRoles.Editor, NewsroomRoles.Author, NewsroomRoles.Contributor })
        {
            var (_, email, password) = await app.CreateUserAsync(role);
            using var client = app.CreateBrowserlikeClient();
            await FormPost.SignInAsync(client, email, password);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/audit/export")).StatusCode);
        }
        using var admin = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(admin, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);
        var export = await admin.GetAsync("/api/audit/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.StartsWith("At (UTC),Actor,Action", await export.Content.ReadAsStringAsync());
    }
}
