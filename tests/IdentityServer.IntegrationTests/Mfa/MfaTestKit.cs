using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Duende.IdentityModel.Client;
using IdentityHost.IdentityServer.Mfa;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Mfa;

/// <summary>What the MFA tests do again and again: enrol an authenticator as a user would, compute its codes, sign in with them.</summary>
internal static partial class MfaTestKit
{
    /// <summary>A user with an authenticator: the key shown at enrolment and the recovery codes shown once.</summary>
    public sealed record Enrolled(string UserName, string Password, string Key, IReadOnlyList<string> RecoveryCodes, string? Email = null);

    /// <summary>Signs <paramref name="userName"/> in on <paramref name="browser"/> and enrols an authenticator on the two-factor page.</summary>
    public static async Task<(string Key, IReadOnlyList<string> RecoveryCodes)> EnrolAsync(
        BrowserSession browser, TimeProvider clock, string userName, string password, bool signIn = true)
    {
        if (signIn)
        {
            using var signedIn = await browser.SignInAsync(userName, password);
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        var key = await KeyOnPageAsync(browser, "/account/two-factor");
        using var confirmed = await browser.SubmitAsync("/account/two-factor?handler=confirm",
            new Dictionary<string, string> { ["Code"] = CodeNow(key, clock) });
        var html = await confirmed.Content.ReadAsStringAsync();
        Assert.True(confirmed.StatusCode == HttpStatusCode.OK, html);
        return (key, RecoveryCodesIn(html));
    }

    /// <summary>A new user with an authenticator (and an address, when <paramref name="withEmail"/>).</summary>
    public static async Task<Enrolled> NewEnrolledUserAsync(IdentityServerFixture fixture, HttpClient client, bool withEmail = false)
    {
        string userName, password;
        string? email = null;
        if (withEmail)
        {
            var registered = await IdentityServerFixture.CreateUserWithEmailAsync(client);
            (userName, password, email) = (registered.UserName, registered.Password, registered.Email);
        }
        else
        {
            (userName, password) = await IdentityServerFixture.CreateUserAsync(client);
        }

        using var browser = new BrowserSession(fixture.Host);
        string key;
        IReadOnlyList<string> codes;
        try
        {
            (key, codes) = await EnrolAsync(browser, fixture.Clock, userName, password);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new InvalidOperationException("Enrolment failed; the server's log ends:\n" + string.Join('\n', fixture.Host.Logs.Lines.TakeLast(6)), exception);
        }

        // Note: the confirming code spent the current step; the tests' first sign-in uses the next one.
        fixture.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        return new Enrolled(userName, password, key, codes, email);
    }

    /// <summary>The key a page shows as text (the test reads it as a person would type it into an app).</summary>
    public static async Task<string> KeyOnPageAsync(BrowserSession browser, string page)
    {
        using var response = await browser.Client.GetAsync(new Uri(page, UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, html);
        var qr = QrSource().Match(html);
        Assert.True(qr.Success, html);
        using var image = await browser.Client.GetAsync(new Uri(System.Net.WebUtility.HtmlDecode(qr.Groups[1].Value), UriKind.Relative));
        Assert.Equal("image/svg+xml", image.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<svg", (await image.Content.ReadAsStringAsync()).TrimStart(), StringComparison.Ordinal);
        return KeyText().Match(html) is { Success: true } match
            ? match.Groups[1].Value.Replace(" ", string.Empty, StringComparison.Ordinal)
            : throw new InvalidOperationException("No key on " + page + ": " + html);
    }

    /// <summary>The recovery codes a page shows.</summary>
    public static IReadOnlyList<string> RecoveryCodesIn(string html) =>
        [.. RecoveryCode().Matches(html).Select(match => match.Groups[1].Value)];

    /// <summary>The authenticator's code now, by the server's clock.</summary>
    public static string CodeNow(string key, TimeProvider clock, int stepOffset = 0) =>
        Totp.Compute(key, Totp.TimeStep(clock.GetUtcNow()) + stepOffset);

    /// <summary>The password grant with a <c>totp</c> parameter (or none).</summary>
    public static Task<TokenResponse> PasswordGrantAsync(HttpClient client, string userName, string password, string? totp, string? clientId = null)
    {
        var request = new PasswordTokenRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/token").ToString(),
            ClientId = clientId ?? IdentityServerFixture.ClientId,
            UserName = userName,
            Password = password,
            Scope = clientId is null ? IdentityServerFixture.AllScopes : "openid api",
        };
        if (totp is not null)
        {
            request.Parameters.Add("totp", totp);
        }

        return client.RequestPasswordTokenAsync(request);
    }

    /// <summary>The seed login, <c>POST /api/auth/login</c>, with an optional <c>totp</c>.</summary>
    public static Task<HttpResponseMessage> SeedLoginAsync(HttpClient client, string userName, string password, string? totp) =>
        client.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new Dictionary<string, string?>
        {
            ["username"] = userName,
            ["password"] = password,
            ["totp"] = totp,
        });

    [GeneratedRegex("<img id=\"qr-code\" src=\"(/account/[a-z/-]+\\?handler=qr)\"")]
    private static partial Regex QrSource();

    [GeneratedRegex("<code id=\"totp-key\">([A-Z2-7 ]+)</code>")]
    private static partial Regex KeyText();

    [GeneratedRegex("<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")]
    private static partial Regex RecoveryCode();
}
