namespace IdentityHost.Samples.WebClient.BrowserTests;

/// <summary>
/// The browser test classes share one <see cref="BrowserEnvironment"/> (five servers and a browser), so it starts once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedBrowser : ICollectionFixture<BrowserEnvironment>
{
    public const string Name = "browser";
}
