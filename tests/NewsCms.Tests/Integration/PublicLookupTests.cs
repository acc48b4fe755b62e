using System.Security.Claims;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// The public lookups each feature owns: a section's, tag's or author's address is found, has moved (after a rename or
/// a merge) or is missing. Each test makes its own uniquely named things on the shared site.
/// </summary>
public sealed class PublicLookupTests(NewsroomFixture site) : IClassFixture<NewsroomFixture>
{
    private ClaimsPrincipal Admin => site.ByRole[NewsroomRoles.Administrator].Principal;
    private TaxonomyService Taxonomy => site.Service<TaxonomyService>();
    private PublicTaxonomy PublicTaxonomy => site.Service<PublicTaxonomy>();

    private static string Unique(string name) => $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)];

    private static T Found<T>(PublicLookup<T> lookup) where T : class =>
        Assert.IsType<PublicLookup<T>.Found>(lookup).Value;

    [Fact]
    public async Task A_renamed_tags_old_slug_has_moved_to_its_new_one()
    {
        var tag = (await Taxonomy.CreateTagAsync(Admin, new TaxonomyInput { Name = Unique("Trams") })).Value!;
        var renamed = Unique("Light rail");
        Assert.True((await Taxonomy.UpdateTagAsync(Admin, tag.Id, new TaxonomyInput { Name = renamed, Slug = Slugs.From(renamed) })).Succeeded);

        Assert.Equal(new PublicLookup<Tag>.MovedTo(Slugs.From(renamed)), await PublicTaxonomy.FindTagAsync(tag.Slug));
        var found = Found(await PublicTaxonomy.FindTagAsync(Slugs.From(renamed)));
        Assert.Equal((tag.Id, renamed), (found.Id, found.Name));
    }

    [Fact]
    public async Task A_merged_tags_slug_has_moved_to_the_tag_it_was_merged_into()
    {
        var source = (await Taxonomy.CreateTagAsync(Admin, new TaxonomyInput { Name = Unique("Buses") })).Value!;
        var target = (await Taxonomy.CreateTagAsync(Admin, new TaxonomyInput { Name = Unique("Transport") })).Value!;
        Assert.True((await Taxonomy.MergeTagsAsync(Admin, source.Id, target.Id)).Succeeded);

        Assert.Equal(new PublicLookup<Tag>.MovedTo(target.Slug), await PublicTaxonomy.FindTagAsync(source.Slug));
        Assert.Equal(target.Id, Found(await PublicTaxonomy.FindTagAsync(target.Slug)).Id);
    }

    [Fact]
    public async Task A_renamed_sections_old_slug_has_moved_to_its_new_one_and_is_no_tag()
    {
        var section = (await Taxonomy.CreateSectionAsync(Admin, new TaxonomyInput { Name = Unique("Weather") })).Value!;
        var renamed = Unique("Climate");
        Assert.True((await Taxonomy.UpdateSectionAsync(Admin, section.Id, new TaxonomyInput { Name = renamed, Slug = Slugs.From(renamed) })).Succeeded);

        Assert.Equal(new PublicLookup<Section>.MovedTo(Slugs.From(renamed)), await PublicTaxonomy.FindSectionAsync(section.Slug));
        var found = Found(await PublicTaxonomy.FindSectionAsync(Slugs.From(renamed)));
        Assert.Equal((section.Id, renamed), (found.Id, found.Name));
        // Sections and tags keep separate addresses: a section's old slug does not lead anywhere as a tag.
        Assert.IsType<PublicLookup<Tag>.Missing>(await PublicTaxonomy.FindTagAsync(section.Slug));
    }

    [Fact]
    public async Task An_unknown_slug_is_missing_for_sections_tags_and_authors()
    {
        var slug = Slugs.From(Unique("Nowhere"));
        Assert.IsType<PublicLookup<Section>.Missing>(await PublicTaxonomy.FindSectionAsync(slug));
        Assert.IsType<PublicLookup<Tag>.Missing>(await PublicTaxonomy.FindTagAsync(slug));
        Assert.IsType<PublicLookup<Byline>.Missing>(await site.Service<PublicAuthors>().FindAsync(slug));
    }

    [Fact]
    public async Task An_author_profile_is_found_by_its_slug_with_its_byline()
    {
        var name = Unique("Ada Inkwell");
        var id = (await site.Service<AuthorProfiles>().CreateAsync(Admin, new AuthorInput { DisplayName = name, JobTitle = "Night editor" })).Value;

        var author = Found(await site.Service<PublicAuthors>().FindAsync(Slugs.From(name)));
        Assert.Equal((id, name, Slugs.From(name), "Night editor"), (author.Id, author.Name, author.Slug, author.JobTitle));
    }

    [Fact]
    public async Task Navigation_lists_the_sections_shown_in_it_in_order()
    {
        var shown = (await Taxonomy.CreateSectionAsync(Admin, new TaxonomyInput { Name = Unique("Shown") })).Value!;
        var hidden = (await Taxonomy.CreateSectionAsync(Admin, new TaxonomyInput { Name = Unique("Hidden"), ShowInNavigation = false })).Value!;

        var navigation = await PublicTaxonomy.NavigationAsync();
        Assert.Contains(new NavigationSection(shown.Id, shown.Name, shown.Slug), navigation);
        Assert.DoesNotContain(navigation, s => s.Id == hidden.Id);
        // A new section goes last.
        Assert.Equal(shown.Id, navigation[^1].Id);
    }
}
