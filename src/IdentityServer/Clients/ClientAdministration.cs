using System.Security.Cryptography;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Resources;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>A stored client as administrators see it: its settings (never its secret), where it came from, its key ids.</summary>
/// <param name="Settings">The settings, read back from what OpenIddict stores.</param>
/// <param name="Source"><see cref="ClientSources.Configuration"/> (read-only) or <see cref="ClientSources.Api"/>.</param>
/// <param name="Confidential">Whether the client authenticates (with a secret or keys).</param>
/// <param name="HasSecret">Whether it has a secret (stored hashed).</param>
/// <param name="KeyIds">The ids of its inline keys for <c>private_key_jwt</c>.</param>
public sealed record ClientView(ClientRegistration Settings, string Source, bool Confidential, bool HasSecret, IReadOnlyList<string> KeyIds);

/// <summary>How a change to a client ended.</summary>
public enum ClientChangeOutcome
{
    /// <summary>Done.</summary>
    Done,

    /// <summary>No client has that id.</summary>
    NotFound,

    /// <summary>The client comes from configuration, which only a deployment changes.</summary>
    ReadOnly,

    /// <summary>A client with that id exists already.</summary>
    Exists,

    /// <summary>The settings break a rule (<see cref="ClientChangeResult.Problems"/>).</summary>
    Invalid,
}

/// <summary>The outcome of a change, the client afterwards, and a new secret when one was made (shown once, never stored plain).</summary>
public sealed record ClientChangeResult(
    ClientChangeOutcome Outcome, ClientView? Client = null, string? Secret = null, IReadOnlyList<(string Field, string Message)>? Problems = null);

