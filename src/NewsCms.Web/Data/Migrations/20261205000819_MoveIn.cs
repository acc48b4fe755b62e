using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsCms.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class MoveIn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
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

            migrationBuilder.AddColumn<int>(
                name: "Kind",
                table: "Articles",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ImportedItems",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ExternalId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    LocalId = table.Column<int>(type: "INTEGER", nullable: false),
                    ImportedVersion = table.Column<Guid>(type: "TEXT", nullable: true),
                    ImportedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImportedItems", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ImportRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    WorkFolder = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    TotalItems = table.Column<int>(type: "INTEGER", nullable: false),
                    ProcessedItems = table.Column<int>(type: "INTEGER", nullable: false),
                    ReportJson = table.Column<string>(type: "TEXT", nullable: false),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    StartedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    StartedByName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImportRuns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Redirects",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FromPath = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    TargetKind = table.Column<int>(type: "INTEGER", nullable: false),
                    TargetId = table.Column<int>(type: "INTEGER", nullable: true),
                    TargetPath = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Origin = table.Column<int>(type: "INTEGER", nullable: false),
                    Hits = table.Column<long>(type: "INTEGER", nullable: false),
                    LastHitAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Redirects", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Articles_IsFeatured_Kind_Status_TrashedAt_PublishedAt",
                table: "Articles",
                columns: new[] { "IsFeatured", "Kind", "Status", "TrashedAt", "PublishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Articles_Kind_Status_TrashedAt_PublishedAt",
                table: "Articles",
                columns: new[] { "Kind", "Status", "TrashedAt", "PublishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Articles_SectionId_Kind_Status_TrashedAt_PublishedAt",
                table: "Articles",
                columns: new[] { "SectionId", "Kind", "Status", "TrashedAt", "PublishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ImportedItems_Kind_LocalId",
                table: "ImportedItems",
                columns: new[] { "Kind", "LocalId" });

            migrationBuilder.CreateIndex(
                name: "IX_ImportedItems_Source_Kind_ExternalId",
                table: "ImportedItems",
                columns: new[] { "Source", "Kind", "ExternalId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ImportRuns_StartedAt",
                table: "ImportRuns",
                column: "StartedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Redirects_FromPath",
                table: "Redirects",
                column: "FromPath",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Redirects_TargetKind_TargetId",
                table: "Redirects",
                columns: new[] { "TargetKind", "TargetId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ImportedItems");

            migrationBuilder.DropTable(
                name: "ImportRuns");

            migrationBuilder.DropTable(
                name: "Redirects");

            migrationBuilder.DropIndex(
                name: "IX_Articles_IsFeatured_Kind_Status_TrashedAt_PublishedAt",
                table: "Articles");

            migrationBuilder.DropIndex(
                name: "IX_Articles_Kind_Status_TrashedAt_PublishedAt",
                table: "Articles");

            migrationBuilder.DropIndex(
                name: "IX_Articles_SectionId_Kind_Status_TrashedAt_PublishedAt",
                table: "Articles");

            migrationBuilder.DropColumn(
                name: "Kind",
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
    }
}
