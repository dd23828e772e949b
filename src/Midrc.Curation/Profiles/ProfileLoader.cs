using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Midrc.Curation.Profiles;

/// <summary>
/// Reads a curation profile from YAML. Every mistake is reported as a <see cref="ProfileException"/>
/// naming the file, line and column, what is wrong and what to write instead.
/// </summary>
public static class ProfileLoader
{
    /// <summary>How messages name the shipped profile.</summary>
    public const string DefaultProfileName = "midrc-default.yaml";

    private const string DefaultResource = "Midrc.Curation.midrc-default.yaml";

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The text of the profile shipped with the library (<c>Profiles/midrc-default.yaml</c>).</summary>
    public static string DefaultProfileText()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(DefaultResource)
            ?? throw new InvalidOperationException($"The embedded resource {DefaultResource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The profile shipped with the library.</summary>
    public static CurationProfile LoadDefault() => Load(DefaultProfileText(), DefaultProfileName);

    /// <summary>Reads a profile file.</summary>
    public static CurationProfile LoadFile(string path) => Load(File.ReadAllText(path), path);

    /// <summary>Reads a profile from its text; <paramref name="sourceName"/> names it in error messages.</summary>
    public static CurationProfile Load(string yaml, string sourceName = "profile")
    {
        ThrowOnTabIndentation(yaml, sourceName);
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(yaml));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            throw new ProfileException(sourceName, e.Start.Line, e.Start.Column,
                $"this is not valid YAML ({e.Message.Trim()}). Check indentation and quote values that contain ':' or '#'.");
        }
        catch (InvalidOperationException)
        {
            // The YAML scanner gives up without a position on some unterminated lists; the last event it read is close to the mistake.
            var near = parser.Current?.End ?? Mark.Empty;
            throw new ProfileException(sourceName, near.Line, near.Column,
                "this is not valid YAML after this point: a list '[...]', group '{...}' or quote is probably not closed. Close it, or write one '- item' per line.");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ProfileException(sourceName, 1, 1, "the profile must be a YAML mapping starting with 'program:'. Start from Profiles/midrc-default.yaml.");
        }
        return new Reader(sourceName).Profile(root);
    }

    private static void ThrowOnTabIndentation(string yaml, string sourceName)
    {
        var lines = yaml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indent)
            {
                throw new ProfileException(sourceName, i + 1, tab + 1, "this is not valid YAML: the line is indented with a tab. Indent with spaces only.");
            }
        }
    }

    private sealed class Reader(string source)
    {
        public CurationProfile Profile(YamlMappingNode root)
        {
            var top = Keys(root, "program", "version", "deidentification", "pseudonyms", "requested", "required-attributes", "rules");
            var deid = Map(Require(root, top, "deidentification"));
            var deidKeys = Keys(deid, "options", "dates", "dummy-values", "dummy-patterns", "safe-private-tags", "forbidden-uid-roots");
            var requested = top.TryGetValue("requested", out var r) ? Map(r) : new YamlMappingNode();
            var requestedKeys = Keys(requested, "modalities", "sop-classes", "body-parts");
            return new CurationProfile
            {
                Program = Scalar(Require(root, top, "program")),
                Version = top.TryGetValue("version", out var version) ? Scalar(version) : "1",
                Options = List(deidKeys, "options").Select(Option).ToHashSet(),
                Dates = Dates(deidKeys.GetValueOrDefault("dates")),
                DummyValues = List(deidKeys, "dummy-values").Select(n => Scalar(n).Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase),
                DummyPatterns = [.. List(deidKeys, "dummy-patterns").Select(WholeValuePattern)],
                SafePrivateTags = [.. List(deidKeys, "safe-private-tags").Select(SafePrivate)],
                ForbiddenUidRoots = [.. List(deidKeys, "forbidden-uid-roots").Select(UidRoot)],
                Pseudonyms = Pseudonyms(Map(Require(root, top, "pseudonyms"))),
                Modalities = List(requestedKeys, "modalities").Select(n => Scalar(n).ToUpperInvariant()).ToHashSet(StringComparer.Ordinal),
                SopClasses = List(requestedKeys, "sop-classes").Select(UidRoot).ToHashSet(StringComparer.Ordinal),
                BodyParts = List(requestedKeys, "body-parts").Select(n => Scalar(n).ToUpperInvariant()).ToHashSet(StringComparer.Ordinal),
                RequiredAttributes = [.. List(top, "required-attributes").Select(Required)],
                Rules = Rules(top.GetValueOrDefault("rules")),
            };
        }

        private ProfileException Error(YamlNode node, string problem) =>
            new(source, node.Start.Line, node.Start.Column, problem);

        private Dictionary<string, YamlNode> Keys(YamlMappingNode map, params string[] allowed)
        {
            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in map.Children)
            {
                var key = Scalar(keyNode);
                if (!allowed.Contains(key, StringComparer.Ordinal))
                {
                    throw Error(keyNode, $"unknown setting '{key}'. Expected one of: {string.Join(", ", allowed)}.");
                }
                if (!result.TryAdd(key, value))
                {
                    throw Error(keyNode, $"'{key}' is set twice. Keep one of them.");
                }
            }
            return result;
        }

        private YamlNode Require(YamlMappingNode parent, Dictionary<string, YamlNode> keys, string key) =>
            keys.TryGetValue(key, out var node) ? node : throw Error(parent, $"the required setting '{key}' is missing. Add it (see Profiles/midrc-default.yaml).");

        private YamlMappingNode Map(YamlNode node) =>
            node as YamlMappingNode ?? throw Error(node, "expected a group of 'name: value' settings here.");

        private string Scalar(YamlNode node) =>
            node is YamlScalarNode { Value: { } v } ? v : throw Error(node, "expected a single value here, not a list or group.");

        private IEnumerable<YamlNode> List(Dictionary<string, YamlNode> keys, string key)
        {
            if (!keys.TryGetValue(key, out var node) || node is YamlScalarNode { Value: null or "" })
            {
                return [];
            }
            return node is YamlSequenceNode seq ? seq.Children : throw Error(node, $"'{key}' must be a list, e.g. '{key}: [a, b]' or one '- item' per line.");
        }

        private AnnexEOption Option(YamlNode node)
        {
            var name = Scalar(node);
            return AnnexEOptionNames.TryParse(name, out var option)
                ? option
                : throw Error(node, $"unknown Annex E option '{name}'. Use one of: {string.Join(", ", AnnexEOptionNames.All)}.");
        }

        private DatePolicy Dates(YamlNode? node)
        {
            if (node is null)
            {
                return new DatePolicy(false, DateOnly.MinValue);
            }
            var keys = Keys(Map(node), "require-shifted", "real-dates-from");
            var shifted = keys.TryGetValue("require-shifted", out var s) && Bool(s);
            if (!shifted)
            {
                return new DatePolicy(false, DateOnly.MinValue);
            }
            var from = keys.TryGetValue("real-dates-from", out var f)
                ? f
                : throw Error(node, "'require-shifted: true' needs 'real-dates-from: YYYY-MM-DD', the first day of the real collection period.");
            return DateOnly.TryParseExact(Scalar(f), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? new DatePolicy(true, d)
                : throw Error(from, $"'{Scalar(f)}' is not a date. Write it as YYYY-MM-DD, e.g. 2019-12-01.");
        }

        private bool Bool(YamlNode node) => Scalar(node).ToLowerInvariant() switch
        {
            "true" or "yes" => true,
            "false" or "no" => false,
            var v => throw Error(node, $"'{v}' is not true or false."),
        };

        private Regex WholeValuePattern(YamlNode node)
        {
            var text = Scalar(node);
            try
            {
                return new Regex($"^(?:{text})$", RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException e)
            {
                throw Error(node, $"'{text}' is not a valid regular expression ({e.Message}). Fix the pattern; quote it with single quotes so YAML keeps backslashes.");
            }
        }

        private SafePrivateTag SafePrivate(YamlNode node)
        {
            var keys = Keys(Map(node), "creator", "tag");
            var creator = Scalar(Require(Map(node), keys, "creator")).Trim();
            var tagNode = Require(Map(node), keys, "tag");
            var text = Scalar(tagNode).Trim().TrimStart('(').TrimEnd(')');
            var parts = text.Split(',');
            if (parts.Length == 2
                && ushort.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var group)
                && (group & 1) == 1
                && parts[1].Length == 4
                && parts[1].StartsWith("xx", StringComparison.OrdinalIgnoreCase)
                && byte.TryParse(parts[1].AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var offset))
            {
                return new SafePrivateTag(creator, group, offset);
            }
            throw Error(tagNode, $"'{Scalar(tagNode)}' is not a private tag. Write it as (gggg,xxee) with an odd group and 'xx' for the block, e.g. (0019,xx9E).");
        }

        private string UidRoot(YamlNode node)
        {
            var uid = Scalar(node).Trim();
            return Regex.IsMatch(uid, @"^[0-9]+(\.[0-9]+)*$", RegexOptions.None, RegexTimeout)
                ? uid
                : throw Error(node, $"'{uid}' is not a UID. Write digits separated by dots, e.g. 1.2.840.113619.");
        }

        private PseudonymRules Pseudonyms(YamlMappingNode map)
        {
            var keys = Keys(map, "patient-id", "patient-id-description", "patient-name", "patient-name-pattern");
            var id = WholeValuePattern(Require(map, keys, "patient-id"));
            var ruleNode = Require(map, keys, "patient-name");
            var rule = Scalar(ruleNode) switch
            {
                "same-as-patient-id" => PatientNameRule.SameAsPatientId,
                "pattern" => PatientNameRule.Pattern,
                "empty" => PatientNameRule.Empty,
                var v => throw Error(ruleNode, $"unknown patient-name rule '{v}'. Use same-as-patient-id, pattern or empty."),
            };
            Regex? namePattern = null;
            if (rule == PatientNameRule.Pattern)
            {
                namePattern = WholeValuePattern(Require(map, keys, "patient-name-pattern"));
            }
            var description = keys.TryGetValue("patient-id-description", out var d) ? Scalar(d) : null;
            return new PseudonymRules(id, rule, namePattern) { PatientIdDescription = description };
        }

        private RequiredAttribute Required(YamlNode node)
        {
            var text = Scalar(node).Trim();
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            var tagText = space < 0 ? text : text[..space];
            return DicomTag.TryParse(tagText, out var tag)
                ? new RequiredAttribute(tag, space < 0 ? "" : text[(space + 1)..].Trim())
                : throw Error(node, $"'{tagText}' is not a DICOM tag. Write '(gggg,eeee) Keyword', e.g. '(0008,0060) Modality'.");
        }

        private RuleSettings Rules(YamlNode? node)
        {
            if (node is null || node is YamlScalarNode { Value: null or "" })
            {
                return RuleSettings.Defaults;
            }
            var overrides = new Dictionary<string, Severity?>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in Map(node).Children)
            {
                var id = Scalar(keyNode);
                if (!RuleCatalog.Exists(id) || id.StartsWith("parse.", StringComparison.Ordinal))
                {
                    throw Error(keyNode, $"unknown or fixed rule '{id}' (parse.* rules always run as errors). Rules you can set: {string.Join(", ", RuleCatalog.All.Select(d => d.Id).Where(r => !r.StartsWith("parse.", StringComparison.Ordinal)))}.");
                }
                overrides[id] = Scalar(value).ToLowerInvariant() switch
                {
                    "error" => Severity.Error,
                    "warning" => Severity.Warning,
                    "off" => null,
                    var v => throw Error(value, $"'{v}' is not a severity for rule '{id}'. Use error, warning or off."),
                };
            }
            return new RuleSettings(overrides);
        }
    }
}
