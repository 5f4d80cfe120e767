using System.Buffers.Text;
using System.Globalization;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mail;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Mfa;

/// <summary>What the account page shows of a passkey: its id (base64url), name, when it was added, and whether it syncs.</summary>
public sealed record PasskeySummary(string Id, string Name, DateTimeOffset CreatedAt, bool Synced);

/// <summary>
/// The outcome of a passkey given at sign-in: the user and the <c>amr</c> values it proves, or a message for the page.
/// </summary>
public sealed record PasskeyCheck(ApplicationUser? User, IReadOnlyList<string> Methods, string? Error)
{
    /// <summary>Whether the passkey was valid (the account may still be barred from signing in: the caller checks).</summary>
    public bool Succeeded => User is not null;
}

/// <summary>
/// A user's passkeys (WebAuthn), on ASP.NET Core Identity's own passkey support: the ceremonies' options and their
/// verification are SignInManager's (challenge, origin, RP id, signature, counter), kept between the two requests in
/// Identity's short-lived two-factor cookie. This class adds what IdentityHost needs around them: names, limits, the
/// audit, the mails, and the <c>amr</c> values of a sign-in. Note: a passkey sign-in never looks at the second step's
/// lockout (<see cref="SecondFactors"/>), so wrong authenticator codes cannot keep the owner from signing in with a passkey.
/// </summary>
public sealed class Passkeys(
    IdentityHostDbContext database,
    SignInManager<ApplicationUser> signIn,
    Outbox outbox,
    MailLinks links,
    SecurityAudit audit,
    TimeProvider clock)
{
    /// <summary>The most passkeys one account may have.</summary>
    public const int MaxPerUser = 10;

    /// <summary>
    /// The longest credential JSON accepted. Note: an attestation with a certificate chain is a few kilobytes; this bounds
    /// what is parsed before anything is verified.
    /// </summary>
    public const int MaxCredentialJsonLength = 32 * 1024;

    /// <summary>The message for a credential that is missing, malformed, not for this ceremony, or does not verify.</summary>
    public const string InvalidCredential = "The passkey could not be verified. Try again.";

    /// <summary>The user's passkeys, oldest first.</summary>
    public async Task<IReadOnlyList<PasskeySummary>> ListAsync(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var passkeys = await signIn.UserManager.GetPasskeysAsync(user);
        return
        [
            .. passkeys.OrderBy(passkey => passkey.CreatedAt)
                .Select(passkey => new PasskeySummary(Base64Url.EncodeToString(passkey.CredentialId), passkey.Name ?? "Passkey",
                    passkey.CreatedAt, passkey.IsBackupEligible)),
        ];
    }

    /// <summary>
    /// The options for <c>navigator.credentials.create()</c> (JSON), for a new passkey of <paramref name="user"/>; null when
    /// the user has <see cref="MaxPerUser"/> already. The credentials the user has are excluded, so an authenticator is not
    /// registered twice.
    /// </summary>
    public async Task<string?> CreationOptionsAsync(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if ((await signIn.UserManager.GetPasskeysAsync(user)).Count >= MaxPerUser)
        {
            return null;
        }

        return await signIn.MakePasskeyCreationOptionsAsync(new PasskeyUserEntity { Id = user.Id, Name = user.UserName!, DisplayName = user.UserName! });
    }

    /// <summary>
    /// Verifies the result of <c>navigator.credentials.create()</c> and adds the passkey under <paramref name="name"/>:
    /// the <c>amr</c> values the new passkey proves, or the message for the page.
    /// </summary>
    public async Task<(string? Error, IReadOnlyList<string> Methods)> AddAsync(
        ApplicationUser user, string? credentialJson, string? name, CancellationToken cancellationToken)
    {
        var (error, passkey) = await AddCoreAsync(user, credentialJson, name, cancellationToken);
        return (error, passkey is null ? [] : MethodsOf(passkey));
    }

    private async Task<(string? Error, UserPasskeyInfo? Passkey)> AddCoreAsync(
        ApplicationUser user, string? credentialJson, string? name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (NormalizeName(name) is not { } given)
        {
            return (NameRule, null);
        }

        if (!IsPlausible(credentialJson))
        {
            return (InvalidCredential, null);
        }

        PasskeyAttestationResult attestation;
        try
        {
            attestation = await signIn.PerformPasskeyAttestationAsync(credentialJson!);
        }
        catch (InvalidOperationException)
        {
            // Note: no ceremony under way: the options were never asked for, or their cookie expired or was used already.
            audit.Write(AuditEvents.PasskeyFailed, user.Id, "registration: no ceremony under way");
            return (InvalidCredential, null);
        }

        if (!attestation.Succeeded || attestation.UserEntity.Id != user.Id)
        {
            audit.Write(AuditEvents.PasskeyFailed, user.Id, "registration: " + (attestation.Succeeded ? "another user's options" : Describe(attestation.Failure)));
            return (InvalidCredential, null);
        }

        if ((await signIn.UserManager.GetPasskeysAsync(user)).Count >= MaxPerUser)
        {
            return ($"An account can have at most {MaxPerUser} passkeys; remove one first.", null);
        }

        if (await signIn.UserManager.FindByPasskeyIdAsync(attestation.Passkey.CredentialId) is not null)
        {
            return ("This passkey is registered already.", null);
        }

        attestation.Passkey.Name = given;
        var saved = await SaveWithMailAsync(user, () => signIn.UserManager.AddOrUpdatePasskeyAsync(user, attestation.Passkey),
            $"A passkey named \"{given}\" was added to your account", cancellationToken);
        if (!saved)
        {
            return (InvalidCredential, null);
        }

        audit.Write(AuditEvents.PasskeyAdded, user.Id, attestation.Passkey.IsBackupEligible ? "synced" : "device-bound");
        return (null, attestation.Passkey);
    }

    /// <summary>Gives the user's passkey <paramref name="id"/> a new name; null on success, else the message for the page.</summary>
    public async Task<string?> RenameAsync(ApplicationUser user, string? id, string? name)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (NormalizeName(name) is not { } given)
        {
            return NameRule;
        }

        if (await FindAsync(user, id) is not { } passkey)
        {
            return NotFound;
        }

        passkey.Name = given;
        if (!(await signIn.UserManager.AddOrUpdatePasskeyAsync(user, passkey)).Succeeded)
        {
            return NotFound;
        }

        audit.Write(AuditEvents.PasskeyRenamed, user.Id);
        return null;
    }

    /// <summary>
    /// Removes the user's passkey <paramref name="id"/> and tells them by mail; null on success, else the message for the
    /// page. The caller has made the user sign in again (their password).
    /// </summary>
    public async Task<string?> RemoveAsync(ApplicationUser user, string? id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (await FindAsync(user, id) is not { } passkey)
        {
            return NotFound;
        }

        var saved = await SaveWithMailAsync(user, () => signIn.UserManager.RemovePasskeyAsync(user, passkey.CredentialId),
            $"The passkey named \"{passkey.Name}\" was removed from your account", cancellationToken);
        if (!saved)
        {
            return NotFound;
        }

        audit.Write(AuditEvents.PasskeyRemoved, user.Id);
        return null;
    }

    /// <summary>
    /// The options for <c>navigator.credentials.get()</c> (JSON): for any discoverable passkey of this site when
    /// <paramref name="user"/> is null (a username-less sign-in), else for that user's passkeys (the second step).
    /// </summary>
    public Task<string> RequestOptionsAsync(ApplicationUser? user) => signIn.MakePasskeyRequestOptionsAsync(user);

    /// <summary>
    /// Verifies the result of <c>navigator.credentials.get()</c>: its user (who must be <paramref name="expected"/> when
    /// given) and the <c>amr</c> values it proves. The passkey's signature counter and flags are stored. Whether the
    /// account may sign in now (lockout, disabled, unverified) is the caller's check.
    /// </summary>
    public async Task<PasskeyCheck> VerifyAsync(string? credentialJson, ApplicationUser? expected)
    {
        if (!IsPlausible(credentialJson))
        {
            audit.Write(AuditEvents.PasskeyFailed, expected?.Id, "sign-in: no credential");
            return new(null, [], InvalidCredential);
        }

        PasskeyAssertionResult<ApplicationUser> assertion;
        try
        {
            assertion = await signIn.PerformPasskeyAssertionAsync(credentialJson!);
        }
        catch (InvalidOperationException)
        {
            audit.Write(AuditEvents.PasskeyFailed, expected?.Id, "sign-in: no ceremony under way");
            return new(null, [], InvalidCredential);
        }

        if (!assertion.Succeeded || (expected is not null && assertion.User.Id != expected.Id))
        {
            audit.Write(AuditEvents.PasskeyFailed, expected?.Id ?? (assertion.Succeeded ? assertion.User.Id : null),
                "sign-in: " + (assertion.Succeeded ? "another user's passkey" : Describe(assertion.Failure)));
            return new(null, [], InvalidCredential);
        }

        // Note: the new signature counter is stored, so a cloned authenticator replaying an older count is refused next time.
        if (!(await signIn.UserManager.AddOrUpdatePasskeyAsync(assertion.User, assertion.Passkey)).Succeeded)
        {
            return new(null, [], InvalidCredential);
        }

        var methods = MethodsOf(assertion.Passkey);
        audit.Write(AuditEvents.PasskeySucceeded, assertion.User.Id, string.Join(' ', methods));
        return new(assertion.User, methods, null);
    }

    /// <summary>
    /// The RFC 8176 <c>amr</c> values a passkey proves: <c>swk</c> for a synced passkey (eligible for backup, so its key
    /// lives in software that copies it between devices), <c>hwk</c> for one bound to its authenticator; and <c>mfa</c> when
    /// the authenticator verified the user (a PIN or biometric on top of possession), which IdentityHost requires.
    /// </summary>
    public static IReadOnlyList<string> MethodsOf(UserPasskeyInfo passkey)
    {
        ArgumentNullException.ThrowIfNull(passkey);
        var key = passkey.IsBackupEligible ? AuthenticationMethods.SoftwareKey : AuthenticationMethods.HardwareKey;
        return passkey.IsUserVerified ? [key, AuthenticationMethods.MultipleFactors] : [key];
    }

    /// <summary>A passkey's name as given, trimmed; null when empty, too long or holding control characters.</summary>
    public static string? NormalizeName(string? name)
    {
        var trimmed = name?.Trim();
        return string.IsNullOrEmpty(trimmed) || trimmed.Length > IdentityHostDbContext.PasskeyNameMaxLength || trimmed.Any(char.IsControl)
            ? null
            : trimmed;
    }

    private static readonly string NameRule =
        $"Give the passkey a name of 1 to {IdentityHostDbContext.PasskeyNameMaxLength.ToString(CultureInfo.InvariantCulture)} characters.";

    private const string NotFound = "There is no such passkey on your account.";

    private static bool IsPlausible(string? credentialJson) =>
        !string.IsNullOrWhiteSpace(credentialJson) && credentialJson.Length <= MaxCredentialJsonLength;

    /// <summary>
    /// Why Identity refused a credential, for the audit: the check that failed (origin, challenge, signature, format).
    /// Note: cut before the first colon or quote, as Identity's messages go on to quote what the browser sent (a piece of
    /// the credential JSON, an origin), which is not to be logged.
    /// </summary>
    private static string Describe(PasskeyException? failure)
    {
        var message = failure?.Message ?? "refused";
        var end = message.IndexOfAny([':', '\'', '"']);
        var reason = (end < 0 ? message : message[..end]).Trim().TrimEnd('.');
        return reason.Length <= 120 ? reason : reason[..120];
    }

    private async Task<UserPasskeyInfo?> FindAsync(ApplicationUser user, string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 2048 || !Base64Url.IsValid(id))
        {
            return null;
        }

        return await signIn.UserManager.GetPasskeyAsync(user, Base64Url.DecodeFromChars(id));
    }

    /// <summary>Runs Identity's change and queues the mail about it in one transaction; false when Identity refused it.</summary>
    private async Task<bool> SaveWithMailAsync(ApplicationUser user, Func<Task<IdentityResult>> change, string description, CancellationToken cancellationToken)
    {
        var succeeded = false;
        var strategy = database.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
            succeeded = (await change()).Succeeded;
            if (!succeeded)
            {
                return;
            }

            if (user.Email is not null)
            {
                outbox.AddMail(user.Id, user.Email, "mfa-changed", new Dictionary<string, string>
                {
                    ["UserName"] = user.UserName!,
                    ["Change"] = description,
                    ["Time"] = clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    ["Link"] = links.Build(RouteNames.ForgotPasswordPage, new Dictionary<string, string?>()).AbsoluteUri,
                });
                await database.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        });
        if (succeeded)
        {
            outbox.Notify();
        }

        return succeeded;
    }
}
