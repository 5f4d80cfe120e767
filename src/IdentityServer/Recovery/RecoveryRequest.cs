namespace IdentityHost.IdentityServer.Recovery;

/// <summary>Limits of what a recovery request may carry.</summary>
public static class RecoveryRequest
{
    /// <summary>The longest username or email address a request may name.</summary>
    public const int MaxLength = 256;
}
