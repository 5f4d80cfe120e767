extern alias WebClientApp;

namespace IdentityHost.ArchitectureTests;

/// <summary>The folders of samples/WebClient form layers, bottom first; Program, on top, may use any of them.</summary>
public sealed class WebClientLayerTests
{
    private static readonly LayerTable Layers = new(typeof(WebClientApp::Program).Assembly, "samples/WebClient", "IdentityHost.Samples.WebClient",
        ["SignIn", "ResourceApi"],
        ["Pages"]);

    [Fact]
    public void WebClientFoldersDependOnlyOnLowerLayers() => Layers.AssertFoldersDependOnlyOnLowerLayers();

    [Fact]
    public void WebClientFoldersNeverDependOnEachOther() => Layers.AssertNoTwoFoldersDependOnEachOther();

    [Fact]
    public void WebClientHasNoFolderOutsideTheLayerTable() => Layers.AssertEveryFolderIsInTheTable();

    [Fact]
    public void WebClientLayerTableNamesOnlyExistingFolders() => Layers.AssertEveryTableFolderExists();
}
