using AngleSharp.Html.Parser;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// The newsroom's navigation (AdminLayout), as the signed-in page first arrives: each role sees the links its
/// capabilities allow, in order, and the page shown is marked for assistive technology and styled as MudNavLink's.
/// </summary>
public class NewsroomNavigationTests
{
    private static readonly string[] EveryLink =
    [
        "Dashboard", "Articles", "Review queue", "Pages", "Media", "Tags", "Sections", "Authors", "Breaking news", "Front page",
        "Redirects", "Users", "Readership", "Audit log", "Settings", "Import", "Integrations", "My author profile", "My account", "View site",
    ];

    private static async Task<AngleSharp.Dom.IElement> NavigationAsync(HttpClient client, string path)
    {
        var document = new HtmlParser().ParseDocument(await client.GetStringAsync(path));
        return document.QuerySelector("nav[aria-label='Newsroom']") ?? throw new Xunit.Sdk.XunitException($"{path} has no newsroom navigation.");
    }

    private static string[] LinkTexts(AngleSharp.Dom.IElement nav) =>
        [.. nav.QuerySelectorAll("a").Select(a => a.QuerySelector(".mud-nav-link-text")!.ChildNodes.First().TextContent.Trim())];

    [Fact]
    public async Task Each_role_sees_the_links_its_capabilities_allow_in_order()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var expected = new Dictionary<string, string[]>
        {
            [NewsroomRoles.Administrator] = EveryLink,
            [NewsroomRoles.Editor] = [.. EveryLink.Except(["Users", "Audit log", "Settings", "Import", "Integrations"])],
            [NewsroomRoles.Author] = ["Dashboard", "Articles", "Pages", "Media", "My author profile", "My account", "View site"],
            [NewsroomRoles.Contributor] = ["Dashboard", "Articles", "Pages", "Media", "My author profile", "My account", "View site"],
        };
        foreach (var (role, links) in expected)
        {
            var (_, email, password) = await app.CreateUserAsync(role);
            using var client = app.CreateBrowserlikeClient();
            await FormPost.SignInAsync(client, email, password);

            Assert.Equal(links, LinkTexts(await NavigationAsync(client, "/admin")));
        }
    }

    [Fact]
    public async Task The_page_shown_is_the_one_active_link_and_the_dashboard_only_on_its_own_address()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var (_, email, password) = await app.CreateUserAsync(NewsroomRoles.Editor);
        using var client = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(client, email, password);

        foreach (var (path, active) in new[] { ("/admin", "Dashboard"), ("/admin/articles", "Articles"), ("/admin/articles/new", "Articles"), ("/admin/review", "Review queue"), ("/admin/tags?page=2", "Tags") })
        {
            var nav = await NavigationAsync(client, path);
            var current = Assert.Single(nav.QuerySelectorAll("a[aria-current='page']"));
            Assert.Equal(active, current.QuerySelector(".mud-nav-link-text")!.ChildNodes.First().TextContent.Trim());
            Assert.Contains("active", current.ClassList);
            Assert.Single(nav.QuerySelectorAll("a.active"));
            Assert.All(nav.QuerySelectorAll("a"), a => Assert.Contains("mud-nav-link", a.ClassList));
            Assert.All(nav.QuerySelectorAll("a"), a => Assert.NotNull(a.QuerySelector("svg.mud-nav-link-icon[aria-hidden='true']")));
        }
    }
}
