using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Midrc.Orchestrator.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OutboxDigestId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "DigestId",
                table: "Outbox",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DigestId",
                table: "Outbox");
        }
    }
}
