using System.Text.Json;
using System.Text.Json.Serialization;

namespace Midrc.Cli.Submit;

/// <summary>
/// <c>.midrc-submit.json</c> in the submitted folder: which submission a folder is being sent as, per server, so an
/// interrupted <c>midrc submit</c> resumes the same submission instead of starting another.
/// </summary>
internal sealed class SubmitState
{
    public const string FileName = ".midrc-submit.json";
    public Dictionary<string, Guid> Submissions { get; init; } = [];

    public static string Key(Uri server, string folder) => $"{server.GetLeftPart(UriPartial.Authority)}{server.AbsolutePath.TrimEnd('/')}|{Path.GetFullPath(folder)}";

    public static SubmitState Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return new SubmitState();
        }
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), SubmitStateJson.Default.SubmitState) ?? new SubmitState();
        }
        catch (JsonException)
        {
            // A damaged state file only costs the resume: the server still skips what it already has once asked.
            return new SubmitState();
        }
    }

    public void Save(string folder) => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, SubmitStateJson.Default.SubmitState));
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(SubmitState))]
internal sealed partial class SubmitStateJson : JsonSerializerContext;
