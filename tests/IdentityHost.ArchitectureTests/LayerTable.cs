using System.Text.RegularExpressions;
using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.Fluent.Extensions;
using ArchUnitNET.Loader;
using static ArchUnitNET.Fluent.ArchRuleDefinition;
using static ArchUnitNET.Fluent.Slices.SliceRuleDefinition;
using Assembly = System.Reflection.Assembly;

namespace IdentityHost.ArchitectureTests;

/// <summary>
/// One application's folders (the namespaces right under its root namespace) in layers, bottom first. A folder
/// may use the folders of strictly lower layers only: not its own layer, not a higher one, and not the top
/// (the global <c>Program</c>, Razor's generated pages). A namespace below a folder belongs to that folder
/// (<c>Data.Migrations.Sqlite</c> is <c>Data</c>).
/// </summary>
/// <remarks>
/// Note: two views of the same code, as each misses what the other sees. ArchUnitNET reads the compiled IL,
/// which keeps no trace of a <c>const</c> (the compiler copies its value), <c>nameof</c> or a <c>cref</c>, and in a
/// Release build skips the body of an async iterator. <see cref="SourceImports"/> reads the source's using
/// directives and qualified names, which miss a name written relative to an enclosing namespace
/// (<c>Tokens.TokenServerOptions</c> inside <c>IdentityHost.IdentityServer.Common</c>). A dependency seen in either counts.
/// </remarks>
internal sealed class LayerTable
{
    /// <summary>The namespaces outside the root that are allowed, as the top: nothing in a folder may use them.</summary>
    private static readonly string[] TopNamespaces = ["", "AspNetCoreGeneratedDocument"];

    private readonly Assembly _assembly;
    private readonly string _projectDirectory;
    private readonly string _root;
    private readonly string[][] _layers;
    private readonly Lazy<Architecture> _architecture;

    /// <param name="assembly">The application's assembly.</param>
    /// <param name="projectDirectory">Its project's directory, relative to the repository (for the source view).</param>
    /// <param name="root">Its root namespace.</param>
    /// <param name="layers">Its folders in layers, bottom first.</param>
    public LayerTable(Assembly assembly, string projectDirectory, string root, params string[][] layers)
    {
        _assembly = assembly;
        _projectDirectory = projectDirectory;
        _root = root;
        _layers = layers;
        _architecture = new Lazy<Architecture>(() => new ArchLoader().LoadAssemblies(assembly).Build());
    }

    private IEnumerable<string> Folders => _layers.SelectMany(layer => layer);

    /// <summary>Fails naming each type (or source line) of a folder that uses its own layer, a higher one, or the top.</summary>
    public void AssertFoldersDependOnlyOnLowerLayers()
    {
        // Note: a source view that finds no dependency at all is broken (a moved project, a changed layout), not clean.
        // (The compiled view may rightly find none: SampleResourceApi's Greetings uses Authentication by constants only.)
        var source = SourceGraph();
        Assert.True(source.Edges.Any(), $"The source under {_projectDirectory} names no folder from another one.");

        var failures = new List<string>();
        var rules = LowerLayerRules();
        if (rules is not null && !rules.HasNoViolations(_architecture.Value))
        {
            failures.Add("In the compiled code (ArchUnitNET):" + Environment.NewLine + rules.Evaluate(_architecture.Value).ToErrorMessage());
        }

        // Note: a folder in no layer is left to the placement test; what it is used by still counts here.
        var sourceViolations = source.Edges
            .Where(edge => Level(edge.From) is { } from && !(Level(edge.To) is { } to && to < from))
            .Select(edge => $"\t{Describe(edge.From)} uses {Describe(edge.To)}:{Environment.NewLine}\t\t" +
                            string.Join($"{Environment.NewLine}\t\t", edge.Evidence))
            .ToList();
        if (sourceViolations.Count > 0)
        {
            failures.Add("In the source (using directives and qualified names, which also see constants, nameof and cref):" +
                         Environment.NewLine + string.Join(Environment.NewLine, sourceViolations));
        }

        Assert.True(failures.Count == 0, $"{_assembly.GetName().Name}: a folder uses a folder that is not in a lower layer." +
                                         Environment.NewLine + string.Join(Environment.NewLine, failures));
    }

