namespace IdentityHost.IdentityServer.Common;

/// <summary>How a page asks for the script sources its Content-Security-Policy allows.</summary>
public static class ContentSecurity
{
    /// <summary>
    /// The <see cref="HttpContext.Items"/> key a page sets to the CSP script sources it needs (for example
    /// <c>'self'</c>); pages that set nothing run no script at all.
    /// </summary>
    public const string ScriptSourcesItem = "IdentityHost.ScriptSources";

    /// <summary>
    /// The <see cref="HttpContext.Items"/> key a page sets (see <see cref="AllowOwnScript"/>) when it loads the server's own
    /// script files (<c>/js/*.js</c>) and nothing else: its policy is that of the pages without script plus
    /// <c>script-src 'self'</c> and <c>connect-src 'self'</c> (the script fetches its options from the page).
    /// </summary>
    public const string OwnScriptItem = "IdentityHost.OwnScript";

    /// <summary>The script of the passkey ceremonies, served from <c>wwwroot</c>.</summary>
    public const string PasskeyScript = "/js/passkeys.js";

    /// <summary>Lets the page of <paramref name="context"/> run the server's own script files, and no inline script.</summary>
    public static void AllowOwnScript(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[OwnScriptItem] = true;
    }
}
