using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityHost.IdentityServer.Data.Migrations.MySql
{
    /// <inheritdoc />
    public partial class Passkeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AspNetUserPasskeys",
                columns: table => new
                {
                    CredentialId = table.Column<byte[]>(type: "varbinary(1024)", maxLength: 1024, nullable: false),
                    UserId = table.Column<string>(type: "varchar(255)", nullable: false),
                    Data_PublicKey = table.Column<byte[]>(type: "longblob", nullable: false),
                    Data_Name = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: true),
                    Data_CreatedAt = table.Column<DateTimeOffset>(type: "datetime", nullable: false),
                    Data_SignCount = table.Column<uint>(type: "int unsigned", nullable: false),
                    Data_Transports = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true),
                    Data_IsUserVerified = table.Column<bool>(type: "tinyint(1)", nullable: false),
                    Data_IsBackupEligible = table.Column<bool>(type: "tinyint(1)", nullable: false),
                    Data_IsBackedUp = table.Column<bool>(type: "tinyint(1)", nullable: false),
                    Data_AttestationObject = table.Column<byte[]>(type: "longblob", nullable: false),
                    Data_ClientDataJson = table.Column<byte[]>(type: "longblob", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserPasskeys", x => x.CredentialId);
                    table.ForeignKey(
                        name: "FK_AspNetUserPasskeys_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                })
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserPasskeys_UserId",
                table: "AspNetUserPasskeys",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AspNetUserPasskeys");
        }
    }
}
