using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Unit;

public class CapabilitiesTests
{
    public static TheoryData<string, string, bool> Matrix() => new()
    {
        { NewsroomRoles.Administrator, Capabilities.AccessNewsroom, true },
        { NewsroomRoles.Editor, Capabilities.AccessNewsroom, true },
        { NewsroomRoles.Author, Capabilities.AccessNewsroom, true },
        { NewsroomRoles.Contributor, Capabilities.AccessNewsroom, true },
        { NewsroomRoles.Administrator, Capabilities.PublishArticles, true },
        { NewsroomRoles.Editor, Capabilities.PublishArticles, true },
        { NewsroomRoles.Author, Capabilities.PublishArticles, true },
        { NewsroomRoles.Contributor, Capabilities.PublishArticles, false },
        { NewsroomRoles.Administrator, Capabilities.EditAnyArticle, true },
        { NewsroomRoles.Editor, Capabilities.EditAnyArticle, true },
        { NewsroomRoles.Author, Capabilities.EditAnyArticle, false },
        { NewsroomRoles.Contributor, Capabilities.EditAnyArticle, false },
        { NewsroomRoles.Administrator, Capabilities.ManageTaxonomy, true },
        { NewsroomRoles.Editor, Capabilities.ManageTaxonomy, true },
        { NewsroomRoles.Author, Capabilities.ManageTaxonomy, false },
        { NewsroomRoles.Contributor, Capabilities.ManageTaxonomy, false },
        { NewsroomRoles.Administrator, Capabilities.CreateTags, true },
        { NewsroomRoles.Editor, Capabilities.CreateTags, true },
        { NewsroomRoles.Author, Capabilities.CreateTags, true },
        { NewsroomRoles.Contributor, Capabilities.CreateTags, false },
        { NewsroomRoles.Administrator, Capabilities.ManageAuthors, true },
        { NewsroomRoles.Editor, Capabilities.ManageAuthors, true },
        { NewsroomRoles.Author, Capabilities.ManageAuthors, false },
        { NewsroomRoles.Contributor, Capabilities.ManageAuthors, false },
        { NewsroomRoles.Administrator, Capabilities.ManageRedirects, true },
        { NewsroomRoles.Editor, Capabilities.ManageRedirects, true },
        { NewsroomRoles.Author, Capabilities.ManageRedirects, false },
        { NewsroomRoles.Contributor, Capabilities.ManageRedirects, false },
        { NewsroomRoles.Administrator, Capabilities.ImportContent, true },
        { NewsroomRoles.Editor, Capabilities.ImportContent, false },
        { NewsroomRoles.Author, Capabilities.ImportContent, false },
        { NewsroomRoles.Contributor, Capabilities.ImportContent, false },
        { NewsroomRoles.Administrator, Capabilities.ManageIntegrations, true },
        { NewsroomRoles.Editor, Capabilities.ManageIntegrations, false },
        { NewsroomRoles.Author, Capabilities.ManageIntegrations, false },
        { NewsroomRoles.Contributor, Capabilities.ManageIntegrations, false },
        { NewsroomRoles.Administrator, Capabilities.ManageBreakingNews, true },
        { NewsroomRoles.Editor, Capabilities.ManageBreakingNews, true },
        { NewsroomRoles.Author, Capabilities.ManageBreakingNews, false },
        { NewsroomRoles.Contributor, Capabilities.ManageBreakingNews, false },
        { NewsroomRoles.Administrator, Capabilities.ArrangeFrontPage, true },
        { NewsroomRoles.Editor, Capabilities.ArrangeFrontPage, true },
        { NewsroomRoles.Author, Capabilities.ArrangeFrontPage, false },
        { NewsroomRoles.Contributor, Capabilities.ArrangeFrontPage, false },
        { NewsroomRoles.Administrator, Capabilities.CorrectArticles, true },
        { NewsroomRoles.Editor, Capabilities.CorrectArticles, true },
        { NewsroomRoles.Author, Capabilities.CorrectArticles, false },
        { NewsroomRoles.Contributor, Capabilities.CorrectArticles, false },
        { NewsroomRoles.Administrator, Capabilities.ManageUsers, true },
        { NewsroomRoles.Editor, Capabilities.ManageUsers, false },
        { NewsroomRoles.Author, Capabilities.ManageUsers, false },
        { NewsroomRoles.Contributor, Capabilities.ManageUsers, false },
        { NewsroomRoles.Administrator, Capabilities.ManageSettings, true },
        { NewsroomRoles.Editor, Capabilities.ManageSettings, false },
        { NewsroomRoles.Author, Capabilities.ManageSettings, false },
        { NewsroomRoles.Contributor, Capabilities.ManageSettings, false },
        { NewsroomRoles.Administrator, Capabilities.ViewAuditLog, true },
        { NewsroomRoles.Editor, Capabilities.ViewAuditLog, false },
        { NewsroomRoles.Author, Capabilities.ViewAuditLog, false },
        { NewsroomRoles.Contributor, Capabilities.ViewAuditLog, false },
        { NewsroomRoles.Administrator, Capabilities.ViewReadership, true },
        { NewsroomRoles.Editor, Capabilities.ViewReadership, true },
        { NewsroomRoles.Author, Capabilities.ViewReadership, false },
        { NewsroomRoles.Contributor, Capabilities.ViewReadership, false },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Each_role_has_exactly_its_capabilities(string role, string capability, bool allowed) =>
        Assert.Equal(allowed, Capabilities.Allows(role, capability));

    [Fact]
    public void The_matrix_above_covers_every_capability_and_role()
    {
        var covered = Matrix().Select(row => (row.Data.Item1, row.Data.Item2)).ToHashSet();
        foreach (var capability in Capabilities.RolesByCapability.Keys)
        foreach (var role in NewsroomRoles.All)
        {
            Assert.Contains((role, capability), covered);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("administrator")]
    [InlineData("Reader")]
    public void Unknown_or_missing_roles_have_no_capability(string? role)
    {
        foreach (var capability in Capabilities.RolesByCapability.Keys)
        {
            Assert.False(Capabilities.Allows(role, capability));
        }
    }

    [Fact]
    public void Unknown_capabilities_are_never_allowed() =>
        Assert.False(Capabilities.Allows(NewsroomRoles.Administrator, "DeleteTheInternet"));
}
