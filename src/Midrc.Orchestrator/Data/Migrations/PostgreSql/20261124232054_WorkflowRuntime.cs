using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Midrc.Orchestrator.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class WorkflowRuntime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "RepeatsLeft",
                table: "WorkflowTimers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Summary",
                table: "WorkflowJournal",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "DeadlinesJson",
                table: "WorkflowInstances",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "TimeZone",
                table: "WorkflowInstances",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "WorkflowJobIntents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    InstanceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Job = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    IdempotencyKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    BackgroundJobId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Outcome = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WorkflowJobIntents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WorkflowJobIntents_WorkflowInstances_InstanceId",
                        column: x => x.InstanceId,
                        principalTable: "WorkflowInstances",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowInstances_DefinitionId_State",
                table: "WorkflowInstances",
                columns: new[] { "DefinitionId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowJobIntents_IdempotencyKey",
                table: "WorkflowJobIntents",
                column: "IdempotencyKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowJobIntents_InstanceId",
                table: "WorkflowJobIntents",
                column: "InstanceId");

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowJobIntents_Status_CreatedAt",
                table: "WorkflowJobIntents",
                columns: new[] { "Status", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WorkflowJobIntents");

            migrationBuilder.DropIndex(
                name: "IX_WorkflowInstances_DefinitionId_State",
                table: "WorkflowInstances");

            migrationBuilder.DropColumn(
                name: "RepeatsLeft",
                table: "WorkflowTimers");

            migrationBuilder.DropColumn(
                name: "Summary",
                table: "WorkflowJournal");

            migrationBuilder.DropColumn(
                name: "DeadlinesJson",
                table: "WorkflowInstances");

            migrationBuilder.DropColumn(
                name: "TimeZone",
                table: "WorkflowInstances");
        }
    }
}
