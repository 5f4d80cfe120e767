using System.Text.RegularExpressions;

namespace IdentityHost.ArchitectureTests;

/// <summary>
/// What each source file of an application names of the application's own namespaces: its <c>using</c>
/// directives and every fully qualified name (code or doc comment). This sees what the compiled code does not
/// keep: a <c>const</c> (the compiler copies its value, so <c>AuthenticationExtensions.UserPolicy</c> leaves no
/// trace of <c>Authentication</c>), <c>nameof</c> and <c>cref</c>. Note: unused usings fail the build (IDE0005),
/// so a using directive is a real dependency, not a leftover.
/// </summary>
internal static partial class SourceImports
{
    /// <summary>Each (folder namespace of a file, namespace it names, evidence) under <paramref name="root"/>.</summary>
    public static IEnumerable<(string From, string To, string Evidence)> Read(string projectDirectory, string root)
    {
        var repository = RepositoryRoot();
        var named = new Regex($@"(?<![\w.]){Regex.Escape(root)}(\.\w+)+", RegexOptions.CultureInvariant);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(repository, projectDirectory), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(repository, file).Replace('\\', '/');
            if (relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            var declared = FileNamespace().Match(text);
            if (!declared.Success)
            {
                // Note: a file without a namespace is Program's top-level statements, the top.
                continue;
            }

            var from = declared.Groups["name"].Value;
            foreach (Match match in named.Matches(text))
            {
                if (match.Index == declared.Groups["name"].Index)
                {
                    continue;
                }

                var line = text.AsSpan(0, match.Index).Count('\n') + 1;
                yield return (from, match.Value, $"{relative}:{line} names {match.Value}");
            }
        }
    }

    private static string RepositoryRoot()
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

    [GeneratedRegex(@"^namespace\s+(?<name>[\w.]+)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex FileNamespace();
}
