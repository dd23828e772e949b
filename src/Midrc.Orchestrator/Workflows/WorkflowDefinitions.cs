using Midrc.Orchestrator.Hosting;
using Midrc.Workflows.Loading;
using Midrc.Workflows.Model;
using Midrc.Workflows.Validation;

namespace Midrc.Orchestrator.Workflows;

/// <summary>
/// The validated contents of <c>workflows/</c>: every version of every definition and the email templates.
/// Loaded once; the host does not start with an invalid definition.
/// </summary>
public sealed class WorkflowDefinitions(WorkflowLibrary library, string folder)
{
    public const string FolderSetting = "Midrc:Workflows:Folder";

    public WorkflowLibrary Library => library;

    public string Folder => folder;

    /// <summary>The exact version an instance runs on.</summary>
    public WorkflowDefinition Get(string id, int version) =>
        library.Find(id, version)
        ?? throw new InvalidOperationException($"Workflow '{id}' version {version} is not in {folder}; instances on it need that file, or a migration to a version that is there.");

    /// <summary>The newest version of a definition, or null.</summary>
    public WorkflowDefinition? Latest(string id) => library.Find(id);

    /// <summary>
    /// Reads the folder named by <c>Midrc:Workflows:Folder</c>, or else the nearest <c>workflows/</c> above the working
    /// directory or the application (the build copies it next to the host), and validates it with the program's catalogue.
    /// </summary>
    public static WorkflowDefinitions Load(IConfiguration configuration)
    {
        var configured = configuration[FolderSetting];
        var folder = string.IsNullOrWhiteSpace(configured)
            ? WorkflowLibrary.FindFolderAbove(Directory.GetCurrentDirectory()) ?? WorkflowLibrary.FindFolderAbove(AppContext.BaseDirectory)
            : Path.GetFullPath(configured);
        if (folder is null)
        {
            throw new StartupException(
                $"No workflows/ folder (with workflow.schema.json) was found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}. Set {FolderSetting} to the folder holding the workflow definitions.");
        }

        var library = WorkflowLibrary.LoadFolder(folder);
        var problems = library.Validate(WorkflowCatalog.Default);
        if (problems.Count > 0)
        {
            throw new StartupException(
                $"The workflow definitions in {folder} have {problems.Count} problem{(problems.Count == 1 ? "" : "s")}; fix them (midrc workflows validate shows the same list) and start again:"
                + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }

        return new WorkflowDefinitions(library, folder);
    }
}
