using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strata.Sample.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StrataJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "StrataJobKeys",
                columns: table => new
                {
                    Queue = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    JobId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StrataJobKeys", x => new { x.Queue, x.Key });
                });

            migrationBuilder.CreateTable(
                name: "StrataJobs",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Queue = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    JobType = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Payload = table.Column<string>(type: "TEXT", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    Attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    NextAttempt = table.Column<int>(type: "INTEGER", nullable: false),
                    MaxAttempts = table.Column<int>(type: "INTEGER", nullable: false),
                    TimeoutMs = table.Column<long>(type: "INTEGER", nullable: true),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EnqueuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RunAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    IdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    TraceParent = table.Column<string>(type: "TEXT", nullable: true),
                    TraceState = table.Column<string>(type: "TEXT", nullable: true),
                    LeaseToken = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    LeaseUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    Deliveries = table.Column<int>(type: "INTEGER", nullable: false),
                    CancelRequested = table.Column<bool>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Progress = table.Column<int>(type: "INTEGER", nullable: true),
                    ProgressMessage = table.Column<string>(type: "TEXT", nullable: true),
                    Result = table.Column<string>(type: "TEXT", nullable: true),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StrataJobs", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_StrataJobKeys_ExpiresAt",
                table: "StrataJobKeys",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_StrataJobs_ExpiresAt",
                table: "StrataJobs",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_StrataJobs_LeaseToken",
                table: "StrataJobs",
                column: "LeaseToken");

            migrationBuilder.CreateIndex(
                name: "IX_StrataJobs_Queue_State_RunAt",
                table: "StrataJobs",
                columns: new[] { "Queue", "State", "RunAt" });

            migrationBuilder.CreateIndex(
                name: "IX_StrataJobs_State_LeaseUntil",
                table: "StrataJobs",
                columns: new[] { "State", "LeaseUntil" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "StrataJobKeys");

            migrationBuilder.DropTable(
                name: "StrataJobs");
        }
    }
}
