namespace IdentityHost.Testing;

/// <summary>Finds files of the repository the tests were built from.</summary>
public static class RepositoryPaths
{
    /// <summary>The directory holding <c>IdentityHost.sln</c>, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "IdentityHost.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No IdentityHost.sln above {AppContext.BaseDirectory}.");
    }
}
