namespace IdentityHost.IdentityServer.Data;

/// <summary>Idempotent start-up data: run on every start, it creates what is missing and changes nothing twice.</summary>
public interface IDatabaseSeeder
{
    Task SeedAsync(CancellationToken cancellationToken);
}
