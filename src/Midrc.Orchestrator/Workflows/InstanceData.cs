using System.Globalization;
using System.Text.Json;
using Midrc.Workflows.Validation;
using EngineInstance = Midrc.Workflows.Runtime.WorkflowInstance;

namespace Midrc.Orchestrator.Workflows;

/// <summary>Reads and writes an instance's JSON columns (data and deadlines) and presents it to the engine.</summary>
public static class InstanceData
{
    public static Dictionary<string, string> Values(this WorkflowInstance instance)
    {
        var raw = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(instance.DataJson) ?? [];
        return raw.ToDictionary(p => p.Key, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
    }

    /// <summary>Merges values into the instance's data; returns true when something changed.</summary>
    public static bool Merge(this WorkflowInstance instance, IReadOnlyDictionary<string, string>? changes)
    {
        if (changes is null || changes.Count == 0)
        {
            return false;
        }

        var values = instance.Values();
        var changed = false;
        foreach (var (key, value) in changes)
        {
            if (!values.TryGetValue(key, out var old) || old != value)
            {
                values[key] = value;
                changed = true;
            }
        }

        if (changed)
        {
            instance.DataJson = JsonSerializer.Serialize(values);
        }

        return changed;
    }

    public static Dictionary<string, DateTimeOffset> Deadlines(this WorkflowInstance instance) =>
        JsonSerializer.Deserialize<Dictionary<string, DateTimeOffset>>(instance.DeadlinesJson) ?? [];

    public static void SetDeadlines(this WorkflowInstance instance, IReadOnlyDictionary<string, DateTimeOffset> set, IEnumerable<string> cleared)
    {
        var deadlines = instance.Deadlines();
        foreach (var name in cleared)
        {
            deadlines.Remove(name);
        }

        foreach (var (name, due) in set)
        {
            deadlines[name] = due;
        }

        instance.DeadlinesJson = JsonSerializer.Serialize(deadlines);
    }

    /// <summary>The instance as the engine sees it.</summary>
    public static EngineInstance ToEngine(this WorkflowInstance instance) =>
        new(instance.State, new WorkflowData(instance.Values()), instance.TimeZone, instance.Deadlines());

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
