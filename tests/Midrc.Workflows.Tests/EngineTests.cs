using Microsoft.Extensions.Time.Testing;
using Midrc.Workflows.Model;
using Midrc.Workflows.Runtime;
using Midrc.Workflows.Validation;

namespace Midrc.Workflows.Tests;

public sealed class EngineTests
{
    private const string Chicago = "America/Chicago";

    // Tuesday 24 November 2026, 15:00 UTC (09:00 in Chicago).
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 24, 15, 0, 0, TimeSpan.Zero));

    private static readonly WorkflowActor ProgramManager = new(WorkflowRoles.ProgramManager, BelongsToSubjectSite: false);
    private static readonly WorkflowActor Coordinator = new(WorkflowRoles.SiteCoordinator, BelongsToSubjectSite: true);
    private static readonly WorkflowActor OtherSitesCoordinator = new(WorkflowRoles.SiteCoordinator, BelongsToSubjectSite: false);
    private static readonly WorkflowActor System = new(WorkflowRoles.System, BelongsToSubjectSite: false);

    private WorkflowEngine Engine => new(WorkflowCatalog.Default, clock);

    private static WorkflowInstance At(string state, params (string Key, string Value)[] data) =>
        new(state, new WorkflowData(data.ToDictionary(d => d.Key, d => d.Value)), Chicago);

    [Fact]
    public void Check_SaysOnlyAProgramManagerCanApproveARelease_WhenACoordinatorTries()
    {
        var release = WorkflowFolder.ShippedDefinition("release");

        var availability = Engine.Check(release, At("verified"), "approve", Coordinator);

        availability.Permitted.ShouldBeFalse();
        availability.WhyNot.ShouldBe("Only a program manager can approve a release.");
        Engine.Check(release, At("verified"), "approve", ProgramManager).Permitted.ShouldBeTrue();
    }

    [Fact]
    public void Check_NamesTheGuardsWaitingReason_WhenErrorsAreStillOpen()
    {
        var submission = WorkflowFolder.ShippedDefinition("submission");

        var blocked = Engine.Check(submission, At("awaiting-fixes", ("open-errors", "3")), "continue-to-verification", Coordinator);
        var allowed = Engine.Check(submission, At("awaiting-fixes", ("open-errors", "0")), "continue-to-verification", Coordinator);

        blocked.WhyNot.ShouldBe("Waiting for all error findings to be fixed or waived");
        allowed.Permitted.ShouldBeTrue();
    }

    [Fact]
    public void Check_RefusesCoordinatorsOfOtherSites()
    {
        var submission = WorkflowFolder.ShippedDefinition("submission");

        var availability = Engine.Check(submission, At("awaiting-fixes"), "request-waiver", OtherSitesCoordinator);

        availability.WhyNot.ShouldBe("Only coordinators of this site can request a waiver.");
    }

    [Fact]
    public void Check_ExplainsTriggersThatDoNotApplyInTheCurrentStateOrDoNotExist()
    {
        var submission = WorkflowFolder.ShippedDefinition("submission");

        Engine.Check(submission, At("awaiting-fixes"), "grant-waiver", ProgramManager).WhyNot
            .ShouldBe("Grant waiver is not possible while the submission is at 'Awaiting fixes'.");
        Engine.Check(submission, At("awaiting-fixes"), "qa-finished", ProgramManager).WhyNot
            .ShouldBe("Finish QA checks is not possible while the submission is at 'Awaiting fixes'.");
        Engine.Check(submission, At("awaiting-fixes"), "publish", ProgramManager).WhyNot
            .ShouldBe("'publish' is not a step of Submission.");
    }

    [Fact]
    public void Triggers_ListsEveryTriggerOfTheStateAndItsParents_WithWhyNotForThisPerson()
    {
        var submission = WorkflowFolder.ShippedDefinition("submission");

        var triggers = Engine.Triggers(submission, At("awaiting-fixes", ("open-errors", "2")), Coordinator);

        triggers.Select(t => (t.Trigger, t.Permitted, t.WhyNot)).ShouldBe(
        [
            ("request-waiver", true, null),
            ("continue-to-verification", false, "Waiting for all error findings to be fixed or waived"),
            ("resubmit", true, null),
            ("remind-site", false, "Only a program manager can remind site."),
            ("escalate", false, "Escalate to program manager happens automatically; no one does it by hand."),
        ]);
    }

    [Fact]
    public void Fire_EntersCompositeStateThenItsSubState_ArmingTimersAndDeadlineInBusinessDays()
    {
        var submission = WorkflowFolder.ShippedDefinition("submission");

        var step = Engine.Fire(submission, At("qa-running", ("open-errors", "4")), "qa-finished", System);

        step.Fired.ShouldBeTrue();
        step.ToState.ShouldBe("awaiting-fixes");
        step.Journal.ShouldBe("QA found errors to fix");
        step.Actions.Select(a => $"{a.Phase} {a.State}: {a.Action.Describe()}").ShouldBe(
        [
            "Enter fix-loop: set deadline fixes-due after P10D business days",
            "Enter awaiting-fixes: email fixes-needed to site-coordinator",
        ]);
        // Tuesday 24 Nov + 10 business days = Tuesday 8 Dec; + 7 = Thursday 3 Dec; + 14 = Monday 14 Dec (09:00 in Chicago, 15:00 UTC).
        step.DeadlinesSet["fixes-due"].UtcDateTime.ShouldBe(new DateTime(2026, 12, 8, 15, 0, 0));
        step.TimersArmed.Select(t => (t.Trigger, t.DueAt.UtcDateTime)).ShouldBe(
        [
            ("remind-site", new DateTime(2026, 12, 3, 15, 0, 0)),
            ("escalate", new DateTime(2026, 12, 14, 15, 0, 0)),
        ]);
    }

    [Fact]
    public void Fire_LeavingACompositeState_ExitsInnermostFirstAndCancelsTheParentsTimers()
    {
        var submission = WorkflowFolder.ShippedDefinition("submission");

        var step = Engine.Fire(submission, At("waiver-requested"), "resubmit", Coordinator);

        step.ToState.ShouldBe("resubmitted");
        step.Actions.Select(a => $"{a.Phase} {a.State}: {a.Action.Describe()}").ShouldBe(
        [
            "Exit fix-loop: clear deadline fixes-due",
            "Enter resubmitted: enqueue run-qa-checks",
        ]);
        step.TimersCancelled.ShouldBe(["fix-loop/remind-site/after-P7D", "fix-loop/escalate/after-P14D"]);
        step.DeadlinesCleared.ShouldBe(["fixes-due"]);
    }

    [Fact]
    public void Fire_BetweenSiblingSubStates_KeepsTheParentAndItsTimers()
    {
        var submission = WorkflowFolder.ShippedDefinition("submission");

        var step = Engine.Fire(submission, At("awaiting-fixes"), "request-waiver", Coordinator);

        step.ToState.ShouldBe("waiver-requested");
        step.Actions.Select(a => a.Action.Describe()).ShouldBe(["email waiver-requested to program-manager"]);
        step.TimersCancelled.ShouldBeEmpty();
        step.DeadlinesCleared.ShouldBeEmpty();
    }

    [Fact]
    public void Fire_RunsExitThenTransitionThenEnterActions()
    {
        var release = WorkflowFolder.TestDefinition("scheduled-release");

        var step = Engine.Fire(release, At("open"), "freeze", System);

        step.Actions.Select(a => $"{a.Phase}: {a.Action.Describe()}").ShouldBe(["Exit: clear deadline freeze-due", "Transition: enqueue freeze-release", "Enter: enqueue verify-release"]);
    }

    [Fact]
    public void Fire_AnInternalTransitionFromAParent_RunsItsActionsWithoutLeavingTheState()
    {
        var onboarding = WorkflowFolder.ShippedDefinition("site-onboarding");

        var step = Engine.Fire(onboarding, At("dua-signed"), "remind-site", System);

        step.ToState.ShouldBe("dua-signed");
        step.Actions.Select(a => $"{a.Phase}: {a.Action.Describe()}").ShouldBe(["Transition: email stage-reminder to site-coordinator"]);
        step.TimersCancelled.ShouldBeEmpty();
        step.TimersArmed.ShouldBeEmpty();
    }

    [Fact]
    public void Fire_ChoosesTheAlternativeWhoseGuardHolds()
    {
        var onboarding = WorkflowFolder.ShippedDefinition("site-onboarding");

        var passed = Engine.Fire(onboarding, At("checking-test-transfer", ("test-transfer-result", "passed")), "test-transfer-checked", System);
        var failed = Engine.Fire(onboarding, At("checking-test-transfer", ("test-transfer-result", "failed")), "test-transfer-checked", System);
        var pending = Engine.Fire(onboarding, At("checking-test-transfer"), "test-transfer-checked", System);

        passed.ToState.ShouldBe("active");
        passed.TimersCancelled.ShouldBeEmpty();
        passed.Actions.Select(a => a.Action.Describe()).ShouldBe(["email site-activated to site-coordinator"]);
        failed.ToState.ShouldBe("test-transfer-needs-fixes");
        pending.Fired.ShouldBeFalse();
        pending.WhyNot.ShouldBe("Waiting for the test transfer to pass QA and de-identification checks");
        pending.ToState.ShouldBe("checking-test-transfer");
    }

    [Fact]
    public void Start_EntersTheInitialStatesAndArmsReminderAndEscalation()
    {
        var onboarding = WorkflowFolder.ShippedDefinition("site-onboarding");

        var step = Engine.Start(onboarding, WorkflowData.Empty, Chicago);

        step.ToState.ShouldBe("invited");
        step.Actions.Select(a => $"{a.State}: {a.Action.Describe()}").ShouldBe(["invited: email site-invitation to site-coordinator"]);
        step.TimersArmed.Select(t => (t.Key, t.DueAt.UtcDateTime)).ShouldBe(
        [
            ("invited/remind-site/after-P7D", new DateTime(2026, 12, 1, 15, 0, 0)),
            ("invited/escalate/after-P14D", new DateTime(2026, 12, 8, 15, 0, 0)),
        ]);
    }

    [Fact]
    public void Fire_SetsADeadlineFromTheRequestsDueDate_AndArmsTimersAroundIt()
    {
        var solicitation = WorkflowFolder.ShippedDefinition("data-solicitation");

        var step = Engine.Fire(solicitation, At("sent", ("due-date", "2027-01-15")), "acknowledge", Coordinator);

        step.DeadlinesCleared.ShouldBe(["response-due"]);
        var due = step.DeadlinesSet["data-due"];
        due.ShouldBe(new DateTimeOffset(2027, 1, 15, 23, 59, 0, TimeSpan.FromHours(-6)));
        step.TimersArmed.Select(t => (t.Trigger, t.DueAt)).ShouldBe(
        [
            ("remind-due-date", due.AddDays(-7)),
            ("escalate", due.AddDays(1)),
        ]);
        var escalation = step.TimersArmed[1];
        var repeated = WorkflowEngine.Repeat(escalation, Chicago).ShouldNotBeNull();
        repeated.DueAt.ShouldBe(due.AddDays(2));
        repeated.RepeatsLeft.ShouldBe(1);
        WorkflowEngine.Repeat(repeated with { RepeatsLeft = 0 }, Chicago).ShouldBeNull();
    }

    [Fact]
    public void NextOccurrence_FindsTheThirdTuesdayAt14InChicago_AcrossADaylightSavingChange()
    {
        var schedule = WorkflowFolder.TestDefinition("scheduled-release").Schedules.ShouldHaveSingleItem();

        var december = WorkflowEngine.NextOccurrence(schedule, "UTC", clock.GetUtcNow());
        var march = WorkflowEngine.NextOccurrence(schedule, "UTC", new DateTimeOffset(2027, 2, 20, 0, 0, 0, TimeSpan.Zero));

        december.ShouldBe(new DateTimeOffset(2026, 12, 15, 20, 0, 0, TimeSpan.Zero));
        march.ShouldBe(new DateTimeOffset(2027, 3, 16, 19, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Fire_AReentryLeavesAndEntersTheStateAgain_RestartingItsTimers()
    {
        const string yaml = """
            id: retry
            version: 1
            title: Retry
            subject: submission
            initial: waiting
            states:
              - id: waiting
                on-enter:
                  - start: submission
                on-exit:
                  - deadline: { clear: answer-due }
                timers:
                  - { after: PT12H, fire: retry }
              - id: done
                final: true
            transitions:
              - { trigger: retry, from: waiting, to: waiting, allowed: system, label: Retry, journal: Retried }
              - { trigger: finish, from: waiting, to: done, allowed: system, label: Finish, journal: Finished }
            """;
        var definition = Loading.WorkflowLoader.LoadText(yaml, "retry.yaml").Definition.ShouldNotBeNull();

        var step = Engine.Fire(definition, At("waiting"), "retry", System);

        step.ToState.ShouldBe("waiting");
        step.Actions.Select(a => $"{a.Phase}: {a.Action.Describe()}").ShouldBe(["Exit: clear deadline answer-due", "Enter: start submission"]);
        step.TimersCancelled.ShouldBe(["waiting/retry/after-PT12H"]);
        step.TimersArmed.ShouldHaveSingleItem().DueAt.ShouldBe(clock.GetUtcNow().AddHours(12));
    }
}
