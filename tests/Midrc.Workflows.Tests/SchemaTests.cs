using System.Globalization;
using System.Text.Json.Nodes;
using NJsonSchema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Midrc.Workflows.Tests;

/// <summary>The JSON Schema editors use must accept what the loader accepts, and catch the mistakes an editor should underline.</summary>
public sealed class SchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromJsonAsync(File.ReadAllText(Path.Combine(WorkflowFolder.Shipped, "workflow.schema.json"))).GetAwaiter().GetResult();

    public static TheoryData<string> DefinitionFiles => new(Directory.GetFiles(WorkflowFolder.Shipped, "*.yaml").Select(Path.GetFileName).OfType<string>());

    [Theory]
    [MemberData(nameof(DefinitionFiles))]
    public void Every_shipped_definition_matches_the_schema(string file)
    {
        var errors = Schema.Validate(ToJson(File.ReadAllText(Path.Combine(WorkflowFolder.Shipped, file))));

        errors.ShouldBeEmpty(string.Join(Environment.NewLine, errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Theory]
    [InlineData("    title: Open\n", "    title: Open\n    tmers: []\n", "#/states[0]")]
    [InlineData("guard: release-verified", "guard: release-approved", "#/transitions[2]")]
    [InlineData("      - enqueue: verify-release", "      - enqueue: verify-releases", "#/states[2]")]
    [InlineData("P3D", "3 days", "#/states[3]")]
    public void The_schema_flags_mistakes_an_editor_should_underline(string original, string broken, string itemPath)
    {
        var text = File.ReadAllText(Path.Combine(WorkflowFolder.Shipped, "release.yaml")).Replace(original, broken, StringComparison.Ordinal);

        var errors = Schema.Validate(ToJson(text));

        errors.ShouldNotBeEmpty();
        // NJsonSchema reports a bad value on the list item that holds it.
        errors.Select(e => e.Path).ShouldContain(itemPath);
    }

    private static string ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Convert(stream.Documents[0].RootNode)!.ToJsonString();
    }

    // YAML's plain scalars carry their type in their spelling; quoted ones are always strings.
    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, Convert(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } flag => JsonValue.Create(flag.Value == "true"),
        YamlScalarNode { Style: ScalarStyle.Plain } number when long.TryParse(number.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) => JsonValue.Create(value),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}."),
    };
}
