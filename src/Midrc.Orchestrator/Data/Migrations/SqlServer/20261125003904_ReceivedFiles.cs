using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Midrc.Orchestrator.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class ReceivedFiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ReceivedFiles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    SubmissionId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Sha256 = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "nvarchar(1024)", maxLength: 1024, nullable: false),
                    SizeBytes = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    ClinicalNode = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Readable = table.Column<bool>(type: "bit", nullable: false),
                    SopClassUid = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    SopInstanceUid = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Analysis = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReceivedFiles", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReceivedFiles_Submissions_SubmissionId",
                        column: x => x.SubmissionId,
                        principalTable: "Submissions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ReceivedFiles_SubmissionId_Sha256",
                table: "ReceivedFiles",
                columns: new[] { "SubmissionId", "Sha256" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReceivedFiles");
        }
    }
}
