namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

/// <summary>Tests that measure time: they run on their own, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingTests
{
    public const string Name = "Timing";
}
