using System.CommandLine;
using Midrc.Cli.Workflows;
using Midrc.Workflows.Loading;

namespace Midrc.Cli.Tests.Workflows;

public sealed class WorkflowCommandsTests : IDisposable
{
    private static readonly string Shipped = WorkflowLibrary.FindFolderAbove(AppContext.BaseDirectory)
        ?? throw new DirectoryNotFoundException("Could not find the repository's workflows/ folder above the test output.");

    private readonly string scratch = Path.Combine(Path.GetTempPath(), "midrc-cli-workflows-" + Guid.NewGuid().ToString("N"));

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand { WorkflowCommands.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public void Validate_ExitsZeroWithASummary_WhenEverythingIsValid()
    {
        var (exitCode, output, _) = Run("workflows", "validate", Shipped);

        exitCode.ShouldBe(0);
        var templates = Directory.GetDirectories(Path.Combine(Shipped, "templates")).Length;
        output.Trim().ShouldBe($"OK: 4 workflow definitions and {templates} email templates are valid.");
    }

    [Fact]
    public void Validate_PrintsEachProblemAsFileLineColumnMessage_AndExitsOne()
    {
        Directory.CreateDirectory(scratch);
        var file = Path.Combine(scratch, "broken.yaml");
        File.WriteAllText(file, "id: broken\nversion: 1\ntitle: Broken\nsubject: site\ninitial: start\nstates:\n  - id: start\ntransitions: []\n");

        var (exitCode, output, _) = Run("workflows", "validate", scratch);

        exitCode.ShouldBe(1);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(
        [
            $"{file}:7:9: State 'start' is not final but no transition leaves it; add a transition or mark it 'final: true'.",
            "1 problem found.",
        ]);
    }

    [Fact]
    public void Diagram_PrintsMermaidWithTheCurrentStateMarked()
    {
        var (exitCode, output, _) = Run("workflows", "diagram", "release", "--folder", Shipped, "--state", "frozen");

        exitCode.ShouldBe(0);
        output.ShouldStartWith("stateDiagram-v2");
        output.ShouldContain("class frozen current");
    }

    [Fact]
    public void Diagram_PrintsDot_WhenAsked()
    {
        var (exitCode, output, _) = Run("workflows", "diagram", "site-onboarding", "--folder", Shipped, "--format", "dot");

        exitCode.ShouldBe(0);
        output.ShouldStartWith("digraph \"site-onboarding\" {");
    }

    [Fact]
    public void Diagram_ExplainsAnUnknownDefinitionOrState()
    {
        var unknownId = Run("workflows", "diagram", "onboarding", "--folder", Shipped);
        var unknownState = Run("workflows", "diagram", "release", "--folder", Shipped, "--state", "shipped");

        unknownId.ExitCode.ShouldBe(1);
        unknownId.Error.ShouldContain("No workflow definition 'onboarding'");
        unknownState.ExitCode.ShouldBe(1);
        unknownState.Error.ShouldContain("'shipped' is not a state of release");
    }

    public void Dispose()
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
