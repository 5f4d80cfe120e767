namespace IdentityHost.IdentityServer.Sessions;

/// <summary>A person's words for a User-Agent: browser and system ("Chrome on Linux"), or the program's name.</summary>
public static class UserAgents
{
    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("HeadlessChrome/", "Chrome (headless)"),
        ("Chromium/", "Chromium"), ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("PostmanRuntime/", "Postman"), ("curl/", "curl"),
    ];

    private static readonly (string Token, string Name)[] Systems =
    [
        ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"), ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"), ("Linux", "Linux"),
    ];

    /// <summary>The description of <paramref name="userAgent"/>; "Unknown device" without one.</summary>
    public static string Describe(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return "Unknown device";
        }

        var browser = Browsers.FirstOrDefault(candidate => userAgent.Contains(candidate.Token, StringComparison.Ordinal)).Name;
        var system = Systems.FirstOrDefault(candidate => userAgent.Contains(candidate.Token, StringComparison.Ordinal)).Name;
        if (browser is null)
        {
            var product = userAgent.Split(' ', 2)[0].Split('/')[0];
            browser = product.Length is > 0 and <= 40 ? product : "Unknown program";
        }

        return system is null ? browser : $"{browser} on {system}";
    }
}
