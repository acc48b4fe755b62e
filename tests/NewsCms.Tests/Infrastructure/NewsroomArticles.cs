using Microsoft.Extensions.DependencyInjection;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Infrastructure;

/// <summary>The newsroom's article services, by job, from one service provider (tests set up and check articles through all three).</summary>
public sealed record NewsroomArticles(NewsroomArticleReads Reads, ArticleEditing Editing, ArticleWorkflowService Workflow);

public static class NewsroomArticlesExtensions
{
    public static NewsroomArticles NewsroomArticles(this IServiceProvider services) => new(
        services.GetRequiredService<NewsroomArticleReads>(), services.GetRequiredService<ArticleEditing>(), services.GetRequiredService<ArticleWorkflowService>());
}
