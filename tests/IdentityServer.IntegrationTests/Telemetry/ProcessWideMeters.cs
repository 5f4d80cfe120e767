namespace IdentityHost.IdentityServer.IntegrationTests.Telemetry;

/// <summary>
/// Tests that count with meters: a meter listener hears every host in the process, so these run on their own, after the
/// parallel tests, and see only their own requests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeters
{
    public const string Name = "Process-wide meters";
}
