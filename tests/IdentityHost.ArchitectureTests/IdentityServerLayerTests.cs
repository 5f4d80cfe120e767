namespace IdentityHost.ArchitectureTests;

/// <summary>The folders of src/IdentityServer form layers, bottom first; Program, on top, may use any of them.</summary>
public sealed class IdentityServerLayerTests
{
    private static readonly LayerTable Layers = new(typeof(Program).Assembly, "src/IdentityServer", "IdentityHost.IdentityServer",
        ["Common", "Entities"],
        ["Data"],
        ["Keys", "Resources", "Mail", "Audit"],
        ["Accounts", "Clients", "Mfa"],
        ["Tokens", "Sessions"],
        ["Cors"],
        ["SeedLogin", "SignIn", "Recovery", "Profile"],
        ["Users"],
        ["Api", "Admin"],
        ["Hosting", "Telemetry"]);

    [Fact]
    public void IdentityServerFoldersDependOnlyOnLowerLayers() => Layers.AssertFoldersDependOnlyOnLowerLayers();

    [Fact]
    public void IdentityServerFoldersNeverDependOnEachOther() => Layers.AssertNoTwoFoldersDependOnEachOther();

    [Fact]
    public void IdentityServerHasNoFolderOutsideTheLayerTable() => Layers.AssertEveryFolderIsInTheTable();

    [Fact]
    public void IdentityServerLayerTableNamesOnlyExistingFolders() => Layers.AssertEveryTableFolderExists();
}
