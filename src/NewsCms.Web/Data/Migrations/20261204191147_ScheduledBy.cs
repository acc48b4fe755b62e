using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsCms.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ScheduledBy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ScheduledById",
                table: "Articles",
                type: "TEXT",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ScheduledByName",
                table: "Articles",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            // Articles scheduled before this column existed: who scheduled them is in the audit log (the newest
            // "article.scheduled" entry naming the article). One with no such entry goes back to review at its time.
            migrationBuilder.Sql("""
                UPDATE Articles SET
                    ScheduledById = (SELECT e.ActorId FROM AuditEntries e WHERE e.Action = 'article.scheduled'
                        AND e.Target LIKE '%(#' || Articles.Id || ')' ORDER BY e.Id DESC LIMIT 1),
                    ScheduledByName = (SELECT e.ActorName FROM AuditEntries e WHERE e.Action = 'article.scheduled'
                        AND e.Target LIKE '%(#' || Articles.Id || ')' ORDER BY e.Id DESC LIMIT 1)
                WHERE Status = 2;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ScheduledById",
                table: "Articles");

            migrationBuilder.DropColumn(
                name: "ScheduledByName",
                table: "Articles");
        }
    }
}
