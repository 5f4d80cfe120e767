namespace IdentityHost.IdentityServer.Entities;

/// <summary>
/// What the account pages show about one login: a chain of tokens under one OpenIddict authorization (an ad-hoc one
/// per sign-in, or a third-party client's consent), with the client, when it was first and last used, and from where.
/// Written by the token endpoint, one row per authorization, updated in place on each refresh.
/// </summary>
public sealed class UserSession
{
    /// <summary>How much of a User-Agent is kept.</summary>
    public const int UserAgentMaxLength = 256;

    /// <summary>The OpenIddict authorization's id; ending the session revokes that authorization's tokens.</summary>
    public required string AuthorizationId { get; set; }

    public required string UserId { get; set; }

    /// <summary>The client the tokens were issued to.</summary>
    public string? ClientId { get; set; }

    /// <summary>When the login happened (UTC).</summary>
    public DateTime FirstUsedAt { get; set; }

    /// <summary>When the login last got tokens (UTC).</summary>
    public DateTime LastUsedAt { get; set; }

    /// <summary>The address the last request came from.</summary>
    public string? IpAddress { get; set; }

    /// <summary>The last request's User-Agent, shortened.</summary>
    public string? UserAgent { get; set; }
}
