using System.Security.Claims;

namespace NewsCms.Web.Features.Articles.Editing;

/// <summary>The editor's saves through <see cref="ArticleService"/>, as the signed-in user (the service checks their rights on every call).</summary>
public sealed class ArticleServiceEditorServer(ArticleService articles, ClaimsPrincipal user) : IArticleEditorServer
{
    public Task<SaveOutcome> SaveAsync(int? id, ArticleInput input, Guid? expectedVersion, SaveKind kind, CancellationToken ct = default) =>
        articles.SaveAsync(user, id, input, expectedVersion, kind, ct);
}
