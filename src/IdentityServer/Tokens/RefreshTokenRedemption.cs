using IdentityHost.IdentityServer.Data;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Marks the redeemed authorization code, device code, user code or refresh token as redeemed, in place of OpenIddict's
/// <c>RedeemTokenEntry</c>, which does the same but goes on issuing tokens when a refresh token's redemption does not
/// stick. On a cluster that happens when the token was read on a member that had not yet applied another member's
/// write: its revocation, or its redemption by another request. Then this reads the token again (a causal read, see
/// <see cref="CausalReads"/>) before anything is issued: a revoked token, or one another request redeemed longer ago
/// than the reuse leeway, is refused (the latter, a replay, also revokes the tokens of its authorization, as OpenIddict
/// does for a replay it sees); one redeemed by a concurrent request within the leeway is accepted, as OpenIddict accepts
/// it; one whose state could not be recorded answers 503.
/// </summary>
internal sealed class RefreshTokenRedemption(IOpenIddictTokenManager tokens, IdentityHostDbContext database, TimeProvider clock)
    : IOpenIddictServerHandler<ProcessSignInContext>
{
    private const string NoLongerValid = "The refresh token is no longer valid.";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireDegradedModeDisabled>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireTokenStorageEnabled>()
            .UseScopedHandler<RefreshTokenRedemption>()
            .SetOrder(OpenIddictServerHandlers.RedeemTokenEntry.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var refresh = context.EndpointType == OpenIddictServerEndpointType.Token && context.Request.IsRefreshTokenGrantType();
        var redeemable = context.EndpointType switch
        {
            OpenIddictServerEndpointType.EndUserVerification => true,
            OpenIddictServerEndpointType.Token => context.Request.IsAuthorizationCodeGrantType() ||
                                                  context.Request.IsDeviceCodeGrantType() ||
                                                  (refresh && !context.Options.DisableRollingRefreshTokens),
            _ => false,
        };
        if (!redeemable)
        {
            return;
        }

        var notification = context.Transaction.GetProperty<ProcessAuthenticationContext>(typeof(ProcessAuthenticationContext).FullName!)
            ?? throw new InvalidOperationException("The authentication context cannot be found.");
        var principal = context.EndpointType == OpenIddictServerEndpointType.EndUserVerification ? notification.UserCodePrincipal
            : context.Request.IsAuthorizationCodeGrantType() ? notification.AuthorizationCodePrincipal
            : context.Request.IsDeviceCodeGrantType() ? notification.DeviceCodePrincipal
            : notification.RefreshTokenPrincipal;
        if (principal?.GetTokenId() is not { Length: > 0 } identifier ||
            await tokens.FindByIdAsync(identifier, context.CancellationToken) is not { } token)
        {
            return;
        }

        if (await tokens.TryRedeemAsync(token, context.CancellationToken))
        {
            return;
        }

        if (!refresh)
        {
            context.Reject(Errors.InvalidToken, principal.GetTokenType() switch
            {
                TokenTypeIdentifiers.Private.AuthorizationCode => "The specified authorization code has already been redeemed.",
                TokenTypeIdentifiers.Private.DeviceCode => "The specified device code has already been redeemed.",
                _ => "The specified token has already been redeemed.",
            });
            return;
        }

        // Note: a read of its own, not tracked, so it shows the row as the database has it now, not as first loaded.
        var stored = await database.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
            .Where(row => row.Id == identifier)
            .Select(row => new StoredToken(row.Status, row.RedemptionDate, row.Authorization != null ? row.Authorization.Status : null))
            .FirstOrDefaultAsync(context.CancellationToken);
        if (stored is null || stored.Status == Statuses.Revoked ||
            (stored.Authorization is not null && stored.Authorization != Statuses.Valid))
        {
            context.Reject(Errors.InvalidGrant, NoLongerValid);
            return;
        }

        if (stored.Status == Statuses.Redeemed)
        {
            var redeemed = stored.RedemptionDate is { } date ? new DateTimeOffset(DateTime.SpecifyKind(date, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
            if (context.Options.RefreshTokenReuseLeeway is { } leeway && redeemed + leeway >= clock.GetUtcNow())
            {
                return;
            }

            if (principal.GetAuthorizationId() is { Length: > 0 } authorization)
            {
                await tokens.RevokeByAuthorizationIdAsync(authorization, context.CancellationToken);
            }

            context.Reject(Errors.InvalidGrant, NoLongerValid);
            return;
        }

        throw new TimeoutException("The refresh token's redemption could not be recorded; no token was issued.");
    }

    // Note: a named type, not an anonymous one: the architecture tests read every type's namespace.
    private sealed record StoredToken(string? Status, DateTime? RedemptionDate, string? Authorization);
}
