using System.Globalization;
using Midrc.Workflows.Model;
using YamlDotNet.RepresentationModel;

namespace Midrc.Workflows.Loading;

/// <summary>Reads one YAML mapping field by field, reporting missing, mistyped and unknown keys at their position.</summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode? mapping;
    private readonly string file;
    private readonly List<WorkflowProblem> problems;
    private readonly Dictionary<string, SourceLocation> fieldLocations = [];

    private YamlMap(YamlMappingNode? mapping, SourceLocation location, string file, List<WorkflowProblem> problems)
    {
        this.mapping = mapping;
        this.file = file;
        this.problems = problems;
        Location = location;
    }

    public SourceLocation Location { get; }

    public IReadOnlyDictionary<string, SourceLocation> FieldLocations => fieldLocations;

    /// <summary>Opens a node that must be a mapping with only the given keys; reports anything else.</summary>
    public static YamlMap Open(YamlNode node, string what, IReadOnlyCollection<string> keys, string file, List<WorkflowProblem> problems)
    {
        var location = Locate(node, file);
        if (node is not YamlMappingNode mapping)
        {
            problems.Add(new WorkflowProblem(location, $"Expected {what} as a mapping of keys to values."));
            return new YamlMap(null, location, file, problems);
        }

        foreach (var key in mapping.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!keys.Contains(name))
            {
                problems.Add(new WorkflowProblem(Locate(key, file), $"Unknown key '{name}' in {what}; expected one of: {string.Join(", ", keys)}."));
            }
        }

        return new YamlMap(mapping, location, file, problems);
    }

    public static SourceLocation Locate(YamlNode node, string file) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    public bool Has(string key) => Node(key) is not null;

    public YamlNode? Node(string key)
    {
        if (mapping is null || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        fieldLocations[key] = Locate(node, file);
        return node;
    }

    public string? Text(string key, string what, bool required = false)
    {
        var node = Node(key);
        if (node is null)
        {
            if (required && mapping is not null)
            {
                problems.Add(new WorkflowProblem(Location, $"{what} needs '{key}'."));
            }

            return null;
        }

        if (node is YamlScalarNode { Value: { } value } && value.Length > 0)
        {
            return value;
        }

        problems.Add(new WorkflowProblem(Locate(node, file), $"'{key}' of {what} must be a single non-empty value."));
        return null;
    }

    public int? Integer(string key, string what, bool required = false)
    {
        var text = Text(key, what, required);
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problems.Add(new WorkflowProblem(fieldLocations[key], $"'{key}' of {what} must be a whole number, not '{text}'."));
        return null;
    }

    public bool Flag(string key, string what)
    {
        var text = Text(key, what);
        if (text is null or "false")
        {
            return false;
        }

        if (text == "true")
        {
            return true;
        }

        problems.Add(new WorkflowProblem(fieldLocations[key], $"'{key}' of {what} must be true or false, not '{text}'."));
        return false;
    }

    /// <summary>A single value or a list of values; each item's location is recorded as <c>key[index]</c>.</summary>
    public IReadOnlyList<string> Names(string key, string what, bool required = false)
    {
        var node = Node(key);
        switch (node)
        {
            case null when required && mapping is not null:
                problems.Add(new WorkflowProblem(Location, $"{what} needs '{key}'."));
                return [];
            case null:
                return [];
            case YamlScalarNode { Value: { Length: > 0 } single }:
                fieldLocations[$"{key}[0]"] = Locate(node, file);
                return [single];
            case YamlSequenceNode sequence:
                var names = new List<string>();
                foreach (var item in sequence.Children)
                {
                    if (item is YamlScalarNode { Value: { Length: > 0 } name })
                    {
                        fieldLocations[$"{key}[{names.Count}]"] = Locate(item, file);
                        names.Add(name);
                    }
                    else
                    {
                        problems.Add(new WorkflowProblem(Locate(item, file), $"Each item of '{key}' in {what} must be a single name."));
                    }
                }

                return names;
            default:
                problems.Add(new WorkflowProblem(Locate(node, file), $"'{key}' of {what} must be a name or a list of names."));
                return [];
        }
    }

    /// <summary>The items of a list-valued key (empty when absent).</summary>
    public IReadOnlyList<YamlNode> Items(string key, string what)
    {
        var node = Node(key);
        if (node is null)
        {
            return [];
        }

        if (node is YamlSequenceNode sequence)
        {
            return sequence.Children.ToList();
        }

        problems.Add(new WorkflowProblem(Locate(node, file), $"'{key}' of {what} must be a list."));
        return [];
    }
}
