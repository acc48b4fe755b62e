using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsCms.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ArticleSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Full-text index of published articles (rowid = article id), kept in step by the article service
            // (not by triggers: EF's SQLite table rebuilds in later migrations would drop them silently).
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE ArticleSearch USING fts5(
                    headline, standfirst, body, tags, authors,
                    tokenize = 'porter unicode61 remove_diacritics 2');
                """);
            migrationBuilder.Sql("""
                INSERT INTO ArticleSearch(rowid, headline, standfirst, body, tags, authors)
                SELECT a.Id, a.Headline, a.Standfirst, a.BodyText,
                    COALESCE((SELECT group_concat(t.Name, ' ') FROM ArticleTags at JOIN Tags t ON t.Id = at.TagId WHERE at.ArticleId = a.Id), ''),
                    COALESCE((SELECT group_concat(p.DisplayName, ' ') FROM ArticleAuthors aa JOIN AuthorProfiles p ON p.Id = aa.AuthorProfileId WHERE aa.ArticleId = a.Id), '')
                FROM Articles a WHERE a.Status = 3 AND a.TrashedAt IS NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE ArticleSearch;");
        }
    }
}
