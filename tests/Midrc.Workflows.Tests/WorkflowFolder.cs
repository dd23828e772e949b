using Midrc.Workflows.Loading;
using Midrc.Workflows.Model;
using Midrc.Workflows.Validation;

namespace Midrc.Workflows.Tests;

/// <summary>The shipped <c>workflows/</c> folder, the tests' own definitions, and throw-away copies that a test may break.</summary>
internal sealed class WorkflowFolder : IDisposable
{
    private WorkflowFolder(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public static string Shipped { get; } = WorkflowLibrary.FindFolderAbove(AppContext.BaseDirectory)
        ?? throw new DirectoryNotFoundException("Could not find the repository's workflows/ folder above the test output.");

    public static WorkflowLibrary LoadShipped() => WorkflowLibrary.LoadFolder(Shipped);

    public static WorkflowDefinition ShippedDefinition(string id) => LoadShipped().Find(id) ?? throw new InvalidOperationException($"No shipped definition '{id}'.");

    /// <summary>Where the tests' own definitions (features no shipped definition uses, such as cron schedules) are copied to the output.</summary>
    public static string TestDefinitions { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "TestDefinitions");

    /// <summary>A definition of <c>TestDefinitions/</c>, e.g. <c>scheduled-release</c>.</summary>
    public static WorkflowDefinition TestDefinition(string id) =>
        WorkflowLoader.LoadFile(System.IO.Path.Combine(TestDefinitions, id + ".yaml")).Definition
        ?? throw new InvalidOperationException($"The test definition '{id}' does not load.");

    /// <summary>A copy of the shipped folder (plus the named test definitions) in a temporary directory, deleted on dispose.</summary>
    public static WorkflowFolder CopyOfShipped(params string[] testDefinitions)
    {
        var target = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "midrc-workflows-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.GetFiles(Shipped, "*", SearchOption.AllDirectories))
        {
            var copy = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(Shipped, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        foreach (var id in testDefinitions)
        {
            File.Copy(System.IO.Path.Combine(TestDefinitions, id + ".yaml"), System.IO.Path.Combine(target, id + ".yaml"));
        }

        return new WorkflowFolder(target);
    }

    /// <summary>A temporary folder holding just the given files (relative path to text), deleted on dispose.</summary>
    public static WorkflowFolder WithFiles(params (string Path, string Text)[] files)
    {
        var target = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "midrc-workflows-" + Guid.NewGuid().ToString("N"));
        foreach (var (path, text) in files)
        {
            var file = System.IO.Path.Combine(target, path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
            File.WriteAllText(file, text);
        }

        Directory.CreateDirectory(target);
        return new WorkflowFolder(target);
    }

    /// <summary>Replaces the one occurrence of <paramref name="original"/> in a file and returns where <paramref name="marker"/> (inside the replacement) now starts.</summary>
    public SourceLocation Replace(string relativeFile, string original, string replacement, string marker)
    {
        var file = System.IO.Path.Combine(Path, relativeFile);
        var text = File.ReadAllText(file);
        var index = text.IndexOf(original, StringComparison.Ordinal);
        index.ShouldBeGreaterThanOrEqualTo(0, $"'{original}' is not in {relativeFile}");
        text.IndexOf(original, index + 1, StringComparison.Ordinal).ShouldBe(-1, $"'{original}' occurs more than once in {relativeFile}");
        var edited = text[..index] + replacement + text[(index + original.Length)..];
        File.WriteAllText(file, edited);
        var at = edited.IndexOf(marker, index, StringComparison.Ordinal);
        var before = edited[..at];
        return new SourceLocation(file, before.Count(c => c == '\n') + 1, at - (before.LastIndexOf('\n') + 1) + 1);
    }

    public IReadOnlyList<WorkflowProblem> Validate() => WorkflowLibrary.LoadFolder(Path).Validate(WorkflowCatalog.Default);

    public void Dispose()
    {
        Directory.Delete(Path, recursive: true);
    }
}