    /// <summary>
    /// Fails naming the folders that depend on each other, directly or around a circle, and the types (or source
    /// lines) that do. It reads the folders from the code, not from the table, so it also covers a folder nobody
    /// placed yet.
    /// </summary>
    public void AssertNoTwoFoldersDependOnEachOther()
    {
        var failures = new List<string>();
        var compiledRule = Slices().Matching(_root + ".(*)").Should().BeFreeOfCycles();
        if (!compiledRule.HasNoViolations(_architecture.Value))
        {
            failures.Add("In the compiled code (ArchUnitNET):" + Environment.NewLine + compiledRule.Evaluate(_architecture.Value).ToErrorMessage());
        }

        // Note: a cycle the compiled code already shows is reported above; here only those the source adds.
        var known = CompiledGraph().Cycles();
        var both = CompiledGraph();
        foreach (var (from, to, evidence) in SourceGraph().Edges)
        {
            foreach (var line in evidence)
            {
                both.Add(from, to, "(source) " + line);
            }
        }

        var onlyWithSource = both.Cycles().Where(cycle => !known.Any(other => other.SequenceEqual(cycle))).ToList();
        if (onlyWithSource.Count > 0)
        {
            failures.Add("With the source's using directives and qualified names added (constants, nameof, cref):" + Environment.NewLine +
                         string.Join(Environment.NewLine, onlyWithSource.Select(cycle => $"\tCycle of {string.Join(", ", cycle)}:" +
                                                                                         Environment.NewLine + both.Describe(cycle))));
        }

        Assert.True(failures.Count == 0, $"{_assembly.GetName().Name}: folders depend on each other." +
                                         Environment.NewLine + string.Join(Environment.NewLine, failures));
    }
    /// <summary>
    /// Fails naming each namespace under the root whose folder is not in the table (and the root itself, if it
    /// holds types), and each namespace outside the root that is not the top.
    /// </summary>
    public void AssertEveryFolderIsInTheTable()
    {
        var unplaced = _architecture.Value.Types
            .Where(type => !IsPlaced(type.Namespace.FullName))
            .GroupBy(type => type.Namespace.FullName, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => $"\t{(group.Key.Length == 0 ? "(global namespace)" : group.Key)}: " +
                             string.Join(", ", group.Select(type => type.Name).Order(StringComparer.Ordinal)))
            .ToList();

        Assert.True(unplaced.Count == 0,
            $"{_assembly.GetName().Name} has namespaces that its layer table does not place; put each folder in a " +
            $"layer (below {_root}), deliberately:{Environment.NewLine}{string.Join(Environment.NewLine, unplaced)}");
    }

    /// <summary>Fails naming each folder of the table that has no type, so the table keeps to the code.</summary>
    public void AssertEveryTableFolderExists()
    {
        var missing = Folders
            .Where(folder => !_architecture.Value.Types.Any(type => Regex.IsMatch(type.Namespace.FullName, Pattern([folder]))))
            .ToList();

        Assert.True(missing.Count == 0,
            $"The layer table of {_assembly.GetName().Name} names folders with no type under {_root}: {string.Join(", ", missing)}");
    }

    private IArchRule? LowerLayerRules()
    {
        IArchRule? rules = null;
        for (var level = 0; level < _layers.Length; level++)
        {
            var lower = _layers.Take(level).SelectMany(layer => layer).ToList();
            foreach (var folder in _layers[level])
            {
                var allowed = lower.Append(folder).ToList();
                var others = _layers[level].Where(other => other != folder).ToList();
                var rule = Types().That().ResideInNamespaceMatching(Pattern([folder])).As($"Types in {folder}")
                    .Should().NotDependOnAny(Types().That().DoNotResideInNamespaceMatching(Pattern(allowed))
                        .As(lower.Count == 0 ? $"types outside {folder}" : $"types outside {folder} and the layers below it ({string.Join(", ", lower)})"))
                    .Because($"{folder} is in layer L{level}" + (others.Count == 0 ? "" : $" with {string.Join(", ", others)}") +
                             (lower.Count == 0 ? ", the bottom, and may use only libraries" : ", and may use only lower layers"))
                    .WithoutRequiringPositiveResults();
                rules = rules is null ? rule : rules.And(rule);
            }
        }

        return rules;
    }

    /// <summary>The folder dependencies ArchUnitNET found in the compiled code, each with the types that make it.</summary>
    private FolderGraph CompiledGraph()
    {
        var graph = new FolderGraph();
        foreach (var type in _architecture.Value.Types)
        {
            if (Folder(type.Namespace.FullName) is not { } from)
            {
                continue;
            }

            // Note: a generic method's type parameter (an override of EF Core's ExecutionStrategy.ExecuteAsync<TState, TResult>,
            // for one) is a dependency target without a namespace; it belongs to no folder.
            foreach (var target in type.Dependencies.Select(dependency => dependency.Target))
            {
                if (target.Namespace is { } targetNamespace && Folder(targetNamespace.FullName) is { } to)
                {
                    graph.Add(from, to, $"{type.FullName} -> {target.FullName}");
                }
            }
        }

        return graph;
    }

    /// <summary>The folder dependencies the source names, each with the lines that name them.</summary>
    private FolderGraph SourceGraph()
    {
        var graph = new FolderGraph();
        foreach (var (from, to, evidence) in SourceImports.Read(_projectDirectory, _root))
        {
            if (Folder(from) is { } source && Folder(to) is { } target)
            {
                graph.Add(source, target, evidence);
            }
        }

        return graph;
    }

    /// <summary>The folder of a namespace (or of a qualified name) under the root; null outside it.</summary>
    private string? Folder(string name) =>
        name.StartsWith(_root + ".", StringComparison.Ordinal) ? name[(_root.Length + 1)..].Split('.')[0] : null;

    private int? Level(string folder)
    {
        var level = Array.FindIndex(_layers, layer => layer.Contains(folder, StringComparer.Ordinal));
        return level < 0 ? null : level;
    }

    private string Describe(string folder) => Level(folder) is { } level ? $"{folder} (L{level})" : $"{folder} (in no layer)";

    private bool IsPlaced(string ns)
    {
        if (Folder(ns) is { } folder)
        {
            return Folders.Contains(folder, StringComparer.Ordinal);
        }

        return ns != _root && TopNamespaces.Contains(ns, StringComparer.Ordinal);
    }

    /// <summary>A namespace of one of <paramref name="folders"/>, or below one of them.</summary>
    private string Pattern(IEnumerable<string> folders) =>
        $"^{Regex.Escape(_root)}\\.({string.Join("|", folders.Select(Regex.Escape))})(\\..+)?$";
}
