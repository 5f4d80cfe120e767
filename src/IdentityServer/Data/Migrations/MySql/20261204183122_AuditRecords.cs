using System;
using Microsoft.EntityFrameworkCore.Migrations;
using MySql.EntityFrameworkCore.Metadata;

#nullable disable

namespace IdentityHost.IdentityServer.Data.Migrations.MySql
{
    /// <inheritdoc />
    public partial class AuditRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuditRecords",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("MySQL:ValueGenerationStrategy", MySQLValueGenerationStrategy.IdentityColumn),
                    OccurredAt = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    Type = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                    UserId = table.Column<string>(type: "varchar(191)", maxLength: 191, nullable: true),
                    ClientId = table.Column<string>(type: "varchar(191)", maxLength: 191, nullable: true),
                    IpAddress = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: true),
                    Detail = table.Column<string>(type: "varchar(512)", maxLength: 512, nullable: true),
                    TraceId = table.Column<string>(type: "varchar(32)", maxLength: 32, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditRecords", x => x.Id);
                })
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "IX_AuditRecords_ClientId_Id",
                table: "AuditRecords",
                columns: new[] { "ClientId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditRecords_OccurredAt",
                table: "AuditRecords",
                column: "OccurredAt");

            migrationBuilder.CreateIndex(
                name: "IX_AuditRecords_Type_Id",
                table: "AuditRecords",
                columns: new[] { "Type", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditRecords_UserId_Id",
                table: "AuditRecords",
                columns: new[] { "UserId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditRecords");
        }
    }
}
