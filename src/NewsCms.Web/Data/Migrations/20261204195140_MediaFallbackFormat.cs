using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsCms.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class MediaFallbackFormat : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FallbackFormat",
                table: "MediaItems",
                type: "TEXT",
                maxLength: 10,
                nullable: false,
                defaultValue: "");

            // Images stored before this have the fallbacks they were made with: JPEG for JPEG uploads, PNG for the others.
            migrationBuilder.Sql("UPDATE MediaItems SET FallbackFormat = CASE WHEN Format = 'jpeg' THEN 'jpeg' ELSE 'png' END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FallbackFormat",
                table: "MediaItems");
        }
    }
}
