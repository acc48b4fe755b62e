namespace NewsCms.Web.Features.Users;

/// <summary>The four newsroom roles, from most to least trusted.</summary>
public static class NewsroomRoles
{
    public const string Administrator = nameof(Administrator);
    public const string Editor = nameof(Editor);
    public const string Author = nameof(Author);
    public const string Contributor = nameof(Contributor);

    public static readonly IReadOnlyList<string> All = [Administrator, Editor, Author, Contributor];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}

/// <summary>
/// What a role may do. Pages and endpoints use these as authorization policy names and services call
/// <see cref="Allows"/>; this table is the one place where roles are mapped to capabilities.
/// </summary>
public static class Capabilities
{
    public const string AccessNewsroom = nameof(AccessNewsroom);
    public const string PublishArticles = nameof(PublishArticles);
    public const string EditAnyArticle = nameof(EditAnyArticle);
    public const string ManageTaxonomy = nameof(ManageTaxonomy);
    public const string CreateTags = nameof(CreateTags);
    public const string ManageAuthors = nameof(ManageAuthors);
    public const string ManageRedirects = nameof(ManageRedirects);
    public const string ManageUsers = nameof(ManageUsers);
    public const string ManageSettings = nameof(ManageSettings);
    public const string ViewAuditLog = nameof(ViewAuditLog);
    public const string ImportContent = nameof(ImportContent);
    public const string ManageIntegrations = nameof(ManageIntegrations);
    public const string ViewReadership = nameof(ViewReadership);
    public const string ManageBreakingNews = nameof(ManageBreakingNews);
    public const string ArrangeFrontPage = nameof(ArrangeFrontPage);
    public const string CorrectArticles = nameof(CorrectArticles);

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> RolesByCapability =
        new Dictionary<string, IReadOnlyList<string>>
        {
            [AccessNewsroom] = NewsroomRoles.All,
            [PublishArticles] = [NewsroomRoles.Administrator, NewsroomRoles.Editor, NewsroomRoles.Author],
            [EditAnyArticle] = [NewsroomRoles.Administrator, NewsroomRoles.Editor],
            [ManageTaxonomy] = [NewsroomRoles.Administrator, NewsroomRoles.Editor],
            // Authors may add a tag while writing; Contributors pick existing ones.
            [CreateTags] = [NewsroomRoles.Administrator, NewsroomRoles.Editor, NewsroomRoles.Author],
            [ManageAuthors] = [NewsroomRoles.Administrator, NewsroomRoles.Editor],
            [ManageRedirects] = [NewsroomRoles.Administrator, NewsroomRoles.Editor],
            [ManageUsers] = [NewsroomRoles.Administrator],
            [ManageSettings] = [NewsroomRoles.Administrator],
            [ViewAuditLog] = [NewsroomRoles.Administrator],
            [ImportContent] = [NewsroomRoles.Administrator],
            // Integrations, their keys and every integration's webhooks (an integration also manages its own webhooks).
            // Integrations act with any role, Administrator included: only an Administrator hands out their keys.
            [ManageIntegrations] = [NewsroomRoles.Administrator],
            // Site-wide readership figures; writers see their own articles' figures through AccessNewsroom.
            [ViewReadership] = [NewsroomRoles.Administrator, NewsroomRoles.Editor],
            // The banner on every public page: the desk's call, not a writer's.
            [ManageBreakingNews] = [NewsroomRoles.Administrator, NewsroomRoles.Editor],
            // The lead and top stories of the home page: the desk's call too.
            [ArrangeFrontPage] = [NewsroomRoles.Administrator, NewsroomRoles.Editor],
            // Corrections and updates on published articles: a public statement by the desk, not the writer's.
            [CorrectArticles] = [NewsroomRoles.Administrator, NewsroomRoles.Editor],
        };

    public static bool Allows(string? role, string capability) =>
        role is not null
        && RolesByCapability.TryGetValue(capability, out var roles)
        && roles.Contains(role, StringComparer.Ordinal);

    public static bool Allows(IEnumerable<string> roles, string capability) => roles.Any(role => Allows(role, capability));
}
