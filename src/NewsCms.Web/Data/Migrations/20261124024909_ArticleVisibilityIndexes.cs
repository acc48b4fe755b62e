using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsCms.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ArticleVisibilityIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Articles_IsFeatured_Status_PublishedAt",
                table: "Articles");

            migrationBuilder.DropIndex(
                name: "IX_Articles_SectionId_Status_PublishedAt",
                table: "Articles");

            migrationBuilder.DropIndex(
                name: "IX_Articles_Status_PublishedAt",
                table: "Articles");

            migrationBuilder.CreateIndex(
                name: "IX_Articles_IsFeatured_Status_TrashedAt_PublishedAt",
                table: "Articles",
                columns: new[] { "IsFeatured", "Status", "TrashedAt", "PublishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Articles_SectionId_Status_TrashedAt_PublishedAt",
                table: "Articles",
                columns: new[] { "SectionId", "Status", "TrashedAt", "PublishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Articles_Status_TrashedAt_PublishedAt",
                table: "Articles",
                columns: new[] { "Status", "TrashedAt", "PublishedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Articles_IsFeatured_Status_TrashedAt_PublishedAt",
                table: "Articles");

            migrationBuilder.DropIndex(
                name: "IX_Articles_SectionId_Status_TrashedAt_PublishedAt",
                table: "Articles");

            migrationBuilder.DropIndex(
                name: "IX_Articles_Status_TrashedAt_PublishedAt",
                table: "Articles");

            migrationBuilder.CreateIndex(
                name: "IX_Articles_IsFeatured_Status_PublishedAt",
                table: "Articles",
                columns: new[] { "IsFeatured", "Status", "PublishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Articles_SectionId_Status_PublishedAt",
                table: "Articles",
                columns: new[] { "SectionId", "Status", "PublishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Articles_Status_PublishedAt",
                table: "Articles",
                columns: new[] { "Status", "PublishedAt" });
        }
    }
}
