namespace IdentityHost.ArchitectureTests;

/// <summary>Which folder depends on which, each edge with what shows it (a type using a type, a line of source).</summary>
internal sealed class FolderGraph
{
    private readonly SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> _edges = new(StringComparer.Ordinal);

    public void Add(string from, string to, string evidence)
    {
        if (from == to)
        {
            return;
        }

        if (!_edges.TryGetValue(from, out var targets))
        {
            _edges[from] = targets = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        }

        if (!targets.TryGetValue(to, out var evidences))
        {
            targets[to] = evidences = new SortedSet<string>(StringComparer.Ordinal);
        }

        evidences.Add(evidence);
    }

    public IEnumerable<(string From, string To, IReadOnlyCollection<string> Evidence)> Edges =>
        _edges.SelectMany(source => source.Value.Select(target => (source.Key, target.Key, (IReadOnlyCollection<string>)target.Value)));

    /// <summary>The groups of two or more folders that reach each other (strongly connected components, Tarjan).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<IReadOnlyList<string>>();
        var nodes = _edges.Keys.Concat(_edges.Values.SelectMany(targets => targets.Keys)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return cycles;

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in _edges.TryGetValue(node, out var targets) ? targets.Keys : Enumerable.Empty<string>())
            {
                if (!index.TryGetValue(next, out var nextIndex))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], nextIndex);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);

                if (component.Count > 1)
                {
                    cycles.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }
    }

    /// <summary>The edges between the folders of <paramref name="cycle"/>, one line each with its evidence.</summary>
    public string Describe(IReadOnlyList<string> cycle) => string.Join(Environment.NewLine, Edges
        .Where(edge => cycle.Contains(edge.From) && cycle.Contains(edge.To))
        .Select(edge => $"\t{edge.From} -> {edge.To}:{Environment.NewLine}\t\t" + string.Join($"{Environment.NewLine}\t\t", edge.Evidence)));
}
