using Microsoft.AspNetCore.Components;
using NewsCms.Web.Features.Hosting;

namespace NewsCms.Web.Components.Public;

/// <summary>
/// A public page that lists in pages (<c>?page=2</c>): home, section, tag, author and search. It reads the page
/// number once (<see cref="PageNumber"/>) and answers 404 for anything that is not a page of its list.
/// </summary>
public abstract class PagedPublicPage : ComponentBase
{
    // Protected, not private: the public cache finds the query keys a page reads from its properties, inherited ones included.
    [SupplyParameterFromQuery(Name = PageNumber.QueryKey)]
    protected string[]? PageValues { get; set; }

    [CascadingParameter]
    protected HttpContext HttpContext { get; set; } = default!;

    /// <summary>The page asked for (1 until <see cref="ReadPage"/> has read it).</summary>
    protected int CurrentPage { get; private set; } = 1;

    /// <summary>The page asked for is not a page of the list (not a page number, or past the last page): the page shows 404.</summary>
    protected bool PageIsMissing { get; private set; }

    /// <summary>Reads the page asked for; false, and 404, when it is not a page number.</summary>
    protected bool ReadPage()
    {
        if (PageNumber.Parse(PageValues) is not { } page)
        {
            PageMissing();
            return false;
        }
        CurrentPage = page;
        return true;
    }

    /// <summary>
    /// Whether the page read is past the end of its list (a page after the first with nothing on it); if so, 404.
    /// Lists fetch one page, not a count of every match, so an empty page is how the end shows.
    /// </summary>
    protected bool PastTheEnd(int itemsOnPage)
    {
        if (CurrentPage == 1 || itemsOnPage > 0) return false;
        PageMissing();
        return true;
    }

    private void PageMissing()
    {
        PageIsMissing = true;
        HttpContext.Response.StatusCode = StatusCodes.Status404NotFound;
    }
}
