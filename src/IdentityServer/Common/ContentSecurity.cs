namespace IdentityHost.IdentityServer.Common;

/// <summary>How a page asks for the script sources its Content-Security-Policy allows.</summary>
public static class ContentSecurity
{
    /// <summary>
    /// The <see cref="HttpContext.Items"/> key a page sets to the CSP script sources it needs (for example
    /// <c>'self'</c>); pages that set nothing run no script at all.
    /// </summary>
    public const string ScriptSourcesItem = "IdentityHost.ScriptSources";
}
