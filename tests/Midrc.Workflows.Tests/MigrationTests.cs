using Midrc.Workflows.Loading;
using Midrc.Workflows.Migration;
using Midrc.Workflows.Model;

namespace Midrc.Workflows.Tests;

public sealed class MigrationTests
{
    private static readonly string Version1 = File.ReadAllText(Path.Combine(WorkflowFolder.Shipped, "submission.yaml"));

    private static WorkflowDefinition Load(string text) =>
        WorkflowLoader.LoadText(text, "submission.yaml").Definition.ShouldNotBeNull();

    // Version 2 renames "resubmitted" to "rechecking" (mapped explicitly), drops "waiver-requested" without saying where
    // its instances go, and reminds after 5 business days instead of 7.
    private static readonly string Version2 = Version1
        .Replace("version: 1", "version: 2", StringComparison.Ordinal)
        .Replace("resubmitted", "rechecking", StringComparison.Ordinal)
        .Replace("{ after: P7D, business-days: true, fire: remind-site }", "{ after: P5D, business-days: true, fire: remind-site }", StringComparison.Ordinal)
        .Replace("initial: received\n", "initial: received\nmigrate:\n  - { from-state: resubmitted, to: rechecking }\n", StringComparison.Ordinal)
        .Replace("      - id: waiver-requested\n        title: Waiver requested\n        on-enter:\n          - email: { template: waiver-requested, to: program-manager }\n", "", StringComparison.Ordinal);

    [Fact]
    public void Plan_MapsRenamedStatesKeepsUnchangedOnesAndFlagsStatesThatDisappeared()
    {
        var plan = MigrationPlanner.Plan(Load(Version1), Load(Version2),
        [
            new InstanceToMigrate("s-1", "resubmitted"),
            new InstanceToMigrate("s-2", "qa-running"),
            new InstanceToMigrate("s-3", "waiver-requested"),
        ]);

        plan.ToVersion.ShouldBe(2);
        plan.CanMigrate.ShouldBeFalse();
        plan.Instances.Select(i => (i.InstanceId, i.ToState, i.Outcome)).ShouldBe(
        [
            ("s-1", "rechecking", MigrationOutcome.Mapped),
            ("s-2", "qa-running", MigrationOutcome.Unchanged),
            ("s-3", null, MigrationOutcome.Unmapped),
        ]);
        plan.Instances[2].Problem.ShouldBe("State 'waiver-requested' no longer exists in version 2; add 'migrate: [{from-state: waiver-requested, to: <state>}]' to the new definition.");
    }

    [Fact]
    public void Plan_ListsTimersThatStopAndStart_WhenADurationChanged()
    {
        var plan = MigrationPlanner.Plan(Load(Version1), Load(Version2), [new InstanceToMigrate("s-4", "awaiting-fixes")]);

        var instance = plan.Instances.ShouldHaveSingleItem();
        instance.Outcome.ShouldBe(MigrationOutcome.Unchanged);
        instance.TimersCancelled.ShouldBe(["fix-loop/remind-site/after-P7D"]);
        instance.TimersStarted.ShouldBe(["fix-loop/remind-site/after-P5D"]);
        plan.CanMigrate.ShouldBeTrue();
    }

    [Fact]
    public void Plan_RefusesToMixDefinitions()
    {
        Should.Throw<ArgumentException>(() => MigrationPlanner.Plan(Load(Version1), WorkflowFolder.ShippedDefinition("release"), []));
    }
}
