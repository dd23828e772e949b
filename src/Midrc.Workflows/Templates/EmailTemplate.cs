using System.Globalization;
using System.Text.RegularExpressions;
using Fluid;
using Fluid.Ast;
using Midrc.Workflows.Model;

namespace Midrc.Workflows.Templates;

/// <summary>One Liquid file of an email template, parsed.</summary>
public sealed record TemplatePart(string File, string Text, IFluidTemplate Parsed);

/// <summary>An email template folder: <c>subject.liquid</c>, <c>body.html.liquid</c> and <c>body.txt.liquid</c>.</summary>
public sealed record EmailTemplate(string Name, string Folder, TemplatePart Subject, TemplatePart HtmlBody, TemplatePart TextBody)
{
    /// <summary>The three files a template folder must hold.</summary>
    public static IReadOnlyList<string> PartFiles { get; } = ["subject.liquid", "body.html.liquid", "body.txt.liquid"];

    /// <summary>The three parts in file order.</summary>
    public IEnumerable<TemplatePart> Parts => [Subject, HtmlBody, TextBody];
}

/// <summary>Reads template folders and checks that templates use only <see cref="TemplateFields"/>.</summary>
public static partial class EmailTemplates
{
    private static readonly FluidParser Parser = new();

    /// <summary>Loads every <c>templates/&lt;name&gt;/</c> folder below <paramref name="templatesFolder"/>.</summary>
    public static IReadOnlyList<EmailTemplate> LoadFolder(string templatesFolder, List<WorkflowProblem> problems)
    {
        if (!Directory.Exists(templatesFolder))
        {
            return [];
        }

        var templates = new List<EmailTemplate>();
        foreach (var folder in Directory.GetDirectories(templatesFolder).Order(StringComparer.Ordinal))
        {
            var parts = EmailTemplate.PartFiles.Select(name => LoadPart(Path.Combine(folder, name), problems)).ToList();
            if (parts.TrueForAll(part => part is not null))
            {
                templates.Add(new EmailTemplate(Path.GetFileName(folder), folder, parts[0]!, parts[1]!, parts[2]!));
            }
        }

        return templates;
    }

    /// <summary>Parses one Liquid file's text; a syntax error becomes a problem at its line and column.</summary>
    public static TemplatePart? ParsePart(string text, string file, List<WorkflowProblem> problems)
    {
        if (Parser.TryParse(text, out var parsed, out var error))
        {
            return new TemplatePart(file, text, parsed);
        }

        // Fluid writes "message at (line:column)" and then the offending source lines; keep the message, use the position.
        var match = ErrorPosition().Match(error);
        var location = match.Success
            ? new SourceLocation(file, int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["column"].Value, CultureInfo.InvariantCulture))
            : new SourceLocation(file, 1, 1);
        var message = match.Success ? error[..match.Index] : error.Split('\n')[0];
        problems.Add(new WorkflowProblem(location, $"Liquid syntax error: {message.Trim()}."));
        return null;
    }

    /// <summary>Every field the part uses that is not in <see cref="TemplateFields"/>, each at its first occurrence in the file.</summary>
    public static IEnumerable<WorkflowProblem> UnknownFields(TemplatePart part)
    {
        var collector = new FieldCollector();
        collector.VisitTemplate(part.Parsed);
        return collector.Fields
            .Where(field => !TemplateFields.IsKnown(field.Path))
            .Select(field => new WorkflowProblem(Find(part, field.Written), $"Unknown template field '{field.Written}'; templates may use: {string.Join(", ", TemplateFields.All.Keys)}."));
    }

    private static TemplatePart? LoadPart(string path, List<WorkflowProblem> problems)
    {
        if (File.Exists(path))
        {
            return ParsePart(File.ReadAllText(path), path, problems);
        }

        problems.Add(new WorkflowProblem(new SourceLocation(path, 1, 1), $"Missing template file; every template folder holds {string.Join(", ", EmailTemplate.PartFiles)}."));
        return null;
    }

    private static SourceLocation Find(TemplatePart part, string written)
    {
        var index = Math.Max(0, part.Text.IndexOf(written, StringComparison.Ordinal));
        var before = part.Text[..index];
        var line = before.Count(c => c == '\n') + 1;
        var column = index - (before.LastIndexOf('\n') + 1) + 1;
        return new SourceLocation(part.File, line, column);
    }

    [GeneratedRegex(@" at \((?<line>\d+):(?<column>\d+)\)")]
    private static partial Regex ErrorPosition();

    private sealed record UsedField(string Path, string Written);

    /// <summary>Collects member paths; a <c>for</c> loop variable stands for an item of its list (<c>finding.hint</c> is <c>findings[].hint</c>) and <c>assign</c>ed names are local.</summary>
    private sealed class FieldCollector : AstVisitor
    {
        private readonly Dictionary<string, string?> locals = [];

        public List<UsedField> Fields { get; } = [];

        protected override Statement VisitForStatement(ForStatement forStatement)
        {
            var source = forStatement.Source is MemberExpression member ? Resolve(member)?.Path : null;
            locals[forStatement.Identifier] = source is null ? null : source + "[]";
            locals["forloop"] = null;
            return base.VisitForStatement(forStatement);
        }

        protected override Statement VisitAssignStatement(AssignStatement assignStatement)
        {
            locals[assignStatement.Identifier] = null;
            return base.VisitAssignStatement(assignStatement);
        }

        protected override Expression VisitMemberExpression(MemberExpression memberExpression)
        {
            if (Resolve(memberExpression) is { } field)
            {
                Fields.Add(field);
            }

            return base.VisitMemberExpression(memberExpression);
        }

        private UsedField? Resolve(MemberExpression member)
        {
            var names = member.Segments.OfType<IdentifierSegment>().Select(s => s.Identifier).ToList();
            if (names.Count == 0 || names.Count != member.Segments.Count)
            {
                return null;
            }

            var written = string.Join('.', names);
            if (names.Count > 1 && TemplateFields.ListProperties.Contains(names[^1]))
            {
                names.RemoveAt(names.Count - 1);
            }

            if (!locals.TryGetValue(names[0], out var alias))
            {
                return new UsedField(string.Join('.', names), written);
            }

            return alias is null ? null : new UsedField(string.Join('.', names.Skip(1).Prepend(alias)), written);
        }
    }
}
