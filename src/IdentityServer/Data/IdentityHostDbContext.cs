using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityHost.IdentityServer.Data;

/// <summary>
/// One context for the ASP.NET Core Identity tables and the OpenIddict tables. Each database provider
/// derives its own type so that each has its own migrations (see <see cref="SqliteIdentityHostDbContext"/>
/// and <see cref="MySqlIdentityHostDbContext"/>). It also holds ASP.NET Core Data Protection's key ring, so
/// every server node on one database shares it.
/// </summary>
public abstract class IdentityHostDbContext : IdentityDbContext<ApplicationUser, IdentityRole, string>, IDataProtectionKeyContext
{
    /// <summary>
    /// Note: without EF Core's automatic savepoints. EF Core wraps each save inside an open transaction in SAVEPOINT and
    /// RELEASE SAVEPOINT, and ignores a failed release. On a Galera cluster a transaction that loses a certification
    /// race can be aborted between two statements, and the next statement is the one refused (1213). When that was
    /// the release, the error was dropped, the rest of the "transaction" ran in autocommit and its COMMIT answered OK:
    /// a registration answered 201 for an account that was rolled back. Every transaction here is all or nothing (a
    /// failed save rolls the whole transaction back), so nothing needs a savepoint, and each save is two statements
    /// shorter.
    /// </summary>
    protected IdentityHostDbContext(DbContextOptions options)
        : base(options)
    {
        Database.AutoSavepointsEnabled = false;
    }

    /// <summary>Data Protection's keys (XML), shared by every node.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>The signing and encryption keys the server manages itself (protected by Data Protection).</summary>
    public DbSet<ServerKey> ServerKeys => Set<ServerKey>();

    /// <summary>Mails and account requests committed with the change that caused them, for the background sender.</summary>
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    /// <summary>What the account pages show about each login (one row per OpenIddict authorization).</summary>
    public DbSet<UserSession> UserSessions => Set<UserSession>();

    /// <summary>The append-only audit table (<see cref="AuditRecord"/>).</summary>
    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    /// <summary>Each user's second factors (authenticator key) and second-step failure count and lockout.</summary>
    public DbSet<UserMfa> UserMfa => Set<UserMfa>();

    /// <summary>Recovery codes, hashed.</summary>
    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();

    /// <summary>
    /// The longest token or authorization subject. Note: OpenIddict's default (400) makes its composite
    /// (ApplicationId, Status, Subject, Type) indexes wider than MySQL's 3,072-byte utf8mb4 key limit;
    /// subjects here are user ids (GUIDs, 36 characters).
    /// </summary>
    public const int SubjectMaxLength = 191;

    /// <summary>The longest name a user gives a passkey.</summary>
    public const int PasskeyNameMaxLength = 64;

    /// <summary>
    /// Saves as EF Core does, except that a single changed row is written without an explicit transaction. Note: one
    /// row is one INSERT, UPDATE or DELETE, atomic by itself; Oracle's MySQL provider would wrap each INSERT in SET
    /// TRANSACTION, BEGIN and COMMIT, three more round trips on every token a grant stores.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        try
        {
            return await SaveChangesCoreAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        catch
        {
            AbandonAuditRecords();
            throw;
        }
    }

