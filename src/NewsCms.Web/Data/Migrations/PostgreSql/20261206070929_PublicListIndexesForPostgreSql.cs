using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsCms.Web.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class PublicListIndexesForPostgreSql : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Articles_Public_IsFeatured_PublishedAt",
                table: "Articles",
                columns: new[] { "IsFeatured", "PublishedAt", "Id" },
                filter: "\"Kind\" = 0 AND \"Status\" = 3 AND \"TrashedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Articles_Public_PublishedAt",
                table: "Articles",
                columns: new[] { "PublishedAt", "Id" },
                filter: "\"Kind\" = 0 AND \"Status\" = 3 AND \"TrashedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Articles_Public_SectionId_PublishedAt",
                table: "Articles",
                columns: new[] { "SectionId", "PublishedAt", "Id" },
                filter: "\"Kind\" = 0 AND \"Status\" = 3 AND \"TrashedAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Articles_Public_IsFeatured_PublishedAt",
                table: "Articles");

            migrationBuilder.DropIndex(
                name: "IX_Articles_Public_PublishedAt",
                table: "Articles");

            migrationBuilder.DropIndex(
                name: "IX_Articles_Public_SectionId_PublishedAt",
                table: "Articles");
        }
    }
}
