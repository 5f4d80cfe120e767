using IdentityHost.IdentityServer.SignIn;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Routing;
using Microsoft.AspNetCore.Routing;

namespace IdentityHost.IdentityServer.UnitTests.SignIn;

/// <summary>Where the sign-in pages may send the browser back to: only a path on this server, never elsewhere.</summary>
public sealed class ReturnUrlsTests
{
    private static readonly UrlHelper Url = new(new ActionContext(new DefaultHttpContext(), new RouteData(), new ActionDescriptor()));

    [Theory]
    [InlineData("/")]
    [InlineData("/a/b")]
    [InlineData("/connect/authorize?client_id=webapp&redirect_uri=https%3A%2F%2Fwebapp.example%2Fsignin-oidc")]
    [InlineData("/a/b#section")]
    [InlineData("/%2F%2Fevil.example")] // an encoded slash is part of a path on this server
    public void LocalKeepsAPathOnThisServer(string returnUrl)
    {
        Assert.Equal(returnUrl, ReturnUrls.Local(Url, returnUrl));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void LocalGivenNoReturnUrlIsTheRoot(string? returnUrl)
    {
        Assert.Equal("/", ReturnUrls.Local(Url, returnUrl));
    }

    [Theory]
    [InlineData("//evil.example")] // protocol-relative
    [InlineData("//evil.example/a")]
    [InlineData("/\\evil.example")] // browsers read a backslash as a slash
    [InlineData("\\\\evil.example")]
    [InlineData("https://evil.example")]
    [InlineData("http://evil.example/a")]
    [InlineData("https:evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("%2F%2Fevil.example")]
    [InlineData("evil.example")]
    [InlineData(" /a")]
    public void LocalRefusesAnyUrlThatCouldLeaveThisServer(string returnUrl)
    {
        Assert.Equal("/", ReturnUrls.Local(Url, returnUrl));
    }

    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("/a\nb")]
    [InlineData("/a\0")]
    public void LocalRefusesControlCharacters(string returnUrl)
    {
        Assert.Equal("/", ReturnUrls.Local(Url, returnUrl));
    }
}
