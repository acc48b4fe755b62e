using Bunit;
using MudBlazor.Services;
using NewsCms.Web.Components.Admin;
using NewsCms.Web.Components.Admin.Articles;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Components;

/// <summary>The parts of the editor and the settings page that differ for static pages, rendered with bUnit.</summary>
public sealed class PageEditorPartsTests : IAsyncDisposable
{
    private readonly BunitContext context = new();

    public PageEditorPartsTests()
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
    }

    public ValueTask DisposeAsync() => context.DisposeAsync();

    [Fact]
    public void A_page_slug_the_site_uses_is_refused_where_it_is_typed_before_any_save()
    {
        var input = new ArticleInput { Kind = ArticleKind.Page, Headline = "News", Slug = "news" };
        var page = context.Render<EditorAddressFields>(p => p.Add(c => c.Input, input).Add(c => c.IsPage, true).Add(c => c.SlugEdited, true));
        Assert.Contains("“news” is used by the site itself; choose another address for this page.", page.Markup);

        // While it follows the title the service steps around it (news-2): nothing to say yet. The address is at the root.
        var following = context.Render<EditorAddressFields>(p => p.Add(c => c.Input, new ArticleInput { Slug = "about-us" }).Add(c => c.IsPage, true));
        Assert.Contains("/about-us · follows the title", following.Markup);
        Assert.DoesNotContain("is used by the site itself", following.Markup);

        // An article lives under /news/: the same slug is its own.
        var article = context.Render<EditorAddressFields>(p => p.Add(c => c.Input, new ArticleInput { Slug = "news" }).Add(c => c.SlugEdited, true));
        Assert.Contains("/news/news", article.Markup);
        Assert.DoesNotContain("is used by the site itself", article.Markup);
    }

    [Fact]
    public void Pages_are_added_moved_and_removed_in_the_footer_list()
    {
        List<int> selected = [];
        NamedItem[] pages = [new(1, "About us"), new(2, "Contact"), new(3, "Privacy")];
        var links = context.Render<SettingsPageLinks>(p => p
            .Add(c => c.Key, "footer").Add(c => c.Heading, "Pages in the footer").Add(c => c.Description, "Linked at the bottom.")
            .Add(c => c.AddLabel, "Add page to the footer").Add(c => c.Pages, pages).Add(c => c.Selected, selected));
        Assert.Equal("Add page to the footer", links.Find("label[for=footer-add-page]").TextContent);

        links.Find("#footer-add-page").Change("2");
        links.Find("#footer-add-page").Change("1");
        Assert.Equal([2, 1], selected);
        Assert.Equal(["Contact", "About us"], links.FindAll("[data-testid=footer-page]").Select(li => li.TextContent.Trim()));
        // Only pages not chosen yet are offered.
        Assert.Equal(["", "3"], links.FindAll("#footer-add-page option").Select(o => o.GetAttribute("value")));

        links.Find("button[aria-label='Move About us up']").Click();
        Assert.Equal([1, 2], selected);
        links.Find("button[aria-label='Remove Contact from the footer']").Click();
        Assert.Equal([1], selected);
    }
}
