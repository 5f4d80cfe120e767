extern alias ResourceApi;

namespace IdentityHost.ArchitectureTests;

/// <summary>The folders of src/SampleResourceApi form layers, bottom first; Program, on top, may use any of them.</summary>
public sealed class SampleResourceApiLayerTests
{
    private static readonly LayerTable Layers = new(typeof(ResourceApi::Program).Assembly, "src/SampleResourceApi", "IdentityHost.SampleResourceApi",
        ["Authentication"],
        ["Greetings"],
        ["Hosting"]);

    [Fact]
    public void SampleResourceApiFoldersDependOnlyOnLowerLayers() => Layers.AssertFoldersDependOnlyOnLowerLayers();

    [Fact]
    public void SampleResourceApiFoldersNeverDependOnEachOther() => Layers.AssertNoTwoFoldersDependOnEachOther();

    [Fact]
    public void SampleResourceApiHasNoFolderOutsideTheLayerTable() => Layers.AssertEveryFolderIsInTheTable();

    [Fact]
    public void SampleResourceApiLayerTableNamesOnlyExistingFolders() => Layers.AssertEveryTableFolderExists();
}
