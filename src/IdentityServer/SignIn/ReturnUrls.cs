using Microsoft.AspNetCore.Mvc;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>Where a page may send the browser after it is done.</summary>
public static class ReturnUrls
{
    /// <summary>
    /// <paramref name="returnUrl"/> if it is a path on this server, else <c>/</c>. Note: <c>IsLocalUrl</c> refuses
    /// absolute URLs, <c>//host</c>, <c>/\host</c> and control characters, so a crafted link cannot use the sign-in
    /// page as an open redirect.
    /// </summary>
    public static string Local(IUrlHelper url, string? returnUrl)
    {
        ArgumentNullException.ThrowIfNull(url);
        return !string.IsNullOrEmpty(returnUrl) && url.IsLocalUrl(returnUrl) ? returnUrl : "/";
    }
}
