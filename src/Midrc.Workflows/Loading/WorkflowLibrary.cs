using Midrc.Workflows.Model;
using Midrc.Workflows.Templates;
using Midrc.Workflows.Validation;

namespace Midrc.Workflows.Loading;

/// <summary>Everything in a <c>workflows/</c> folder: definitions (<c>*.yaml</c>), email templates (<c>templates/&lt;name&gt;/</c>) and what went wrong reading them.</summary>
public sealed class WorkflowLibrary
{
    /// <summary>Definitions that could be read, in file-name order.</summary>
    public required IReadOnlyList<WorkflowDefinition> Definitions { get; init; }

    /// <summary>Email templates that could be read.</summary>
    public required IReadOnlyList<EmailTemplate> Templates { get; init; }

    /// <summary>YAML and Liquid syntax problems and malformed fields, found while reading.</summary>
    public required IReadOnlyList<WorkflowProblem> LoadProblems { get; init; }

    /// <summary>Reads a folder. Missing folders give an empty library with one problem.</summary>
    public static WorkflowLibrary LoadFolder(string folder)
    {
        var problems = new List<WorkflowProblem>();
        if (!Directory.Exists(folder))
        {
            problems.Add(new WorkflowProblem(new SourceLocation(folder, 1, 1), "Workflow folder not found."));
            return new WorkflowLibrary { Definitions = [], Templates = [], LoadProblems = problems };
        }

        var definitions = new List<WorkflowDefinition>();
        var files = Directory.GetFiles(folder, "*.yaml").Concat(Directory.GetFiles(folder, "*.yml")).Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var result = WorkflowLoader.LoadFile(file);
            problems.AddRange(result.Problems);
            if (result.Definition is not null)
            {
                definitions.Add(result.Definition);
            }
        }

        var templates = EmailTemplates.LoadFolder(Path.Combine(folder, "templates"), problems);
        return new WorkflowLibrary { Definitions = definitions, Templates = templates, LoadProblems = problems };
    }

    /// <summary>The nearest <c>workflows/</c> folder (one holding <c>workflow.schema.json</c>) in <paramref name="directory"/> or above it; null when there is none.</summary>
    public static string? FindFolderAbove(string directory)
    {
        for (var current = new DirectoryInfo(directory); current is not null; current = current.Parent)
        {
            var candidate = Path.Combine(current.FullName, "workflows");
            if (File.Exists(Path.Combine(candidate, "workflow.schema.json")))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The definition with this id: the given version, or the latest when <paramref name="version"/> is null.</summary>
    public WorkflowDefinition? Find(string id, int? version = null) =>
        Definitions.Where(d => d.Id == id && (version is null || d.Version == version)).MaxBy(d => d.Version);

    /// <summary>The template with this name, or null.</summary>
    public EmailTemplate? FindTemplate(string name) => Templates.FirstOrDefault(t => t.Name == name);

    /// <summary>Every problem, reading and validation alike, ordered by file, line and column. Empty means the host may start.</summary>
    public IReadOnlyList<WorkflowProblem> Validate(WorkflowCatalog catalog) =>
        LoadProblems.Concat(WorkflowValidator.Validate(this, catalog))
            .DistinctBy(p => p.ToString())
            .OrderBy(p => p.Location.File, StringComparer.Ordinal).ThenBy(p => p.Location.Line).ThenBy(p => p.Location.Column)
            .ToList();
}
