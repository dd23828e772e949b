using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Midrc.Orchestrator.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ClinicalRowSubmission : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "SubmissionId",
                table: "ClinicalVisits",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SubmissionId",
                table: "ClinicalProcedures",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SubmissionId",
                table: "ClinicalMeasurements",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SubmissionId",
                table: "ClinicalImagingStudies",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalVisits_SubmissionId",
                table: "ClinicalVisits",
                column: "SubmissionId");

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalProcedures_SubmissionId",
                table: "ClinicalProcedures",
                column: "SubmissionId");

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalMeasurements_SubmissionId",
                table: "ClinicalMeasurements",
                column: "SubmissionId");

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalImagingStudies_SubmissionId",
                table: "ClinicalImagingStudies",
                column: "SubmissionId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClinicalVisits_SubmissionId",
                table: "ClinicalVisits");

            migrationBuilder.DropIndex(
                name: "IX_ClinicalProcedures_SubmissionId",
                table: "ClinicalProcedures");

            migrationBuilder.DropIndex(
                name: "IX_ClinicalMeasurements_SubmissionId",
                table: "ClinicalMeasurements");

            migrationBuilder.DropIndex(
                name: "IX_ClinicalImagingStudies_SubmissionId",
                table: "ClinicalImagingStudies");

            migrationBuilder.DropColumn(
                name: "SubmissionId",
                table: "ClinicalVisits");

            migrationBuilder.DropColumn(
                name: "SubmissionId",
                table: "ClinicalProcedures");

            migrationBuilder.DropColumn(
                name: "SubmissionId",
                table: "ClinicalMeasurements");

            migrationBuilder.DropColumn(
                name: "SubmissionId",
                table: "ClinicalImagingStudies");
        }
    }
}
