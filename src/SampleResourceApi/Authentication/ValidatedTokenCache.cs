using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.SampleResourceApi.Authentication;

/// <summary>
/// The JWT handler of the API's bearer authentication, remembering tokens it has fully validated, so a client calling
/// many times with one access token pays for parsing and the signature check once.
/// </summary>
/// <remarks>
/// Note: an entry is keyed by the whole token, signature included, so a token that differs in any character is
/// validated in full; only successes are kept. Every use checks the token's lifetime again under the request's
/// parameters. An entry ends when its token expires or after <see cref="Lifetime"/>, whichever comes first, so a
/// signing key withdrawn from the authority's JWKS stops being accepted here within that time of the API reading the
/// new JWKS. Each request gets its own copy of the claims. At most <see cref="Capacity"/> entries are kept, the least
/// recently used going first.
/// </remarks>
internal sealed class ValidatedTokenCache(TimeProvider clock) : JsonWebTokenHandler, IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    public const int Capacity = 10_000;

    private readonly MemoryCache _validated = new(new MemoryCacheOptions { SizeLimit = Capacity, Clock = new CacheClock(clock) });

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = clock.GetUtcNow();
        if (_validated.TryGetValue(token, out TokenValidationResult? remembered))
        {
            if (IsWithinLifetime(remembered!.SecurityToken, validationParameters))
            {
                return Copy(remembered);
            }

            // Note: validated again in full, so the answer (and its reason, e.g. "expired") is the handler's own.
            _validated.Remove(token);
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } validated && validated.ValidTo > now.UtcDateTime)
        {
            var expires = new DateTimeOffset(DateTime.SpecifyKind(validated.ValidTo, DateTimeKind.Utc));
            _validated.Set(token, result, new MemoryCacheEntryOptions
            {
                Size = 1,
                AbsoluteExpiration = expires < now + Lifetime ? expires : now + Lifetime,
            });
            return Copy(result);
        }

        return result;
    }

    /// <summary>
    /// The lifetime rule of this request's parameters (the configured skew, or a custom lifetime validator), checked on
    /// every use of a remembered token: only the signature check and parsing are saved.
    /// </summary>
    private static bool IsWithinLifetime(SecurityToken token, TokenValidationParameters parameters)
    {
        DateTime? notBefore = token.ValidFrom == DateTime.MinValue ? null : token.ValidFrom;
        DateTime? expires = token.ValidTo == DateTime.MinValue ? null : token.ValidTo;
        if (parameters.LifetimeValidator is { } validator)
        {
            try
            {
                return validator(notBefore, expires, token, parameters);
            }
            catch (SecurityTokenException)
            {
                return false;
            }
        }

        try
        {
            Validators.ValidateLifetime(notBefore, expires, token, parameters);
            return true;
        }
        catch (SecurityTokenException)
        {
            return false;
        }
    }

    private static TokenValidationResult Copy(TokenValidationResult result) => new()
    {
        IsValid = true,
        ClaimsIdentity = result.ClaimsIdentity.Clone(),
        SecurityToken = result.SecurityToken,
        Issuer = result.Issuer,
        TokenType = result.TokenType,
        TokenContext = result.TokenContext,
    };

    public void Dispose() => _validated.Dispose();

    /// <summary>The API's <see cref="TimeProvider"/> as the clock the cache reads expirations from.</summary>
    private sealed class CacheClock(TimeProvider clock) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => clock.GetUtcNow();
    }
}
