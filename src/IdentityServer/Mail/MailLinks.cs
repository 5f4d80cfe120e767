using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Mail;

/// <summary>
/// Absolute links to this server's pages, for mails. Note: never from the request's Host header, which whoever sends the
/// request chooses (a reset link pointing at an attacker's host would hand them the token): from <c>OpenIddict:Issuer</c>,
/// which start-up requires outside Development; in Development without it, from the address the server listens on.
/// </summary>
public sealed class MailLinks(IOptions<MailLinkOptions> options, IServer server)
{
    /// <summary>The link to <paramref name="path"/> with <paramref name="query"/> on this server.</summary>
    public Uri Build(string path, IReadOnlyDictionary<string, string?> query)
    {
        var baseUri = options.Value.Issuer ?? ListeningAddress();
        var root = baseUri.AbsoluteUri.EndsWith('/') ? baseUri.AbsoluteUri : baseUri.AbsoluteUri + "/";
        return new Uri(QueryHelpers.AddQueryString(root + path.TrimStart('/'), query));
    }

    private Uri ListeningAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(value => value.Replace("://+", "://localhost", StringComparison.Ordinal)
                .Replace("://*", "://localhost", StringComparison.Ordinal)
                .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
                .Replace("://[::]", "://localhost", StringComparison.Ordinal))
            .OrderBy(value => value.StartsWith("https:", StringComparison.Ordinal) ? 0 : 1)
            .FirstOrDefault(value => Uri.TryCreate(value, UriKind.Absolute, out _));
        return address is null ? new Uri("http://localhost/") : new Uri(address);
    }
}

/// <summary>Where mail links point: <c>OpenIddict:Issuer</c>, read by the mail feature itself.</summary>
public sealed class MailLinkOptions
{
    /// <summary>The issuer URL, when configured.</summary>
    public Uri? Issuer { get; set; }
}
