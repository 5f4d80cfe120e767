using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mail;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Creates accounts: validates the name, address and password, hashes outside any transaction, then writes the user,
/// its role and the verification mail of its address in one transaction, so a failure never leaves a user without a role
/// and a created account never misses its mail.
/// </summary>
public sealed class UserRegistration(
    UserManager<ApplicationUser> users,
    IdentityHostDbContext database,
    AccountEmails emails,
    Outbox outbox,
    IOptions<AccountOptions> options,
    SecurityAudit audit,
    ILogger<UserRegistration> logger)
{
    private const string DuplicateUserName = nameof(IdentityErrorDescriber.DuplicateUserName);

    /// <param name="userName">Already normalized with <see cref="AccountText.NormalizeUserName"/>.</param>
    /// <param name="password">Already normalized with <see cref="AccountText.NormalizePassword"/>.</param>
    /// <param name="role">A canonical role name from <see cref="Roles"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <param name="email">The address as typed, or null; it is verified by a link sent to it.</param>
    public async Task<RegistrationResult> RegisterAsync(
        string userName, string password, string role, CancellationToken cancellationToken, string? email = null)
    {
        var user = new ApplicationUser { UserName = userName };
        var errors = new Dictionary<string, List<string>>();
        var taken = false;

        var (address, emailError) = AccountEmails.Read(email);
        if (emailError is not null)
        {
            Add(errors, "email", emailError);
        }
        else if (address is null && options.Value.EmailRequired)
        {
            Add(errors, "email", "An email address is required.");
        }
        else if (address is not null)
        {
            emails.Assign(user, address, verified: false);
        }

        foreach (var validator in users.UserValidators)
        {
            foreach (var error in (await validator.ValidateAsync(users, user)).Errors)
            {
                if (error.Code == DuplicateUserName)
                {
                    taken = true;
                }
                else
                {
                    Add(errors, "username", error.Description);
                }
            }
        }

        foreach (var validator in users.PasswordValidators)
        {
            foreach (var error in (await validator.ValidateAsync(users, user, password)).Errors)
            {
                Add(errors, "password", error.Description);
            }
        }

        if (errors.Count > 0)
        {
            return RegistrationResult.Invalid(errors.ToDictionary(pair => pair.Key, pair => pair.Value.Distinct().ToArray()));
        }

        if (taken)
        {
            return RegistrationResult.Taken;
        }

        if (address is not null && await emails.IsTakenAsync(address, exceptUserId: null, cancellationToken))
        {
            return RegistrationResult.AddressTaken;
        }

        // Note: the expensive hash is computed before the transaction, so the write lock is held for
        // milliseconds, not for the duration of PBKDF2.
        user.PasswordHash = users.PasswordHasher.HashPassword(user, password);

        try
        {
            // Note: repeatable: on a cluster, the loser of a race for one name may learn it only at commit, as a
            // certification conflict; run again, it sees the winner's row and answers as below.
            var created = await WriteConflictRetry.ExecuteRepeatableAsync(database, async () =>
            {
                await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
                var result = await users.CreateAsync(user);
                if (!result.Succeeded)
                {
                    return result;
                }

                result = await users.AddToRoleAsync(user, role);
                if (result.Succeeded)
                {
                    if (address is not null)
                    {
                        await emails.AddVerificationAsync(user, address, cancellationToken);
                    }

                    // Note: the audit record commits with the account, or not at all.
                    audit.Write(AuditEvents.UserRegistered, user.Id, "role " + role);
                    await database.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }

                return result;
            });

            if (created.Errors.Any(error => error.Code == DuplicateUserName))
            {
                return RegistrationResult.Taken;
            }

            if (!created.Succeeded)
            {
                throw new InvalidOperationException(
                    "Creating the user failed: " + string.Join("; ", created.Errors.Select(error => error.Code)));
            }
        }
        catch (DbUpdateException exception)
        {
            // Note: two requests for one name (or address) can both pass validation; the unique indexes on the normalized
            // name and address let only one insert win, and the loser answers as if it had seen it taken.
            if (await NameExistsAsync(userName))
            {
                logger.LogDebug(exception, "Registration lost a race for an already taken name");
                return RegistrationResult.Taken;
            }

            if (address is not null && await emails.IsTakenAsync(address, exceptUserId: null, cancellationToken))
            {
                logger.LogDebug(exception, "Registration lost a race for an already taken address");
                return RegistrationResult.AddressTaken;
            }

            throw;
        }

        if (address is not null)
        {
            outbox.Notify();
        }

        logger.LogInformation("Registered user {UserId} with role {Role}", user.Id, role);
        return RegistrationResult.Created(user, role);
    }

    private async Task<bool> NameExistsAsync(string userName)
    {
        database.ChangeTracker.Clear();
        return await users.FindByNameAsync(userName) is not null;
    }

    private static void Add(Dictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var messages))
        {
            errors[field] = messages = [];
        }

        messages.Add(message);
    }
}
