using System;
using Microsoft.EntityFrameworkCore.Migrations;
using MySql.EntityFrameworkCore.Metadata;

#nullable disable

namespace IdentityHost.IdentityServer.Data.Migrations.MySql
{
    /// <inheritdoc />
    public partial class AccountEmailOutboxSessions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "UniqueEmail",
                table: "AspNetUsers",
                type: "varchar(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Outbox",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("MySQL:ValueGenerationStrategy", MySQLValueGenerationStrategy.IdentityColumn),
                    Kind = table.Column<string>(type: "varchar(32)", maxLength: 32, nullable: false),
                    UserId = table.Column<string>(type: "varchar(191)", maxLength: 191, nullable: true),
                    Recipient = table.Column<string>(type: "varchar(320)", maxLength: 320, nullable: true),
                    Subject = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true),
                    TextBody = table.Column<string>(type: "longtext", nullable: true),
                    HtmlBody = table.Column<string>(type: "longtext", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    NextAttemptAt = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    Attempts = table.Column<int>(type: "int", nullable: false),
                    ClaimedBy = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: true),
                    ClaimedUntil = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    DoneAt = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    LastError = table.Column<string>(type: "varchar(1024)", maxLength: 1024, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Outbox", x => x.Id);
                })
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "UserSessions",
                columns: table => new
                {
                    AuthorizationId = table.Column<string>(type: "varchar(191)", maxLength: 191, nullable: false),
                    UserId = table.Column<string>(type: "varchar(191)", maxLength: 191, nullable: false),
                    ClientId = table.Column<string>(type: "varchar(191)", maxLength: 191, nullable: true),
                    FirstUsedAt = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    LastUsedAt = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    IpAddress = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: true),
                    UserAgent = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UserSessions", x => x.AuthorizationId);
                })
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "UniqueEmailIndex",
                table: "AspNetUsers",
                column: "UniqueEmail",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_DoneAt_NextAttemptAt",
                table: "Outbox",
                columns: new[] { "DoneAt", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_UserId",
                table: "Outbox",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_UserSessions_UserId",
                table: "UserSessions",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Outbox");

            migrationBuilder.DropTable(
                name: "UserSessions");

            migrationBuilder.DropIndex(
                name: "UniqueEmailIndex",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "UniqueEmail",
                table: "AspNetUsers");
        }
    }
}
