extern alias ResourceApi;
extern alias WebClientApp;

using IdentityHost.Testing;
using Microsoft.Playwright;

namespace IdentityHost.Samples.WebClient.BrowserTests;

/// <summary>
/// IdentityHost, the SampleResourceApi and two instances of the sample web client (a first-party one and a
/// third-party one, which needs consent), each on Kestrel at localhost, and headless Chromium from Debian's
/// <c>chromium</c> package driven by Playwright. Without Chromium the tests are skipped with the reason, unless
/// <c>IDENTITYHOST_REQUIRE_ALL=1</c> (CI), which makes that a failure.
/// </summary>
public sealed class BrowserEnvironment : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string ThirdPartyName = "Partner Portal";

    private readonly string _directory = Directory.CreateTempSubdirectory("identityhost-browser-").FullName;
    private IPlaywright? _playwright;

    public string? SkipReason { get; private set; }

    public KestrelApp<Program> Identity { get; private set; } = null!;

    public KestrelApp<ResourceApi::Program> Api { get; private set; } = null!;

    public KestrelApp<WebClientApp::Program> WebClient { get; private set; } = null!;

    public KestrelApp<WebClientApp::Program> ThirdPartyWebClient { get; private set; } = null!;

    /// <summary>A single-page app on a second origin, registered as the public client <see cref="SinglePageApp.ClientId"/>.</summary>
    public SinglePageApp Spa { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The administrator the identity server creates at start-up, for the admin console's tests.</summary>
    public const string AdminUserName = "console-admin";

    /// <summary>The administrator's password.</summary>
    public string AdminPassword { get; } = IdentityServerFixture.NewPassword();

    /// <summary>The SMTP server IdentityHost sends its mail to; the tests open the links of the mails it received.</summary>
    public SmtpCatcher Mail { get; } = new();

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            SkipReason = $"No Chromium at {ChromiumPath} (Debian package 'chromium'); the browser tests need it.";
            if (Environment.GetEnvironmentVariable("IDENTITYHOST_REQUIRE_ALL") == "1")
            {
                throw new InvalidOperationException(SkipReason + " IDENTITYHOST_REQUIRE_ALL=1 makes that a failure.");
            }

            return;
        }

        var (identityPort, apiPort, webPort, partnerPort) = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        var spaPort = FreePorts.Next();
        var identityUrl = $"http://localhost:{identityPort}/";
        var webClientSecret = IdentityServerFixture.NewPassword();

        var identitySettings = new Dictionary<string, string?>(Mail.Settings)
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:IdentityHost"] = $"Data Source={Path.Combine(_directory, "identityhost.db")}",
            ["OpenIddict:Issuer"] = identityUrl,
            ["Serilog:MinimumLevel:Default"] = "Warning",
            // Note: index 1 is the Development "webclient" entry; this replaces its secret and URIs.
            ["OpenIddict:Clients:1:ClientSecret"] = webClientSecret,
            ["OpenIddict:Clients:1:RedirectUris:0"] = $"http://localhost:{webPort}/signin-oidc",
            ["OpenIddict:Clients:1:PostLogoutRedirectUris:0"] = $"http://localhost:{webPort}/signout-callback-oidc",
            ["OpenIddict:Clients:5:ClientId"] = "partner",
            ["OpenIddict:Clients:5:DisplayName"] = ThirdPartyName,
            ["OpenIddict:Clients:5:ThirdParty"] = "true",
            ["OpenIddict:Clients:5:GrantTypes:0"] = "authorization_code",
            ["OpenIddict:Clients:5:GrantTypes:1"] = "refresh_token",
            ["OpenIddict:Clients:5:Scopes:0"] = "openid",
            ["OpenIddict:Clients:5:Scopes:1"] = "profile",
            ["OpenIddict:Clients:5:Scopes:2"] = "roles",
            ["OpenIddict:Clients:5:Scopes:3"] = "offline_access",
            ["OpenIddict:Clients:5:Scopes:4"] = "api",
            ["OpenIddict:Clients:5:RedirectUris:0"] = $"http://localhost:{partnerPort}/signin-oidc",
            ["OpenIddict:Clients:5:PostLogoutRedirectUris:0"] = $"http://localhost:{partnerPort}/signout-callback-oidc",
            // Note: a public client (no secret); its redirect URI's origin is what CORS allows it.
            ["OpenIddict:Clients:6:ClientId"] = SinglePageApp.ClientId,
            ["OpenIddict:Clients:6:GrantTypes:0"] = "authorization_code",
            ["OpenIddict:Clients:6:GrantTypes:1"] = "refresh_token",
            ["OpenIddict:Clients:6:Scopes:0"] = "openid",
            ["OpenIddict:Clients:6:Scopes:1"] = "profile",
            ["OpenIddict:Clients:6:Scopes:2"] = "offline_access",
            ["OpenIddict:Clients:6:RedirectUris:0"] = SinglePageApp.RedirectUriAt(spaPort),
            // Note: the console's scenarios sign the administrator in with a password only; the second factor the role
            // needs by default is driven by the two-factor browser tests and the console's integration tests.
            ["Accounts:Mfa:RequiredForRoles"] = string.Empty,
            ["Bootstrap:Admin:Username"] = AdminUserName,
            ["Bootstrap:Admin:Password"] = AdminPassword,
        };
        Identity = new KestrelApp<Program>(identityPort, identitySettings);
        Identity.CreateClient().Dispose();

        Api = new KestrelApp<ResourceApi::Program>(apiPort, new Dictionary<string, string?>
        {
            ["ResourceApi:Authority"] = identityUrl,
            ["ResourceApi:RequireHttpsMetadata"] = "false",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        });
        Api.CreateClient().Dispose();

        WebClient = new KestrelApp<WebClientApp::Program>(webPort, WebClientSettings(identityUrl, apiPort, "webclient", webClientSecret));
        WebClient.CreateClient().Dispose();
        ThirdPartyWebClient = new KestrelApp<WebClientApp::Program>(partnerPort, WebClientSettings(identityUrl, apiPort, "partner", secret: null));
        ThirdPartyWebClient.CreateClient().Dispose();
        Spa = await SinglePageApp.StartAsync(spaPort, new Uri(identityUrl));

        _playwright = await Playwright.CreateAsync();
        // Note: --no-sandbox because CI runs as root, where Chromium's sandbox cannot start.
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox"],
        });
    }

    /// <summary>Saves a full-page screenshot as <c>artifacts/screenshots/{name}.png</c> (a CI artifact).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = RepositoryPaths.Combine("artifacts", "screenshots", name + ".png"),
            FullPage = true,
        });
    }

    /// <summary>
    /// Runs a browser scenario; if it fails, saves <c>failed-{name}.png</c> and adds the page's address and text to
    /// the error, so a CI log shows where the browser was.
    /// </summary>
    public static async Task ScenarioAsync(IPage page, string name, Func<Task> steps)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(steps);
        try
        {
            await steps();
        }
        catch (Exception failure) when (failure is TimeoutException or PlaywrightException or Xunit.Sdk.XunitException)
        {
            await ScreenshotAsync(page, "failed-" + name);
            var text = await page.Locator("body").InnerTextAsync(new LocatorInnerTextOptions { Timeout = 5000 });
            throw new InvalidOperationException(
                $"Browser scenario '{name}' failed at {page.Url}; the page said: {text[..Math.Min(text.Length, 600)]}", failure);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Spa is not null)
        {
            await Spa.DisposeAsync();
        }

        await Mail.DisposeAsync();
        foreach (var app in new IAsyncDisposable?[] { ThirdPartyWebClient, WebClient, Api, Identity })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Note: SQLite may still hold its WAL file for a moment; the OS cleans temp directories.
        }
    }

    private static Dictionary<string, string?> WebClientSettings(string identityUrl, int apiPort, string clientId, string? secret) => new()
    {
        ["WebClient:Authority"] = identityUrl,
        ["WebClient:ClientId"] = clientId,
        ["WebClient:ClientSecret"] = secret,
        ["WebClient:ResourceApiUrl"] = $"http://localhost:{apiPort}/",
        ["WebClient:RequireHttpsMetadata"] = "false",
    };
}
