using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsCms.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class HomeAndRelated : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IsFeatured",
                table: "Articles",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "ArticleRelations",
                columns: table => new
                {
                    ArticleId = table.Column<int>(type: "INTEGER", nullable: false),
                    RelatedArticleId = table.Column<int>(type: "INTEGER", nullable: false),
                    Rank = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ArticleRelations", x => new { x.ArticleId, x.RelatedArticleId });
                    table.ForeignKey(
                        name: "FK_ArticleRelations_Articles_ArticleId",
                        column: x => x.ArticleId,
                        principalTable: "Articles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ArticleRelations_Articles_RelatedArticleId",
                        column: x => x.RelatedArticleId,
                        principalTable: "Articles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Articles_IsFeatured_Status_PublishedAt",
                table: "Articles",
                columns: new[] { "IsFeatured", "Status", "PublishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ArticleRelations_ArticleId_Rank",
                table: "ArticleRelations",
                columns: new[] { "ArticleId", "Rank" });

            migrationBuilder.CreateIndex(
                name: "IX_ArticleRelations_RelatedArticleId",
                table: "ArticleRelations",
                column: "RelatedArticleId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ArticleRelations");

            migrationBuilder.DropIndex(
                name: "IX_Articles_IsFeatured_Status_PublishedAt",
                table: "Articles");

            migrationBuilder.DropColumn(
                name: "IsFeatured",
                table: "Articles");
        }
    }
}
