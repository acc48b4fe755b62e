using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Readership;

namespace NewsCms.Tests.Infrastructure;

/// <summary>Readership figures for tests that need the "Most read" block on the public pages.</summary>
public static class TestReadership
{
    /// <summary>Gives every public article views today (the newest the most) and works out the Most read list again.</summary>
    public static async Task ReadEverythingAsync(NewsCmsAppFactory app)
    {
        await app.Services.GetRequiredService<ReadershipFlusher>().FlushAsync(); // takes the site's time zone
        var today = app.Services.GetRequiredService<ViewCounter>().Today;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            var ids = await db.Articles.Where(Article.IsPublicExpression).OrderBy(a => a.Id).Select(a => a.Id).ToListAsync();
            foreach (var (id, views) in ids.Select((id, i) => (id, (long)(i + 1) * 10)))
            {
                db.ArticleViewDays.Add(new ArticleViewDay { ArticleId = id, Day = today, Views = views });
            }
            await db.SaveChangesAsync();
        }
        await app.Services.GetRequiredService<MostRead>().RefreshAsync();
    }
}
