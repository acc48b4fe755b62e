using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsCms.Web.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ImportRunOptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "CreateAccounts",
                table: "ImportRuns",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "IsDryRun",
                table: "ImportRuns",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "UploadsFileName",
                table: "ImportRuns",
                type: "character varying(260)",
                maxLength: 260,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CreateAccounts",
                table: "ImportRuns");

            migrationBuilder.DropColumn(
                name: "IsDryRun",
                table: "ImportRuns");

            migrationBuilder.DropColumn(
                name: "UploadsFileName",
                table: "ImportRuns");
        }
    }
}