    /// <inheritdoc />
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        try
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        catch
        {
            AbandonAuditRecords();
            throw;
        }
    }

    /// <summary>
    /// After a failed save: the audit records it carried describe a change that did not happen, so they are dropped (the
    /// audit recorder, seeing <see cref="AuditRecord.Abandoned"/>, does not write them later either).
    /// </summary>
    private void AbandonAuditRecords()
    {
        foreach (var entry in ChangeTracker.Entries<AuditRecord>().Where(entry => entry.State == EntityState.Added).ToList())
        {
            entry.Entity.Abandoned = true;
            entry.State = EntityState.Detached;
        }
    }

    private async Task<int> SaveChangesCoreAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken)
    {
        if (Database.CurrentTransaction is not null || Database.AutoTransactionBehavior != AutoTransactionBehavior.WhenNeeded ||
            !HasSingleChangedRow())
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        Database.AutoTransactionBehavior = AutoTransactionBehavior.Never;
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        finally
        {
            Database.AutoTransactionBehavior = AutoTransactionBehavior.WhenNeeded;
        }
    }

    private bool HasSingleChangedRow()
    {
        var changed = 0;
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && ++changed > 1)
            {
                return false;
            }
        }

        return changed == 1;
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict();
        builder.Entity<DataProtectionKey>();
        builder.Entity<ServerKey>(key =>
        {
            key.ToTable("ServerKeys");
            key.Property(row => row.Id).HasMaxLength(64);
            key.Property(row => row.Use).HasMaxLength(8);
            key.Property(row => row.Algorithm).HasMaxLength(16);
            // Note: stored as UTC; the providers hand DateTime back unspecified, so the kind is restored on read.
            key.Property(row => row.CreatedAt).HasConversion(value => value, value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
            key.Property(row => row.ActivatesAt).HasConversion(value => value, value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
            key.HasIndex(row => new { row.Use, row.Generation }).IsUnique();
        });

        builder.Entity<ApplicationUser>(user =>
        {
            // Note: unbounded, as in Identity's schema version 1 that the tables were made with (version 3 says 256).
            user.Property(row => row.PhoneNumber).Metadata.SetMaxLength(null);
            user.Property(row => row.UniqueEmail).HasMaxLength(256);
            // Note: NULLs are distinct in a unique index on SQLite, MySQL and MariaDB alike, so users without an address
            // (or with uniqueness off) never collide.
            user.HasIndex(row => row.UniqueEmail).IsUnique().HasDatabaseName("UniqueEmailIndex");
        });

        builder.Entity<OutboxMessage>(message =>
        {
            message.ToTable("Outbox");
            message.Property(row => row.Kind).HasMaxLength(32);
            message.Property(row => row.UserId).HasMaxLength(SubjectMaxLength);
            message.Property(row => row.Recipient).HasMaxLength(320);
            message.Property(row => row.Subject).HasMaxLength(256);
            message.Property(row => row.ClaimedBy).HasMaxLength(64);
            message.Property(row => row.LastError).HasMaxLength(1024);
            message.Property(row => row.CreatedAt).HasConversion(value => value, value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
            message.Property(row => row.NextAttemptAt).HasConversion(value => value, value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
            // Note: the sender's one query: pending rows whose time has come, oldest first.
            message.HasIndex(row => new { row.DoneAt, row.NextAttemptAt });
            message.HasIndex(row => row.UserId);
        });

        builder.Entity<AuditRecord>(record =>
        {
            record.ToTable("AuditRecords");
            record.Property(row => row.Type).HasMaxLength(AuditRecord.TypeMaxLength);
            record.Property(row => row.UserId).HasMaxLength(AuditRecord.IdMaxLength);
            record.Property(row => row.ClientId).HasMaxLength(AuditRecord.IdMaxLength);
            record.Property(row => row.IpAddress).HasMaxLength(AuditRecord.AddressMaxLength);
            record.Property(row => row.Detail).HasMaxLength(AuditRecord.DetailMaxLength);
            record.Property(row => row.TraceId).HasMaxLength(AuditRecord.TraceIdMaxLength);
            record.Property(row => row.OccurredAt).HasConversion(value => value, value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
            // Note: the API's searches, newest first by id within each filter; the time index serves time ranges and the pruner.
            record.HasIndex(row => new { row.UserId, row.Id });
            record.HasIndex(row => new { row.ClientId, row.Id });
            record.HasIndex(row => new { row.Type, row.Id });
            record.HasIndex(row => row.OccurredAt);
        });

        builder.Entity<UserSession>(session =>
        {
            session.ToTable("UserSessions");
            session.HasKey(row => row.AuthorizationId);
            session.Property(row => row.AuthorizationId).HasMaxLength(SubjectMaxLength);
            session.Property(row => row.UserId).HasMaxLength(SubjectMaxLength);
            session.Property(row => row.ClientId).HasMaxLength(SubjectMaxLength);
            session.Property(row => row.IpAddress).HasMaxLength(64);
            session.Property(row => row.UserAgent).HasMaxLength(UserSession.UserAgentMaxLength);
            session.Property(row => row.FirstUsedAt).HasConversion(value => value, value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
            session.Property(row => row.LastUsedAt).HasConversion(value => value, value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
            session.HasIndex(row => row.UserId);
        });

        builder.Entity<UserMfa>(mfa =>
        {
            mfa.ToTable("UserMfa");
            mfa.HasKey(row => row.UserId);
            mfa.Property(row => row.UserId).HasMaxLength(SubjectMaxLength);
            mfa.Property(row => row.TotpKey).HasMaxLength(1024);
            mfa.Property(row => row.PendingTotpKey).HasMaxLength(1024);
            mfa.Property(row => row.TotpEnabledAt).HasConversion(value => value, value => ToUtc(value));
            mfa.Property(row => row.LockoutEnd).HasConversion(value => value, value => ToUtc(value));
            mfa.HasOne<ApplicationUser>().WithMany().HasForeignKey(row => row.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<RecoveryCode>(code =>
        {
            code.ToTable("RecoveryCodes");
            code.Property(row => row.UserId).HasMaxLength(SubjectMaxLength);
            code.Property(row => row.Salt).HasMaxLength(32);
            code.Property(row => row.Hash).HasMaxLength(64);
            code.Property(row => row.UsedAt).HasConversion(value => value, value => ToUtc(value));
            code.HasIndex(row => new { row.UserId, row.Hash });
            code.HasOne<ApplicationUser>().WithMany().HasForeignKey(row => row.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<OpenIddictEntityFrameworkCoreToken>()
            .Property(token => token.Subject).HasMaxLength(SubjectMaxLength);
        builder.Entity<OpenIddictEntityFrameworkCoreAuthorization>()
            .Property(authorization => authorization.Subject).HasMaxLength(SubjectMaxLength);
    }

    private static DateTime? ToUtc(DateTime? value) => value is { } time ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : null;
}
