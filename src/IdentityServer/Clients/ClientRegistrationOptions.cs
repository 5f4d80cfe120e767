namespace IdentityHost.IdentityServer.Clients;

/// <summary>The clients configured under <c>OpenIddict:Clients</c>; the database is synchronized to them at start-up.</summary>
public sealed class ClientRegistrationOptions
{
    public const string SectionName = "OpenIddict";

    public List<ClientRegistration> Clients { get; set; } = [];
}