/// <summary>
/// Clients managed at run time (the admin API and console): list, read, create, edit, delete, and make a new secret. The
/// same rules as for configured clients apply (<see cref="ClientRegistrationValidator.Check"/>) and the same translation
/// to OpenIddict (<see cref="ClientDescriptors"/>). Clients from configuration are shown but not changed here. Every
/// change goes through OpenIddict's manager, which evicts the client from this node's caches at once; other nodes see it
/// when their cached copy expires (a minute).
/// </summary>
public sealed class ClientAdministration(
    IOpenIddictApplicationManager applications, IOptions<ApiResourceOptions> apis, SecurityAudit audit)
{
    /// <summary>How many clients are stored.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken) => await applications.CountAsync(cancellationToken);

    /// <summary>The clients in order of their id, <paramref name="count"/> from <paramref name="offset"/>.</summary>
    /// <remarks>Note: a server has tens of clients, not millions; they are read whole and ordered here, which keeps the
    /// store-neutral manager API (its query overload works on the store's own entity type).</remarks>
    public async Task<IReadOnlyList<ClientView>> ListAsync(int offset, int count, CancellationToken cancellationToken)
    {
        var views = new List<ClientView>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            views.Add(await ViewAsync(application, cancellationToken));
        }

        return [.. views.OrderBy(view => view.Settings.ClientId, StringComparer.Ordinal).Skip(offset).Take(count)];
    }

    /// <summary>The client with <paramref name="clientId"/>, or null.</summary>
    public async Task<ClientView?> FindAsync(string clientId, CancellationToken cancellationToken) =>
        await applications.FindByClientIdAsync(clientId, cancellationToken) is { } application
            ? await ViewAsync(application, cancellationToken)
            : null;

    /// <summary>
    /// Creates a client from <paramref name="settings"/>; a <paramref name="confidential"/> one without keys gets a new
    /// secret, returned once.
    /// </summary>
    public async Task<ClientChangeResult> CreateAsync(ClientRegistration settings, bool confidential, string administrator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string? secret = null;
        if (confidential && string.IsNullOrEmpty(settings.Jwks) && string.IsNullOrEmpty(settings.JwksUri))
        {
            secret = NewSecret();
            settings.ClientSecret = secret;
        }

        if (Problems(settings) is { Count: > 0 } problems)
        {
            return new(ClientChangeOutcome.Invalid, Problems: problems);
        }

        if (await applications.FindByClientIdAsync(settings.ClientId, cancellationToken) is not null)
        {
            return new(ClientChangeOutcome.Exists);
        }

        var application = await applications.CreateAsync(
            ClientDescriptors.ToDescriptor(settings, apis.Value, ClientSources.Api), cancellationToken);
        audit.Write(AuditEvents.ClientCreated, administrator, "client " + settings.ClientId, settings.ClientId);
        return new(ClientChangeOutcome.Done, await ViewAsync(application, cancellationToken), secret);
    }

    /// <summary>
    /// Replaces the settings of a client made at run time. Its type (public or confidential) and secret stay; its keys stay
    /// when <paramref name="settings"/> names neither <c>Jwks</c> nor <c>JwksUri</c>.
    /// </summary>
    public async Task<ClientChangeResult> UpdateAsync(string clientId, ClientRegistration settings, string administrator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (application, refusal) = await EditableAsync(clientId, cancellationToken);
        if (application is null)
        {
            return new(refusal);
        }

        var current = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(current, application, cancellationToken);
        var keepKeys = string.IsNullOrEmpty(settings.Jwks) && string.IsNullOrEmpty(settings.JwksUri);
        settings.ClientId = clientId;
        if (keepKeys)
        {
            settings.JwksUri = current.Properties.TryGetValue(ClientProperties.JwksUri, out var uri) ? uri.GetString() : null;
        }

        var confidential = current.ClientType == ClientTypes.Confidential;
        if (!confidential && !keepKeys)
        {
            return new(ClientChangeOutcome.Invalid, Problems: [("jwks", "A public client has no keys; create a confidential client instead.")]);
        }

        // Note: stands in the rules for the secret or keys a confidential client keeps (its grants may need one); never stored.
        settings.ClientSecret = confidential ? "kept" : null;
        if (Problems(settings) is { Count: > 0 } problems)
        {
            return new(ClientChangeOutcome.Invalid, Problems: problems);
        }

        settings.ClientSecret = null;
        var descriptor = ClientDescriptors.ToDescriptor(settings, apis.Value, ClientSources.Api);
        descriptor.ClientType = current.ClientType;
        // Note: the stored (hashed) secret unchanged, so OpenIddict keeps it as it is.
        descriptor.ClientSecret = current.ClientSecret;
        if (keepKeys)
        {
            descriptor.JsonWebKeySet = current.JsonWebKeySet;
        }

        await applications.UpdateAsync(application, descriptor, cancellationToken);
        audit.Write(AuditEvents.ClientUpdated, administrator, "client " + clientId, clientId);
        return new(ClientChangeOutcome.Done, await ViewAsync(application, cancellationToken));
    }

    /// <summary>Deletes a client made at run time, with its authorizations and tokens.</summary>
    public async Task<ClientChangeOutcome> DeleteAsync(string clientId, string administrator, CancellationToken cancellationToken)
    {
        var (application, refusal) = await EditableAsync(clientId, cancellationToken);
        if (application is null)
        {
            return refusal;
        }

        await applications.DeleteAsync(application, cancellationToken);
        audit.Write(AuditEvents.ClientDeleted, administrator, "client " + clientId, clientId);
        return ClientChangeOutcome.Done;
    }

    /// <summary>Gives a confidential client made at run time a new secret (the old one stops working at once on this node).</summary>
    public async Task<ClientChangeResult> RotateSecretAsync(string clientId, string administrator, CancellationToken cancellationToken)
    {
        var (application, refusal) = await EditableAsync(clientId, cancellationToken);
        if (application is null)
        {
            return new(refusal);
        }

        if (!await applications.HasClientTypeAsync(application, ClientTypes.Confidential, cancellationToken))
        {
            return new(ClientChangeOutcome.Invalid, Problems: [("clientId", "A public client has no secret.")]);
        }

        var secret = NewSecret();
        await applications.UpdateAsync(application, secret, cancellationToken);
        audit.Write(AuditEvents.ClientSecretRotated, administrator, "client " + clientId, clientId);
        return new(ClientChangeOutcome.Done, await ViewAsync(application, cancellationToken), secret);
    }

    /// <summary>The client made at run time with <paramref name="clientId"/>, or null and why not (none, or from configuration).</summary>
    private async Task<(object? Application, ClientChangeOutcome Refusal)> EditableAsync(string clientId, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken);
        if (application is null)
        {
            return (null, ClientChangeOutcome.NotFound);
        }

        return ClientSources.Of(await applications.GetPropertiesAsync(application, cancellationToken)) == ClientSources.Api
            ? (application, ClientChangeOutcome.Done)
            : (null, ClientChangeOutcome.ReadOnly);
    }

    private List<(string Field, string Message)> Problems(ClientRegistration settings) =>
        [.. ClientRegistrationValidator.Check(settings, apis.Value, Camel).Select(problem => (FieldOf(problem.Field), problem.Message))];

    /// <summary>A JSON member name for a setting's path: <c>RedirectUris:0</c> is <c>redirectUris[0]</c>.</summary>
    private static string Camel(string field)
    {
        var parts = field.Split(':');
        var name = char.ToLowerInvariant(parts[0][0]) + parts[0][1..];
        return parts.Length > 1 ? $"{name}[{parts[1]}]" : name;
    }

    private static string FieldOf(string name) => name == "clientSecret" ? "confidential" : name;

    private async Task<ClientView> ViewAsync(object application, CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, cancellationToken);
        var keys = descriptor.JsonWebKeySet?.Keys.Select(key => key.Kid).Where(kid => kid is not null && kid != ClientDescriptors.PlaceholderKeyId)
            .ToList() ?? [];
        return new(
            ClientDescriptors.ToRegistration(descriptor),
            ClientSources.Of(descriptor.Properties),
            descriptor.ClientType == ClientTypes.Confidential,
            !string.IsNullOrEmpty(descriptor.ClientSecret),
            keys!);
    }

    /// <summary>256 random bits, base64url: as strong as a secret needs to be, and safe in a form or a Basic header.</summary>
    private static string NewSecret() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
}
