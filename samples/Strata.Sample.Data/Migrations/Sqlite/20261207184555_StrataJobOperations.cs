using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strata.Sample.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StrataJobOperations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LimitKey",
                table: "StrataJobs",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "StrataJobPauses",
                columns: table => new
                {
                    Queue = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PausedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StrataJobPauses", x => x.Queue);
                });

            migrationBuilder.CreateTable(
                name: "StrataJobPermits",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    TakenAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StrataJobPermits", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "StrataJobSchedules",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false),
                    Data = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StrataJobSchedules", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "StrataJobSlots",
                columns: table => new
                {
                    Scope = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Holder = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    LeaseUntil = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StrataJobSlots", x => new { x.Scope, x.Holder });
                });

            migrationBuilder.CreateIndex(
                name: "IX_StrataJobs_CreatedAt_Id",
                table: "StrataJobs",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_StrataJobs_Owner_CreatedAt_Id",
                table: "StrataJobs",
                columns: new[] { "Owner", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_StrataJobs_Queue_CreatedAt_Id",
                table: "StrataJobs",
                columns: new[] { "Queue", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_StrataJobs_State_Queue_CreatedAt_Id",
                table: "StrataJobs",
                columns: new[] { "State", "Queue", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_StrataJobPermits_Key_TakenAt",
                table: "StrataJobPermits",
                columns: new[] { "Key", "TakenAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "StrataJobPauses");

            migrationBuilder.DropTable(
                name: "StrataJobPermits");

            migrationBuilder.DropTable(
                name: "StrataJobSchedules");

            migrationBuilder.DropTable(
                name: "StrataJobSlots");

            migrationBuilder.DropIndex(
                name: "IX_StrataJobs_CreatedAt_Id",
                table: "StrataJobs");

            migrationBuilder.DropIndex(
                name: "IX_StrataJobs_Owner_CreatedAt_Id",
                table: "StrataJobs");

            migrationBuilder.DropIndex(
                name: "IX_StrataJobs_Queue_CreatedAt_Id",
                table: "StrataJobs");

            migrationBuilder.DropIndex(
                name: "IX_StrataJobs_State_Queue_CreatedAt_Id",
                table: "StrataJobs");

            migrationBuilder.DropColumn(
                name: "LimitKey",
                table: "StrataJobs");
        }
    }
}
